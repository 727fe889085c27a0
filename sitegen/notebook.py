"""Notebook pages (mkdocs-jupyter): executed early, their mistakes named, their pages made lighter.

- :func:`configure`: mkdocs-jupyter's execution cache gets one folder per gdcore version
  (:func:`sitegen.util.fingerprint`), and ``MPLBACKEND`` is unset for the notebook's kernel.
- :class:`Prewarm`: each notebook starts executing in a thread of its own (named ``notebook
  <page>``, running :func:`_run_notebook`) while the figures are drawn, after the modules of
  :data:`NOTEBOOK_THREAD_IMPORTS` have been imported on the main thread; its page waits for it.
- :func:`notebook_error`: a cell that raised becomes one line naming the notebook, cell and line.
- :func:`links`: "download" and "Open in Colab" links above a notebook page.
- :func:`drop_mathjax_loader`: the CDN MathJax loader mkdocs-jupyter adds to every page goes.
- :func:`slim_page`: mkdocs-jupyter inlines the whole JupyterLab stylesheet (575 KB) into every
  notebook page and its figures as base64 PNGs, so the lab page weighed 890 KB of HTML before a
  phone could paint it.  :func:`slim_page` keeps only the CSS rules whose classes occur on the
  page and moves each inline image to a file next to the page (lazy-loaded, with its size), which
  takes the HTML to about 140 KB without changing how the page looks (``test_sitegen`` holds it
  under 250 KB).
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import os
import posixpath
import re
import struct
import threading
from pathlib import Path

from mkdocs.exceptions import PluginError

from sitegen.util import fingerprint, log, project_path

# What executing a notebook imports for the first time (nbconvert and nbclient are imported with
# mkdocs-jupyter itself).  These are imported on the main thread before the notebook thread starts:
# a module imported for the first time by two threads at once can be seen half-initialised (the
# main thread's first plt.figure() probes IPython, and met a half-imported one on busy machines).
# tests/site/test_serve.py fails, naming the module, if the notebook thread imports anything new.
NOTEBOOK_THREAD_IMPORTS = (
    "IPython", "ipykernel.kernelspec", "ipykernel.connect", "psutil",
    "pygments.lexers.python", "pygments.styles.default",
)


def configure(config) -> None:
    """Settings of mkdocs-jupyter (if the site uses it) for this build."""
    jupyter = config["plugins"].get("mkdocs-jupyter")
    if jupyter is None:
        return
    if os.environ.pop("MPLBACKEND", None):
        # the notebook's kernel inherits this environment, and a backend such as Agg (which a
        # reader may have set in their shell) would keep plt.show() from putting any figure on the page
        log.info("MPLBACKEND unset for the notebook kernel (it would hide the notebook's figures)")
    # mkdocs-jupyter keys its cache by the notebook's own bytes only; our notebooks run
    # gdcore, so a change there must re-execute them: one cache folder per gdcore version
    root = Path(config["config_file_path"]).parent / ".cache" / "mkdocs-jupyter"
    jupyter.config["cache_dir"] = str(root / fingerprint([], "notebooks"))


class Prewarm:
    """The notebooks of one build, executing ahead of their pages.

    mkdocs-jupyter executes a notebook when its page is built, near the end of the build, and
    caches the result (``cache_dir``).  :meth:`start` runs its own ``on_pre_page`` on a stand-in
    page and starts the conversion it prepares at once, so the kernel runs while the figures are
    drawn; :meth:`wait` (from ``on_pre_page``) waits for it, and the real page then reads
    mkdocs-jupyter's cache.  If the plugin's internals change, nothing is started and the build
    runs as before.
    """

    def __init__(self) -> None:
        self.threads: dict[str, threading.Thread] = {}  # src_uri -> thread executing it ahead of its page
        self.errors: dict[str, BaseException] = {}  # src_uri -> what its early execution raised

    def start(self, files, config) -> None:
        from mkdocs.structure.pages import Page

        jupyter = config["plugins"].get("mkdocs-jupyter")
        if jupyter is None or not jupyter.config.get("cache"):
            return
        for name in NOTEBOOK_THREAD_IMPORTS:  # on this thread first (see NOTEBOOK_THREAD_IMPORTS)
            importlib.import_module(name)
        for file in files.documentation_pages():
            if not jupyter.should_include(file):
                continue
            stand_in = Page(None, file, config)  # sets file.page: undone below
            file.page = None
            jupyter.on_pre_page(stand_in, config=config, files=files)
            convert = getattr(stand_in, "_mkdocs_jupyter_content", None)  # mkdocs-jupyter's, on its page
            if callable(convert):
                thread = threading.Thread(target=_run_notebook, args=(convert, file.src_uri, self.errors),
                                          name=f"notebook {file.src_uri}", daemon=True)
                thread.start()
                self.threads[file.src_uri] = thread

    def wait(self, page, config) -> None:
        """Wait for the page's notebook, if it runs ahead; its error is the page's error."""
        thread = self.threads.pop(page.file.src_uri, None)
        if thread is not None:
            thread.join()
        err = self.errors.pop(page.file.src_uri, None)
        if err is not None:
            shown = project_path(config, page.file.abs_src_path)
            raise PluginError(notebook_error(Path(page.file.abs_src_path), shown, err))


def _run_notebook(convert, src_uri: str, errors: dict[str, BaseException]) -> None:
    """The notebook thread's target (``tests/site/import_race.py`` knows it by this name)."""
    try:
        convert()
    except Exception as err:  # reported by Prewarm.wait, on the main thread, as the page's error
        errors[src_uri] = err


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def notebook_error(path: Path, shown: str, err: BaseException) -> str:
    """One line for a notebook whose cell raised: which cell, which line, what it raised.

    ``err`` is nbclient's ``CellExecutionError`` (its text holds the cell's source between two
    rules of dashes, then IPython's traceback with ``Cell In[N], line L``)."""
    text = ANSI.sub("", str(err))
    ename, evalue = getattr(err, "ename", type(err).__name__), getattr(err, "evalue", "")
    source = re.search(r"^-{5,}\n(.*?)\n-{5,}$", text, re.DOTALL | re.MULTILINE)
    where = shown
    if source is not None:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        wanted = source.group(1).strip()
        for number, cell in enumerate(cells, start=1):
            if cell["cell_type"] == "code" and "".join(cell["source"]).strip() == wanted:
                where += f", cell {number}"
                break
        line = re.search(r"Cell In\[\d+\], line (\d+)", text)
        if line:
            where += f", line {line.group(1)}"
    if not evalue and ename == type(err).__name__:
        evalue = text.strip().splitlines()[-1] if text.strip() else ""
    return f"{where}: a notebook cell raised {ename}: {evalue}"


