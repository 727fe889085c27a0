"""The site's figures: one function per figure, drawn at build time in a light and a dark variant.

A chapter module in this package registers each figure with :func:`figure`::

    @figure("fig4-8", alt="fig4-8: ...", caption="...", fmt="webp")
    def surface(theme: Theme) -> Figure:
        fig, ax = plt.subplots(figsize=(5, 4), subplot_kw={"projection": "3d"})
        ...
        return fig

and a page places it with the marker ``<!-- figure fig4-8 -->`` on a line of its own
(``sitegen/hooks.py`` expands it into the light/dark images, the caption and the code).

Every drawing runs inside the theme's ``rc_context`` (colours, Korean font) with matplotlib's
"Glyph ... missing" warning turned into an error, and is saved without dates, so the same commit
gives byte-identical files.  Results are cached in ``.cache/figures`` under a hash of the figure
module's source, this file, gdcore's source and the library versions: a text edit draws nothing.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import inspect
import io
import json
import logging
import os
import pkgutil
import re
import sys
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parents[2]

FONT_FAMILY = "NanumGothic GD"


FONT_VERSION = "minus2"  # bump when the font made below changes (its file name holds it)


def _add_minus_sign(font) -> None:
    """Give the font a U+2212 MINUS SIGN: the horizontal bar of its "+" (same width and height),
    as thick as its hyphen, so that "−1" reads as minus one, not as a dash."""
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    glyf, hmtx = font["glyf"], font["hmtx"]
    plus, hyphen = glyf["plus"], glyf["hyphen"]
    half = (hyphen.yMax - hyphen.yMin) / 2
    mid = (plus.yMin + plus.yMax) / 2
    low, high = round(mid - half), round(mid + half)
    pen = TTGlyphPen(None)
    pen.moveTo((plus.xMin, low))  # clockwise, as TrueType's outer contours are
    pen.lineTo((plus.xMin, high))
    pen.lineTo((plus.xMax, high))
    pen.lineTo((plus.xMax, low))
    pen.closePath()
    font.setGlyphOrder([*font.getGlyphOrder(), "uni2212"])
    glyf.glyphs["uni2212"] = pen.glyph()
    glyf.glyphOrder = font.getGlyphOrder()
    hmtx.metrics["uni2212"] = hmtx.metrics["plus"]
    for name in ("hdmx", "LTSH", "VDMX"):  # per-glyph device tables: not needed, would be one short
        if name in font:
            del font[name]
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap[0x2212] = "uni2212"


def _register_korean_font() -> None:
    """Register NanumGothic, with a minus sign added, as the family ``FONT_FAMILY``.

    NanumGothic comes from the koreanize-matplotlib wheel; we only take its font files (importing
    that package would call distutils, gone in Python 3.12), so Hangul renders with no system font.
    NanumGothic has no U+2212 MINUS SIGN, which tick labels use for negative numbers
    (``axes.unicode_minus``); we add one (:func:`_add_minus_sign`) and rename the family so that it
    cannot be confused with a system-wide NanumGothic.
    """
    from matplotlib import font_manager

    source = Path(importlib.util.find_spec("koreanize_matplotlib").submodule_search_locations[0]) / "fonts"
    out_dir = ROOT / ".cache" / "fonts"
    out_dir.mkdir(parents=True, exist_ok=True)
    for weight in ("", "Bold"):
        target = out_dir / f"NanumGothicGD{weight}-{FONT_VERSION}.ttf"
        if not target.exists():
            from fontTools.ttLib import TTFont  # a dependency of matplotlib

            font = TTFont(source / f"NanumGothic{weight}.ttf")
            _add_minus_sign(font)
            for record in font["name"].names:
                if record.nameID in (1, 4, 6, 16):
                    full = FONT_FAMILY + (f" {weight}" if weight and record.nameID in (4, 6) else "")
                    record.string = full.replace(" ", "-") if record.nameID == 6 else full
            tmp = target.with_suffix(".tmp")
            font.save(tmp)
            tmp.replace(target)
        # What fontManager.addfont(target) does, with the entry written out: reading the name and
        # OS/2 tables of this large font to find what we already know takes over a second.
        font_manager.fontManager.ttflist.append(font_manager.FontEntry(
            fname=str(target), name=FONT_FAMILY, weight=700 if weight else 400, size="scalable"))
    font_manager.fontManager._findfont_cached.cache_clear()  # noqa: SLF001 (as addfont does)


@functools.cache
def pyplot():
    """``matplotlib.pyplot``, ready for the site's figures (Agg backend, the Korean font).

    Imported on first use: a build whose figures are all cached never loads matplotlib.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Resolve the backend now, not at the first plt.figure(): switching to a backend makes pyplot
    # probe IPython for a REPL hook, and the site build may be importing IPython in its notebook
    # thread at that moment (a half-imported IPython crashes the probe).  The build calls this
    # on its main thread before any thread starts (sitegen/hooks.py, on_config).
    plt.switch_backend("agg")
    _register_korean_font()
    return plt


