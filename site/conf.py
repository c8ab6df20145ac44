"""Sphinx configuration of the course website (built by ``make site``; see site/build.py).

The source folder is build/site-src/, laid out by site/build.py from the notebooks. Nothing is
executed: the pages show the outputs stored in the notebooks.
"""

project = "L1 vs L2"
author = "the L1 vs L2 course authors"
copyright = "the course authors; text and figures CC BY 4.0, code MIT"
language = "en"

extensions = ["myst_nb", "sphinx-mathjax-offline"]  # MathJax 3 bundled, no CDN
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
html_theme = "sphinx_book_theme"
html_title = "L1 vs L2: regression losses"
html_static_path = ["static"]
html_css_files = ["lessons.css"]
html_js_files = ["lessons.js"]
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
html_theme_options = {
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "navigation_with_keys": False,
    "home_page_in_toc": True,
    "show_prev_next": True,
    "pygments_light_style": "a11y-high-contrast-light",
    "pygments_dark_style": "a11y-high-contrast-dark",
}
html_context = {"default_mode": "light"}

# myst-nb: never execute; show the stored outputs.
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "html_image"]
myst_heading_anchors = 3
# Widget views (checkers, demos) have no live kernel on a static page: drop them so the stored
# text verdicts and PNG snapshots are shown instead of an empty box.
nb_mime_priority_overrides = [
    ("html", "application/vnd.jupyter.widget-view+json", None),
    ("dirhtml", "application/vnd.jupyter.widget-view+json", None),
]
nb_render_markdown_format = "myst"
# Pin cells carry the tag hide-input: myst-nb folds their source behind a "Show code" toggle,
# as JupyterLab collapses them.
nb_code_prompt_show = "Show code cell {type}"
nb_code_prompt_hide = "Hide code cell {type}"
suppress_warnings = ["mystnb.unknown_mime_type"]
