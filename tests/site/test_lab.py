"""The lab notebook (docs/lab.ipynb, /lab/) on a phone: prompts out of the way, legible plots, dark
plots in the dark scheme, Korean alt texts; and what ``sitegen.notebook.slim_page`` makes of a
notebook's plots (files, alt texts from the cell's metadata, the dark twin of an SVG).

The browser tests need Debian's ``chromium`` and ``fonts-nanum`` (see ``tests/site/browsing.py``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from browsing import open_page
from sitegen.figures.drawing import PALETTE
from sitegen.figures.style import DARK, LIGHT
from sitegen.notebook import slim_page
from tools.browser import DESKTOP, PHONE

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "docs" / "lab.ipynb"
HANGUL = re.compile(r"[가-힣]")
#: every colour an SVG paints with (fill, stroke, stop-color ...), as written
COLOUR = re.compile(r'\b(?:fill|stroke|stop-color|flood-color)\s*[:=]\s*"?\s*(#[0-9a-fA-F]{3,8}\b|[a-zA-Z]+)')
#: a text drawn as paths by matplotlib: its glyphs scaled by font size / 100 (``scale(0.1 -0.1)`` is 10 pt)
GLYPH_SCALE = re.compile(r"scale\((?P<s>[\d.]+) -(?P=s)\)")
#: words that compare or order results (CONTRIBUTING.md: such a sentence needs a test behind it)
COMPARING = ("더 ", "가장", "보다", "빠르", "느리", "거의", "비슷", "앞서", "뒤처", "따라잡")
#: what a phone's 390 px screen leaves for the page's content (Material's margins)
PHONE_CONTENT = 358


def palette(theme) -> set[str]:
    return {getattr(theme, name).lower() for name in PALETTE}


def colours(svg: str) -> set[str]:
    return {c.lower() for c in COLOUR.findall(svg)} - {"none"}


def svg_size_pt(svg: str) -> tuple[float, float]:
    head = svg[svg.index("<svg"): svg.index(">", svg.index("<svg"))]
    width, height = (re.search(rf'\b{name}="([\d.]+)pt"', head) for name in ("width", "height"))
    assert width and height, f"no size in pt: {head[:200]}"
    return float(width.group(1)), float(height.group(1))


def font_sizes_pt(svg: str) -> list[float]:
    return [100 * float(m.group("s")) for m in GLYPH_SCALE.finditer(svg)]


# --- slim_page on a made-up page ----------------------------------------------------------------

SVG = (f'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="300pt" height="150pt" '
       f'viewBox="0 0 300 150"><path style="fill: {LIGHT.surface}"/><path style="stroke: {LIGHT.fg}; fill: none"/>'
       f'<path style="fill: {LIGHT.blue}; stroke: {LIGHT.muted}"/></svg>')


def _page(*images: str) -> str:
    """A notebook page as nbconvert's lab template writes it: a markdown cell, then a code cell
    (id ``plot``) whose outputs are ``images``, each a base64 SVG or PNG."""
    import base64

    outputs = "".join(
        f'<div class="jp-OutputArea-child"><div class="jp-OutputPrompt jp-OutputArea-prompt"></div>\n'
        f'<div class="jp-RenderedSVG jp-OutputArea-output" data-mime-type="image/svg+xml" tabindex="0">\n'
        f'<img alt="No description has been provided for this image" '
        f'src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}"/>\n</div></div>'
        for svg in images)
    return ('<html><head><style type="text/css">.jupyter-wrapper .jp-RenderedImage img{max-width:100%}'
            '.jupyter-wrapper .jp-RenderedSVG svg{max-width:100%}</style></head><body>'
            '<div class="jupyter-wrapper">'
            '<div class="jp-Cell jp-MarkdownCell jp-Notebook-cell" id="cell-id=intro"><p>글</p></div>'
            '<div class="jp-Cell jp-CodeCell jp-Notebook-cell" id="cell-id=plot"><div class="jp-InputArea">code</div>'
            f'<div class="jp-OutputArea jp-Cell-outputArea">{outputs}</div></div></div></body></html>')


def _notebook(alt: list[str] | None) -> dict:
    """The notebook of :func:`_page`: its code cell (id ``plot``) with ``alt`` in its metadata."""
    metadata = {} if alt is None else {"gd": {"alt": alt}}
    cells = [{"cell_type": "markdown", "id": "intro", "metadata": {}, "source": ["글"]},
             {"cell_type": "code", "id": "plot", "metadata": metadata, "outputs": [], "source": ["plt.show()"],
              "execution_count": None}]
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_an_svg_plot_becomes_a_light_and_a_dark_file_with_the_cells_alt_text(tmp_path):
    notebook = _notebook(['경로 그림 "첫째" <칸>'])
    page_dir = tmp_path / "site" / "lab"
    out = slim_page(_page(SVG), page_dir, notebook, "docs/lab.ipynb")
    assert "data:image" not in out and "<svg" not in out
    imgs = re.findall(r"<img [^>]*>", out)
    assert len(imgs) == 2, imgs
    light, dark = (re.search(r'src="(output-[0-9a-f]{12}\.svg)#only-(\w+)"', img).groups() for img in imgs)
    assert (light[1], dark[1]) == ("light", "dark")
    for img in imgs:  # 300 pt = 400 CSS px, lazy, the alt text escaped
        assert 'width="400" height="200" loading="lazy"' in img
        assert 'alt="경로 그림 &quot;첫째&quot; &lt;칸&gt;"' in img
    assert (page_dir / light[0]).read_text() == SVG
    dark_svg = (page_dir / dark[0]).read_text()
    assert colours(dark_svg) == {DARK.surface, DARK.fg, DARK.blue, DARK.muted}
    assert not colours(dark_svg) & palette(LIGHT)
    assert 'class="jp-RenderedImage jp-OutputArea-output" data-mime-type="image/svg+xml"' in out
    assert ".jp-RenderedImage img{max-width:100%}" in out and "jp-RenderedSVG" not in out  # CSS pruned after


def test_the_same_plot_drawn_twice_gives_the_same_files(tmp_path):
    """matplotlib writes the time of drawing into an SVG's metadata; the built file leaves it out, and
    the lab's set-up cell fixes the SVG's ids (``svg.hashsalt``), so the same commit builds the same lab."""
    dated = [SVG.replace("<path", f"<metadata><dc:date>2026-12-05T18:{m}:00</dc:date></metadata><path", 1)
             for m in ("19", "30")]
    outs = [slim_page(_page(svg), tmp_path / f"lab{k}", _notebook(["그림"]), "docs/lab.ipynb") for k, svg in enumerate(dated)]
    assert outs[0] == outs[1]  # the files are named by their content
    files = [{p.name: p.read_text() for p in (tmp_path / f"lab{k}").iterdir()} for k in (0, 1)]
    assert files[0] == files[1] and len(files[0]) == 2
    assert SVG in files[0].values() and not any("dc:date" in text for text in files[0].values())
    setup = next(c for c in json.loads(LAB.read_text(encoding="utf-8"))["cells"] if c["id"] == "cell-01")
    assert '"svg.hashsalt":' in "".join(setup["source"])


def test_a_plot_without_an_alt_text_fails_naming_the_notebook_and_cell(tmp_path):
    for alt in (None, [], [" "]):
        notebook = _notebook(alt)
        with pytest.raises(PluginError) as err:
            slim_page(_page(SVG), tmp_path / "lab", notebook, "docs/lab.ipynb")
        message = str(err.value)
        assert message.startswith("docs/lab.ipynb, cell 2 (id plot): image 1 of the cell's output has no alt text")
        assert "\n" not in message


def test_a_second_plot_needs_its_own_alt_text_and_a_spare_one_fails(tmp_path):
    notebook = _notebook(["첫째"])
    with pytest.raises(PluginError, match=r"cell 2 \(id plot\): image 2 of"):
        slim_page(_page(SVG, SVG), tmp_path / "lab", notebook, "docs/lab.ipynb")
    notebook = _notebook(["첫째", "둘째", "셋째"])
    with pytest.raises(PluginError, match=r"cell 2 \(id plot\): 3 alt texts .* for 2 images"):
        slim_page(_page(SVG, SVG), tmp_path / "lab", notebook, "docs/lab.ipynb")


def test_a_colour_outside_the_light_palette_fails_the_build(tmp_path):
    notebook = _notebook(["그림"])
    with pytest.raises(PluginError, match=r"docs/lab\.ipynb, cell 2 \(id plot\), image 1: the colours #000000, gray "):
        slim_page(_page(SVG.replace(LIGHT.fg, "#000000").replace(LIGHT.muted, "gray")), tmp_path / "lab",
                  notebook, "docs/lab.ipynb")


# --- the lab as built ----------------------------------------------------------------------------


def _plot_cells() -> list[dict]:
    cells = json.loads(LAB.read_text(encoding="utf-8"))["cells"]
    return [c for c in cells if c["cell_type"] == "code" and "plt.show()" in "".join(c["source"])]


def test_the_labs_plot_cells_describe_their_plots_in_korean():
    from test_terms import RETIRED

    cells = _plot_cells()
    assert len(cells) == 2, [c["id"] for c in cells]
    for cell in cells:
        alts = cell["metadata"]["gd"]["alt"]
        assert len(alts) == "".join(cell["source"]).count("plt.show()"), cell["id"]
        for alt in alts:
            assert len(HANGUL.findall(alt)) >= 20, (cell["id"], alt)
            assert not [w for w in COMPARING if w in alt], (cell["id"], "compares results", alt)
            assert not [t for t, p in RETIRED.items() if p.search(alt)], (cell["id"], alt)


def _lab_images(built_site: Path) -> tuple[str, list[tuple[str, str, str]]]:
    html = (built_site / "lab" / "index.html").read_text(encoding="utf-8")
    return html, re.findall(r'<img src="(output-[0-9a-f]{12}\.(svg|png))(?:#only-(light|dark))?"[^>]*>', html)


def test_the_lab_page_has_its_plots_as_light_and_dark_svg_files(built_site: Path):
    html, images = _lab_images(built_site)
    outputs = re.findall(r'<div class="jp-Rendered\w+ jp-OutputArea-output[^>]*>(.*?)</div>', html, re.DOTALL)
    assert len(outputs) >= 2 and not [o for o in outputs if "<svg" in o or "data:" in o]
    assert "data:image" not in html
    assert [(kind, scheme) for _, kind, scheme in images] == [("svg", "light"), ("svg", "dark")] * len(_plot_cells())
    for (light, *_), (dark, *_) in zip(images[::2], images[1::2]):
        light_svg = (built_site / "lab" / light).read_text(encoding="utf-8")
        dark_svg = (built_site / "lab" / dark).read_text(encoding="utf-8")
        assert colours(light_svg) <= palette(LIGHT), colours(light_svg) - palette(LIGHT)
        assert colours(dark_svg) <= palette(DARK), colours(dark_svg) - palette(DARK)
        assert LIGHT.surface not in dark_svg.lower() and LIGHT.fg not in dark_svg.lower()
        assert {DARK.surface, DARK.fg} <= colours(dark_svg), "the dark plot has its own background and text"
        assert svg_size_pt(light_svg) == svg_size_pt(dark_svg)
    assert len(html.encode()) < 250_000


# --- the lab in a phone's browser ----------------------------------------------------------------

MEASURE = """() => {
    const box = e => e.getBoundingClientRect();
    const content = box(document.querySelector('.md-content__inner'));
    const cells = [...document.querySelectorAll('.jp-CodeCell[id^="cell-id="]')].map(cell => {
        const prompts = [...cell.querySelectorAll('.jp-InputPrompt, .jp-OutputPrompt')];
        const editor = cell.querySelector('.jp-InputArea-editor');
        return {id: cell.id, prompt: Math.max(0, ...prompts.map(p => box(p).width)),
                editor: box(editor).width, indent: box(editor).left - content.left};
    });
    const code = [...document.querySelectorAll('.jp-InputArea-editor .highlight-ipynb')]
        .find(h => h.scrollWidth > h.clientWidth + 20);
    let scrolled = null;
    if (code) { code.scrollLeft = 40; scrolled = code.scrollLeft; code.scrollLeft = 0; }
    const images = [...document.querySelectorAll('.jp-OutputArea-output img')].map(i => ({
        src: i.getAttribute('src'), alt: i.getAttribute('alt') || '', loading: i.loading,
        shown: i.offsetParent !== null, width: box(i).width, height: box(i).height,
        loaded: i.complete && i.naturalWidth > 0}));
    return {content: content.width, cells, scrolled, images,
            scheme: document.body.getAttribute('data-md-color-scheme')};
}"""


@pytest.fixture(scope="module")
def lab(site_server: str, browser):
    """The lab at a phone's width in each theme, every plot scrolled into view (lazy images load)."""
    out = {}
    for theme in ("light", "dark"):
        context, page, problems = open_page(browser, site_server, "/lab/", theme, PHONE)
        for img in page.query_selector_all(".jp-OutputArea-output img"):
            if img.is_visible():
                img.scroll_into_view_if_needed()
                page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=img)
        page.evaluate("document.fonts.ready")
        out[theme] = {**page.evaluate(MEASURE), "problems": problems}
        context.close()
    context, page, problems = open_page(browser, site_server, "/lab/", "light", DESKTOP)
    out["desktop"] = {**page.evaluate(MEASURE), "problems": problems}
    context.close()
    return out


