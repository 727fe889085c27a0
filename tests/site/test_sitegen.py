"""The build machinery of sitegen: caches that make warm builds fast, and what the search sees."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen import codeblocks, figures, katex, material, search
from sitegen.figures import cache, registry
from sitegen.util import fingerprint

ROOT = Path(__file__).resolve().parents[2]


def test_katex_renders_from_its_disk_cache_without_starting_node(tmp_path, monkeypatch):
    monkeypatch.setattr(katex, "CACHE_DIR", tmp_path)
    first = katex.Katex()
    html = first.render(r"\nabla f(\mathbf{x})", display=False)
    assert first._proc is not None and 'class="katex"' in html
    first.close()
    assert len(list(tmp_path.glob("formulas-*.json"))) == 1

    second = katex.Katex()
    assert second.render(r"\nabla f(\mathbf{x})", display=False) == html
    assert second._proc is None, "a cached formula must not start node"
    with pytest.raises(katex.KatexError, match="Undefined control sequence"):
        second.render(r"\notacommand", display=True)  # a miss goes to node, and TeX errors still fail
    second.close()


def test_render_html_gives_the_search_index_plain_text_not_katex_markup(tmp_path, monkeypatch):
    monkeypatch.setattr(katex, "CACHE_DIR", tmp_path)
    renderer = katex.Katex()
    page = '<p>기울기 <span class="arithmatex">\\(\\nabla f\\)</span></p><div class="arithmatex">\\[x^2\\]</div>'
    rendered, plain, errors = renderer.render_html(page)
    renderer.close()
    assert errors == []
    assert rendered.count('class="katex"') == 2 and rendered.count("<math") == 2  # HTML and MathML
    assert "\\nabla" not in rendered and "annotation" not in rendered  # no copy of the TeX source
    assert plain == '<p>기울기 <span class="arithmatex">∇f</span></p><div class="arithmatex">x²</div>', (
        "the search sees each formula once, as text a result's preview can show")


def test_search_html_drops_figure_code_and_highlighting_but_keeps_the_text():
    page = (
        '<p>본문</p><details class="example gd-code"><summary>코드</summary><pre>draw()</pre></details>'
        '<div class="highlight"><pre><span></span><code><span class="n">x</span> <span class="o">=</span> 1</code></pre></div>'
        '<p><span class="keep">바깥 span</span></p>'
    )
    out = search.for_search(page)
    assert "draw()" not in out and "코드" not in out
    assert "<pre><code>x = 1</code></pre>" in out
    assert '<span class="keep">바깥 span</span>' in out  # spans outside code blocks are left alone


MANIFEST_PROBE = """
import json, sys
from sitegen import figures
figures.load_all(manifest=True)  # writes the manifest if it is missing, else reads it
real = "draw" in sys.argv[1:]
if real:
    figures.REGISTRY.clear(); figures.TABLES.clear(); figures.load_all()
specs = {i: [s.alt, s.caption, s.fmt, s.recolor, s.module, s.path, s.code, s.draw is None]
         for i, s in figures.REGISTRY.items()}
