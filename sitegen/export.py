"""Notebooks a reader runs: each chapter as a notebook, the cell that installs gdcore, Colab links.

Every numbered chapter (``docs/gradient-descent.md``) becomes ``notebooks/gradient-descent.ipynb``
in the built site, written at build time from the page's own Markdown (:func:`chapter_notebook`):

- prose becomes markdown cells (a heading starts a new cell); math stays ``$...$``, a numbered
  equation gets its number as ``\\tag{3.1}``, and the empty references ``[](#fig7)`` are written
  out (``그림 3.1``) as links to the page on the site, like every link to another page;
- each ```` ```python ```` block becomes a code cell whose output is the block's checked output
  (``tests/site/test_notebooks.py`` executes every notebook and compares);
- a figure becomes its image on the site with its numbered caption and a link to the code that
  drew it, not a cell that draws it: the figure functions belong to the site's build
  (``sitegen/figures``), not to the installed ``gdcore``, they draw with the site's Hangul font
  (Colab has none), and several train networks for seconds; the image is the very figure the
  page shows;
- a table marker becomes the computed Markdown table, a source marker the gdcore code it shows
  (with its line on GitHub), the explorer a link to it on the page, a video a link to YouTube;
- admonitions become block quotes with their title; footnotes become numbered notes at the end;
- each exercise keeps its question and its hint (folded in ``<details>``), loses its answer box
  and solution (the page checks an answer and shows the solution: a link says where) and gets an
  empty code cell to work in.

The first code cell of every notebook (the lab's too, :func:`install_cell_source`) installs gdcore
when it is missing, from the repository and commit the site was built from; Colab opens the
notebooks from the ``notebooks`` branch, which the Pages workflow pushes (:func:`colab_url`).
"""

from __future__ import annotations

import json
import posixpath
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sitegen import numbering
from sitegen.util import from_page

#: the branch the Pages workflow pushes the built notebooks to (files at its root)
BRANCH = "notebooks"
#: the folder of the built site that holds the notebooks (what the workflow publishes)
FOLDER = "notebooks"
#: the lab's cell that the build rewrites into the install cell has ``"gd": {"install": true}`` in its
#: metadata (not a tag: the notebook page would show a tag above the cell)
INSTALL_KEY = "install"
#: what the install cell installs besides gdcore (pyproject.toml's optional dependencies)
EXTRA = "notebooks"


def pip_requirement(repo: str, commit: str) -> str:
    """``gdcore[notebooks] @ git+https://github.com/OWNER/REPO@COMMIT``."""
    return f"gdcore[{EXTRA}] @ git+https://github.com/{repo}@{commit}"


def install_cell_source(repo: str, commit: str) -> str:
    """The first code cell of every notebook: install gdcore when it is missing.

    With the repository and commit known, it installs gdcore (and what the notebooks use besides:
    scikit-learn's digits, matplotlib, a Hangul font) from that commit with pip, and says so when
    pip replaced a NumPy the running kernel had already imported (Colab then needs a restart).
    Without them (a site built on a computer whose clone has no GitHub origin) it names the one way
    that works: open the notebook from that clone, where gdcore is installed.
    """
    if not (repo and commit):
        return textwrap.dedent('''\
            # gdcore가 있는지 확인합니다. 이 노트북은 저장소 주소를 모르는 채로(내 컴퓨터에서) 만들어졌습니다.
            import importlib.util

            if importlib.util.find_spec("gdcore") is None:
                raise ModuleNotFoundError(
                    "gdcore가 없습니다. 이 노트북을 만든 저장소 폴더에서 "
                    "`uv run --with jupyterlab jupyter lab`으로 열면 gdcore가 설치된 환경에서 실행됩니다."
                )
            print("gdcore 준비 완료")''')
    return textwrap.dedent(f'''\
        # gdcore가 없으면(Colab 등) 이 노트북을 만든 커밋({commit[:7]})의 gdcore를 설치합니다.
        import importlib.metadata
        import importlib.util
        import subprocess
        import sys

        if importlib.util.find_spec("gdcore") is None:
            numpy_before = sys.modules["numpy"].__version__ if "numpy" in sys.modules else None
            subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                            "{pip_requirement(repo, commit)}"], check=True)
            importlib.invalidate_caches()
            if numpy_before and importlib.metadata.version("numpy") != numpy_before:
                print("NumPy가 새 버전으로 바뀌었습니다. 런타임을 다시 시작한 뒤 이 셀부터 다시 실행하세요.")
        print("gdcore 준비 완료")''')