CACHE_DIR = ROOT / ".cache" / "figures"
#: modules outside this package that keep gdcore objects; :func:`load_all` reloads them with gdcore
RELOADED = ("sitegen.explorer",)


class FigureError(Exception):
    """A figure or table function (or its module) failed: the message names the file and line."""


def _describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"


def _where(err: BaseException, module: str) -> str:
    """``path:line`` of the innermost frame of ``err`` in the repository (the figure module's
    own line where it has one), relative to the repository root."""
    import traceback

    if isinstance(err, SyntaxError) and err.filename:
        frames = [(err.filename, err.lineno or 0)]
    else:
        frames = [(f.filename, f.lineno or 0) for f in traceback.extract_tb(err.__traceback__)]
    mine = [(f, n) for f, n in frames if Path(f).resolve().is_relative_to(ROOT) and "/.venv/" not in f]
    own = [(f, n) for f, n in mine if Path(f).stem == module.rsplit(".", 1)[-1]]
    filename, line = (own or mine or [(module.replace(".", "/") + ".py", 0)])[-1]
    path = Path(filename).resolve()
    rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else filename
    return f"{rel}:{line}" if line else rel
#: figure modules that train models for several seconds: a cold build starts them first
HEAVY = {f"{__name__}.comparison_digits"}


@dataclass(frozen=True)
class Theme:
    """Colours of one site theme (Material's ``default`` = light, ``slate`` = dark)."""

    name: str
    fg: str  # text, axes, ticks
    muted: str  # grid lines, secondary text
    surface: str  # fill behind 3-D panes and legends
    blue: str
    orange: str
    green: str
    red: str
    purple: str
    cmap: str  # sequential colour map for surfaces and filled contours

    @property
    def cycle(self) -> list[str]:
        return [self.blue, self.orange, self.green, self.red, self.purple]

    def rc(self) -> dict[str, object]:
        return {
            "font.family": FONT_FAMILY,
            "font.size": 12,
            "axes.titlesize": 13,
            "axes.labelsize": 12,
            "legend.fontsize": 11,
            "xtick.labelsize": 11,
            "ytick.labelsize": 11,
            "axes.unicode_minus": True,  # U+2212 in tick labels (the font has it: _add_minus_sign)
            "mathtext.fontset": "dejavusans",
            "text.color": self.fg,
            "axes.labelcolor": self.fg,
            "axes.edgecolor": self.fg,
            "xtick.color": self.fg,
            "ytick.color": self.fg,
            "axes.facecolor": "none",
            "figure.facecolor": "none",
            "savefig.facecolor": "none",
            "savefig.transparent": True,
            "legend.facecolor": self.surface,
            "legend.edgecolor": self.muted,
            "legend.labelcolor": self.fg,
            "grid.color": self.muted,
            "grid.alpha": 0.35,
            "axes.prop_cycle": pyplot().cycler(color=self.cycle),
            "image.cmap": self.cmap,
            "lines.linewidth": 2.0,
            "svg.hashsalt": "gdcore-site",
            "svg.fonttype": "path",
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
        }


LIGHT = Theme(
    name="light", fg="#1f2430", muted="#6b7280", surface="#ffffff",
    blue="#1f5fbf", orange="#d9620b", green="#1b8a4a", red="#c62828", purple="#7b3fb5",
    cmap="viridis",
)
DARK = Theme(
    name="dark", fg="#e6e8ee", muted="#9aa3b2", surface="#232634",
    blue="#6aa8ff", orange="#ffa657", green="#5ad08a", red="#ff7b72", purple="#c297ff",
    cmap="viridis",
)
THEMES = (LIGHT, DARK)


