"""Every chapter as a notebook (sitegen/export.py): what it holds, that it runs, where it is offered.

The suite's build is a fork's (``published.py``): ``GITHUB_REPOSITORY`` and ``GITHUB_SHA`` are set
as the Pages workflow sets them, so the install cell and the Colab links must carry exactly those.
The notebooks are executed here with nbclient, in a real kernel, and every code cell must print
what its page's checked output says.
"""

from __future__ import annotations

import html
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from browsing import site_nav
from published import PAGES_COMMIT, PAGES_REPOSITORY, SITE_URL

from sitegen import export, numbering

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = {page: title for page, title in numbering.nav_titles(site_nav()).items()
            if numbering.CHAPTER_TITLE.match(title)}
NAMES = {page: Path(page).with_suffix(".ipynb").name for page in CHAPTERS}
REQUIREMENT = f"gdcore[notebooks] @ git+https://github.com/{PAGES_REPOSITORY}@{PAGES_COMMIT}"


def _notebook(built_site: Path, name: str) -> dict:
    return json.loads((built_site / export.FOLDER / name).read_text(encoding="utf-8"))


def _code(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _text(cell: dict) -> str:
    return "".join(cell["source"])


def _lines(code: str) -> list[str]:
    return [line for line in code.splitlines() if line.strip()]


def _checked_blocks(page: str) -> tuple[list, int]:
    """pytest-codeblocks' own reading of the page: its blocks outside the exercises' solutions,
    and how many exercises the page has."""
    from pytest_codeblocks import extract_from_file

    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines, 1) if line == "## 연습 문제"), len(lines) + 1)
    blocks = [b for b in extract_from_file(ROOT / "docs" / page) if b.syntax == "python" and b.lineno < start]
    return blocks, sum(1 for line in lines[start:] if line.startswith("### 연습 "))


def test_there_are_ten_chapters_and_each_has_its_notebook(built_site: Path):
    assert len(CHAPTERS) == 10
    built = sorted(p.name for p in (built_site / export.FOLDER).glob("*.ipynb"))
    assert built == sorted([*NAMES.values(), "lab.ipynb"])


@pytest.mark.parametrize("page", [*sorted(CHAPTERS), "lab.ipynb"])
def test_a_chapter_offers_its_notebook_under_its_title(built_site: Path, page: str):
    """The download button reaches the built file; Colab opens the notebook of this commit."""
    name = NAMES.get(page, page)
    folder = built_site / Path(page).stem
    doc = (folder / "index.html").read_text(encoding="utf-8")
    title_end = doc.index("</h1>") + len("</h1>")
    buttons = re.search(r'<p class="gd-notebook-links">(.*?)</p>', doc)
    assert buttons and buttons.start() > title_end, f"{page}: no notebook buttons under the title"
    assert doc[title_end:buttons.start()].strip(" \n") == "", f"{page}: the buttons are not right under the title"
    download = re.search(r'<a class="md-button" href="([^"]+)" download>노트북 내려받기</a>', buttons.group(1))
    assert download and (folder / download.group(1)).resolve() == (built_site / export.FOLDER / name).resolve()
    colab = re.search(r'<a class="md-button" href="([^"]+)">Colab에서 열기</a>', buttons.group(1))
    assert colab and html.unescape(colab.group(1)) == (
        f"https://colab.research.google.com/github/{PAGES_REPOSITORY}/blob/notebooks/{PAGES_COMMIT}/{name}")


def test_the_install_cell_carries_the_repository_and_the_commit(built_site: Path):
    """The first code cell of every notebook, the lab's too, pins gdcore to the built commit of
    the repository the workflow named; the lab's page shows that cell as it executed it."""
    for name in [*NAMES.values(), "lab.ipynb"]:
        nb = _notebook(built_site, name)
        first = _text(_code(nb)[0])
        assert first == export.install_cell_source(PAGES_REPOSITORY, PAGES_COMMIT), name
        assert f'"{REQUIREMENT}"' in first, name
    lab_page = html.unescape(re.sub(r"<[^>]+>", "", (built_site / "lab" / "index.html").read_text(encoding="utf-8")))
    assert REQUIREMENT in lab_page
    assert "저장소 주소>" not in lab_page  # the placeholder the lab once had


