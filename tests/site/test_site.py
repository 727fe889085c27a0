"""The site builds strictly and offline, and what the hooks generate is complete and deterministic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen import figures
from sitegen.markers import ANSWER_MARKER, FIGURE_MARKER, TABLE_MARKER, VIDEO_MARKER

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md"))


def test_every_page_is_built(built_site: Path):
    for md in PAGES:
        rel = md.relative_to(DOCS).with_suffix("")
        html = built_site / ("index.html" if rel.name == "index" else rel / "index.html")
        assert html.exists(), f"{md} was not built to {html}"


def test_every_figure_marker_is_known_and_every_figure_is_used():
    registry = figures.load_all()
    used: dict[str, str] = {}
    for md in PAGES:
        for fig_id in FIGURE_MARKER.findall(md.read_text(encoding="utf-8")):
            assert fig_id in registry, f"{md.name}: unknown figure {fig_id!r}"
            assert fig_id not in used, f"figure {fig_id!r} is placed twice ({used[fig_id]}, {md.name})"
            used[fig_id] = md.name
    assert set(registry) == set(used), f"figures drawn but never shown: {set(registry) - set(used)}"


def test_every_table_marker_is_known_and_every_table_is_used():
    """Tables and answers (kept as tables ``answer-ID``): each placed exactly once."""
    figures.load_all()
    texts = [md.read_text(encoding="utf-8") for md in PAGES]
    used = [t for text in texts for t in TABLE_MARKER.findall(text)]
    used += [figures.ANSWER_PREFIX + a for text in texts for a in ANSWER_MARKER.findall(text)]
    assert sorted(used) == sorted(set(used)), "a table or an answer is placed twice"
    assert set(used) == set(figures.TABLES), f"unused or unknown tables: {set(used) ^ set(figures.TABLES)}"


def test_figures_have_korean_alt_and_caption():
    for spec in figures.load_all().values():
        assert spec.id not in spec.alt, f"{spec.id}: the alt text names the id (the caption shows the post's)"
        assert re.search("[가-힣]", spec.alt), f"{spec.id}: alt text is not Korean"
        assert re.search("[가-힣]", spec.caption), f"{spec.id}: caption is not Korean"


def test_built_figures_are_both_themes_and_not_in_docs(built_site: Path):
    drawn = {p.name for p in (built_site / "assets" / "figures").iterdir()}
    for spec in figures.load_all().values():
        for theme in figures.THEMES:
            assert figures.output_name(spec, theme) in drawn
    assert not [p for ext in ("svg", "png", "webp") for p in DOCS.rglob(f"*.{ext}")], "images committed in docs/"


def test_figures_are_byte_identical_when_drawn_again(built_site: Path):
    """Two drawings of the same commit give the same bytes (fixed svg.hashsalt, no dates)."""
    specs = list(figures.load_all().values())
    for fmt in ("svg", "webp"):
        for spec in [s for s in specs if s.fmt == fmt][:2]:
            light = figures.render(spec, figures.LIGHT)
            dark = (figures.recolor(light, figures.LIGHT, figures.DARK) if fmt == "svg" and spec.recolor
                    else figures.render(spec, figures.DARK))
            for theme, data in ((figures.LIGHT, light), (figures.DARK, dark)):
                built = built_site / "assets" / "figures" / figures.output_name(spec, theme)
                assert data == built.read_bytes(), f"{spec.id} ({theme.name})"


def test_recoloured_dark_svgs_equal_real_dark_drawings():
    """The build recolours light SVGs into dark ones; that must give what drawing in DARK gives.

    Matplotlib names path markers by a hash that includes the colour, so those ids are compared
    after normalising them.  A figure whose drawing depends on more than the palette must say
    ``recolor=False``.
    """
    def normal(svg: bytes) -> bytes:
        return re.sub(rb"\bm[0-9a-f]{10}\b", b"m_id", svg)

    for spec in figures.load_all().values():
        if spec.fmt == "svg" and spec.recolor:
            light = figures.render(spec, figures.LIGHT)
            dark = figures.recolor(light, figures.LIGHT, figures.DARK)
            assert normal(dark) == normal(figures.render(spec, figures.DARK)), spec.id


def test_math_is_typeset_at_build_time(built_site: Path):
    pages = list(built_site.rglob("index.html"))
    typeset = 0
    for html in pages:
        text = html.read_text(encoding="utf-8")
        typeset += text.count('class="katex"')
        # arithmatex's delimiters must all have been replaced by KaTeX
        assert not re.search(r'class="arithmatex">\s*\\[(\[]', text), f"untypeset math in {html}"
    assert typeset > 10
    assert (built_site / "assets" / "katex" / "katex.min.css").exists()
    assert list((built_site / "assets" / "katex" / "fonts").glob("KaTeX_Main-Regular.woff2"))


def test_no_request_to_another_host_in_built_html(built_site: Path):
    """No stylesheet, script, font or frame from another host; links (<a href>) may point anywhere."""
    tag = re.compile(r'<(?:script|link|img|iframe|source|video|audio)\b[^>]*>', re.I)
    external = re.compile(r'(?:src|href)="(?:https?:)?//', re.I)
    for html in built_site.rglob("*.html"):
        found = [
            t for t in tag.findall(html.read_text(encoding="utf-8"))
            if external.search(t) and 'rel="canonical"' not in t  # canonical is a name, not a fetch
        ]
        assert not found, f"{html}: {found[:3]}"
        for script in re.findall(r"<script\b[^>]*>(.*?)</script>", html.read_text(encoding="utf-8"), re.S):
            assert not re.search(r"https?://(?!www\.w3\.org)", script), f"{html}: inline script loads {script[:120]}"


@pytest.mark.parametrize("video", ["JdeemZDr-hU"])
def test_videos_are_click_to_load(built_site: Path, video: str):
    pages = [p.read_text(encoding="utf-8") for p in built_site.rglob("index.html")]
    hits = [p for p in pages if f'data-youtube-id="{video}"' in p]
    assert hits, f"video {video} is not on any page"
    assert all("<iframe" not in p for p in hits)


def test_video_marker_syntax():
    assert VIDEO_MARKER.fullmatch('<!-- youtube JdeemZDr-hU "제목" channel="채널" lang="영어" length="12:34" -->')
    assert VIDEO_MARKER.fullmatch('<!-- youtube JdeemZDr-hU "제목" channel="?" lang="?" length="1:02:03" -->')
    assert not VIDEO_MARKER.fullmatch('<!-- youtube JdeemZDr-hU "제목" -->')  # the facts are not optional
    assert not VIDEO_MARKER.fullmatch('<!-- youtube JdeemZDr-hU "제목" channel="c" lang="ko" length="12분" -->')
    assert not VIDEO_MARKER.fullmatch('<!-- youtube short "제목" channel="c" lang="ko" length="1:00" -->')
    from sitegen.markers import video_block

    html = video_block("JdeemZDr-hU", "제목 <b>", "3Blue1Brown", "영어", "?")
    assert "「제목 &lt;b&gt;」 · 채널 3Blue1Brown · 언어 영어 · 길이: 원 글에 없어 확인하지 못함" in html


@pytest.mark.parametrize("label", ["한글 ✓ 기호", r"$\mathrm{학습률}$"])
def test_a_missing_glyph_fails_the_drawing(label: str):
    """Text glyphs (warnings) and mathtext glyphs (log records) missing from the font are errors."""
    import matplotlib.pyplot as plt

    def draw(theme):
        fig, ax = plt.subplots()
        ax.set_title(label)
        return fig

    with pytest.raises((UserWarning, ValueError), match="glyph|Glyph"):
        figures.render(figures.FigureSpec(id="t", alt="t: 시험", caption="시험", fmt="svg", draw=draw), figures.LIGHT)


NOTEBOOKS = sorted(DOCS.rglob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_stored_without_outputs(notebook: Path):
    import json

    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "code":
            assert not cell["outputs"] and cell["execution_count"] is None, f"{notebook.name}: stored outputs"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_page_is_executed_typeset_downloadable_and_warning_free(built_site: Path, notebook: Path):
    page_dir = built_site / notebook.relative_to(DOCS).with_suffix("")
    html = (page_dir / "index.html").read_text(encoding="utf-8")
    # the download is the notebook, its install cell filled in and its links to pages made absolute
    import json

    from sitegen import export

    assert f'href="../notebooks/{notebook.name}" download' in html
    source = json.loads(notebook.read_text(encoding="utf-8"))
    built = json.loads((built_site / "notebooks" / notebook.name).read_text(encoding="utf-8"))
    assert [c["id"] for c in built["cells"]] == [c["id"] for c in source["cells"]]
    for mine, theirs in zip(source["cells"], built["cells"]):
        if mine["cell_type"] == "code" and not export.is_install_cell(mine):
            assert mine == theirs, f"{notebook.name}: cell {mine['id']} differs in the download"
    assert 'class="katex"' in html, "the notebook's math is not typeset"
    assert "jp-OutputArea-output" in html, "the notebook was not executed"
    assert html.count('class="jp-RenderedImage') >= 2, "the notebook's figures are missing from its page"
    # any stderr stream (warnings, tracebacks) in an executed cell is a defect the build cannot see
    body = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    assert not re.search(r'<div[^>]+data-mime-type="application/vnd.jupyter.stderr"', body), "a cell wrote to stderr"
    assert not re.search(r"\w+Warning:", body), "a warning is printed in the notebook's output"


def test_the_offline_build_namespace_really_has_no_network():
    from conftest import _offline_prefix  # tests/site/conftest.py

    prefix = _offline_prefix()
    if not prefix:
        pytest.skip("no network namespace here (needs root and unshare); the build ran with the network")
    probe = "import socket; socket.create_connection(('151.101.0.223', 443), timeout=3)"  # pypi.org
    import subprocess
    import sys

    proc = subprocess.run([*prefix, sys.executable, "-c", probe], capture_output=True, text=True)
    assert proc.returncode != 0 and "unreachable" in proc.stderr.lower(), proc.stderr


def test_minus_signs_render_in_text_math_and_log_ticks():
    """NanumGothic GD carries U+2212, which mathtext uses in every "-" (10^-4 ticks included)."""
    import matplotlib.pyplot as plt
    import numpy as np

    def draw(theme):
        fig, ax = plt.subplots()
        ax.loglog(np.logspace(-8, -1), np.logspace(-8, -1))
        ax.set_title(r"한글 −1, $-\nabla f$")
        return fig

    assert figures.render(figures.FigureSpec(id="t", alt="t: 시험", caption="시험", fmt="svg", draw=draw), figures.LIGHT)


def test_figures_are_numbered_per_chapter_and_referred_to(built_site: Path):
    """그림 N.k in page order, the post's id as a small mark, and every empty link filled in."""
    html = (built_site / "momentum" / "index.html").read_text(encoding="utf-8")
    captions = re.findall(r'<figure class="gd-figure" id="([\w-]+)">.*?<figcaption><strong>그림 ([\d.]+)</strong>',
                          html, re.DOTALL)
    assert captions[:3] == [("fig12", "6.1"), ("momentum-velocity", "6.2"), ("momentum-nesterov", "6.3")], captions
    assert '<span class="gd-figure__post">원 글 fig12</span>' in html
    assert '<span class="gd-figure__post">원 글 momentum' not in html  # the site's own figures have none
    assert '<a href="#fig12">그림 6.1</a>' in html
    assert '<a href="#eq-elongated-gd-step">식 (6.1)</a>' in html
    assert re.search(r'<div class="gd-eq" id="eq-elongated-gd-step">.*?<div class="gd-eq__number">\(6\.1\)</div>',
                     html, re.DOTALL)
    sgd = (built_site / "sgd" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../gradient-descent/#fig8">그림 3.2</a>' in sgd  # a figure of another chapter
    for page in built_site.rglob("*.html"):
        assert "[](" not in page.read_text(encoding="utf-8"), f"{page}: an empty reference was not filled in"
