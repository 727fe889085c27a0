"""A newcomer's first ``mkdocs serve``, from cold, and an author's edits and mistakes while it runs.

One temporary copy of the checkout (tracked and untracked files, no ``.cache/``, no ``site/``) is
served by ``mkdocs serve --livereload`` on a free loopback port, through ``tests/site/import_race.py``,
which makes the cold build's notebook thread and main thread race for their first imports (see
there).  The server gets the environment pytest was started with and ``PYTHONPATH`` set to the
copy, so that the copy's ``sitegen`` and ``gdcore`` are the ones imported (the project's editable
install would otherwise bring the checkout's).  The tests run in file order against that server;
each one puts back what it changed.  Then the same copy, warm, is built with ``--strict`` once per
author's mistake of CONTRIBUTING.md's table.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from sitegen import explorer

ROOT = Path(__file__).resolve().parents[2]
COLD_START_SECONDS = 300  # a cold build on a busy 2-core machine takes well under a minute
REBUILD_SECONDS = 180


def _copy_checkout(dest: Path) -> Path:
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        src = ROOT / os.fsdecode(name)
        if src.is_file():
            (dest / os.fsdecode(name)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / os.fsdecode(name))
    # the pinned KaTeX, installed once like the Python packages (installing is not building)
    from sitegen.katex import ensure_installed

    ensure_installed()
    (dest / "sitegen" / "node_modules").symlink_to(ROOT / "sitegen" / "node_modules")
    return dest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, copy: Path, env: dict[str, str], log: Path, report: Path) -> None:
        self.copy, self.log_path, self.report_path = copy, log, report
        self.base = f"http://127.0.0.1:{_free_port()}/"
        self.log = log.open("w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, str(copy / "tests" / "site" / "import_race.py"), "serve", "--livereload",
             "-a", self.base.removeprefix("http://").rstrip("/")],
            cwd=copy, env={**env, "PYTHONPATH": str(copy), "IMPORT_RACE_REPORT": str(report)},
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.base + path.lstrip("/"), timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0, b""

    def wait_for(self, what: str, check, seconds: float):
        """Poll ``check()`` until it returns something truthy; fail with the server's output."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"mkdocs serve exited ({self.proc.returncode}) while waiting for {what}:\n"
                            + self.output()[-6000:])
            result = check()
            if result:
                return result
            time.sleep(0.5)
        pytest.fail(f"timed out after {seconds:.0f} s waiting for {what}:\n" + self.output()[-6000:])

    def wait_for_log(self, text: str, after: int, seconds: float = REBUILD_SECONDS) -> str:
        return self.wait_for(f"{text!r} in the server's output",
                             lambda: text in self.output()[after:] and self.output()[after:], seconds)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, newcomer_env):
    copy = _copy_checkout(tmp_path_factory.mktemp("cold-checkout"))
    assert not (copy / ".cache").exists() and not (copy / "site").exists()
    logs = tmp_path_factory.mktemp("serve-log")
    srv = Server(copy, newcomer_env, logs / "serve.log", logs / "import-race.json")
    start = time.monotonic()
    srv.wait_for("the first page", lambda: srv.get("/")[0] == 200, COLD_START_SECONDS)
    print(f"\nmkdocs serve from cold: first page after {time.monotonic() - start:.1f} s")
    yield srv
    srv.stop()


def _page_urls() -> list[str]:
    pages = sorted((ROOT / "docs").glob("*.md")) + sorted((ROOT / "docs").glob("*.ipynb"))
    return ["/" if p.stem == "index" else f"/{p.stem}/" for p in pages]


def _edit(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path}: {old!r} must occur exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text


def test_cold_serve_serves_every_page_and_keeps_first_imports_off_the_notebook_thread(server):
    for url in _page_urls():
        status, body = server.get(url)
        assert status == 200, f"{url}: HTTP {status}"
        assert b"</html>" in body
    report = json.loads(server.report_path.read_text(encoding="utf-8"))
    # The launcher would hold a notebook thread inside its first import of IPython until the main
    # thread's first figure (the crash of issue 11); nothing may be imported there for the first time.
    assert report["notebook_thread_imports"] == [], (
        "the notebook thread imported modules for the first time (import them on the main thread "
        f"first: NOTEBOOK_THREAD_IMPORTS in sitegen/notebook.py): {report['notebook_thread_imports']}")
    assert report["held"] is False
    assert "Traceback" not in server.output()


