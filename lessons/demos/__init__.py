"""Interactive demos: each wires widgets to a figure and exposes both, so tests can drive it."""
