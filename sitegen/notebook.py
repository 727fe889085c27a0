"""Notebook pages (mkdocs-jupyter): executed early, their mistakes named, their pages made lighter.

- :func:`configure`: mkdocs-jupyter's execution cache gets one folder per gdcore version
  (:func:`sitegen.util.fingerprint`), and ``MPLBACKEND`` is unset for the notebook's kernel.
- :class:`Prewarm`: each notebook starts executing in a thread of its own (named ``notebook
  <page>``, running :func:`_run_notebook`) while the figures are drawn, after the modules of
  :data:`NOTEBOOK_THREAD_IMPORTS` have been imported on the main thread; its page waits for it.
- :func:`notebook_error`: a cell that raised becomes one line naming the notebook, cell and line.
- :func:`drop_mathjax_loader`: the CDN MathJax loader mkdocs-jupyter adds to every page goes.
- :func:`slim_page`: mkdocs-jupyter inlines the whole JupyterLab stylesheet (575 KB) into every
  notebook page and its figures as base64 images, so the lab page weighed 890 KB of HTML before a
  phone could paint it.  :func:`slim_page` keeps only the CSS rules whose classes occur on the
  page and moves each inline image to a file next to the page (lazy-loaded, with its size), which
  takes the HTML to about 140 KB without changing how the page looks (``test_sitegen`` holds it
  under 250 KB).  Each image gets the alt text its cell's metadata gives (``"gd": {"alt": [...]}``,
  one per image; a missing one fails the build), and an SVG drawn in the site's light palette gets
  a dark twin (:func:`dark_svg`), shown by Material in the dark scheme (``#only-light``/``#only-dark``).
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import os
import re
import struct
import threading
from html import escape
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
            # the page executes the build's copy (its install cell filled in, sitegen/export.py);
            # the author edits the one in docs/, and its cells are numbered the same
            shown = project_path(config, str(Path(config["docs_dir"]) / page.file.src_uri))
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
#: an image output as nbconvert's lab template writes it: its div and a base64 ``<img>`` (PNG or SVG)
OUTPUT_IMAGE = re.compile(
    r'<div class="jp-Rendered(?:Image|SVG) (?P<classes>[^"]*)"(?P<attrs>[^>]*)>\s*'
    r'<img (?P<img>[^>]*?src="data:image/(?P<kind>png|svg\+xml);base64,[^"]*"[^>]*?)/?>\s*</div>')
SVG_METADATA = re.compile(rb"\s*<metadata>.*?</metadata>", re.DOTALL)
IMG_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')
#: the start of a cell in nbconvert's lab template (the id is the notebook's cell id)
CELL_START = re.compile(r'<div class="jp-Cell [^"]*" id="cell-id=(?P<id>[^"]+)">')
#: a colour an SVG paints with: ``fill: #1f2430``, ``stroke="#fff"``, ``stop-color: black``
SVG_COLOUR = re.compile(r'\b(?:fill|stroke|stop-color|flood-color|color)\s*[:=]\s*"?\s*(#[0-9a-fA-F]{3,8}\b|[a-zA-Z]+)')


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


def _svg_size(svg: bytes, where: str) -> tuple[int, int]:
    """CSS pixels of an SVG whose size is given in pt (matplotlib's), as for the site's figures."""
    start = svg.find(b"<svg")
    head = svg[start: svg.find(b">", start) + 1].decode("utf-8")
    size = [re.search(rf'\b{name}="([\d.]+)pt"', head) for name in ("width", "height")]
    if start < 0 or not all(size):
        raise PluginError(f"{where}: an SVG without its width and height in pt (as matplotlib writes): {head[:99]!r}")
    return tuple(round(float(m.group(1)) * 4 / 3) for m in size)  # type: ignore[return-value]


def alt_texts(notebook: dict) -> dict[str, tuple[int, list[str]]]:
    """``cell id -> (cell number from 1, its alt texts)`` of every cell: the texts are the
    metadata's ``"gd": {"alt": [...]}``, one per image the cell shows, in order."""
    out = {}
    for number, cell in enumerate(notebook["cells"], start=1):
        alt = cell.get("metadata", {}).get("gd", {}).get("alt", [])
        out[cell.get("id", "")] = (number, [alt] if isinstance(alt, str) else list(alt))
    return out


def dark_svg(svg: bytes, where: str) -> bytes:
    """The dark variant of an SVG output drawn in the site's light palette (``sitegen/figures/style.py``,
    which the lab's set-up cell writes out): each colour swapped for its dark twin (:func:`recolor`).
    A colour outside the palette would stay as it is on a dark page, so it fails the build."""
    from sitegen.figures.drawing import PALETTE, recolor
    from sitegen.figures.style import DARK, LIGHT

    palette = {getattr(LIGHT, name).lower() for name in PALETTE}
    used = {m.group(1).lower() for m in SVG_COLOUR.finditer(svg.decode("utf-8"))}
    foreign = sorted(used - palette - {"none", "transparent"})
    if foreign:
        raise PluginError(f"{where}: the colours {', '.join(foreign)} are not in the site's light palette "
                          f"({', '.join(sorted(palette))}), so the plot has no dark variant: draw with those colours")
    return recolor(svg, LIGHT, DARK)


def _write(page_dir: Path, data: bytes, suffix: str) -> str:
    name = f"output-{hashlib.sha256(data).hexdigest()[:12]}.{suffix}"
    page_dir.mkdir(parents=True, exist_ok=True)
    (page_dir / name).write_bytes(data)
    return name


def slim_page(html: str, page_dir: Path, notebook: dict, shown: str) -> str:
    """Write the page's inline images to files in ``page_dir`` (named by content hash) with their
    alt texts, and prune its inline styles to its own classes; returns the new HTML.

    The alt texts come from the cells of ``notebook`` (the one the page shows), which messages call
    ``shown`` (``docs/lab.ipynb``).  An SVG gets a light and a dark file; a PNG one file.
    """
    cells = [(m.start(), m.group("id")) for m in CELL_START.finditer(html)]
    alts = alt_texts(notebook)
    images: dict[str, int] = {}  # cell id -> images seen

    def where(cell_id: str) -> str:
        number = alts.get(cell_id, (0, []))[0]
        return f"{shown}, cell {number} (id {cell_id})" if number else f"{shown}, cell id {cell_id}"

    def move(match: re.Match[str]) -> str:
        before = [cell_id for start, cell_id in cells if start < match.start()]
        if not before:
            raise PluginError(f"{shown}: an image output outside any cell with an id (nbformat 4.5 cell ids needed)")
        cell_id = before[-1]
        k = images[cell_id] = images.get(cell_id, 0) + 1
        texts = alts.get(cell_id, (0, []))[1]
        alt = texts[k - 1].strip() if k <= len(texts) else ""
        if not alt:
            raise PluginError(f"{where(cell_id)}: image {k} of the cell's output has no alt text: give the cell "
                              'the metadata "gd": {"alt": ["…"]} with one Korean sentence per image, in order')
        attrs = dict(IMG_ATTR.findall(match.group("img")))
        data = base64.b64decode(attrs["src"].partition(",")[2])
        rest = f' class="{attrs["class"]}"' if attrs.get("class") else ""
        tail = f' loading="lazy" alt="{escape(alt)}"{rest}>'
        if match.group("kind") == "png":
            width, height = _png_size(data)
            imgs = f'<img src="{_write(page_dir, data, "png")}" width="{width}" height="{height}"{tail}'
        else:
            data = SVG_METADATA.sub(b"", data)  # matplotlib's date of drawing: the same build, the same file
            width, height = _svg_size(data, f"{where(cell_id)}, image {k}")
            light = _write(page_dir, data, "svg")
            dark = _write(page_dir, dark_svg(data, f"{where(cell_id)}, image {k}"), "svg")
            imgs = "".join(f'<img src="{name}#only-{scheme}" width="{width}" height="{height}"{tail}'
                           for name, scheme in ((light, "light"), (dark, "dark")))
        mime = "image/png" if match.group("kind") == "png" else "image/svg+xml"
        attrs_div = re.sub(r'\s*data-mime-type="[^"]*"', "", match.group("attrs"))
        return (f'<div class="jp-RenderedImage {match.group("classes")}" data-mime-type="{mime}"{attrs_div}>\n'
                f"{imgs}\n</div>")

    html = OUTPUT_IMAGE.sub(move, html)
    for cell_id, (_number, texts) in alts.items():
        if len(texts) > images.get(cell_id, 0):
            raise PluginError(f"{where(cell_id)}: {len(texts)} alt texts in the cell's metadata for "
                              f"{images.get(cell_id, 0)} images in its output (one per image, in order)")
    used = {c for attr in CLASS_ATTR.findall(html) for c in attr.split()}
    return STYLE.sub(lambda m: f'<style type="text/css">{prune_css(m.group("css"), used)}</style>', html)
