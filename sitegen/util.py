"""Helpers that several parts of the build share, each written once.

- :func:`fingerprint`: the hash a cached file is named by (figures, tables, the explorer's data,
  the notebooks' execution cache): the given files, gdcore's code and the library versions.
- :func:`atomic_write`: a cache file appears whole or not at all (a worker process, a killed
  build or a parallel ``mkdocs serve`` never leaves half a file under its final name).
- :func:`worker_count` and :func:`process_pool`: how many worker processes, and how they start.
- :func:`from_page`: a site path as a link from a page, for raw HTML.
- :func:`project_path` and :func:`line_of`: ``docs/page.md:LINE`` for an author's mistake.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import posixpath
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: the logger of every build message of sitegen (MkDocs counts its warnings for ``--strict``)
log = logging.getLogger("mkdocs.hooks.sitegen")


# --- cache keys ---------------------------------------------------------------------------------


@functools.cache
def library_versions() -> str:
    """The versions of the libraries whose output a cached file holds."""
    from importlib.metadata import version

    return " ".join(f"{name}={version(name)}" for name in ("matplotlib", "numpy", "scikit-learn"))


@functools.cache
def _file_bytes(path: Path, stamp: tuple[int, int]) -> bytes:  # stamp: re-read a file that changed
    return path.read_bytes()


def fingerprint(files: Iterable[Path], key: str) -> str:
    """16 hex digits hashing ``files``, gdcore's code (``gdcore/**/*.py``, the book too), the library versions
    and ``key``: what a file made at build time depends on, so a change to any of them names
    a new file, and a text edit names none."""
    digest = hashlib.sha256()
    for path in [*map(Path, files), *sorted((ROOT / "gdcore").rglob("*.py"))]:
        stat = path.stat()
        digest.update(_file_bytes(path, (stat.st_mtime_ns, stat.st_size)))
    digest.update(f"{library_versions()} {key}".encode())
    return digest.hexdigest()[:16]


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


# --- worker processes ---------------------------------------------------------------------------


def worker_count() -> int:
    """The CPUs this process may run on (``sched_getaffinity``: a container's or ``taskset``'s
    limit, which ``os.cpu_count`` ignores), at least 1."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cpus)


class WorkerPool(ProcessPoolExecutor):
    """A process pool that says how many workers it has (for the build's log)."""

    def __init__(self, workers: int) -> None:
        import multiprocessing

        super().__init__(workers, mp_context=multiprocessing.get_context("spawn"))
        self.workers = workers


def process_pool(workers: int | None = None) -> WorkerPool:
    """A pool of ``workers`` processes (default :func:`worker_count`), started with "spawn": a
    fresh interpreter per worker (forking a process with threads, as ``mkdocs serve`` has, can
    deadlock)."""
    return WorkerPool(workers or worker_count())


# --- links -------------------------------------------------------------------------------------


def from_page(path: str, page_url: str) -> str:
    """``path`` (from the site's root) as a link from the page at ``page_url`` (``momentum/``), for
    raw HTML, whose links MkDocs does not rewrite: ``from_page("assets/x.js", "momentum/")`` is
    ``"../assets/x.js"``."""
    folder = page_url if page_url.endswith("/") else posixpath.dirname(page_url)
    return posixpath.relpath(path, folder.strip("/") or ".")


# --- where an author's mistake is -----------------------------------------------------------------


def project_path(config, abs_path: str) -> str:
    """A file's path relative to the project (``docs/gradient.md``), for messages."""
    root = Path(config["config_file_path"]).parent
    path = Path(abs_path)
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def line_of(page, needle: str, config=None) -> str:
    """``docs/page.md:LINE`` of the first source line containing ``needle`` (no line if none)."""
    where = project_path(config, page.file.abs_src_path) if config else f"docs/{page.file.src_uri}"
    for number, line in enumerate((page.file.content_string or "").splitlines(), start=1):
        if needle.strip() and needle.strip() in line:
            return f"{where}:{number}"
    return where