def notebook_name(src_uri: str) -> str:
    """The file a page's notebook is published as, in ``notebooks/``: ``sgd.md`` -> ``sgd.ipynb``."""
    return posixpath.splitext(posixpath.basename(src_uri))[0] + ".ipynb"


def colab_url(repo: str, commit: str, name: str) -> str:
    """Colab's address of the notebook ``name`` built from ``commit``: the Pages workflow pushes each
    build's notebooks to the folder ``COMMIT/`` of the ``notebooks`` branch, so a page opens the
    notebook of its own commit.  ``""`` when the repository or the commit is unknown."""
    return f"https://colab.research.google.com/github/{repo}/blob/{BRANCH}/{commit}/{name}" if repo and commit else ""


def links_html(download: str, name: str, repo: str, commit: str) -> str:
    """The buttons under the title of a chapter or the lab: download the notebook, open it in Colab (only when
    the repository and commit are known: a local build has nothing on GitHub to open)."""
    items = [f'<a class="md-button" href="{download}" download>노트북 내려받기</a>']
    if colab := colab_url(repo, commit, name):
        items.append(f'<a class="md-button" href="{colab}">Colab에서 열기</a>')
    return f'<p class="gd-notebook-links">{"".join(items)}</p>\n'


# --- a chapter's Markdown as a notebook ---------------------------------------------------------


