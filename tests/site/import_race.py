"""Run MkDocs with the notebook thread's first import of IPython made to race the main thread.

Usage (what ``tests/site/test_serve.py`` does, in a temporary copy of the checkout)::

    IMPORT_RACE_REPORT=report.json python tests/site/import_race.py serve --livereload -a 127.0.0.1:PORT

On a busy machine a cold build used to crash: the notebook thread (``sitegen/notebook.py`` executes
the notebook page ahead of time) imported IPython for the first time while the main thread's first
``plt.figure()`` selected a backend, found the half-imported IPython in ``sys.modules`` and called
``IPython.get_ipython`` on it.  This launcher makes that interleaving certain instead of likely:

- if a notebook thread (a ``threading.Thread`` named ``notebook ...``) starts executing IPython's
  ``__init__``, it is held there (with ``IPython`` in ``sys.modules``, empty) until the main
  thread's first ``matplotlib.pyplot.figure()`` has returned (at most ``HOLD_SECONDS``);
- every module a notebook thread imports for the first time is recorded.

The JSON report says whether the hold happened and what the notebook threads imported.  A build
that keeps first imports off its threads is never held and records nothing.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import sys
import threading

HOLD_SECONDS = 120.0


def _is_notebook_thread() -> bool:
    """A thread that executes a notebook page: named so by sitegen/notebook.py, or (in older
    sitegen code, to show that it fails) running its ``_run_notebook``."""
    thread = threading.current_thread()
    target = getattr(thread, "_target", None)  # the function the thread runs, while it runs
    return thread.name.startswith("notebook ") or getattr(target, "__name__", "") == "_run_notebook"


def install(report_path: str) -> None:
    report: dict[str, object] = {"held": False, "held_seconds": 0.0, "notebook_thread_imports": []}
    main_figure_done = threading.Event()
    main = threading.main_thread()

    def save() -> None:
        with open(report_path, "w", encoding="utf-8") as f:
            json.dump(report, f)

    def audit(event: str, args: tuple) -> None:  # "import" is raised only for a module not yet loaded
        if event == "import" and _is_notebook_thread():
            report["notebook_thread_imports"].append(args[0])  # type: ignore[union-attr]
            save()

    class Gate:
        """A meta path finder that wraps the loaders of IPython and matplotlib.pyplot."""

        @staticmethod
        def find_spec(name, path=None, target=None):
            if name not in ("IPython", "matplotlib.pyplot"):
                return None
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            if spec is None or spec.loader is None:
                return spec
            exec_module = spec.loader.exec_module

            if name == "IPython":
                def held_exec(module):
                    if _is_notebook_thread():
                        import time

                        report["held"] = True
                        save()
                        start = time.monotonic()
                        main_figure_done.wait(HOLD_SECONDS)
                        report["held_seconds"] = round(time.monotonic() - start, 2)
                        save()
                    exec_module(module)
            else:
                def held_exec(module):
                    exec_module(module)
                    figure = module.figure

                    def watched_figure(*args, **kwargs):
                        try:
                            return figure(*args, **kwargs)
                        finally:
                            if threading.current_thread() is main:
                                main_figure_done.set()

                    module.figure = watched_figure

            spec.loader.exec_module = held_exec  # type: ignore[method-assign]
            return spec

    save()
    sys.addaudithook(audit)
    sys.meta_path.insert(0, Gate)


if __name__ == "__main__":  # spawned worker processes import this file as __mp_main__: nothing to do
    install(os.environ["IMPORT_RACE_REPORT"])
    from mkdocs.__main__ import cli

    sys.argv[0] = "mkdocs"
    cli()