@dataclass(frozen=True)
class _Origin:
    """Where a registered function lives: module name, file and source code (what the page shows).

    Kept as data, so that a spec read from the manifest needs no import (see :func:`load_all`).
    """

    module: str = ""
    path: str = ""
    code: str = ""

    @property
    def module_file(self) -> Path:
        return Path(self.path)


@dataclass(frozen=True)
class FigureSpec(_Origin):
    """A registered figure: its id, Korean alt text and caption, format and drawing function."""

    id: str = ""
    alt: str = ""
    caption: str = ""
    fmt: str = "svg"
    draw: Callable[[Theme], Figure] | None = None  # None when read from the manifest (see load_all)
    recolor: bool = True  # the dark SVG may be the light one with its palette swapped (see recolor)

    def source(self) -> str:
        """The drawing function's code, as shown under the figure."""
        return self.code


REGISTRY: dict[str, FigureSpec] = {}


def _origin(function: Callable) -> dict[str, str]:
    return {"module": function.__module__, "path": inspect.getfile(function), "code": inspect.getsource(function)}


def figure(fig_id: str, *, alt: str, caption: str, fmt: str = "svg", recolor: bool = True) -> Callable:
    """Register ``draw(theme) -> Figure`` as the figure ``fig_id``.

    ``alt`` must start with the post's figure id where there is one (e.g. ``"fig4-9: ..."``);
    ``fmt`` is ``"svg"`` for line plots and ``"webp"`` (or ``"png"``) for dense 3-D surfaces,
    drawn at 2x; WebP (lossy, quality 90) is a third to a half of the PNG's bytes, which a phone
    on a slow network feels when the surface is the first picture of a page.  ``recolor=False``
    when the drawing depends on the theme beyond its palette colours (an embedded raster image,
    a colour chosen by contrast): the dark variant is then drawn rather than recoloured.
    """
    if fmt not in ("svg", "png", "webp"):
        raise ValueError(f"fmt must be 'svg', 'png' or 'webp', got {fmt!r}")
    if not alt.startswith(fig_id):
        raise ValueError(f"alt text of {fig_id!r} must start with its id, got {alt!r}")

    def register(draw: Callable[[Theme], Figure]) -> Callable[[Theme], Figure]:
        old = REGISTRY.get(fig_id)
        if old is not None and old.draw is not None and old.draw.__qualname__ != draw.__qualname__:
            raise ValueError(f"figure id {fig_id!r} is registered twice")
        REGISTRY[fig_id] = FigureSpec(id=fig_id, alt=alt, caption=caption, fmt=fmt, draw=draw, recolor=recolor,
                                      **_origin(draw))
        return draw

    return register


def _modules() -> list[str]:
    return [f"{__name__}.{info.name}" for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)]


def _manifest_path() -> Path:
    """Where :func:`load_all` keeps the registry of this exact code (every figure module, this
    file, gdcore and the library versions: a caption may print a number gdcore computes)."""
    files = [Path(__file__), *(Path(__path__[0]) / f"{m.rsplit('.', 1)[1]}.py" for m in _modules())]
    return CACHE_DIR / f"registry-{_digest(files, f'registry {ROOT}')}.json"  # it holds absolute paths


