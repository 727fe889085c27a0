"""What the chapter modules register: :func:`figure` and :func:`table`, and loading them all.

The chapter modules of this package (``sitegen/figures/<chapter>.py``) are every module here but
the machinery (:data:`MACHINERY`).  :func:`load_all` imports them, or, in the site build, reads
what they register from a manifest in the cache, which saves importing matplotlib on a warm build.
A module that fails to import is a :class:`FigureError` naming its file and line.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
import math
import pkgutil
import re
import sys
import textwrap
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.util import ROOT, atomic_write, fingerprint

from .style import Theme, pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PACKAGE = __package__  # "sitegen.figures"
HERE = Path(__file__).resolve().parent
#: the modules of this package that are not chapter modules (they draw nothing themselves)
MACHINERY = ("cache", "drawing", "registry", "style")
#: the machinery's files: what every figure, table and explorer drawing also depends on
MACHINERY_FILES = tuple(HERE / f"{name}.py" for name in ("__init__", *MACHINERY))
CACHE_DIR = ROOT / ".cache" / "figures"
#: modules outside this package that keep gdcore objects; :func:`load_all` reloads them with gdcore
RELOADED = ("sitegen.explorer",)
#: figure modules that train models for several seconds: a cold build starts them first
HEAVY = {f"{PACKAGE}.comparison_digits", f"{PACKAGE}.schedules"}


class FigureError(Exception):
    """A figure or table function (or its module) failed: the message names the file and line."""


def describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"


def locate(err: BaseException, module: str) -> str:
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


@dataclass(frozen=True)
class Origin:
    """Where a registered function lives: module name, file and source code (what the page shows).

    Kept as data, so that a spec read from the manifest needs no import (see :func:`load_all`).
    """

    module: str = ""
    path: str = ""
    code: str = ""
    #: what the function calls of this repository: ``{"name", "path", "line", "code"}`` each
    #: (:func:`helpers_of`); filled in by :func:`load_all` once the whole module is imported
    helpers: tuple[dict, ...] = ()

    @property
    def module_file(self) -> Path:
        return Path(self.path)

    def body(self) -> str:
        """The function's code without its registration (the decorator and its caption strings)."""
        lines = self.code.splitlines()
        start = next((i for i, line in enumerate(lines) if line.startswith(("def ", "async def "))), 0)
        return "\n".join(lines[start:])


@dataclass(frozen=True)
class FigureSpec(Origin):
    """A registered figure: its id, Korean alt text and caption, format and drawing function."""

    id: str = ""
    alt: str = ""
    caption: str = ""
    fmt: str = "svg"
    draw: Callable[[Theme], Figure] | None = None  # None when read from the manifest (see load_all)
    recolor: bool = True  # the dark SVG may be the light one with its palette swapped (see recolor)

    @property
    def post_id(self) -> str | None:
        """The id of the figure in the original post (``fig7``, ``fig4-9``), if the figure has one."""
        return self.id if POST_ID.fullmatch(self.id) else None


@dataclass(frozen=True)
class TableSpec(Origin):
    """A table computed at build time: ``make()`` returns Markdown (e.g. an experiment's results)."""

    id: str = ""
    make: Callable[[], str] | None = None  # None when read from the manifest (see load_all)


#: the ids of the original post's figures; every other figure was added by this site
POST_ID = re.compile(r"fig\d+(?:-\d+)?")

REGISTRY: dict[str, FigureSpec] = {}
TABLES: dict[str, TableSpec] = {}


def _origin(function: Callable) -> dict[str, str]:
    return {"module": function.__module__, "path": inspect.getfile(function), "code": inspect.getsource(function)}


def figure(fig_id: str, *, alt: str, caption: str, fmt: str = "svg", recolor: bool = True) -> Callable:
    """Register ``draw(theme) -> Figure`` as the figure ``fig_id``.

    ``alt`` describes the picture for a reader who cannot see it (it does not start with the id:
    the caption shows the post's id, :attr:`FigureSpec.post_id`); ``fmt`` is ``"svg"`` for line plots and ``"webp"`` (or ``"png"``) for dense 3-D surfaces,
    drawn at 2x; WebP (lossy, quality 90) is a third to a half of the PNG's bytes, which a phone
    on a slow network feels when the surface is the first picture of a page.  ``recolor=False``
    when the drawing depends on the theme beyond its palette colours (an embedded raster image,
    a colour chosen by contrast): the dark variant is then drawn rather than recoloured.
    """
    if fmt not in ("svg", "png", "webp"):
        raise ValueError(f"fmt must be 'svg', 'png' or 'webp', got {fmt!r}")
    if alt.startswith(fig_id):
        raise ValueError(f"alt text of {fig_id!r} starts with its id; the caption shows it: {alt[:40]!r}")

    def register(draw: Callable[[Theme], Figure]) -> Callable[[Theme], Figure]:
        old = REGISTRY.get(fig_id)
        if old is not None and old.draw is not None and old.draw.__qualname__ != draw.__qualname__:
            raise ValueError(f"figure id {fig_id!r} is registered twice")
        REGISTRY[fig_id] = FigureSpec(id=fig_id, alt=alt, caption=caption, fmt=fmt, draw=draw, recolor=recolor,
                                      **_origin(draw))
        return draw

    return register