def test_a_local_serve_offers_the_notebooks_and_colab_only_for_a_known_repository(server, newcomer_env):
    """The served copy has no git remote (and no git): the repository and commit are known only
    when the environment names them, as GitHub Actions does.  Without them the chapter offers its
    notebook but no Colab button, and the notebook's first cell says how to open it instead of
    installing from an address it does not know."""
    import re

    from sitegen import export

    repo, commit = newcomer_env.get("GITHUB_REPOSITORY", ""), newcomer_env.get("GITHUB_SHA", "")
    status, page = server.get("/gradient-descent/")
    assert status == 200 and "노트북 내려받기" in page.decode("utf-8")
    assert ("Colab에서 열기" in page.decode("utf-8")) == bool(repo and commit)
    status, body = server.get("/notebooks/gradient-descent.ipynb")
    assert status == 200
    cells = [c for c in json.loads(body)["cells"] if c["cell_type"] == "code"]
    assert "".join(cells[0]["source"]) == export.install_cell_source(repo, commit)
    assert bool(re.search(r"git\+https://github\.com/", "".join(cells[0]["source"]))) == bool(repo and commit)


def test_a_text_edit_is_served(server):
    page = server.copy / "docs" / "gradient.md"
    sentence = "새로 덧붙인 문장: 서버가 다시 빌드했는지 확인합니다."
    original = page.read_text(encoding="utf-8")
    page.write_text(original + f"\n{sentence}\n", encoding="utf-8")
    try:
        server.wait_for("the edited text", lambda: sentence.encode() in server.get("/gradient/")[1], REBUILD_SECONDS)
    finally:
        page.write_text(original, encoding="utf-8")
    server.wait_for("the text edit undone", lambda: sentence.encode() not in server.get("/gradient/")[1],
                    REBUILD_SECONDS)


def test_an_edited_figure_function_is_redrawn(server):
    figure = "assets/figures/fig4-9-light.svg"
    status, before = server.get(figure)
    assert status == 200 and before.startswith(b"<?xml")
    module = server.copy / "sitegen" / "figures" / "gradient.py"
    original = _edit(module, "scale = 12.0  # one unit", "scale = 8.0  # one unit")
    try:
        # the page shows the figure function's code (the fold under the figure, plain text) ...
        server.wait_for("the figure's new code on its page",
                        lambda: b"scale = 8.0  # one unit" in server.get("/gradient/")[1], REBUILD_SECONDS)
        # ... and the picture is drawn again from it
        status, after = server.get(figure)
        assert status == 200 and after.startswith(b"<?xml") and after != before
    finally:
        module.write_text(original, encoding="utf-8")
    server.wait_for("the original figure again", lambda: server.get(figure)[1] == before, REBUILD_SECONDS)


def _explorer_data(server, page: str) -> tuple[str, bytes]:
    name = re.search(rb'assets/explorer/(elongated-[0-9a-f]+\.bin)', server.get(page)[1])
    assert name, f"{page} links no explorer data file of the 'elongated' dataset"
    status, data = server.get(f"assets/explorer/{name.group(1).decode()}")
    assert status == 200
    return name.group(1).decode(), data


def test_an_edited_gdcore_function_changes_what_the_build_computes(server):
    """f = 0.1 x0² + 2 x1² + 1: the gradient, hence every path, is the same; every loss is 1 more."""
    name, data = _explorer_data(server, "/momentum/")
    header, losses, paths, _ = explorer.decode(data)
    functions = server.copy / "gdcore" / "functions.py"
    original = _edit(functions, "return 0.1 * x[..., 0] ** 2 + 2.0 * x[..., 1] ** 2\n",
                     "return 0.1 * x[..., 0] ** 2 + 2.0 * x[..., 1] ** 2 + 1.0\n")
    try:
        server.wait_for("a new explorer data file", lambda: _explorer_data(server, "/momentum/")[0] != name,
                        REBUILD_SECONDS)
        _, new_data = _explorer_data(server, "/momentum/")
    finally:
        functions.write_text(original, encoding="utf-8")
    new_header, new_losses, new_paths, _ = explorer.decode(new_data)
    assert new_header["count"] == header["count"] and new_header["diverged"] == header["diverged"]
    for old_path, new_path in zip(paths, new_paths, strict=True):
        np.testing.assert_array_equal(new_path, old_path)
    finite = np.isfinite(losses)
    assert finite.sum() > 100
    np.testing.assert_allclose(new_losses[finite], losses[finite] + 1.0, rtol=1e-12, atol=1e-12)
    server.wait_for("the original explorer data", lambda: _explorer_data(server, "/momentum/")[0] == name,
                    REBUILD_SECONDS)