def load_all(reload: bool = False, *, manifest: bool = False) -> dict[str, FigureSpec]:
    """Import every figure module of this package (fresh ones, with ``reload=True``).

    ``manifest=True`` (the site build) reads what the modules register (ids, captions, alt texts,
    the functions' code) from a manifest in the cache written by the last import of the same
    code, without importing them or matplotlib: a warm build saves about half a second.  Specs
    read that way have ``draw=None``; whatever needs to draw imports the modules (its worker
    calls this function without ``manifest``).
    """
    if reload:
        REGISTRY.clear()
        TABLES.clear()
        # every module that holds gdcore's objects goes, so that nothing keeps the old classes
        stale = [m for m in sys.modules if m.startswith(("gdcore", __name__ + ".", *RELOADED))]
        for name in stale:
            del sys.modules[name]
            parent, _, child = name.rpartition(".")
            if parent in sys.modules:  # `from sitegen import explorer` reads the package attribute first
                sys.modules[parent].__dict__.pop(child, None)
    path = _manifest_path() if manifest else None
    if path is not None and path.exists() and not REGISTRY:
        data = json.loads(path.read_text(encoding="utf-8"))
        REGISTRY.update({f["id"]: FigureSpec(**{**f, "draw": None}) for f in data["figures"]})
        TABLES.update({t["id"]: TableSpec(**{**t, "make": None}) for t in data["tables"]})
        return REGISTRY
    pyplot()  # the backend and the font, before any figure module imports pyplot
    for module in _modules():
        try:
            importlib.import_module(module)
        except Exception as err:
            raise FigureError(_where(err, module) + f": importing {module} failed: {_describe(err)}") from err
    if path is not None:
        data = {
            "figures": [{k: v for k, v in asdict(spec).items() if k != "draw"} for spec in REGISTRY.values()],
            "tables": [{k: v for k, v in asdict(spec).items() if k != "make"} for spec in TABLES.values()],
        }
        _write(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    return REGISTRY


@functools.cache
def _versions() -> str:
    from importlib.metadata import version

    return " ".join(f"{name}={version(name)}" for name in ("matplotlib", "numpy", "scikit-learn"))


@functools.cache
def _file_bytes(path: Path, stamp: tuple[int, int]) -> bytes:  # stamp: re-read a file that changed
    return path.read_bytes()


def _digest(files: list[Path], key: str) -> str:
    digest = hashlib.sha256()
    for path in [*files, *sorted((ROOT / "gdcore").glob("*.py"))]:
        stat = path.stat()
        digest.update(_file_bytes(path, (stat.st_mtime_ns, stat.st_size)))
    digest.update(f"{_versions()} {key}".encode())
    return digest.hexdigest()[:16]


def _fingerprint(module_file: Path, key: str) -> str:
    """Hash of what a drawing depends on: its module, this file, gdcore, library versions, ``key``."""
    return _digest([Path(__file__), Path(module_file)], key)


class _MissingGlyphs(logging.Handler):
    """Collects mathtext's "Font ... does not have a glyph" log records (it draws a box instead)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "does not have a glyph" in record.getMessage():
            self.messages.append(record.getMessage())


#: an ASCII hyphen used as a minus sign: "-1", "(-5", "1e-05" (not "x0-y" or "3-4")
HYPHEN_MINUS = re.compile(r"(?<![\w.)\]])-(?=\.?\d)|(?<=\de)-(?=\d)")


def _outside_math(text: str) -> str:
    """The parts of a label outside ``$...$`` (mathtext sets its own minus signs)."""
    return " ".join(text.split("$")[::2])


def _texts(fig):
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_text()]


def _typeset_minus_signs(fig) -> None:
    """Every number a figure function wrote with "-" (titles, legends, notes) gets U+2212 instead;
    tick labels get it from ``axes.unicode_minus``."""
    for text in _texts(fig):
        parts = text.get_text().split("$")
        parts[::2] = [HYPHEN_MINUS.sub("\u2212", part) for part in parts[::2]]
        text.set_text("$".join(parts))


def render(spec: FigureSpec, theme: Theme) -> bytes:
    """Draw one variant and return the file's bytes (a missing glyph anywhere is an error)."""
    missing = _MissingGlyphs()
    plt = pyplot()
    if spec.draw is None:  # read from the manifest: import the real thing
        load_all()
        spec = REGISTRY[spec.id]
    mpl_log = logging.getLogger("matplotlib")
    mpl_log.addHandler(missing)
    try:
        with plt.rc_context(theme.rc()), warnings.catch_warnings():
            warnings.filterwarnings("error", message=r".*Glyph .* missing from")
            fig = spec.draw(theme)
            try:
                _typeset_minus_signs(fig)
                buf = io.BytesIO()
                raster = spec.fmt != "svg"  # rasters are shown at half size (2x, sharp)
                metadata = {"Software": None} if raster else {"Date": None}
                fig.savefig(buf, format="png" if raster else "svg", metadata=metadata, dpi=200 if raster else None)
                hyphens = [t.get_text() for t in _texts(fig)  # tick labels too, now that they are drawn
                           if HYPHEN_MINUS.search(_outside_math(t.get_text()))]
            finally:
                plt.close(fig)
    finally:
        mpl_log.removeHandler(missing)
    if missing.messages:
        raise ValueError(f"figure {spec.id} ({theme.name}): {missing.messages[0]}")
    if hyphens:
        raise ValueError(f"figure {spec.id} ({theme.name}): a hyphen where a minus sign belongs in {hyphens[:3]} "
                         "(a tick formatter of the figure's own: write U+2212)")
    if spec.fmt == "webp":
        from PIL import Image  # Pillow: a dependency of matplotlib

        out = io.BytesIO()
        Image.open(buf).save(out, format="WEBP", quality=90, method=4)  # 6 is 3% smaller, 20x slower
        return out.getvalue()
    return buf.getvalue()


def output_name(spec: FigureSpec, theme: Theme) -> str:
    return f"{spec.id}-{theme.name}.{spec.fmt}"


def _figure_path(spec: FigureSpec, theme: Theme, cache_dir: Path) -> Path:
    key = f"{spec.id} {spec.fmt} {theme}"
    return cache_dir / f"{_fingerprint(spec.module_file, key)}-{output_name(spec, theme)}"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


PALETTE = ("fg", "muted", "surface", "blue", "orange", "green", "red", "purple")


def recolor(svg: bytes, source: Theme, target: Theme) -> bytes:
    """``target``'s variant of an SVG drawn in ``source``: every palette colour swapped at once.

    A drawing may depend on its theme through the palette only (the colour map is shared), so the
    dark SVG is the light one with its colours exchanged, which halves the drawing time of a cold
    build.  ``tests/test_site.py`` checks this against real dark drawings.
    """
    mapping = {getattr(source, name).lower(): getattr(target, name).lower() for name in PALETTE}
    pattern = re.compile("|".join(map(re.escape, mapping)).encode(), re.IGNORECASE)
    return pattern.sub(lambda m: mapping[m.group(0).decode().lower()].encode(), svg)


def _draw_module(module: str, jobs: list[tuple[str, str, str]]) -> list[str]:
    """Worker: draw the figures and compute the tables of one figure module, in this process.

    One module's drawings run in one process so that they share what the module caches
    (an experiment behind both a table and a figure, a trajectory behind both themes).
    ``jobs`` holds ``(kind, id, path)`` with kind "figure-light", "figure-dark" or "table".
    """
    load_all()
    done = []
    for kind, item_id, path in jobs:
        try:
            data = _draw_job(kind, item_id, path)
        except Exception as err:
            what = f"table {item_id}" if kind == "table" else f"figure {item_id} ({kind.removeprefix('figure-')})"
            raise FigureError(f"{_where(err, module)}: {what} failed: {_describe(err)}") from None
        _write(Path(path), data)
        done.append(f"{item_id} ({kind})")
    return done


def _draw_job(kind: str, item_id: str, path: str) -> bytes:
    """The bytes of one job of :func:`_draw_module`."""
    if kind == "table":
        text = TABLES[item_id].make()
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"table {item_id!r}: make() must return Markdown text")
        return text.encode("utf-8")
    spec = REGISTRY[item_id]
    if kind == "figure-light":
        return render(spec, LIGHT)
    light = _figure_path(spec, LIGHT, Path(path).parent)
    if spec.fmt == "svg" and spec.recolor and light.exists():  # drawn just before
        return recolor(light.read_bytes(), LIGHT, DARK)
    return render(spec, DARK)


