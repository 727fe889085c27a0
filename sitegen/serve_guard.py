"""``mkdocs serve`` keeps serving the last good build while an author fixes a mistake.

MkDocs rebuilds into the folder it serves, and it empties that folder first: a rebuild that fails
half-way (an unknown figure id, a figure function that raises, a notebook cell that raises) would
leave the reader with missing pages, and MkDocs prints a bare traceback.  Here each rebuild
after the first goes to a staging folder instead; only a rebuild that raises nothing and logs no
warning (a TeX error, a broken link) replaces what is served.  Otherwise one error line says what
went wrong and that the last good build is still served, and the next save tries again.

The first build is MkDocs' own: if it fails, ``mkdocs serve`` stops (there is nothing to serve).
``mkdocs build`` is not affected.  Used by ``sitegen/hooks.py`` (``on_startup``, ``on_config``,
``on_serve``); it relies only on MkDocs' public ``LiveReloadServer.builder`` attribute.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import traceback
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.sitegen")


class _WarningCount(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class ServeGuard:
    """State of one ``mkdocs serve`` process: the served folder and the rebuild's staging folder."""

    def __init__(self) -> None:
        self.serving = False
        self.served_dir: Path | None = None  # known once the first build is done
        self.staging: Path | None = None

    def start(self, command: str) -> None:
        """MkDocs' ``on_startup``: remember whether this process serves."""
        self.serving = command == "serve"
        self.served_dir = self.staging = None

    def on_config(self, config) -> None:
        """A rebuild of ``serve`` writes to a fresh staging folder, not to the served one."""
        if self.serving and self.served_dir is not None:
            self.staging = Path(tempfile.mkdtemp(prefix="gdcore-rebuild-"))
            config["site_dir"] = str(self.staging)

    def wrap(self, server, config):
        """MkDocs' ``on_serve``: every later rebuild goes through :meth:`_rebuild`."""
        self.served_dir = Path(config["site_dir"])
        build = server.builder

        def guarded(config=None) -> None:
            self._rebuild(build, config)

        server.builder = guarded
        return server

    def _rebuild(self, build, config) -> None:
        counter = _WarningCount()
        mkdocs_log = logging.getLogger("mkdocs")
        mkdocs_log.addHandler(counter)
        try:
            build(config)
        except Exception as err:  # noqa: BLE001 - every failure is reported, and serving goes on
            self._discard()
            log.error(f"rebuild failed: {_describe(err)}; still serving the last good build "
                      "(save the fix and it rebuilds)")
            return
        finally:
            mkdocs_log.removeHandler(counter)
        if counter.count:
            self._discard()
            log.error(f"rebuild logged {counter.count} warning(s) (above); still serving the last good "
                      "build (save the fix and it rebuilds)")
            return
        self._publish()

    def _publish(self) -> None:
        staging, served = self.staging, self.served_dir
        if staging is None or served is None:
            return
        for child in served.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        for child in staging.iterdir():
            os.replace(child, served / child.name)  # same file system (both temporary): renames
        staging.rmdir()
        self.staging = None

    def _discard(self) -> None:
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None


def _describe(err: BaseException) -> str:
    """What went wrong, in one line: MkDocs has already logged a BuildError's message (Abort)."""
    from click import ClickException

    if isinstance(err, ClickException):
        return err.format_message()
    root = Path(__file__).resolve().parents[1]
    frames = [f for f in traceback.extract_tb(err.__traceback__)
              if Path(f.filename).resolve().is_relative_to(root) and "/.venv/" not in f.filename]
    where = f" at {Path(frames[-1].filename).resolve().relative_to(root)}:{frames[-1].lineno}" if frames else ""
    return f"{type(err).__name__}: {err}{where}"


GUARD = ServeGuard()
