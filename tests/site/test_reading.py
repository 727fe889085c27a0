"""Reading on a phone (390 px) and a desktop, in both themes: Korean line breaking, captions, code
blocks, numbered figures and equations, footnotes, the front page and the videos.

Each test opens the site built by ``tests/site/conftest.py`` (a fork's address, served under
/REPO/) in headless Chromium; they skip or fail like ``tests/site/test_browser.py``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tools.browser import DESKTOP, PHONE, RENDER_ALL

pytestmark = pytest.mark.browser

WIDTHS = {"phone": PHONE, "desktop": DESKTOP}
CHAPTERS = ["/gradient-descent/", "/momentum/", "/weight-initialization/"]


def _open(browser, base: str, path: str, theme: str = "light", viewport: dict = PHONE):
    from test_browser import _open as open_page  # console errors, page errors, other hosts

    context, page, problems = open_page(browser, base, path, theme, viewport)
    page.add_style_tag(content=RENDER_ALL)  # lay out every block, off-screen ones too
    return context, page, problems


# JavaScript: every place where a line of body text breaks between two Hangul syllables
HANGUL_BREAKS = r"""() => {
  const hangul = /[\uac00-\ud7a3]/;
  const out = [];
  const blocks = document.querySelectorAll('.md-typeset :is(p, li, td, figcaption, .admonition-title, summary)');
  for (const block of blocks) {
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT, {acceptNode: (n) =>
      n.parentElement.closest('code, pre, .katex, .arithmatex, .md-tooltip2') ? NodeFilter.FILTER_REJECT
                                                                               : NodeFilter.FILTER_ACCEPT});
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.data;
      let prevTop = null;
      const range = document.createRange();
      for (let i = 0; i < text.length; i++) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rects = range.getClientRects();
        if (!rects.length) continue;
        const top = rects[0].top;
        if (prevTop !== null && top > prevTop + 4 && hangul.test(text[i]) && hangul.test(text[i - 1])) {
          out.push(text.slice(Math.max(0, i - 6), i) + '/' + text.slice(i, i + 6));
        }
        prevTop = top;
      }
    }
  }
  return out;
}"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_korean_words_never_break_inside_at_phone_width(server: str, browser, theme: str):
    for path in ["/", *CHAPTERS, "/comparison/"]:
        context, page, problems = _open(browser, server, path, theme, PHONE)
        breaks = page.evaluate(HANGUL_BREAKS)
        style = page.evaluate("""() => { const s = getComputedStyle(document.querySelector('.md-typeset p'));
            return [s.wordBreak, s.overflowWrap]; }""")
        width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        context.close()
        assert style == ["keep-all", "break-word"], f"{path}: {style}"
        assert not breaks, f"{path} [{theme}]: Korean words broken across lines: {breaks[:8]}"
        assert width[0] <= width[1], f"{path}: the page scrolls sideways at 390 px ({width})"
        assert not problems, problems


@pytest.mark.parametrize("width", list(WIDTHS))
def test_captions_are_upright_left_aligned_and_numbered(server: str, browser, width: str):
    context, page, problems = _open(browser, server, "/momentum/", "light", WIDTHS[width])
    captions = page.evaluate("""() => [...document.querySelectorAll('figure.gd-figure figcaption')].map(c => {
        const s = getComputedStyle(c); return [s.fontStyle, s.textAlign, c.innerText.slice(0, 12)]; })""")
    alts = page.evaluate("[...document.querySelectorAll('figure.gd-figure img')].map(i => i.alt)")
    context.close()
    assert len(captions) >= 4
    for number, (font_style, align, text) in enumerate(captions, start=1):
        assert font_style == "normal" and align in ("left", "start"), (font_style, align, text)
        assert text.startswith(f"그림 6.{number} "), text
    assert not [a for a in alts if re.match(r"(fig|momentum)[\w-]*:", a)], "an alt text starts with an id"
    assert not problems, problems