tables = {i: [t.module, t.path, t.code, t.make is None] for i, t in figures.TABLES.items()}
print(json.dumps({"specs": specs, "tables": tables, "matplotlib": "matplotlib" in sys.modules}))
"""


def _probe(*args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", MANIFEST_PROBE, *args], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def test_registry_manifest_matches_the_modules_and_skips_matplotlib():
    _probe()  # make sure the manifest of this code exists
    cached, real = _probe(), _probe("draw")
    assert not cached["matplotlib"], "reading the manifest must not import matplotlib (warm builds)"
    assert all(v[-1] for v in cached["specs"].values()) and not any(v[-1] for v in real["specs"].values())
    assert {i: v[:-1] for i, v in cached["specs"].items()} == {i: v[:-1] for i, v in real["specs"].items()}
    assert {i: v[:-1] for i, v in cached["tables"].items()} == {i: v[:-1] for i, v in real["tables"].items()}


def test_a_spec_from_the_manifest_can_still_be_drawn():
    spec = figures.load_all()["fig2"]
    stand_in = figures.FigureSpec(**{**spec.__dict__, "draw": None})
    assert figures.render(stand_in, figures.LIGHT) == figures.render(spec, figures.LIGHT)


def test_other_library_versions_get_a_new_manifest(monkeypatch):
    from sitegen import util

    before = registry.manifest_path()
    original = util.library_versions()
    monkeypatch.setattr(util, "library_versions", lambda: original + " changed")
    assert registry.manifest_path() != before


def test_heavy_modules_are_drawn_first(tmp_path):
    figures.load_all()
    _, groups = figures.pending(tmp_path)
    assert list(groups)[0] in figures.HEAVY
    assert set(figures.HEAVY) <= set(groups)


def test_notebook_cache_depends_on_gdcore():
    """mkdocs-jupyter keys its cache by the notebook's bytes; on_config adds gdcore's code."""
    probe = (
        "from mkdocs.config import load_config; from sitegen import hooks; "
        "c = load_config('mkdocs.yml'); hooks.on_config(c); hooks.on_shutdown(); "
        "print(c['plugins']['mkdocs-jupyter'].config['cache_dir'])"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    cache_dir = Path(out.stdout.strip().splitlines()[-1])
    assert cache_dir.parent == ROOT / ".cache" / "mkdocs-jupyter"
    assert cache_dir.name == fingerprint([], "notebooks")  # hashes gdcore/*.py


def test_search_index_holds_formulas_once_as_plain_text(built_site: Path):
    docs = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    text = "\n".join(d["text"] for d in docs if d["location"].startswith("gradient/"))
    assert "∂f/∂x₀" in text  # \partial f/\partial x_0, as a result's preview shows it
    assert r"\partial" not in text and "∂f/∂x0" not in text, "no TeX source, no KaTeX glyphs or MathML markup"
    everything = "\n".join(d["text"] for d in docs)
    assert "@figure(" not in everything, "the code under the figures is not indexed"
    assert "gdcore.optim" in everything  # code blocks are


def test_notebook_is_executed_once_per_build(build_log: str):
    """It starts early, beside the figures (notebook.Prewarm); its page must then read
    mkdocs-jupyter's cache rather than execute it a second time."""
    assert build_log.count("Converting notebook") <= 1, build_log


# --- lighter pages --------------------------------------------------------------------------


def test_prune_css_keeps_only_rules_that_can_match():
    from sitegen.notebook import prune_css

    css = (
        "/* c */.a{color:red}.b .c{color:blue}.a,.z{margin:0}.a:not(.z){top:0}"
        "@media (max-width:10px){.z{x:1}.a{y:2}}@font-face{font-family:F}"
        ".w :root{--v:1}:root{--w:2}.a[data-x=\"{\"]{content:\"}\"}"
    )
    out = prune_css(css, {"a"})
    assert out == (
        ".a{color:red}.a{margin:0}.a:not(.z){top:0}@media (max-width:10px){.a{y:2}}"
        "@font-face{font-family:F}:root{--w:2}.a[data-x=\"{\"]{content:\"}\"}"
    )


def test_built_notebook_page_is_slim_and_its_images_are_files(built_site: Path):
    html = (built_site / "lab" / "index.html").read_text(encoding="utf-8")
    assert len(html) < 250_000, f"lab page is {len(html)} bytes"
    assert "data:image" not in html
    images = list((built_site / "lab").glob("output-*.*"))  # SVG (a light and a dark file each) or PNG
    assert images and all(re.search(rf'src="{re.escape(p.name)}(#only-(light|dark))?"', html) for p in images)
    assert ".jupyter-wrapper .jp-InputPrompt{" in html, "the cells' own rules are kept"
    assert "jp-FileBrowser" not in html, "rules for JupyterLab parts that are not on the page are dropped"


def test_built_site_has_the_start_up_savings(built_site: Path):
    (palette,) = (built_site / "assets" / "stylesheets").glob("palette.*.min.css")
    text = palette.read_text(encoding="utf-8")
    assert "[data-md-color-switching] *" not in text and text.endswith(material.PALETTE_PATCHED)
    page = (built_site / "momentum" / "index.html").read_text(encoding="utf-8")
    head = page[: page.index("</head>")]
    assert material.FOCUS_VISIBLE_EARLY in head
    assert material.SEARCH_ON_DEMAND in head
    css = (built_site / "assets" / "css" / "site.css").read_text(encoding="utf-8")
    assert "content-visibility: auto" in css
    for html in built_site.rglob("index.html"):  # every page, the notebook page too
        scripts = re.findall(r"<script src=[^>]*>", html.read_text(encoding="utf-8"))
        assert scripts and all(s.endswith(" defer>") for s in scripts), (html, scripts)
        assert any("javascripts/bundle." in s for s in scripts), html