@dataclass
class Context:
    """What turning one page into a notebook needs from the build."""

    src_uri: str  # the page, ``gradient-descent.md``
    title: str  # its nav title, ``3. 경사하강법``
    site_url: str  # ``https://owner.github.io/repo/``
    urls: dict[str, str]  # page src_uri -> its URL in the site (``gradient-descent/``)
    numbers: numbering.Numbers  # the figure and equation numbers of the site
    slugify: Callable[[str, str], str]  # the toc extension's, for the ids of headings
    repo: str = ""
    commit: str = ""
    #: marker -> Markdown: ``figure``, ``table``, ``source``, ``explorer``, ``youtube``, ``repository``;
    #: each called with the marker's match
    markers: dict[str, Callable[[re.Match], str]] = field(default_factory=dict)
    #: (page, anchor) -> ``그림 3.1`` / ``식 (3.1)``, from ``numbers``
    names: dict[tuple[str, str], str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.names = self.numbers.names

    def page_url(self, src_uri: str | None = None, anchor: str = "") -> str:
        url = self.site_url.rstrip("/") + "/" + self.urls[src_uri or self.src_uri]
        return url + (f"#{anchor}" if anchor else "")


FENCE = re.compile(r"^(?P<fence>`{3,})(?P<lang>[\w-]*)[ \t]*$")
EXPECTED = "<!--pytest-codeblocks:expected-output-->"
ADMONITION = re.compile(r'^(?P<kind>!!!|\?\?\?\+?|===)[ \t]*(?P<type>[\w-]*)(?:[ \t]+[\w-]+)*(?:[ \t]*"(?P<title>[^"]*)")?[ \t]*$')
HEADING = re.compile(r"^(?P<level>#{1,6})[ \t]+(?P<text>.+?)[ \t]*$")
COMMENT_LINE = re.compile(r"^[ \t]*<!--.*-->[ \t]*$")
MARKER = re.compile(r"^<!-- (?P<kind>figure|table|source|explorer|youtube|repository|answer)\b(?P<rest>.*?) -->[ \t]*$")
FOOTNOTE_DEF = re.compile(r"^\[\^(?P<key>[^\]]+)\]:[ \t]*(?P<text>.*)$")
FOOTNOTE_REF = re.compile(r"\[\^(?P<key>[^\]]+)\](?!:)")
LOCAL_LINK = re.compile(r"\]\((?P<page>[\w./-]+\.(?:md|ipynb))?(?:#(?P<anchor>[^)\s]+))?\)")
ATTR_LIST = re.compile(r"\{:? [.#][^}\n]*\}")  # { .md-button }: attribute lists of Python-Markdown
EXERCISES = "연습 문제"
TITLES = {"note": "참고", "info": "참고", "tip": "도움말", "warning": "주의", "abstract": "요약",
          "example": "예", "success": "풀이", "question": "질문"}


@dataclass
class _Cell:
    kind: str  # "markdown" or "code"
    text: str
    output: str | None = None


def chapter_notebook(markdown: str, ctx: Context) -> dict:
    """The page's Markdown as an nbformat-4 notebook (a dict, ready for ``json.dumps``)."""
    from mkdocs.utils.meta import get_data

    markdown, _ = get_data(markdown)  # the front matter (the page's description) is the site's
    notes: list[str] = []  # footnote texts, in the order the prose first cites them
    def site_syntax(text: str) -> str:  # references, links to pages and attribute lists
        text = numbering.EMPTY_REF.sub(lambda m: _reference(m, ctx), text)
        return ATTR_LIST.sub("", LOCAL_LINK.sub(lambda m: _link(m, ctx), text))

    definitions = {m.group("key"): site_syntax(m.group("text"))
                   for m in map(FOOTNOTE_DEF.match, markdown.splitlines()) if m}
    body = "\n".join(line for line in markdown.splitlines() if not FOOTNOTE_DEF.match(line))
    body = _number_equations(body, ctx)

    def cite(m: re.Match) -> str:
        key = m.group("key")
        if key not in definitions:
            return m.group(0)
        text = definitions[key]
        if text not in notes:
            notes.append(text)
        return f"<sup>[{notes.index(text) + 1}]</sup>"

    body = FOOTNOTE_REF.sub(cite, body)
    # after the markers are expanded: a figure's caption has references too
    cells = [_Cell(c.kind, site_syntax(c.text)) if c.kind == "markdown" else c for c in _convert(body.splitlines(), ctx)]
    head, rest = (cells[0], cells[1:]) if cells and cells[0].kind == "markdown" else (_Cell("markdown", ""), cells)
    intro = (f"{head.text.strip()}\n\n이 노트북은 사이트 「경사하강법, 코드로 배우기」의 [{ctx.title}]({ctx.page_url()}) 장을 "
             + (f"커밋 `{ctx.commit[:7]}`에서 " if ctx.commit else "")
             + "옮긴 것입니다. 코드 셀에 미리 들어 있는 출력은 사이트를 빌드할 때 검사한 출력이고, "
             "그림은 사이트에 있는 그림을 불러와 보여 줍니다. 아래 첫 코드 셀이 `gdcore`가 없을 때 설치합니다.")
    cells = [_Cell("markdown", intro), _Cell("code", install_cell_source(ctx.repo, ctx.commit)), *rest]
    if notes:
        cells.append(_Cell("markdown", "## 각주\n\n" + "\n".join(f"{k}. {text}" for k, text in enumerate(notes, 1))))
    return notebook_json([c for c in cells if c.kind == "code" or c.text.strip()], ctx.src_uri.rsplit(".", 1)[0])


def notebook_json(cells: list[_Cell], stem: str) -> dict:
    """nbformat 4.5 with cell ids made from ``stem`` (the same page builds the same notebook)."""
    out = []
    for k, cell in enumerate(cells):
        item = {"cell_type": cell.kind, "id": f"{stem}-{k:03d}", "metadata": {},
                "source": cell.text.strip("\n").splitlines(keepends=True)}
        if cell.kind == "code":
            item["execution_count"] = None
            item["outputs"] = [] if cell.output is None else [
                {"name": "stdout", "output_type": "stream", "text": cell.output.splitlines(keepends=True)}]
        out.append(item)
    return {"cells": out, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                                       "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def dumps(notebook: dict) -> str:
    """A notebook as Jupyter writes it (one-space indent, Hangul as is)."""
    return json.dumps(notebook, ensure_ascii=False, indent=1) + "\n"


def _number_equations(text: str, ctx: Context) -> str:
    def one(m: re.Match) -> str:
        label = numbering.LABEL.search(m.group("body"))
        if label is None:
            return m.group(0)
        number = ctx.numbers.numbers.get((ctx.src_uri, f"eq-{label.group('name')}"))
        body = numbering.LABEL.sub("", m.group("body"), count=1).rstrip()
        return f"$$\n{body}" + (f" \\tag{{{number}}}" if number else "") + "\n$$"

    return numbering.DISPLAY.sub(one, text)


def _reference(m: re.Match, ctx: Context) -> str:
    target = numbering.target_page(ctx.src_uri, m.group("page"))
    name = ctx.names.get((target, m.group("anchor")), "")  # the page's own build checks it exists
    return f"[{name}]({ctx.page_url(target, m.group('anchor'))}){m.group('particle') or ''}"


def _link(m: re.Match, ctx: Context) -> str:
    if not m.group("page") and not m.group("anchor"):
        return m.group(0)
    target = numbering.target_page(ctx.src_uri, m.group("page"))
    if target not in ctx.urls:
        return m.group(0)
    return f"]({ctx.page_url(target, m.group('anchor') or '')})"


def _convert(lines: list[str], ctx: Context, exercise: str = "") -> list[_Cell]:
    """Cells of ``lines`` (a page, or the body of an admonition, dedented); ``exercise``: the
    heading of the exercise these lines belong to."""
    cells: list[_Cell] = []
    prose: list[str] = []

    def flush() -> None:
        if "".join(prose).strip():
            cells.append(_Cell("markdown", re.sub(r"\n{3,}", "\n\n", "\n".join(prose))))
        prose.clear()

    def end_exercise() -> None:
        if exercise_heading:
            flush()
            cells.append(_Cell("code", ""))

    exercise_heading = exercise
    in_exercises = answered = False
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if fence:
            end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == fence.group("fence")), len(lines))
            code = "\n".join(lines[i + 1:end])
            i = end + 1
            if fence.group("lang") != "python":
                prose += [line, code, fence.group("fence")] if code else [line, fence.group("fence")]
                continue
            output, i = _expected_output(lines, i)
            flush()
            cells.append(_Cell("code", code, output))
            continue
        heading = HEADING.match(line)
        if heading and not exercise:
            level, text = len(heading.group("level")), heading.group("text")
            if exercise_heading:
                end_exercise()
                exercise_heading = ""
            if level == 2:
                in_exercises = text == EXERCISES
            if in_exercises and level == 3:
                exercise_heading, answered = text, False
            flush()
            prose.append(line)
            i += 1
            continue
        admonition = ADMONITION.match(line)
        if admonition:
            end = i + 1
            while end < len(lines) and (not lines[end].strip() or lines[end].startswith("    ")):
                end += 1
            inner = textwrap.dedent("\n".join(lines[i + 1:end])).splitlines()
            i = end
            kind, title = admonition.group("type"), admonition.group("title")
            if title is None:
                title = TITLES.get(kind, kind)
            if exercise_heading and kind == "success":  # the solution: on the page, with the answer box
                where = (f"[{_exercise_number(exercise_heading)}]"
                         f"({ctx.page_url(anchor=ctx.slugify(exercise_heading, '-'))})")
                prose += ["", (f"답 확인과 풀이는 사이트의 {where}에 있습니다." if answered else
                               f"풀이는 사이트의 {where}에 있습니다."), ""]
                continue
            if exercise_heading and kind == "tip":  # the hint, folded
                prose += ["", f"<details><summary>{title}</summary>", "", *inner, "", "</details>", ""]
                continue
            flush()
            for k, cell in enumerate(_convert(inner, ctx, exercise_heading or "")):
                if cell.kind == "markdown":
                    text = (f"**{title}**\n\n" if k == 0 else "") + cell.text.strip("\n")
                    cell = _Cell("markdown", "\n".join("> " + row if row else ">" for row in text.splitlines()))
                cells.append(cell)
            continue
        marker = MARKER.match(line)
        if marker:
            i += 1
            kind = marker.group("kind")
            if kind == "answer":  # the page's answer box: the solution's line says where it is
                answered = True
            elif kind in ctx.markers:
                prose += ["", ctx.markers[kind](marker).strip("\n"), ""]
            continue
        if COMMENT_LINE.match(line):
            i += 1
            continue
        prose.append(line)
        i += 1
    if not exercise:
        end_exercise()
    flush()
    return cells