#: Material sets a code block up (its copy button) when the block comes into view (content.lazy)
SET_UP_CODE = """async () => {
    for (const d of document.querySelectorAll('.md-content div.highlight')) {
        d.scrollIntoView();
        await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    }
    await new Promise(r => setTimeout(r, 300)); }"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_code_blocks_at_phone_width(server: str, browser, theme: str):
    """Scrolling code shows a shade at the edge where more code hides; outputs wrap and have no
    copy button; no copy button lies over code."""
    from PIL import Image

    context, page, problems = _open(browser, server, "/gradient-descent/", theme, PHONE)
    page.evaluate(SET_UP_CODE)
    blocks = page.evaluate("""() => [...document.querySelectorAll('.md-content div.highlight')].map((d, i) => {
        if (d.closest('details:not([open])')) return null;  // a closed fold: not shown, not set up
        const code = d.querySelector('pre > code'); const button = d.querySelector('.md-code__button');
        const c = code.getBoundingClientRect(); const b = button && button.getBoundingClientRect();
        return {i, output: d.classList.contains('gd-output'), scrolls: code.scrollWidth > code.clientWidth + 1,
                button: b ? [b.left, b.top, b.right, b.bottom] : null, code: [c.left, c.top, c.right, c.bottom],
                wrap: getComputedStyle(code).whiteSpace}; }).filter(b => b)""")
    outputs = [b for b in blocks if b["output"]]
    code = [b for b in blocks if not b["output"]]
    assert len(outputs) >= 4 and len(code) >= 5
    for b in outputs:
        assert b["button"] is None and b["wrap"] == "pre-wrap" and not b["scrolls"], b
    for b in code:
        assert b["button"] is not None, b
        assert b["button"][0] >= b["code"][2] - 0.5, f"the copy button lies over the code: {b}"
    scrolling = [b for b in code if b["scrolls"]]
    fitting = [b for b in blocks if not b["scrolls"]]  # the outputs at least: they wrap
    assert scrolling and fitting, "the page should have blocks of both kinds at 390 px"

    def edge_difference(index: int, side: str) -> float:
        """Mean colour distance of the code box's 4-px edge strip from the code background."""
        handle = page.locator(".md-content div.highlight").nth(index).locator("pre > code")
        handle.scroll_into_view_if_needed()
        image = Image.open(io.BytesIO(handle.screenshot())).convert("RGB")
        w, h = image.size
        bg = page.evaluate("(el) => getComputedStyle(el).backgroundColor", handle.element_handle())
        ref = tuple(int(v) for v in re.findall(r"\d+", bg)[:3])
        x0 = w - 4 if side == "right" else 0
        strip = [image.getpixel((x, y)) for x in range(x0, x0 + 4) for y in range(2, h - 2)]
        return sum(sum(abs(a - b) for a, b in zip(p, ref, strict=True)) for p in strip) / len(strip)

    shaded = edge_difference(scrolling[0]["i"], "right")
    plain = edge_difference(fitting[0]["i"], "right")
    assert shaded > 3 * plain + 10, f"no visible shade on a scrolling block ({shaded:.1f} vs {plain:.1f})"
    # scrolled to its end, the right shade goes and a left one appears
    page.locator(".md-content div.highlight").nth(scrolling[0]["i"]).locator("pre > code").evaluate(
        "(el) => { el.scrollLeft = el.scrollWidth; }")
    assert edge_difference(scrolling[0]["i"], "right") < shaded / 2
    assert edge_difference(scrolling[0]["i"], "left") > 3 * plain + 10
    context.close()
    assert not problems, problems


@pytest.mark.parametrize("width", list(WIDTHS))
def test_equation_numbers_and_references(server: str, browser, width: str):
    context, page, problems = _open(browser, server, "/gradient-descent/", "dark", WIDTHS[width])
    boxes = page.evaluate("""() => [...document.querySelectorAll('.gd-eq')].map(e => {
        const m = e.querySelector('.arithmatex').getBoundingClientRect();
        const n = e.querySelector('.gd-eq__number').getBoundingClientRect();
        return [e.id, e.querySelector('.gd-eq__number').textContent, m.right, n.left, n.right]; })""")
    assert [b[:2] for b in boxes] == [["eq-gd-update", "(3.1)"], ["eq-gd-taylor", "(3.2)"], ["eq-gd-rate", "(3.3)"],
                                      ["eq-gd-best-rate", "(3.4)"]], boxes
    for _, _, math_right, number_left, number_right in boxes:
        assert math_right <= number_left and number_right <= WIDTHS[width]["width"], boxes
    page.click('a[href="#eq-gd-update"]')
    page.wait_for_timeout(300)
    top = page.evaluate("document.getElementById('eq-gd-update').getBoundingClientRect().top")
    assert 0 <= top < 200, f"the link did not bring the equation into view ({top})"
    context.close()
    assert not problems, problems


def test_figure_code_fold(server: str, browser):
    """The fold opens on the drawing function, its lines stay inside the box, helpers are linked."""
    context, page, problems = _open(browser, server, "/momentum/", "light", PHONE)
    fold = page.locator("figure#fig12 + details.gd-code")
    fold.locator("summary").click()
    first = fold.locator("pre > code").first.inner_text().splitlines()[0]
    assert first.startswith("def "), first
    inside = page.evaluate("""(d) => { const box = d.getBoundingClientRect();
        return [...d.querySelectorAll('pre')].every(p => p.getBoundingClientRect().right <= box.right + 0.5); }""",
                           fold.element_handle())
    assert inside, "a code line sticks out of the fold"
    links = fold.locator("a[href^='#fig12--']")
    assert links.count() >= 1
    target = links.first.get_attribute("href")[1:]
    assert page.locator(f"[id='{target}'] + div.highlight, [id='{target}'] ~ div.highlight").count() >= 1
    assert "gdcore/" in fold.inner_text(), "the gdcore functions it calls are not named"
    context.close()
    assert not problems, problems