# --- authors' mistakes: CONTRIBUTING.md's table, row by row ------------------------------------


def _add_failing_cell(text: str) -> str:
    notebook = json.loads(text)
    cell = {"cell_type": "code", "execution_count": None, "id": "gd-mistake", "metadata": {}, "outputs": [],
            "source": ["x = 1\n", "raise RuntimeError(\"일부러 낸 오류\")"]}
    notebook["cells"].insert(2, cell)
    return json.dumps(notebook, ensure_ascii=False, indent=1) + "\n"


def _drop_alt(text: str) -> str:
    """The lab with the alt text of its first plot removed (the build must name the cell)."""
    notebook = json.loads(text)
    plot = next(c for c in notebook["cells"] if c.get("metadata", {}).get("gd", {}).get("alt"))
    del plot["metadata"]["gd"]
    return json.dumps(notebook, ensure_ascii=False, indent=1) + "\n"


def _first_plot_cell() -> str:
    """``cell N (id ID)`` of the lab's first cell with an alt text, as the build names it."""
    cells = json.loads((ROOT / "docs" / "lab.ipynb").read_text(encoding="utf-8"))["cells"]
    number, cell = next((n, c) for n, c in enumerate(cells, 1) if c.get("metadata", {}).get("gd", {}).get("alt"))
    return f"cell {number} (id {cell['id']})"


def _line(name: str, text: str) -> int:
    """The line of ``name`` (in this checkout) where ``text`` first occurs."""
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


def _after_end(name: str) -> int:
    """The line of text appended to ``name`` as "\\n<text>\\n"."""
    return len((ROOT / name).read_text(encoding="utf-8").splitlines()) + 2


#: (row, file, change, what the message must say): each change is one author's mistake
MISTAKES = [
    ("bad TeX", "docs/gradient.md", lambda t: t + "\n수식 $\\frac{1}{\\notacommand}$\n",
     rf"docs/gradient\.md:{_after_end('docs/gradient.md')}: KaTeX: .*notacommand"),
    ("unknown figure", "docs/gradient.md", lambda t: t.replace("<!-- figure fig4-9 -->", "<!-- figure fig4-99 -->"),
     rf"docs/gradient\.md:{_line('docs/gradient.md', '<!-- figure fig4-9 -->')}: unknown figure id 'fig4-99'"),
    ("unknown table", "docs/comparison.md",
     lambda t: t.replace("<!-- table compare-digits-results -->", "<!-- table compare-digit-results -->"),
     rf"docs/comparison\.md:{_line('docs/comparison.md', '<!-- table compare')}: unknown table id 'compare-digit-results'"),
    ("unknown explorer", "docs/momentum.md", lambda t: t.replace("<!-- explorer momentum -->", "<!-- explorer momentun -->"),
     rf"docs/momentum\.md:{_line('docs/momentum.md', '<!-- explorer momentum')}: unknown explorer preset 'momentun'"),
    ("unknown source", "docs/rmsprop.md",
     lambda t: t.replace("<!-- source gdcore.optim.Adagrad._update -->", "<!-- source gdcore.optim.AdaGrad._update -->"),
     rf"docs/rmsprop\.md:{_line('docs/rmsprop.md', '<!-- source gdcore.optim.Adagrad')}: no 'gdcore\.optim\.AdaGrad\._update' in gdcore"),
    ("malformed marker", "docs/gradient.md", lambda t: t + "\n<!-- figure -->\n",
     rf"docs/gradient\.md:{_after_end('docs/gradient.md')}: malformed marker '<!-- figure -->'"),
    ("figure function raises", "sitegen/figures/gradient.py",
     lambda t: t.replace("scale = 12.0  # one unit", "scale = 12.0 / 0  # one unit"),
     rf"sitegen/figures/gradient\.py:{_line('sitegen/figures/gradient.py', 'scale = 12.0  # one unit')}: figure fig4-9 \(light\) failed: ZeroDivisionError"),
    ("reference to no number", "docs/gradient.md", lambda t: t + "\n[](#fig-none)\n",
     rf"docs/gradient\.md:{_after_end('docs/gradient.md')}: the empty link \[\]\(#fig-none\) names no numbered figure"),
    ("broken link", "docs/gradient.md", lambda t: t + "\n[없는 쪽](no-such-page.md)\n",
     r"Doc file 'gradient\.md' contains a link 'no-such-page\.md', but the target is not found"),
    ("broken anchor", "docs/gradient.md", lambda t: t + "\n[없는 제목](#no-such-heading)\n",
     r"Doc file 'gradient\.md' contains a link '#no-such-heading', but there is no such anchor"),
    ("glossary entry to no section", "docs/glossary.yml",
     lambda t: t.replace("at: gradient-descent.md#갱신-규칙", "at: gradient-descent.md#갱신-규칭", 1),
     rf"docs/glossary\.yml:{_line('docs/glossary.yml', '- ko: 갱신 규칙')} \(갱신 규칙\): docs/gradient-descent\.md has no "
     "heading with the id '갱신-규칭'"),
    ("notebook cell raises", "docs/lab.ipynb", _add_failing_cell,
     r"docs/lab\.ipynb, cell 3, line 2: a notebook cell raised RuntimeError: 일부러 낸 오류"),
    ("notebook plot without alt text", "docs/lab.ipynb", _drop_alt,
     rf"docs/lab\.ipynb, {re.escape(_first_plot_cell())}: image 1 of the cell's output has no alt text"),
]
IDS = [row for row, *_ in MISTAKES]