def _expected_output(lines: list[str], i: int) -> tuple[str | None, int]:
    """The checked output that follows a code block at ``lines[i:]``, and where reading goes on."""
    j = i
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j >= len(lines) or lines[j].strip() != EXPECTED:
        return None, i
    j += 1
    while j < len(lines) and not lines[j].strip():
        j += 1
    fence = FENCE.match(lines[j]) if j < len(lines) else None
    if fence is None:
        return None, j
    end = next((k for k in range(j + 1, len(lines)) if lines[k].strip() == fence.group("fence")), len(lines))
    return "\n".join(lines[j + 1:end]) + "\n", end + 1


def _exercise_number(heading: str) -> str:
    m = re.match(r"연습 \d+\.\d+", heading)
    return m.group(0) if m else heading


# --- what the build calls -----------------------------------------------------------------------


def _code_link(ctx: Context, what: str, path: str, code: str = "", line: int = 0) -> str:
    """``[이 그림을 그린 코드](GitHub)`` at the built commit, or the file named when the repository is unknown."""
    from sitegen import repository

    if code and not line:
        text = (repository.ROOT / path).read_text(encoding="utf-8")
        line = text.count("\n", 0, text.index(code)) + 1 if code in text else 0
    url = repository.source_url(ctx.repo, path, line) if ctx.repo else ""
    where = f"`{path}`" + (f" {line}행" if line else "")
    return f"[{what}]({url}) ({where})" if url else f"{what}: {where}"