@pytest.mark.browser
def test_on_a_phone_the_prompts_give_their_width_to_the_code(lab):
    phone, desktop = lab["light"], lab["desktop"]
    assert phone["content"] == PHONE_CONTENT
    assert len(phone["cells"]) >= 4
    for cell in phone["cells"]:
        assert cell["prompt"] <= 24, cell
        assert cell["indent"] <= 24 and cell["editor"] >= phone["content"] - 24, cell
    assert phone["scrolled"] == 40, "a long code line no longer scrolls sideways"
    # on a desktop the "In [n]:" column stays (the phone's rule must not leak)
    assert min(cell["prompt"] for cell in desktop["cells"]) > 24, desktop["cells"]


@pytest.mark.browser
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_each_plot_is_legible_at_a_phones_width_in_its_theme(built_site: Path, lab, theme: str):
    measured = lab[theme]
    other = "dark" if theme == "light" else "light"
    shown = [i for i in measured["images"] if i["shown"]]
    hidden = [i for i in measured["images"] if not i["shown"]]
    assert len(shown) == len(_plot_cells()) and len(hidden) == len(shown), measured["images"]
    assert all(i["src"].endswith(f"#only-{theme}") and i["loaded"] for i in shown), shown
    assert all(i["src"].endswith(f"#only-{other}") for i in hidden), hidden
    for img in measured["images"]:
        assert img["loading"] == "lazy" and len(HANGUL.findall(img["alt"])) >= 20, img
    for img in shown:
        assert 0 < img["width"] <= measured["content"] + 0.5, img
        svg = (built_site / "lab" / img["src"].split("#")[0]).read_text(encoding="utf-8")
        width_pt, height_pt = svg_size_pt(svg)
        assert img["height"] == pytest.approx(img["width"] * height_pt / width_pt, abs=1), img
        fonts = font_sizes_pt(svg)
        assert len(fonts) >= 10, f"{img['src']}: no text found drawn as paths"
        smallest_px = min(fonts) * img["width"] / width_pt  # viewBox units are pt
        assert smallest_px >= 10, f"{img['src']}: {min(fonts):g} pt text is {smallest_px:.1f} px at {img['width']} px"
    colours_of = {i["src"]: colours((built_site / "lab" / i["src"].split("#")[0]).read_text(encoding="utf-8"))
                  for i in shown}
    allowed = palette(DARK if theme == "dark" else LIGHT)
    assert all(c <= allowed for c in colours_of.values()), colours_of


@pytest.mark.browser
def test_the_lab_has_no_console_errors(lab):
    for view, measured in lab.items():
        assert measured["problems"] == [], (view, measured["problems"])
    assert lab["dark"]["scheme"] == "slate" and lab["light"]["scheme"] == "default"
