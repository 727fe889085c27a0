"""Every page of the built site in a real headless Chromium, in the light and the dark theme.

Needs Debian's ``chromium`` and ``fonts-nanum`` (``apt-get install chromium fonts-nanum``); never
``playwright install``.  Without them these tests skip, unless ``REQUIRE_BROWSER=1`` (set by
``.ci/run``) turns the skip into a failure.  ``SCREENSHOT_DIR=/some/dir`` also saves a full-page
screenshot of every page, theme and width there, to look at.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from browsing import open_page, require_browser
from tools.browser import DESKTOP, PHONE, RENDER_ALL, site_pages

ROOT = Path(__file__).resolve().parents[2]
THEMES = {"light": "default", "dark": "slate"}

pytestmark = pytest.mark.browser


def _open(browser, base: str, path: str, theme: str, viewport: dict):
    context, page, problems = open_page(browser, base, path, theme, viewport)
    # load every lazy image of the current theme, then wait for the fonts
    page.evaluate("""async () => {
        for (const img of document.querySelectorAll('.md-content img')) img.loading = 'eager';
        await Promise.all([...document.images].map(i => i.complete ? 0 :
            new Promise(r => { i.onload = i.onerror = r; })));
        await document.fonts.ready;
    }""")
    return context, page, problems


@pytest.mark.parametrize("theme", list(THEMES))
def test_every_page(built_site: Path, server: str, browser, theme: str):
    shots = os.environ.get("SCREENSHOT_DIR")
    failures: list[str] = []
    for path in site_pages(built_site):
        context, page, problems = _open(browser, server, path, theme, DESKTOP)
        where = f"{path} [{theme}]"
        failures += [f"{where} {p}" for p in problems]

        scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        if scheme != THEMES[theme]:
            failures.append(f"{where} colour scheme is {scheme!r}")

        images = page.evaluate("""() => [...document.querySelectorAll('.md-content img')].map(i => ({
            src: i.getAttribute('src'), alt: i.getAttribute('alt') || '',
            shown: i.offsetParent !== null, ok: i.complete && i.naturalWidth > 0}))""")
        for img in images:
            if not img["alt"].strip():
                failures.append(f"{where} image without alt text: {img['src']}")
            if img["shown"] and not img["ok"]:
                failures.append(f"{where} image did not load: {img['src']}")
            other = next(t for t in THEMES if t != theme)
            if img["shown"] and f"#only-{other}" in img["src"]:  # themeless images (notebook output) are fine
                failures.append(f"{where} shows the other theme's image: {img['src']}")

        text = page.inner_text(".md-content")
        raw = re.findall(r"\\\(|\\\)|\\\[|\\\]|\$\$", text)
        if raw:
            failures.append(f"{where} raw TeX delimiters left in the text: {raw[:5]}")

        math = page.evaluate("""() => {
            const boxes = [...document.querySelectorAll('.katex-html')];
            const invisible = boxes.filter(b => { const r = b.getBoundingClientRect();
                return r.width === 0 || r.height === 0; }).length;
            const font = boxes.length ? getComputedStyle(boxes[0]).fontFamily : '';
            const loaded = [...document.fonts].filter(f => f.family.includes('KaTeX') && f.status === 'loaded').length;
            return {count: boxes.length, invisible, font, loaded};
        }""")
        if math["count"]:
            if math["invisible"]:
                failures.append(f"{where} {math['invisible']} formulas have no visible size")
            if "KaTeX" not in math["font"] or math["loaded"] == 0:
                failures.append(f"{where} KaTeX fonts not in use: {math}")

        if shots:
            page.add_style_tag(content=RENDER_ALL)
            out = Path(shots)
            out.mkdir(parents=True, exist_ok=True)
            name = path.strip("/").replace("/", "_") or "index"
            page.screenshot(path=out / f"{name}-{theme}-desktop.png", full_page=True)
            page.set_viewport_size(PHONE)
            page.screenshot(path=out / f"{name}-{theme}-phone.png", full_page=True)
        context.close()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("query", ["경사하강법", "편미분", "학습률"])
def test_search_finds_korean_words(server: str, browser, query: str):
    context, page, problems = _open(browser, server, "/", "light", DESKTOP)
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")  # fill() alone does not trigger Material's search with Hangul
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    titles = page.locator(".md-search-result__item").all_inner_texts()
    context.close()
    assert any(query in t for t in titles), f"search for {query!r} found {titles[:5]}"
    assert not problems, problems


def test_offscreen_prose_is_skipped_until_scrolled_to(server: str, browser):
    """content-visibility (site.css): a formula far down the page is not laid out at first,
    and is typeset with a real size once the reader scrolls to it."""
    context, page, problems = _open(browser, server, "/momentum/", "light", PHONE)
    state = """() => { const p = [...document.querySelectorAll('.md-typeset > p')].filter(p => p.querySelector('.katex')).at(-1);
        return {skipped: p.querySelector('.katex').checkVisibility({contentVisibilityAuto: true}) === false,
                cv: getComputedStyle(p).contentVisibility}; }"""
    before = page.evaluate(state)
    page.evaluate("""() => [...document.querySelectorAll('.md-typeset > p')].filter(p => p.querySelector('.katex'))
        .at(-1).scrollIntoView()""")
    page.wait_for_timeout(300)
    after = page.evaluate(state)
    size = page.evaluate("""() => { const k = [...document.querySelectorAll('.md-typeset > p .katex-html')].at(-1)
        .getBoundingClientRect(); return [k.width, k.height]; }""")
    context.close()
    assert before == {"skipped": True, "cv": "auto"}, before
    assert after["skipped"] is False and min(size) > 0, (after, size)
    assert not problems, problems


CODE_BLOCKS_AT_LOAD = """() => [...document.querySelectorAll('.md-typeset > div.highlight:not(.gd-output)')].map(d => ({
    skipped: d.querySelector('pre').checkVisibility({contentVisibilityAuto: true}) === false,
    height: d.getBoundingClientRect().height}))"""
CODE_BLOCKS_IN_VIEW = """async () => { const out = [];
    for (const d of document.querySelectorAll('.md-typeset > div.highlight:not(.gd-output)')) {
        d.scrollIntoView();
        await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
        out.push({height: d.getBoundingClientRect().height, lines: +d.style.getPropertyValue('--gd-code-lines')});
    }
    await new Promise(r => setTimeout(r, 300));
    document.querySelectorAll('.md-typeset > div.highlight:not(.gd-output)').forEach((d, i) => {
        out[i].copy = !!d.querySelector('.md-code__button'); });
    return out; }"""


@pytest.mark.parametrize("path", ["/momentum/", "/sgd/"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_offscreen_code_is_skipped_at_its_real_height(server: str, browser, path: str, viewport: dict):
    """site.css leaves off-screen code blocks unrendered, standing in with the height their line
    count gives; that height is the rendered one (else the page jumps while the reader scrolls,
    and the table of contents marks the wrong section).  Material sets a block up (copy button)
    once it is in view (content.lazy)."""
    context, page, problems = _open(browser, server, path, "light", viewport)
    at_load = page.evaluate(CODE_BLOCKS_AT_LOAD)
    outputs_skipped = page.evaluate("""() => [...document.querySelectorAll('.md-typeset > div.gd-output')]
        .map(d => d.querySelector('pre').checkVisibility({contentVisibilityAuto: true}) === false)""")
    in_view = page.evaluate(CODE_BLOCKS_IN_VIEW)
    context.close()
    # an output block wraps, so its height is not its line count: it is never skipped
    assert len(outputs_skipped) >= 3 and not any(outputs_skipped), outputs_skipped
    skipped = [(i, load["height"], seen["height"], seen["lines"])
               for i, (load, seen) in enumerate(zip(at_load, in_view)) if load["skipped"]]
    assert len(skipped) >= 5, at_load
    wrong = [s for s in skipped if abs(s[1] - s[2]) > 0.5]
    assert not wrong, f"(block, stand-in px, rendered px, lines): {wrong}"
    assert all(seen["lines"] > 0 and seen["copy"] for seen in in_view), in_view
    assert not problems, problems


BLOCK_TOPS = """() => { const a = document.querySelector('.md-typeset'), top = a.getBoundingClientRect().top;
    return [...a.children].map(c => [c.tagName + '.' + c.className, Math.round(c.getBoundingClientRect().top - top)]); }"""
SCROLL_THROUGH = """async () => {
    for (let y = 0; y < document.body.scrollHeight; y += innerHeight * 0.8) {
        scrollTo(0, y); await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))); } }"""


@pytest.mark.parametrize("path", ["/momentum/", "/sgd/"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_skipping_offscreen_blocks_changes_no_spacing(server: str, browser, path: str, viewport: dict):
    """A content-visibility block is laid out on its own (no margin collapsing through it);
    once rendered, every block must sit exactly where it would without site.css's skipping."""
    context, page, problems = _open(browser, server, path, "light", viewport)
    page.evaluate(SCROLL_THROUGH)
    skipping = page.evaluate(BLOCK_TOPS)
    page.add_style_tag(content=RENDER_ALL)
    page.wait_for_timeout(100)
    plain = page.evaluate(BLOCK_TOPS)
    context.close()
    moved = [(i, a[0], a[1], b[1]) for i, (a, b) in enumerate(zip(skipping, plain)) if abs(a[1] - b[1]) > 1]
    assert len(skipping) == len(plain) > 30
    assert not moved, f"(block, tag, top with skipping, top without), {len(moved)} moved: {moved[:3]}"
    assert not problems, problems