def table(table_id: str) -> Callable:
    """Register ``make() -> str`` (Markdown) as the table placed by ``<!-- table ID -->``.

    Numbers in prose must be computed, not typed: a table of experiment results is computed here,
    at build time, and cached like the figures (by a hash of the module's code and gdcore).
    """

    def register(make: Callable[[], str]) -> Callable[[], str]:
        _add_table(table_id, make, make)
        return make

    return register


def _add_table(table_id: str, make: Callable[[], str], source: Callable) -> None:
    """Put ``make`` in :data:`TABLES` with the module and code of ``source``; another function
    under an id already taken is an error (the same one again is a reload)."""
    old = TABLES.get(table_id)
    if old is not None and old.make is not None and old.make.__qualname__ != make.__qualname__:
        raise ValueError(f"table id {table_id!r} is registered twice")
    TABLES[table_id] = TableSpec(id=table_id, make=make, **_origin(source))


@functools.cache
def _source_of(obj) -> tuple[Path, list[str], int]:
    """``(file, source lines, first line)`` of a function or class, read once per object: the
    figures call the same helpers (``fit``, ``minimize``, ...), and finding a class's source
    parses its whole module every time (about 1 s of a cold build's start)."""
    file = Path(inspect.getsourcefile(obj) or "").resolve()
    lines, line = inspect.getsourcelines(obj)
    return file, lines, line


#: the table id of a numeric exercise's answer (see :func:`answer`)
ANSWER_PREFIX = "answer-"


def answer(answer_id: str, *, tol: float) -> Callable:
    """Register ``compute() -> float`` as the answer of the numeric exercise placed by
    ``<!-- answer ID -->``: the page checks a reader's answer against it within ``tol``.

    The answer is computed with gdcore at build time, never typed: it is kept as the table
    ``answer-ID`` whose text is ``{"value": ..., "tol": ...}`` (JSON), so it is computed in a drawing
    worker and cached with the chapter's tables, and its test recomputes it
    (``tests/site/test_exercises.py``).
    """
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol > 0):
        raise ValueError(f"answer {answer_id!r}: tol must be a positive number, got {tol!r}")

    def register(compute: Callable[[], float]) -> Callable[[], float]:
        def make() -> str:
            value = float(compute())
            if not math.isfinite(value):
                raise ValueError(f"answer {answer_id!r} is not finite: {value}")
            return json.dumps({"value": value, "tol": tol})

        make.__qualname__, make.__wrapped__ = compute.__qualname__, compute  # type: ignore[attr-defined]
        _add_table(ANSWER_PREFIX + answer_id, make, compute)
        return compute

    return register


def helpers_of(function: Callable, depth: int = 2) -> tuple[dict, ...]:
    """The functions and classes of this repository that ``function`` calls, and (``depth``) what
    the site's own helpers among them call in turn.

    Each is ``{"name": as written in the call, "path": file relative to the root, "line": first
    line, "code": its source}``, the site's first; the code only for the site's own helpers
    (gdcore's objects are named with their file and line: the page links to them).
    """
    out: dict[str, dict] = {}
    todo = [(function, depth)]
    while todo:
        caller, level = todo.pop(0)
        definition = ast.parse(textwrap.dedent(inspect.getsource(caller))).body[0]
        calls = (node for statement in definition.body for node in ast.walk(statement))  # not the decorator
        for node in calls:
            if not isinstance(node, ast.Call):
                continue
            parts, f = [], node.func
            while isinstance(f, ast.Attribute):
                parts.append(f.attr)
                f = f.value
            if not isinstance(f, ast.Name):
                continue
            dotted = [f.id, *reversed(parts)]
            obj = caller.__globals__.get(dotted[0])
            for attr in dotted[1:]:
                obj = getattr(obj, attr, None)
            obj = getattr(obj, "__func__", obj)  # a bound method: its function
            obj = inspect.unwrap(obj) if callable(obj) else obj  # a cached function: the function
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or obj is function:
                continue
            try:
                file, lines, line = _source_of(obj)
            except (OSError, TypeError):
                continue
            if not file.is_relative_to(ROOT) or ".venv" in file.parts:
                continue
            path = file.relative_to(ROOT).as_posix()
            name = ".".join(dotted)
            if name in out or any(h["path"] == path and h["line"] == line for h in out.values()):
                continue
            own = path.startswith("sitegen/")
            out[name] = {"name": name, "path": path, "line": line, "code": "".join(lines) if own else ""}
            if own and level > 1 and inspect.isfunction(obj):
                todo.append((obj, level - 1))
    return tuple(sorted(out.values(), key=lambda h: (not h["code"], h["path"], h["line"])))