def test_code_blocks_carry_their_line_count():
    """site.css reserves an unrendered code block's height from this count."""
    page = ('<div class="highlight"><pre><span></span><code>a = 1\n\nb = 2\n</code></pre></div>'
            '<div class="highlight"><span class="filename">gdcore/optim.py</span><pre><span></span>'
            '<code>x\n</code></pre></div>'
            '<div class="highlight"><pre><span></span><code>no newline at the end</code></pre></div>')
    tagged = codeblocks.count_code_lines(page)
    assert [int(n) for n in re.findall(r'--gd-code-lines: (\d+)', tagged)] == [3, 1, 1]
    assert tagged.replace(' style="--gd-code-lines: 3"', "").replace(' style="--gd-code-lines: 1"', "") == page


def test_built_code_blocks_carry_their_line_count(built_site: Path):
    html = (built_site / "momentum" / "index.html").read_text(encoding="utf-8")
    assert html.count('<div class="highlight">') == 0
    assert html.count('<div class="highlight" style="--gd-code-lines: ') >= 10


STALE_PROBE = """
import sys
from sitegen import explorer, figures
figures.load_all(reload=True, manifest=True)  # what the build does at the start of every rebuild
import gdcore.optim
from sitegen import explorer as fresh  # what sitegen/markers.py does when it needs the explorer
print(fresh is not explorer, fresh.SGD is sys.modules["gdcore.optim"].SGD, fresh.minimize.__module__)
"""


def test_a_reload_leaves_no_module_holding_the_old_gdcore(newcomer_env):
    """`mkdocs serve` reloads gdcore on every rebuild; the explorer must use the new classes."""
    proc = subprocess.run([sys.executable, "-c", STALE_PROBE], cwd=ROOT, env=newcomer_env,
                          capture_output=True, text=True, check=True)
    assert proc.stdout.split() == ["True", "True", "gdcore.run"], proc.stdout + proc.stderr


def test_figure_errors_name_the_module_and_line(tmp_path):
    """A figure function that raises is reported as path:line of the figure module."""
    def broken(theme):
        return 1 / 0

    spec = figures.FigureSpec(id="broken", alt="broken", caption="", draw=broken,
                              module="sitegen.figures.gradient", path=__file__, code="")
    figures.REGISTRY["broken"] = spec
    try:
        with pytest.raises(figures.FigureError, match=r"^tests/site/test_sitegen\.py:\d+: figure broken \(light\) "
                                                      r"failed: ZeroDivisionError: division by zero$"):
            cache.draw_module("sitegen.figures.test_sitegen", [("figure-light", "broken", str(tmp_path / "x"))])
    finally:
        del figures.REGISTRY["broken"]


# --- numbers, references, the repository --------------------------------------------------------


class _File:
    def __init__(self, src_uri: str, text: str):
        self.src_uri, self.content_string, self.abs_src_path = src_uri, text, str(ROOT / "docs" / src_uri)


class _Page:
    def __init__(self, file: _File):
        self.file = file


NAV = {"nav": [{"처음으로": "index.md"}, {"3. 경사하강법": "gd.md"}, {"부록": [{"9. 비교": "cmp.md"}]}],
       "config_file_path": str(ROOT / "mkdocs.yml")}


