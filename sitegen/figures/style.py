"""How a figure looks: the Korean font (with a minus sign added), pyplot's set-up, the two themes.

Every drawing runs inside its theme's ``rc_context`` (:meth:`Theme.rc`): colours, the Korean
font, fixed hash salt and no dates in the files, so the same commit gives byte-identical figures.
"""

from __future__ import annotations

import functools
import importlib.util
import io
from dataclasses import dataclass
from pathlib import Path

from sitegen.util import ROOT, atomic_write

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
    glyph = pen.glyph()
    glyph.recalcBounds(glyf)  # the font is saved without recalculating bounds (the others are unchanged)
    glyf.glyphs["uni2212"] = glyph
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
    for weight in ("", "Bold"):
        target = out_dir / f"NanumGothicGD{weight}-{FONT_VERSION}.ttf"
        if not target.exists():
            from fontTools.ttLib import TTFont  # a dependency of matplotlib

            # the glyphs are copied as they are (recomputing every glyph's bounds took 6 s of a cold
            # build), and the file's date is the source's (the same commit writes the same bytes)
            font = TTFont(source / f"NanumGothic{weight}.ttf", recalcBBoxes=False, recalcTimestamp=False)
            _add_minus_sign(font)
            for record in font["name"].names:
                if record.nameID in (1, 4, 6, 16):
                    full = FONT_FAMILY + (f" {weight}" if weight and record.nameID in (4, 6) else "")
                    record.string = full.replace(" ", "-") if record.nameID == 6 else full
            data = io.BytesIO()
            font.save(data)
            atomic_write(target, data.getvalue())
        # What fontManager.addfont(target) does, with the entry written out: reading the name and
        # OS/2 tables of this large font to find what we already know takes over a second.
        font_manager.fontManager.ttflist.append(font_manager.FontEntry(
            fname=str(target), name=FONT_FAMILY, weight=700 if weight else 400, size="scalable"))
    font_manager.fontManager._findfont_cached.cache_clear()  # noqa: SLF001 (matplotlib's, as addfont does)


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
    # on its main thread before any thread starts (sitegen/hooks.py, on_files).
    plt.switch_backend("agg")
    _register_korean_font()
    return plt


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
