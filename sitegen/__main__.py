"""Tools for writers: look at figures before committing.

    uv run python -m sitegen figures [ID ...] --out DIR   # PNG previews, light and dark

(Screenshots of a built site: ``uv run python tools/shot.py``.)
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

BACKGROUND = {"light": "#ffffff", "dark": "#1e2129"}  # Material's default and slate page colours


def preview_figures(ids: list[str], out: Path) -> None:
    import io

    from PIL import Image

    from sitegen import figures

    registry = figures.load_all()
    out.mkdir(parents=True, exist_ok=True)
    for fig_id in ids or sorted(registry):
        spec = replace(registry[fig_id], fmt="png")
        for theme in figures.THEMES:
            image = Image.open(io.BytesIO(figures.render(spec, theme))).convert("RGBA")
            page = Image.new("RGBA", image.size, BACKGROUND[theme.name])  # figures are transparent
            path = out / f"{fig_id}-{theme.name}.png"
            Image.alpha_composite(page, image).convert("RGB").save(path)
            print(path)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sitegen", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    fig = sub.add_parser("figures", help="render figures as PNG previews")
    fig.add_argument("ids", nargs="*")
    fig.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    preview_figures(args.ids, args.out)


if __name__ == "__main__":
    main()