def test_figures_and_labelled_equations_are_numbered_per_chapter():
    from sitegen import numbering

    gd = _File("gd.md", "<!-- figure fig7 -->\n\n$$\nx = 1 \\label{one}\n$$\n\n$$\ny\n$$\n\n<!-- figure fig8 -->\n"
                        "$$\nz \\label{two}\n$$\n")
    cmp_ = _File("cmp.md", "<!-- figure compare-saddle -->\n")
    numbers = numbering.count([_File("index.md", "안녕"), gd, cmp_], NAV)
    assert numbers.names == {("gd.md", "fig7"): "그림 3.1", ("gd.md", "fig8"): "그림 3.2",
                             ("gd.md", "eq-one"): "식 (3.1)", ("gd.md", "eq-two"): "식 (3.2)",
                             ("cmp.md", "compare-saddle"): "그림 9.1"}
    page = _Page(gd)
    out = numbering.number_equations(gd.content_string, page, numbers)
    assert '<div class="gd-eq" id="eq-two" markdown="block">\n\n$$\nz\n$$\n\n<div class="gd-eq__number">(3.2)</div>' in out
    assert "\\label" not in out and "$$\ny\n$$" in out  # an unlabelled block stays as it was
    text = "[](#fig8)와 [](#eq-one), [](cmp.md#compare-saddle)"
    assert numbering.fill_references(text, page, NAV, numbers) == (
        "[그림 3.2](#fig8)와 [식 (3.1)](#eq-one), [그림 9.1](cmp.md#compare-saddle)")
    with pytest.raises(Exception, match=r"the empty link \[\]\(#fig9\) names no numbered figure or equation of gd\.md"):
        numbering.fill_references("[](#fig9)", page, NAV, numbers)


def test_an_equation_label_outside_a_numbered_chapter_fails():
    from sitegen import numbering

    with pytest.raises(Exception, match=r"docs/index\.md:3: equation label 'x' on a page that is not a numbered chapter"):
        numbering.count([_File("index.md", "# 처음\n$$\na \\label{x}\n$$\n")], NAV)


def test_the_repository_block_with_and_without_a_repository(monkeypatch):
    from sitegen import markers, repository

    known = markers.repository_block({"extra": {"repository": "someone/gd-site"}})
    assert "[someone/gd-site](https://github.com/someone/gd-site)" in known
    assert "git clone https://github.com/someone/gd-site.git\ncd gd-site" in known
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    monkeypatch.setattr(repository, "_origin_repository", lambda: "")
    assert "저장소 주소를 모르는 채로" in markers.repository_block({"extra": {"repository": ""}})
    assert repository.source_url("", "gdcore/run.py", 3) == ""
    monkeypatch.setattr(repository, "commit", lambda: "abc123")
    assert repository.source_url("o/r", "gdcore/run.py", 3) == "https://github.com/o/r/blob/abc123/gdcore/run.py#L3"
    for remote, repo in [("https://github.com/o/r.git", "o/r"), ("git@github.com:o/r.git", "o/r"),
                         ("https://gitlab.com/o/r.git", None)]:
        m = repository.GITHUB_REMOTE.search(remote)
        assert (m.group("repo") if m else None) == repo


def test_helpers_of_a_figure_function_are_found_in_the_repository():
    specs = figures.load_all()
    names = {h["name"]: h for h in specs["fig12"].helpers}
    assert names["_path_panel"]["path"] == "sitegen/figures/momentum.py" and names["_path_panel"]["code"]
    assert specs["fig12"].body().startswith("def ")  # the fold opens on the function, not its decorator
    digits = {h["name"]: h for h in specs["compare-digits-loss"].helpers}
    assert digits["fit"]["path"] == "gdcore/train.py" and digits["fit"]["code"] == ""  # gdcore: linked


def test_a_drawing_worker_reads_no_sources_and_a_function_is_read_once(monkeypatch, tmp_path):
    """Issue 16's cold build: every worker call of load_all re-read the sources of every figure
    function for the code folds (1.4 s of CPU a module, 17 s a cold build)."""
    specs = figures.load_all()
    before = specs["fig12"].helpers
    assert before  # computed above (or earlier in this process)

    def read(function):
        raise AssertionError(f"read the source of {function.__qualname__} again")

    monkeypatch.setattr(registry, "helpers_of", read)
    assert figures.load_all()["fig12"].helpers == before  # from the per-function cache
    figures.REGISTRY.clear(); figures.TABLES.clear()  # noqa: E702
    for name in [m for m in sys.modules if m.startswith("sitegen.figures.") and m.split(".")[2] == "momentum"]:
        del sys.modules[name]  # imported afresh: new function objects, not in the cache
    try:
        path = tmp_path / "fig12-light.svg"
        cache.draw_module("sitegen.figures.momentum", [("figure-light", "fig12", str(path))])  # a worker's job
        assert path.stat().st_size > 1000 and figures.REGISTRY["fig12"].helpers == ()
        with pytest.raises(AssertionError, match="read the source of"):
            figures.load_all()  # the fresh functions' folds need their sources
    finally:
        monkeypatch.undo()
        figures.load_all(reload=True)