def pending(cache_dir: Path = CACHE_DIR) -> tuple[dict[str, Path], dict[str, list[tuple[str, str, str]]]]:
    """``({output_name: path} of every figure, {module: jobs} of what is not cached yet)``.

    Jobs are ``(kind, id, path)`` as :func:`_draw_module` takes them, grouped by figure module;
    the modules in :data:`HEAVY` come first, then the rest by their number of jobs, so that a
    pool starts the slowest work at once.
    """
    out: dict[str, Path] = {}
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for spec in REGISTRY.values():
        for theme in THEMES:
            path = _figure_path(spec, theme, cache_dir)
            out[output_name(spec, theme)] = path
            if not path.exists():
                groups.setdefault(spec.module, []).append((f"figure-{theme.name}", spec.id, str(path)))
    for spec in TABLES.values():
        path = _table_path(spec)
        if not path.exists():
            groups.setdefault(spec.module, []).append(("table", spec.id, str(path)))
    order = sorted(groups, key=lambda m: (m not in HEAVY, -len(groups[m])))
    return out, {module: groups[module] for module in order}


def submit(pool, groups: dict[str, list[tuple[str, str, str]]]) -> list:
    """Hand every module's jobs to ``pool`` (a ``ProcessPoolExecutor``); return the futures,
    each resolving to the list of what its worker drew."""
    return [pool.submit(_draw_module, module, jobs) for module, jobs in groups.items()]