def test_the_lab_in_docs_keeps_the_cell_a_local_build_makes():
    """docs/lab.ipynb's install cell is what a build with no known repository writes (so the file
    opened from a clone says the right thing), and the build replaces exactly that cell."""
    nb = json.loads((ROOT / "docs" / "lab.ipynb").read_text(encoding="utf-8"))
    tagged = [c for c in nb["cells"] if export.is_install_cell(c)]
    assert not [c for c in nb["cells"] if c["metadata"].get("tags")], "a tag shows above its cell on the page"
    assert len(tagged) == 1 and _text(tagged[0]) == export.install_cell_source("", "")
    assert _code(nb)[0] is tagged[0]
    filled = export.with_install_cell(nb, "o/r", "f" * 40)
    changed = [k for k, (a, b) in enumerate(zip(nb["cells"], filled["cells"])) if a != b]
    assert changed == [nb["cells"].index(tagged[0])]


def test_the_install_cell_installs_from_the_commit_or_says_what_to_do(monkeypatch):
    """Run both forms of the cell with gdcore reported missing: the known one calls pip with the
    pinned requirement; the local one raises, naming how to open the notebook."""
    import importlib.util
    import subprocess

    calls = []
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "gdcore" else object())
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append((cmd, kw)))
    exec(export.install_cell_source("someone/fork", "a" * 40), {})
    assert len(calls) == 1
    cmd, kw = calls[0]
    assert cmd[1:5] == ["-m", "pip", "install", "--quiet"] and kw == {"check": True}
    assert cmd[-1] == f"gdcore[notebooks] @ git+https://github.com/someone/fork@{'a' * 40}"
    with pytest.raises(ModuleNotFoundError, match="uv run --with jupyterlab jupyter lab"):
        exec(export.install_cell_source("", ""), {})
    assert export.colab_url("someone/fork", "", "x.ipynb") == ""  # no commit: no Colab button
    assert export.colab_url("", "a" * 40, "x.ipynb") == ""


def test_the_extra_the_install_cell_names_exists():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extra = project["optional-dependencies"][export.EXTRA]
    assert {re.split(r"[<>=]", dep)[0] for dep in extra} >= {"scikit-learn", "matplotlib", "koreanize-matplotlib"}


@pytest.mark.parametrize("page", sorted(CHAPTERS))
def test_a_notebook_holds_its_pages_code_and_checked_outputs_in_order(built_site: Path, page: str):
    """Its code cells are the page's checked blocks (as pytest-codeblocks reads them), with their
    expected outputs as the cells' outputs; every exercise is its question and an empty cell."""
    nb = _notebook(built_site, NAMES[page])
    number = CHAPTERS[page].split(".")[0]
    title = re.search(r"^# .+$", (ROOT / "docs" / page).read_text(encoding="utf-8"), re.MULTILINE).group(0)
    assert _text(nb["cells"][0]).startswith(title + "\n"), "the notebook does not open with the chapter's title"
    blocks, exercises = _checked_blocks(page)
    cells = _code(nb)[1:]  # after the install cell
    filled = [c for c in cells if _text(c).strip()]
    # pytest-codeblocks drops the blank lines of an indented block (in a note): compare without them
    assert [_lines(_text(c)) for c in filled] == [_lines(b.code) for b in blocks]
    outputs = ["".join(o["text"]) for c in filled for o in c["outputs"]]
    assert outputs == [b.expected_output for b in blocks if b.expected_output is not None]
    empty = [k for k, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and not _text(c).strip()]
    assert len(empty) == exercises >= 4
    for k in empty:
        question = _text(nb["cells"][k - 1])
        assert question.startswith(f"### 연습 {number}."), question[:60]
        assert "풀이는 사이트의" in question or "답 확인과 풀이는 사이트의" in question
    assert "??? " not in json.dumps(nb, ensure_ascii=False)  # folds became quotes or <details>