def test_the_particle_after_a_number_must_fit_how_it_is_read():
    from sitegen import numbering

    numbers = numbering.Numbers({("gd.md", "a"): "3.1", ("gd.md", "b"): "3.2", ("gd.md", "eq-c"): "3.6"})
    page = _Page(_File("gd.md", ""))
    fill = lambda text: numbering.fill_references(text, page, NAV, numbers)  # noqa: E731
    assert fill("[](#a)은 [](#b)는 [](#eq-c)이 [](#a)로 [](#eq-c)으로 [](#b)와") == (
        "[그림 3.1](#a)은 [그림 3.2](#b)는 [식 (3.6)](#eq-c)이 [그림 3.1](#a)로 [식 (3.6)](#eq-c)으로 [그림 3.2](#b)와")
    for wrong, right in [("[](#a)는", "은"), ("[](#b)과", "와"), ("[](#eq-c)가", "이"), ("[](#a)으로", "로")]:
        with pytest.raises(Exception, match=f"write '{right}' after it"):
            fill(wrong)


def test_highlighting_is_read_from_the_cache_the_second_time(tmp_path, monkeypatch):
    """codeblocks.HighlightCache: the same fence gives the same HTML, from the cache file in a
    later build (a new process), without Pygments; a titled fence is never cached."""
    import markdown
    import pymdownx.highlight

    def render(text: str) -> str:
        return markdown.markdown(text, extensions=["pymdownx.highlight", "pymdownx.superfences"])

    original = pymdownx.highlight.Highlight.highlight
    untitled = "```python\nx = 1  # 주석\n```\n"
    page = untitled + "\n```python title=\"t.py\"\nprint(x)\n```\n"
    expected_page, expected_untitled = render(page), render(untitled)
    first = codeblocks.HighlightCache(tmp_path)
    first.install()
    try:
        assert render(page) == expected_page
        assert first.new == 1  # the titled block is not kept
        first.save()
    finally:
        monkeypatch.setattr(pymdownx.highlight.Highlight, "highlight", original)
    second = codeblocks.HighlightCache(tmp_path)  # a later build: reads the file
    second.install()

    lexers = []  # each time Pygments is asked to highlight a block
    get_lexer = pymdownx.highlight.Highlight.get_lexer
    monkeypatch.setattr(pymdownx.highlight.Highlight, "get_lexer",
                        lambda self, *args: lexers.append(args[0]) or get_lexer(self, *args))
    try:
        assert render(untitled) == expected_untitled and second.new == 0 and lexers == []
        assert render(page) == expected_page and lexers == ["print(x)"]  # the titled block, every time
    finally:
        monkeypatch.setattr(pymdownx.highlight.Highlight, "highlight", original)


def test_expected_outputs_are_marked_also_inside_folds():
    page = ("<!--pytest-codeblocks:expected-output-->\n\n```text\n1\n```\n\n"
            "??? success \"풀이\"\n\n    <!--pytest-codeblocks:expected-output-->\n\n    ```text\n    2\n    ```\n")
    marked = codeblocks.mark_outputs(page)
    assert marked.count("``` { .text .gd-output .no-copy }") == 2
    assert "\n    ``` { .text .gd-output .no-copy }\n    2\n" in marked  # the fold's block keeps its indent


def test_from_page_links_a_site_path_from_a_page_of_either_url_style():
    from sitegen.util import from_page

    assert from_page("assets/js/explorer.js", "momentum/") == "../assets/js/explorer.js"
    assert from_page("notebooks/sgd.ipynb", "") == "notebooks/sgd.ipynb"  # the home page
    assert from_page("notebooks/sgd.ipynb", "sgd.html") == "notebooks/sgd.ipynb"  # use_directory_urls: false
    assert from_page("notebooks/lab.ipynb", "a/b/") == "../../notebooks/lab.ipynb"