@pytest.mark.parametrize(("row", "name", "change", "message"), MISTAKES, ids=IDS)
def test_a_mistake_while_serving_keeps_the_last_good_pages_and_the_fix_recovers(server, row, name, change, message):
    path = server.copy / name
    original = path.read_text(encoding="utf-8")
    mark = len(server.output())
    path.write_text(change(original), encoding="utf-8")
    try:
        out = server.wait_for_log("still serving the last good build", mark)
        assert re.search(message, out), f"{row}: no {message!r} in:\n{out}"
        assert "Traceback" not in out, f"{row}: a traceback:\n{out}"
        for url in _page_urls():
            status, body = server.get(url)
            assert status == 200, f"{row}: {url} is no longer served after the failed rebuild"
        assert b'id="fig4-9"' in server.get("/gradient/")[1]
        # the failed rebuild ends with MkDocs reloading the browsers (on the last good pages)
        server.wait_for_log("Reloading browsers", out.rindex("still serving") + mark)
    finally:
        path.write_text(original, encoding="utf-8")
    mark = len(server.output())
    out = server.wait_for_log("Reloading browsers", mark)
    assert "still serving the last good build" not in out, f"{row}: the fix did not build:\n{out}"
    assert "Traceback" not in out


@pytest.fixture(scope="module")
def warm_copy(server) -> Path:
    """The served copy, its server stopped: its cache is warm, and every edit was put back."""
    server.stop()
    return server.copy


@pytest.mark.parametrize(("row", "name", "change", "message"), MISTAKES, ids=IDS)
def test_a_mistake_fails_the_strict_build_with_one_clear_message(warm_copy, newcomer_env, tmp_path,
                                                                 row, name, change, message):
    path = warm_copy / name
    original = path.read_text(encoding="utf-8")
    path.write_text(change(original), encoding="utf-8")
    try:
        proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
                              cwd=warm_copy, env={**newcomer_env, "PYTHONPATH": str(warm_copy)},
                              capture_output=True, text=True, timeout=REBUILD_SECONDS)
    finally:
        path.write_text(original, encoding="utf-8")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, f"{row}: the strict build passed:\n{out}"
    assert re.search(message, out), f"{row}: no {message!r} in:\n{out}"
    assert "Traceback" not in out, f"{row}: a traceback:\n{out}"
    assert re.search(r"Aborted with (a BuildError|\d+ warnings in strict mode)!", out), out


def test_the_warm_copy_builds_strictly_once_the_mistakes_are_undone(warm_copy, newcomer_env, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
                          cwd=warm_copy, env={**newcomer_env, "PYTHONPATH": str(warm_copy)},
                          capture_output=True, text=True, timeout=REBUILD_SECONDS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_code_block_whose_output_differs_fails_in_pytest_naming_the_page_and_line(tmp_path, newcomer_env):
    page = tmp_path / "page.md"
    page.write_text("# 쪽\n\n```python\nprint(1 + 1)\n```\n\n<!--pytest-codeblocks:expected-output-->\n\n"
                    "```text\n3\n```\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pytest", "--codeblocks", "-p", "no:cacheprovider", "-q",
                           "--rootdir", str(tmp_path), "-c", os.devnull, str(page)],
                          cwd=tmp_path, env=newcomer_env, capture_output=True, text=True, timeout=120)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert re.search(r"page\.md::line 3", out), out
    assert "1 failed" in out
    assert re.search(r"Expected output\n```\n3\n```\nbut got\n```\n2\n```", out), out  # both outputs shown
