"""Headless Chromium (Debian's package, driven by Playwright) and a local server for a built site.

Used by ``tests/test_browser.py`` and by ``python -m sitegen shot`` for screenshots.  Never
``playwright install``: it downloads a browser of its own, which fails here and is not needed.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


#: added to a page before a full-page screenshot: content-visibility (docs/assets/css/site.css) leaves
#: off-screen blocks unpainted, and a full-page capture does not scroll them into view
RENDER_ALL = ".md-typeset > * { content-visibility: visible !important; }"

COMPRESSIBLE = {".html", ".css", ".js", ".json", ".svg", ".xml", ".ipynb", ".txt"}


@contextlib.contextmanager
def serve(site_dir: Path, gzip: bool = False) -> Iterator[str]:
    """Serve ``site_dir`` on a free local port; yield its base URL.

    ``gzip=True`` compresses text files as GitHub Pages does, for honest performance measurements.
    """

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            if not (gzip and path.suffix in COMPRESSIBLE and path.is_file()
                    and "gzip" in self.headers.get("Accept-Encoding", "")):
                return super().do_GET()
            import gzip as gz

            body = gz.compress(path.read_bytes(), compresslevel=6, mtime=0)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    handler = functools.partial(Quiet, directory=str(site_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


@contextlib.contextmanager
def chromium():
    """A Playwright browser on Debian's Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def site_pages(site_dir: Path) -> list[str]:
    """URL paths of the built pages (``/``, ``/gradient/``, ...), without assets and search."""
    paths = []
    for html in sorted(site_dir.rglob("index.html")):
        rel = html.relative_to(site_dir).parent.as_posix()
        if rel.startswith(("assets", "search")):
            continue
        paths.append("/" if rel == "." else f"/{rel}/")
    return paths
