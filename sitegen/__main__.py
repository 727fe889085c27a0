"""Tools for writers: look at figures and pages before committing.

    uv run python -m sitegen figures [ID ...] --out DIR   # PNG previews, light and dark
    uv run python -m sitegen shot SITE_DIR [PATH ...] --out DIR
        # full-page screenshots of a built site (mkdocs build -d SITE_DIR), light/dark, desktop/phone
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


def screenshots(site: Path, paths: list[str], out: Path) -> None:
    from sitegen.browser import DESKTOP, PHONE, RENDER_ALL, chromium, serve, site_pages

    out.mkdir(parents=True, exist_ok=True)
    with serve(site) as base, chromium() as browser:
        for path in paths or site_pages(site):
            for theme in ("light", "dark"):
                for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                    context = browser.new_context(color_scheme=theme, viewport=viewport)
                    page = context.new_page()
                    page.goto(base + path, wait_until="load")
                    page.evaluate("""async () => {
                        for (const img of document.querySelectorAll('img')) img.loading = 'eager';
                        await Promise.all([...document.images].map(i => i.complete ? 0 :
                            new Promise(r => { i.onload = i.onerror = r; })));
                        await document.fonts.ready; }""")
                    page.add_style_tag(content=RENDER_ALL)
                    name = path.strip("/").replace("/", "_") or "index"
                    file = out / f"{name}-{theme}-{label}.png"
                    page.screenshot(path=file, full_page=True)
                    print(file)
                    context.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sitegen", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    fig = sub.add_parser("figures", help="render figures as PNG previews")
    fig.add_argument("ids", nargs="*")
    fig.add_argument("--out", type=Path, required=True)
    shot = sub.add_parser("shot", help="screenshots of a built site")
    shot.add_argument("site", type=Path)
    shot.add_argument("paths", nargs="*")
    shot.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "figures":
        preview_figures(args.ids, args.out)
    else:
        screenshots(args.site, args.paths, args.out)


if __name__ == "__main__":
    main()