def test_markers_and_site_syntax_are_gone_from_the_notebooks(built_site: Path):
    leftovers = {"a marker or comment": r"<!--", "an empty reference": r"\[\]\(", "a footnote": r"\[\^",
                 "an attribute list": r"\{ [.#]", "a label": r"\\label\{", "a link to a source file": r"\]\([\w/-]+\.md"}
    for name in NAMES.values():
        for cell in _notebook(built_site, name)["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            for what, pattern in leftovers.items():
                assert not re.search(pattern, _text(cell)), f"{name}: {what} left in {_text(cell)[:80]!r}"
    gd = json.dumps(_notebook(built_site, "gradient-descent.ipynb"), ensure_ascii=False)
    assert r"\\tag{3.1}" in gd and "[그림 3.1](" in gd and "## 각주" in gd


def test_every_link_and_image_of_a_notebook_is_on_the_built_site(built_site: Path):
    """Figures are the site's own images; links to pages and anchors land on the built site."""
    ids: dict[Path, set[str]] = {}
    checked = 0
    for name in [*NAMES.values(), "lab.ipynb"]:
        for cell in _notebook(built_site, name)["cells"]:
            for url in re.findall(r"\]\((" + re.escape(SITE_URL) + r"[^)\s]*)\)", _text(cell)):
                parts = urlparse(url)
                path = built_site / unquote(parts.path).removeprefix(urlparse(SITE_URL).path)
                if path.suffix == "":
                    path = path / "index.html"
                assert path.is_file(), f"{name}: {url} is not on the built site"
                if parts.fragment:
                    if path not in ids:
                        ids[path] = set(re.findall(r'\bid="([^"]+)"', path.read_text(encoding="utf-8")))
                    assert unquote(parts.fragment) in ids[path], f"{name}: no #{unquote(parts.fragment)} in {path}"
                checked += 1
    assert checked > 200


def _execute(path: Path, workdir: Path) -> tuple[str, dict]:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    expected = [[dict(o) for o in c.outputs] for c in nb.cells if c.cell_type == "code"]
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}).execute()
    return path.name, {"expected": expected, "got": [[dict(o) for o in c.outputs] for c in nb.cells if c.cell_type == "code"]}


def test_every_notebook_executes_and_prints_its_pages_checked_outputs(built_site: Path, tmp_path: Path):
    """nbclient runs each notebook from its first cell to its last in a fresh kernel (two at a
    time): no cell raises or writes to stderr, no cell leaves a value to display, and each code
    cell prints exactly its stored output, which is its page's checked output."""
    paths = sorted((built_site / export.FOLDER).glob("*.ipynb"))
    with ThreadPoolExecutor(2) as pool:
        results = dict(pool.map(lambda p: _execute(p, tmp_path), paths))
    assert len(results) == 11
    for name, run in results.items():
        for k, (expected, got) in enumerate(zip(run["expected"], run["got"], strict=True)):
            kinds = [(o["output_type"], o.get("name")) for o in got]
            assert all(kind == ("stream", "stdout") for kind in kinds) or name == "lab.ipynb", (name, k, got)
            assert not [o for o in got if o["output_type"] == "error"], (name, k, got)
            stdout = "".join(o["text"] for o in got if o.get("name") == "stdout")
            if k == 0:
                assert stdout == "gdcore 준비 완료\n", (name, stdout)  # installed here: nothing to install
            elif expected:
                assert stdout == "".join(o["text"] for o in expected), f"{name}, code cell {k + 1}"


def test_the_buttons_stay_out_of_the_search_index(built_site: Path):
    """Eleven pages with the same two buttons: not what a reader searches for (sitegen/search.py)."""
    index = (built_site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "gd-notebook-links" in (built_site / "momentum" / "index.html").read_text(encoding="utf-8")
    assert "노트북 내려받기" not in index and "Colab에서 열기" not in index