def worker_pool(workers: int | None = None):
    """A process pool for drawing: one worker per CPU, started with "spawn" (a fresh interpreter
    per worker; forking a process with threads, as `mkdocs serve` has, can deadlock)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers or os.cpu_count() or 1, mp_context=multiprocessing.get_context("spawn"))


def build(cache_dir: Path = CACHE_DIR, log: Callable[[str], None] = print) -> dict[str, Path]:
    """Draw every registered figure and compute every table that is not cached yet.

    Returns ``{output_name: path}`` for the figures.  Work is grouped by figure module and the
    groups run in parallel worker processes (one per CPU), so a cold build uses every core.
    (The site build shares one pool between the figures and the explorer: ``sitegen/hooks.py``.)
    """
    out, groups = pending(cache_dir)
    if not groups:
        return out
    total = sum(len(jobs) for jobs in groups.values())
    log(f"drawing {total} figures and tables from {len(groups)} modules ...")
    if min(len(groups), os.cpu_count() or 1) == 1:
        for module, jobs in groups.items():
            for item in _draw_module(module, jobs):
                log(f"drew {item}")
        return out
    from concurrent.futures import as_completed

    with worker_pool(min(len(groups), os.cpu_count() or 1)) as pool:
        for future in as_completed(submit(pool, groups)):
            for item in future.result():
                log(f"drew {item}")
    return out


@dataclass(frozen=True)
class TableSpec(_Origin):
    """A table computed at build time: ``make()`` returns Markdown (e.g. an experiment's results)."""

    id: str = ""
    make: Callable[[], str] | None = None  # None when read from the manifest (see load_all)


TABLES: dict[str, TableSpec] = {}


def table(table_id: str) -> Callable:
    """Register ``make() -> str`` (Markdown) as the table placed by ``<!-- table ID -->``.

    Numbers in prose must be computed, not typed: a table of experiment results is computed here,
    at build time, and cached like the figures (by a hash of the module's code and gdcore).
    """

    def register(make: Callable[[], str]) -> Callable[[], str]:
        old = TABLES.get(table_id)
        if old is not None and old.make is not None and old.make.__qualname__ != make.__qualname__:
            raise ValueError(f"table id {table_id!r} is registered twice")
        TABLES[table_id] = TableSpec(id=table_id, make=make, **_origin(make))
        return make

    return register


def _table_path(spec: TableSpec, cache_dir: Path = ROOT / ".cache" / "tables") -> Path:
    return cache_dir / f"{_fingerprint(spec.module_file, spec.id)}-{spec.id}.md"


def table_markdown(table_id: str) -> str:
    """The table's Markdown, from the cache (filled by :func:`build`) or computed now."""
    path = _table_path(TABLES[table_id])
    if not path.exists():
        _draw_module(TABLES[table_id].module, [("table", table_id, str(path))])
    return path.read_text(encoding="utf-8")


def pixel_size(path: Path) -> tuple[int, int]:
    """Width and height in CSS pixels of a drawn SVG (pt) or PNG/WebP (at 2x), for the img tag."""
    data = path.read_bytes()
    if path.suffix == ".png":
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        return width // 2, height // 2
    if path.suffix == ".webp":
        from PIL import Image

        width, height = Image.open(io.BytesIO(data)).size
        return width // 2, height // 2

    head = data[:600].decode("utf-8", "replace")
    w = re.search(r'width="([\d.]+)pt"', head)
    h = re.search(r'height="([\d.]+)pt"', head)
    if not (w and h):
        raise ValueError(f"cannot read the size of {path}")
    return round(float(w.group(1)) * 4 / 3), round(float(h.group(1)) * 4 / 3)
