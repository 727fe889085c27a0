"""Full-page screenshots of a built site, light and dark, desktop and phone width.

    uv run mkdocs build -d SITE_DIR
    uv run python tools/shot.py SITE_DIR [PATH ...] --out DIR   # PATH: /momentum/ ... (default: every page)

Uses the headless Chromium of ``tools/browser.py`` ($CHROMIUM_PATH or Debian's /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.browser import DESKTOP, PHONE, RENDER_ALL, chromium, serve, site_pages  # noqa: E402


def screenshots(site: Path, paths: list[str], out: Path) -> None:
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
    parser = argparse.ArgumentParser(prog="tools/shot.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    screenshots(args.site, args.paths, args.out)


if __name__ == "__main__":
    main()
