"""Repository-wide pytest configuration: how nbval compares the notebooks' stored outputs.

nbval compares text outputs exactly. Only what is truly not reproducible is skipped:
ipympl figures carry their picture as HTML (an embedded PNG), widget views carry random model
ids, and images are compared by nothing. Memory addresses are sanitised (tests/sanitize.cfg).
"""


def pytest_collectstart(collector):
    if collector.__class__.__name__ == "IPyNbFile":
        collector.skip_compare += (
            "text/html",
            "application/javascript",
            "application/vnd.jupyter.widget-view+json",
            "image/png",
            "image/svg+xml",
        )