def is_notebook(page) -> bool:
    return page.file.src_uri.endswith(".ipynb")


def links(page, config) -> str:
    """Download and "Open in Colab" links above a notebook page (mkdocs-jupyter adds neither)."""
    name = posixpath.basename(page.file.src_uri)
    items = [f'<a href="{name}" download>노트북 내려받기 (<code>{name}</code>)</a>']
    repository = config["extra"].get("repository")
    if repository:
        colab = f"https://colab.research.google.com/github/{repository}/blob/main/docs/{page.file.src_uri}"
        items.append(f'<a href="{colab}">Colab에서 열기</a>')
    return '<p class="gd-notebook-links">' + " · ".join(items) + "</p>\n"


MATHJAX_LOADER = re.compile(r"<script data-mkdocs-jupyter-mathjax=.*?</script>\n?", re.DOTALL)


def drop_mathjax_loader(output: str) -> str:
    """mkdocs-jupyter appends a script to every page that fetches MathJax from a CDN when a
    notebook is shown; our math is already typeset by KaTeX, and nothing may load from another
    host, so that script is removed."""
    return MATHJAX_LOADER.sub("", output)

STYLE = re.compile(r'<style type="text/css">(?P<css>.*?)</style>', re.DOTALL)
CLASS_ATTR = re.compile(r'class="([^"]*)"')
CSS_CLASS = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")
NEGATION = re.compile(r":not\((?:[^()]|\([^()]*\))*\)")
UNREACHABLE_ROOT = re.compile(r"\S\s+:root")  # ".jupyter-wrapper :root": the root has no ancestor
COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
DATA_IMAGE = re.compile(
    r'<img (?P<before>[^>]*?)src="data:image/png;base64,(?P<data>[A-Za-z0-9+/=\s]+)"(?P<after>[^>]*)>'
)


