"""Drawing one figure in one theme: the file's bytes, checked for missing glyphs and hyphens.

A missing glyph (matplotlib draws a box) and an ASCII hyphen where a minus sign belongs are
errors; files are saved without dates.  The dark SVG of a figure may be the light one with its
palette swapped (:func:`recolor`).  :func:`pixel_size` reads a drawn file's size for its img tag.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from pathlib import Path

from . import registry
from .registry import FigureSpec
from .style import Theme, pyplot


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
        registry.load_all()
        spec = registry.REGISTRY[spec.id]
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


PALETTE = ("fg", "muted", "surface", "blue", "orange", "green", "red", "purple")


def recolor(svg: bytes, source: Theme, target: Theme) -> bytes:
    """``target``'s variant of an SVG drawn in ``source``: every palette colour swapped at once.

    A drawing may depend on its theme through the palette only (the colour map is shared), so the
    dark SVG is the light one with its colours exchanged, which halves the drawing time of a cold
    build.  ``tests/site/test_site.py`` checks this against real dark drawings.
    """
    mapping = {getattr(source, name).lower(): getattr(target, name).lower() for name in PALETTE}
    pattern = re.compile("|".join(map(re.escape, mapping)).encode(), re.IGNORECASE)
    return pattern.sub(lambda m: mapping[m.group(0).decode().lower()].encode(), svg)


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
