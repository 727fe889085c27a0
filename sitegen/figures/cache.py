"""Which drawn files exist, and drawing the missing ones in worker processes.

Figures are cached in ``.cache/figures`` and tables in ``.cache/tables`` under a fingerprint
(:func:`sitegen.util.fingerprint`) of the chapter module's source, the figure machinery
(:data:`~sitegen.figures.registry.MACHINERY_FILES`), gdcore's source and the library versions:
a text edit draws nothing.  A cold build draws one chapter module per worker process, the
slowest (:data:`~sitegen.figures.registry.HEAVY`) first.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sitegen.util import ROOT, atomic_write, fingerprint, process_pool, worker_count

from .drawing import recolor, render
from .registry import CACHE_DIR, HEAVY, MACHINERY_FILES, REGISTRY, TABLES, FigureError, FigureSpec, TableSpec, \
    describe, load_all, locate
from .style import DARK, LIGHT, THEMES, Theme

TABLE_CACHE_DIR = ROOT / ".cache" / "tables"


def output_name(spec: FigureSpec, theme: Theme) -> str:
    return f"{spec.id}-{theme.name}.{spec.fmt}"


def figure_fingerprint(module_file: Path, key: str) -> str:
    """Hash of what a drawing depends on: its module, the machinery, gdcore, library versions, ``key``."""
    return fingerprint([*MACHINERY_FILES, Path(module_file)], key)


def figure_path(spec: FigureSpec, theme: Theme, cache_dir: Path) -> Path:
    key = f"{spec.id} {spec.fmt} {theme}"
    return cache_dir / f"{figure_fingerprint(spec.module_file, key)}-{output_name(spec, theme)}"


def table_path(spec: TableSpec, cache_dir: Path = TABLE_CACHE_DIR) -> Path:
    return cache_dir / f"{figure_fingerprint(spec.module_file, spec.id)}-{spec.id}.md"


def draw_module(module: str, jobs: list[tuple[str, str, str]]) -> list[str]:
    """Worker: draw the figures and compute the tables of one figure module, in this process.

    One module's drawings run in one process so that they share what the module caches
    (an experiment behind both a table and a figure, a trajectory behind both themes).
    ``jobs`` holds ``(kind, id, path)`` with kind "figure-light", "figure-dark" or "table".
    """
    load_all(helpers=False)  # drawing needs no code folds
    done = []
    for kind, item_id, path in jobs:
        try:
            data = _draw_job(kind, item_id, path)
        except Exception as err:
            what = f"table {item_id}" if kind == "table" else f"figure {item_id} ({kind.removeprefix('figure-')})"
            raise FigureError(f"{locate(err, module)}: {what} failed: {describe(err)}") from None
        atomic_write(Path(path), data)
        done.append(f"{item_id} ({kind})")
    return done


def _draw_job(kind: str, item_id: str, path: str) -> bytes:
    """The bytes of one job of :func:`draw_module`."""
    if kind == "table":
        text = TABLES[item_id].make()
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"table {item_id!r}: make() must return Markdown text")
        return text.encode("utf-8")
    spec = REGISTRY[item_id]
    if kind == "figure-light":
        return render(spec, LIGHT)
    light = figure_path(spec, LIGHT, Path(path).parent)
    if spec.fmt == "svg" and spec.recolor and light.exists():  # drawn just before
        return recolor(light.read_bytes(), LIGHT, DARK)
    return render(spec, DARK)


def pending(cache_dir: Path = CACHE_DIR) -> tuple[dict[str, Path], dict[str, list[tuple[str, str, str]]]]:
    """``({output_name: path} of every figure, {module: jobs} of what is not cached yet)``.

    Jobs are ``(kind, id, path)`` as :func:`draw_module` takes them, grouped by figure module;
    the modules in :data:`HEAVY` come first, then the rest by their number of jobs, so that a
    pool starts the slowest work at once.
    """
    out: dict[str, Path] = {}
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for spec in REGISTRY.values():
        for theme in THEMES:
            path = figure_path(spec, theme, cache_dir)
            out[output_name(spec, theme)] = path
            if not path.exists():
                groups.setdefault(spec.module, []).append((f"figure-{theme.name}", spec.id, str(path)))
    for spec in TABLES.values():
        path = table_path(spec)
        if not path.exists():
            groups.setdefault(spec.module, []).append(("table", spec.id, str(path)))
    order = sorted(groups, key=lambda m: (m not in HEAVY, -len(groups[m])))
    return out, {module: groups[module] for module in order}


def submit(pool, groups: dict[str, list[tuple[str, str, str]]]) -> list:
    """Hand every module's jobs to ``pool`` (a ``ProcessPoolExecutor``); return the futures,
    each resolving to the list of what its worker drew."""
    return [pool.submit(draw_module, module, jobs) for module, jobs in groups.items()]


def worker_pool(workers: int | None = None):
    """A process pool for drawing: one worker per CPU (:func:`sitegen.util.process_pool`)."""
    return process_pool(workers)


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
    workers = min(len(groups), worker_count())
    if workers == 1:
        for module, jobs in groups.items():
            for item in draw_module(module, jobs):
                log(f"drew {item}")
        return out
    from concurrent.futures import as_completed

    with worker_pool(workers) as pool:
        for future in as_completed(submit(pool, groups)):
            for item in future.result():
                log(f"drew {item}")
    return out


def table_markdown(table_id: str) -> str:
    """The table's Markdown, from the cache (filled by :func:`build`) or computed now."""
    path = table_path(TABLES[table_id])
    if not path.exists():
        draw_module(TABLES[table_id].module, [("table", table_id, str(path))])
    return path.read_text(encoding="utf-8")