def test_a_helper_shared_by_figures_is_shown_once_and_linked(server: str, browser, built_site: Path):
    """Seven histograms call one helper: its code stands in the first fold; the others link there,
    and following the link opens that fold at the helper."""
    html = (built_site / "weight-initialization" / "index.html").read_text(encoding="utf-8")
    assert html.count('id="fig-init-hist-std1--_histogram_row"') == 1
    assert html.count('class="gd-helper"') == len(set(re.findall(r'class="gd-helper" id="([^"]+)"', html)))
    assert html.count('href="#fig-init-hist-std1--_histogram_row"') == 7
    context, page, problems = _open(browser, server, "/weight-initialization/", "light", PHONE)
    fold = page.locator("figure#fig-init-hist-he-relu + details.gd-code")
    fold.locator("summary").click()
    fold.locator("a[href='#fig-init-hist-std1--_histogram_row']").click()
    page.wait_for_timeout(300)
    opened, top = page.evaluate("""() => { const t = document.getElementById('fig-init-hist-std1--_histogram_row');
        return [t.closest('details').open, t.getBoundingClientRect().top]; }""")
    context.close()
    assert opened and 0 <= top < PHONE["height"], (opened, top)
    assert not problems, problems


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_footnotes_on_a_phone(server: str, browser, theme: str):
    context, page, problems = _open(browser, server, "/momentum/", theme, PHONE)
    sizes = page.evaluate("""() => [...document.querySelectorAll('.footnote-ref, .footnote-backref')].map(a => {
        const r = a.getBoundingClientRect(); return [r.width, r.height]; })""")
    assert sizes and all(w >= 24 and h >= 24 for w, h in sizes), sizes
    titles = page.evaluate("[...document.querySelectorAll('.footnote-backref')].map(a => a.title)")
    assert titles and all(re.fullmatch(r"본문의 각주 \d+ 자리로 돌아가기", t) for t in titles), titles[:3]
    ref = page.locator(".footnote-ref").first
    ref.scroll_into_view_if_needed()
    ref.focus()  # the keyboard shows the note where it stands, as hovering does
    page.wait_for_timeout(400)
    tip = page.locator(".md-tooltip2--active").first
    assert "Polyak" in tip.inner_text()
    context.close()
    assert not problems, problems


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_front_page_on_a_phone(server: str, browser, theme: str, built_site: Path):
    context, page, problems = _open(browser, server, "/", theme, PHONE)
    start = page.locator("a.md-button", has_text="처음이라면 여기부터")
    assert start.get_attribute("href").endswith("partial-derivatives/")
    tops = page.evaluate("""() => [document.querySelector('a.md-button'), document.querySelector('.md-content table'),
        document.querySelector('.md-content div.highlight')].map(e => e.getBoundingClientRect().top + scrollY)""")
    assert tops[0] < tops[1] < tops[2], f"start link, chapters, then the example: {tops}"
    assert tops[1] < 1.2 * PHONE["height"], f"the chapter list starts {tops[1]:.0f} px down"
    hrefs = page.evaluate("[...document.querySelectorAll('a.md-source')].map(a => a.href)")
    assert hrefs and set(hrefs) == {"https://github.com/gdcore-fork/gd-site"}, hrefs  # header and drawer
    assert page.locator("a.md-source[data-md-component]").count() == 0
    text = page.inner_text(".md-content")
    assert "git clone https://github.com/gdcore-fork/gd-site.git" in text and "cd gd-site" in text
    page.wait_for_timeout(500)
    context.close()
    assert not problems, problems  # among them any request to api.github.com


def _contrast(fg: str, bg: str) -> float:
    def luminance(colour: str) -> float:
        r, g, b = (int(v) / 255 for v in re.findall(r"\d+", colour)[:3])
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_video_placeholder(server: str, browser, theme: str, width: str):
    context, page, problems = _open(browser, server, "/gradient-descent/", theme, WIDTHS[width])
    facts = page.locator(".yt-embed + .yt-embed__facts").first.inner_text()
    assert facts.startswith("YouTube 동영상 「") and "채널" in facts and "언어" in facts and "길이" in facts, facts
    colours = page.evaluate("""() => { const a = document.querySelector('.yt-embed__link');
        const s = getComputedStyle(a); return [s.color, s.backgroundColor]; }""")
    assert _contrast(*colours) >= 4.5, colours
    page.route("**/*", lambda route: route.abort() if "youtube" in route.request.url else route.continue_())
    button = page.locator(".yt-embed__play").first
    button.scroll_into_view_if_needed()
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".yt-embed iframe")
    assert page.evaluate("document.activeElement.tagName") == "IFRAME"
    assert page.evaluate("document.activeElement.closest('.yt-embed') !== null")
    context.close()
    assert not [p for p in problems if "youtube" not in p], problems
