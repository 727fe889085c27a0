"""The site's figures: one function per figure, drawn at build time in a light and a dark variant.

A chapter module in this package registers each figure with :func:`figure`::

    @figure("fig4-8", alt="...", caption="...", fmt="webp")
    def surface(theme: Theme) -> Figure:
        fig, ax = plt.subplots(figsize=(5, 4), subplot_kw={"projection": "3d"})
        ...
        return fig

and a page places it with the marker ``<!-- figure fig4-8 -->`` on a line of its own
(``sitegen/markers.py`` expands it into the light/dark images, the caption and the code).
A table is registered with :func:`table` and placed with ``<!-- table ID -->``.

This file only gathers the public names; the machinery is one module per job:

- ``style.py``: the themes (:class:`Theme`, :data:`LIGHT`, :data:`DARK`), the Korean font, pyplot;
- ``registry.py``: :func:`figure`, :func:`table`, the registries and :func:`load_all`;
- ``drawing.py``: :func:`render` one figure in one theme, :func:`recolor`, :func:`pixel_size`;
- ``cache.py``: the cached files (``.cache/figures``, ``.cache/tables``) and drawing what is missing
  in worker processes (:func:`pending`, :func:`submit`, :func:`build`, :func:`table_markdown`).

Every drawing runs inside the theme's ``rc_context`` (colours, Korean font) with matplotlib's
"Glyph ... missing" warning turned into an error, and is saved without dates, so the same commit
gives byte-identical files.  Results are cached under a hash of the figure module's source, the
machinery's files, gdcore's source and the library versions: a text edit draws nothing.
"""

from __future__ import annotations

from .cache import build, output_name, pending, submit, table_markdown, worker_pool
from .drawing import pixel_size, recolor, render
from .registry import (
    ANSWER_PREFIX,
    CACHE_DIR,
    HEAVY,
    MACHINERY_FILES,
    REGISTRY,
    TABLES,
    FigureError,
    FigureSpec,
    TableSpec,
    answer,
    figure,
    load_all,
    table,
)
from .style import DARK, FONT_FAMILY, LIGHT, THEMES, Theme, pyplot
from sitegen.util import ROOT

__all__ = [
    "ANSWER_PREFIX", "answer", "CACHE_DIR", "DARK", "FONT_FAMILY", "HEAVY", "LIGHT", "MACHINERY_FILES", "REGISTRY", "ROOT", "TABLES",
    "THEMES", "FigureError", "FigureSpec", "TableSpec", "Theme", "build", "figure", "load_all", "output_name",
    "pending", "pixel_size", "pyplot", "recolor", "render", "submit", "table", "table_markdown", "worker_pool",
]
