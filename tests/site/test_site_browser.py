"""The built site in headless Chromium: three pages screenshotted (artifacts/site/), checked for raw
LaTeX, missing images, broken links and resources, underlined links, and measured with axe-core.
"""

from __future__ import annotations

import re

import pytest
import sitetools

PAGES = {
    "home": "index.html",
    "lecture": "notebooks/02_gradients.html",
    "solutions": "solutions/04_outliers.html",
}

# Visible text outside code blocks; MathJax's own output and assistive MathML are skipped.
VISIBLE_TEXT_JS = """
() => {
  const skip = new Set(['SCRIPT', 'STYLE', 'PRE', 'CODE', 'NOSCRIPT', 'MJX-CONTAINER', 'TEXTAREA']);
  const out = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) { out.push(node.textContent); return; }
    if (node.nodeType !== Node.ELEMENT_NODE || skip.has(node.tagName)) return;
    const style = getComputedStyle(node);
    if (style.display === 'none' || style.visibility === 'hidden') return;
    for (const child of node.childNodes) walk(child);
  };
  walk(document.querySelector('main') || document.body);
  return out.join(' ');
}
"""
RAW_LATEX = re.compile(r"\$[^$\s][^$]{0,80}\$|\\(frac|hat|sum|mathrm|operatorname|left|right|"
                       r"begin|end|cdot|sqrt|delta|beta|ell)\b")


@pytest.fixture(scope="module")
def browser_pages():
    site = sitetools.built_site()
    with sitetools.serve(site) as base, sitetools.chromium() as browser:
        yield base, browser


def _open(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    failures = []
    page.on("requestfailed", lambda request: failures.append(f"{request.url} failed"))
    page.on("response", lambda response: failures.append(f"{response.url} {response.status}")
            if response.status >= 400 else None)
    page.goto(url, wait_until="load")
    page.wait_for_function("() => !window.MathJax || (MathJax.startup && MathJax.startup.promise"
                           " && MathJax.startup.document && true)", timeout=60_000)
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    return page, failures


@pytest.mark.parametrize("name", list(PAGES))
def test_site_page_in_chromium(browser_pages, name):
    base, browser = browser_pages
    url = f"{base}/{PAGES[name]}"
    page, failures = _open(browser, url)
    try:
        shot = sitetools.ARTIFACTS / "site" / f"{name}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        if name == "solutions":  # show a checker's stored verdict and a demo's snapshot
            page.locator("text=✅").first.scroll_into_view_if_needed()
        page.screenshot(path=str(shot), full_page=(name == "home"))

        text = page.evaluate(VISIBLE_TEXT_JS)
        raw = sorted({m.group(0) for m in RAW_LATEX.finditer(text)})
        assert not raw, f"{name}: raw LaTeX on the page: {raw[:10]}"
        if name != "home":
            assert page.locator("mjx-container").count() > 0, f"{name}: no formula was typeset"

        broken = page.evaluate("() => [...document.images].filter(i => !i.complete || "
                               "i.naturalWidth === 0).map(i => i.getAttribute('src'))")
        assert not broken, f"{name}: images that did not load: {broken}"
        assert not failures, f"{name}: resources that failed: {failures}"

        hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
        internal = sorted({h.split("#")[0] for h in hrefs if h.startswith(base)})
        bad = [h for h in internal if page.request.get(h).status != 200]
        assert not bad, f"{name}: broken links {bad}"

        underlined = page.evaluate(
            "() => [...document.querySelectorAll('article a:not(.headerlink)')].slice(0, 30)"
            ".map(a => getComputedStyle(a).textDecorationLine)")
        assert underlined and all("underline" in u for u in underlined), underlined

        if name != "home":
            banner = page.locator(".lessons-banner").first
            assert banner.is_visible() and banner.inner_text().strip()
    finally:
        page.close()


def test_axe_finds_no_serious_violation_on_three_site_pages(browser_pages):
    base, browser = browser_pages
    report, serious = {}, {}
    for path in PAGES.values():
        page, _ = _open(browser, f"{base}/{path}")
        try:
            violations = sitetools.run_axe(page)
            for violation in violations:  # the course's content, or the theme around it
                for node in violation["nodes"]:
                    node["owner"] = page.evaluate(
                        "(s) => { const e = document.querySelector(s); return e && "
                        "e.closest('article') ? 'course' : 'theme'; }", node["target"][0])
        finally:
            page.close()
        report[path] = {"counts": sitetools.summarise(violations, lambda n: n["owner"]),
                        "violations": [{"id": v["id"], "impact": v["impact"],
                                        "targets": [n["target"] for n in v["nodes"]][:5]}
                                       for v in violations]}
        serious[path] = [f"{v['id']} ({v['impact']}, {len(v['nodes'])}): "
                         f"{v['nodes'][0]['target'] if v['nodes'] else ''}"
                         for v in violations if v["impact"] in sitetools.SERIOUS]
    sitetools.write_json("a11y/site_axe.json", report)
    assert not any(serious.values()), serious