def marker_handlers(ctx: Context, config) -> dict[str, Callable[[re.Match], str]]:
    """What each page marker becomes in a notebook (see the module's docstring)."""
    from sitegen import figures, markers
    from sitegen.util import ROOT

    def relative(path: str | Path) -> str:
        return Path(path).resolve().relative_to(ROOT).as_posix()

    # an unknown id gives nothing here: the page's own expansion (sitegen/markers.py) then fails,
    # naming the page and line
    def figure(m: re.Match) -> str:
        spec = figures.REGISTRY.get(m.group("rest").strip())
        if spec is None:
            return ""
        image = ctx.site_url.rstrip("/") + "/assets/figures/" + figures.output_name(spec, figures.LIGHT)
        alt = re.sub(r"[\[\]]", "", spec.alt)
        number = ctx.names.get((ctx.src_uri, spec.id), "그림")
        return (f"![{alt}]({image})\n\n**{number}** {spec.caption}\n\n"
                + _code_link(ctx, "이 그림을 그린 코드", relative(spec.path), spec.code))

    def table(m: re.Match) -> str:
        spec = figures.TABLES.get(m.group("rest").strip())
        if spec is None:
            return ""
        return (figures.table_markdown(spec.id) + "\n\n"
                + _code_link(ctx, "이 표를 계산한 코드", relative(spec.path), spec.code))

    def source(m: re.Match) -> str:
        found = markers.source_code(m.group("rest").strip())
        if found is None:
            return ""
        path, start, code = found
        return f"```python\n{code}\n```\n\n" + _code_link(ctx, "이 코드의 자리", path, line=start)

    def explorer(m: re.Match) -> str:
        name = m.group("rest").strip()
        return (f"> **옵티마이저 탐색기**: 학습률과 출발점을 바꿔 가며 경로를 보는 탐색기가 "
                f"[사이트의 이 자리]({ctx.page_url(anchor=f'gdx-{name}-1')})에 있습니다.")

    def youtube(m: re.Match) -> str:
        video = markers.VIDEO_MARKER.match(m.group(0))
        if video is None:
            return ""
        return f"YouTube 동영상: [「{video.group('title')}」](https://www.youtube.com/watch?v={video.group('id')})"

    return {"figure": figure, "table": table, "source": source, "explorer": explorer, "youtube": youtube,
            "repository": lambda m: markers.repository_block(config)}