def _blocks(css: str) -> list[tuple[str, str | None]]:
    """Split a stylesheet into top-level ``(prelude, body)`` pairs (body without its braces;
    a statement such as ``@charset "UTF-8";`` is ``(statement, None)``).  Braces and
    semicolons inside quoted strings do not count."""
    out: list[tuple[str, str | None]] = []
    depth, quote, start, open_at = 0, "", 0, 0
    for i, c in enumerate(css):
        if quote:
            if c == quote and css[i - 1] != "\\":
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "{":
            if depth == 0:
                open_at = i
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                out.append((css[start:open_at].strip(), css[open_at + 1 : i]))
                start = i + 1
        elif c == ";" and depth == 0:
            out.append((css[start : i + 1].strip(), None))
            start = i + 1
    return out


def _split_selectors(prelude: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, c in enumerate(prelude):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(prelude[start:i])
            start = i + 1
    parts.append(prelude[start:])
    return [p.strip() for p in parts if p.strip()]


def prune_css(css: str, used_classes: set[str]) -> str:
    """The rules of ``css`` that can match a page whose elements use only ``used_classes``.

    A selector is kept when every class it requires (classes inside ``:not(...)`` are not
    required) is used and it does not put ``:root`` inside another element (mkdocs-jupyter's
    scoping turns JupyterLab's ``:root`` rules into such selectors, which match nothing).
    At-rules that hold rules (``@media``, ``@supports``, ``@layer``) are pruned inside; other
    at-rules are kept as they are.
    """
    out = []
    for prelude, body in _blocks(COMMENT.sub("", css)):
        if body is None:
            out.append(prelude)
        elif prelude.startswith(("@media", "@supports", "@layer")):
            inner = prune_css(body, used_classes)
            if inner:
                out.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@"):
            out.append(f"{prelude}{{{body}}}")
        else:
            keep = [s for s in _split_selectors(prelude)
                    if set(CSS_CLASS.findall(NEGATION.sub("", s))) <= used_classes
                    and not UNREACHABLE_ROOT.search(s)]
            if keep:
                out.append(f"{','.join(keep)}{{{body.strip()}}}")
    return "".join(out)


def _png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


def slim_page(html: str, page_dir: Path) -> str:
    """Prune the page's inline styles to its own classes and write its inline PNGs to files in
    ``page_dir`` (named by content hash), returning the new HTML."""
    used = {c for attr in CLASS_ATTR.findall(html) for c in attr.split()}
    html = STYLE.sub(lambda m: f'<style type="text/css">{prune_css(m.group("css"), used)}</style>', html)

    def move(match: re.Match[str]) -> str:
        data = base64.b64decode(match.group("data"))
        name = f"output-{hashlib.sha256(data).hexdigest()[:12]}.png"
        page_dir.mkdir(parents=True, exist_ok=True)
        (page_dir / name).write_bytes(data)
        width, height = _png_size(data)
        rest = re.sub(r'\s*\b(?:width|height|loading)="[^"]*"', "", f'{match.group("before")} {match.group("after")}')
        return f'<img src="{name}" width="{width}" height="{height}" loading="lazy" {rest.strip()}>'

    return DATA_IMAGE.sub(move, html)