def test_video_loads_only_on_click(server: str, browser, built_site: Path):
    path = next((p for p in site_pages(built_site)
                 if "data-youtube-id" in (built_site / p.strip("/") / "index.html").read_text(encoding="utf-8")),
                None)
    assert path, "no page embeds a video"
    context, page, problems = _open(browser, server, path, "light", DESKTOP)
    assert not problems, problems  # nothing from YouTube before the click
    assert page.locator(".yt-embed iframe").count() == 0
    page.route("**/*", lambda route: route.abort() if "youtube" in route.request.url else route.continue_())
    page.locator(".yt-embed__play").first.click()
    src = page.locator(".yt-embed iframe").first.get_attribute("src")
    context.close()
    assert src and src.startswith("https://www.youtube-nocookie.com/embed/")


def test_skip_message_names_the_install_command(monkeypatch):
    """The skip (or the CI failure) tells how to get the browser."""
    monkeypatch.setattr(Path, "exists", lambda self: False)
    monkeypatch.delenv("REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium fonts-nanum"):
        require_browser()
    monkeypatch.setenv("REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium"):
        require_browser()



def test_the_browser_is_chosen_through_chromium_path(tmp_path, monkeypatch):
    """CHROMIUM_PATH picks the browser (GitHub's workflow points it at Playwright's Chromium);
    unset or empty, Debian's /usr/bin/chromium is used."""
    import subprocess
    import sys

    from tools.browser import DEBIAN_CHROMIUM, chromium_path

    require_browser()
    link = tmp_path / "my-chromium"
    link.symlink_to(chromium_path())
    monkeypatch.setenv("CHROMIUM_PATH", str(link))
    assert chromium_path() == str(link)
    launch = ("from tools.browser import chromium\n"  # a process of its own: this one runs the module's browser
              "with chromium() as b:\n"
              "    print(b.new_page().evaluate('navigator.userAgent'))")
    proc = subprocess.run([sys.executable, "-c", launch], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "Chrome" in proc.stdout, proc.stdout + proc.stderr
    monkeypatch.setenv("CHROMIUM_PATH", "")
    assert chromium_path() == DEBIAN_CHROMIUM
    monkeypatch.delenv("CHROMIUM_PATH")
    assert chromium_path() == DEBIAN_CHROMIUM