def chapter_notebooks(pages, config, numbers: numbering.Numbers, urls: dict[str, str]) -> dict[str, str]:
    """``{"notebooks/NAME.ipynb": JSON text}`` for every numbered chapter among ``pages`` (MkDocs files)."""
    from sitegen import repository

    chapters = numbering.nav_titles(config["nav"])
    numbered = numbering.chapters(config["nav"])
    repo = repository.repository(config["extra"].get("repository", ""))
    commit = repository.commit()
    out = {}
    for file in pages:
        if file.src_uri not in numbered:
            continue
        ctx = Context(file.src_uri, chapters[file.src_uri], config["site_url"] or "/", urls, numbers,
                      config["mdx_configs"]["toc"]["slugify"], repo, commit)
        ctx.markers = marker_handlers(ctx, config)
        out[f"{FOLDER}/{notebook_name(file.src_uri)}"] = dumps(chapter_notebook(file.content_string, ctx))
    return out


def is_install_cell(cell: dict) -> bool:
    """Whether a cell of the lab is the one the build fills in (metadata ``"gd": {"install": true}``)."""
    return cell.get("metadata", {}).get("gd", {}).get(INSTALL_KEY) is True


def with_install_cell(notebook: dict, repo: str, commit: str) -> dict:
    """``notebook`` with the source of its install cell (:func:`is_install_cell`) made for ``repo`` and ``commit``."""
    source = install_cell_source(repo, commit).splitlines(keepends=True)
    cells = [dict(cell, source=source) if is_install_cell(cell) else cell for cell in notebook["cells"]]
    return dict(notebook, cells=cells)


def site_links(notebook: dict, src_uri: str, site_url: str, urls: dict[str, str]) -> dict:
    """``notebook`` with its markdown cells' links to pages (``comparison.md#결과``) made absolute."""
    ctx = Context(src_uri, "", site_url or "/", urls, numbering.Numbers(), lambda text, sep: text)
    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            text = LOCAL_LINK.sub(lambda m: _link(m, ctx), "".join(cell["source"]))
            cell = dict(cell, source=text.splitlines(keepends=True))
        cells.append(cell)
    return dict(notebook, cells=cells)


def notebook_pages(files, config, urls: dict[str, str]) -> dict[str, str]:
    """The notebook pages (the lab), made runnable where they are read.

    mkdocs-jupyter executes and renders a copy of each (in ``.cache/notebooks/``) whose install
    cell is filled in for this repository and commit, so the page shows the cell a reader runs;
    the returned ``{"notebooks/NAME.ipynb": JSON text}`` is what readers download and Colab opens:
    that copy with its links to other pages made absolute.
    """
    from sitegen import repository
    from sitegen.util import atomic_write

    jupyter = config["plugins"].get("mkdocs-jupyter")
    repo = repository.repository(config["extra"].get("repository", ""))
    commit = repository.commit()
    out = {}
    for file in files.documentation_pages():
        if jupyter is None or not jupyter.should_include(file):
            continue
        source = Path(file.abs_src_path)
        notebook = with_install_cell(json.loads(source.read_text(encoding="utf-8")), repo, commit)
        copy = Path(config["config_file_path"]).parent / ".cache" / "notebooks" / file.src_uri
        text = dumps(notebook)
        if not copy.exists() or copy.read_text(encoding="utf-8") != text:
            atomic_write(copy, text.encode())
        file.abs_src_path = str(copy)
        out[f"{FOLDER}/{notebook_name(file.src_uri)}"] = dumps(site_links(notebook, file.src_uri, config["site_url"], urls))
    return out


def under_title(html_text: str, page, config) -> str:
    """A chapter's or notebook page's HTML with the notebook buttons right after its title: download
    ``notebooks/NAME.ipynb``, open it in Colab.  Other pages are returned as they are."""
    from sitegen import repository

    src = page.file.src_uri
    if not (src.endswith(".ipynb") or src in numbering.chapters(config["nav"])):
        return html_text
    name = notebook_name(src)
    buttons = links_html(from_page(f"{FOLDER}/{name}", page.file.url), name,
                         repository.repository(config["extra"].get("repository", "")), repository.commit())
    at = html_text.find("</h1>")
    return html_text[:at + 5] + "\n" + buttons + html_text[at + 5:] if at >= 0 else buttons + html_text
