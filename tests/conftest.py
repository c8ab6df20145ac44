"""Test-run configuration for tests/: say in the summary which checks did not run, and why."""

# Skip reasons (fragments) that must not pass unnoticed in a long run.
_NOTICES = ("torch parity not checked",)


def pytest_terminal_summary(terminalreporter):
    """One line per group of skipped checks the project cares about (e.g. the torch parity)."""
    for fragment in _NOTICES:
        skipped = [report for report in terminalreporter.stats.get("skipped", [])
                   if fragment in str(getattr(report, "longrepr", ""))]
        if skipped:
            reason = next(str(report.longrepr[2]) for report in skipped
                          if isinstance(report.longrepr, tuple))
            reason = reason.removeprefix("Skipped: ")
            terminalreporter.write_line(
                f"NOT CHECKED: {len(skipped)} tests skipped: {reason}", yellow=True)