def chapter_modules() -> list[str]:
    """The chapter modules' names (``sitegen.figures.gradient``, ...), in file name order."""
    return [f"{PACKAGE}.{info.name}" for info in sorted(pkgutil.iter_modules([str(HERE)]), key=lambda m: m.name)
            if info.name not in MACHINERY]


def manifest_path() -> Path:
    """Where :func:`load_all` keeps the registry of this exact code (every chapter module, the
    machinery, gdcore and the library versions: a caption may print a number gdcore computes)."""
    files = [*MACHINERY_FILES, *(HERE / f"{m.rsplit('.', 1)[1]}.py" for m in chapter_modules())]
    return CACHE_DIR / f"registry-{fingerprint(files, f'registry {ROOT}')}.json"  # it holds absolute paths


#: :func:`helpers_of` of every function it has been asked about (a function is read once)
_HELPERS: weakref.WeakKeyDictionary[Callable, tuple[dict, ...]] = weakref.WeakKeyDictionary()


def known_helpers(function: Callable) -> tuple[dict, ...]:
    """:func:`helpers_of` ``function``, computed once per function object."""
    if function not in _HELPERS:
        _HELPERS[function] = helpers_of(function)
    return _HELPERS[function]


def load_all(reload: bool = False, *, manifest: bool = False, helpers: bool = True) -> dict[str, FigureSpec]:
    """Import every chapter module of this package (fresh ones, with ``reload=True``).

    ``helpers=False`` leaves the specs' :attr:`~Origin.helpers` empty: a worker that only draws
    needs no code fold (reading the sources for them costs about 1.4 s of CPU).

    ``manifest=True`` (the site build) reads what the modules register (ids, captions, alt texts,
    the functions' code) from a manifest in the cache written by the last import of the same
    code, without importing them or matplotlib: a warm build saves about half a second.  Specs
    read that way have ``draw=None``; whatever needs to draw imports the modules (its worker
    calls this function without ``manifest``).
    """
    chapters = chapter_modules()
    if reload:
        REGISTRY.clear()
        TABLES.clear()
        _source_of.cache_clear()  # the reloaded modules' objects are new; the old ones may go
        # every module that holds gdcore's objects goes, so that nothing keeps the old classes
        # (the machinery stays: it holds the registry, not gdcore)
        stale = [m for m in sys.modules if m.startswith(("gdcore", *RELOADED))
                 or (m.startswith(PACKAGE + ".") and m.split(".")[2] not in MACHINERY)]
        for name in stale:
            del sys.modules[name]
            parent, _, child = name.rpartition(".")
            if parent in sys.modules:  # `from sitegen import explorer` reads the package attribute first
                sys.modules[parent].__dict__.pop(child, None)
    path = manifest_path() if manifest else None
    if path is not None and path.exists() and not REGISTRY:
        data = json.loads(path.read_text(encoding="utf-8"))
        REGISTRY.update({f["id"]: FigureSpec(**{**f, "draw": None, "helpers": tuple(f["helpers"])})
                         for f in data["figures"]})
        TABLES.update({t["id"]: TableSpec(**{**t, "make": None, "helpers": tuple(t["helpers"])})
                       for t in data["tables"]})
        return REGISTRY
    pyplot()  # the backend and the font, before any figure module imports pyplot
    for module in chapters:
        try:
            importlib.import_module(module)
        except Exception as err:
            raise FigureError(locate(err, module) + f": importing {module} failed: {describe(err)}") from err
    if helpers or path is not None:
        for spec in list(REGISTRY.values()):
            REGISTRY[spec.id] = replace(spec, helpers=known_helpers(spec.draw))
        for tspec in list(TABLES.values()):
            TABLES[tspec.id] = replace(tspec, helpers=known_helpers(tspec.make))
    if path is not None:
        data = {
            "figures": [{k: v for k, v in asdict(spec).items() if k != "draw"} for spec in REGISTRY.values()],
            "tables": [{k: v for k, v in asdict(spec).items() if k != "make"} for spec in TABLES.values()],
        }
        atomic_write(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    return REGISTRY
