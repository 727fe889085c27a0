"""Headless Chromium (driven by Playwright) and a local server for a built site.

Measurement and test code, not part of the build: used by the browser tests (``tests/``), by
``tools/shot.py`` for screenshots and by ``tools/lighthouse.py``.  The browser
is the one at ``$CHROMIUM_PATH``, else Debian's ``/usr/bin/chromium`` (here and in ``.ci/run``).
GitHub's workflow sets ``CHROMIUM_PATH`` to Playwright's own Chromium (on GitHub's Ubuntu runners
apt's ``chromium`` is a snap wrapper that does not start).  Here never ``playwright install``: it
downloads a browser of its own, which fails on this machine and is not needed.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

DEBIAN_CHROMIUM = "/usr/bin/chromium"


def chromium_path() -> str:
    """The browser to drive: ``$CHROMIUM_PATH`` if set (non-empty), else Debian's chromium."""
    return os.environ.get("CHROMIUM_PATH") or DEBIAN_CHROMIUM


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
def serve(site_dir: Path, gzip: bool = False, prefix: str = "/") -> Iterator[str]:
    """Serve ``site_dir`` on a free local port under the path ``prefix``; yield its base URL
    (``http://127.0.0.1:PORT`` + ``prefix`` without its final slash).

    As GitHub Pages serves a project site: under ``/REPO/`` (``prefix="/REPO/"``), with the site's
    ``404.html`` (status 404) for a path that has no file, and nothing outside the prefix.
    ``gzip=True`` compresses text files as GitHub Pages does, for honest performance measurements.
    """
    if not (prefix.startswith("/") and prefix.endswith("/")):
        raise ValueError(f"prefix must start and end with '/', got {prefix!r}")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _not_found(self) -> None:
            page = site_dir / "404.html"
            body = page.read_bytes() if page.is_file() else b"not found"
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _redirect(self, location: str) -> None:
            self.send_response(301)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            url, _, query = self.path.partition("?")
            if url + "/" == prefix:
                return self._redirect(prefix)
            if not url.startswith(prefix):
                return self._not_found()
            self.path = "/" + self.path[len(prefix):]
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                if not url.endswith("/"):
                    return self._redirect(url + "/" + (f"?{query}" if query else ""))
                path = path / "index.html"
            if not path.is_file():
                return self._not_found()
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
        yield f"http://127.0.0.1:{httpd.server_address[1]}{prefix.rstrip('/')}"
    finally:
        httpd.shutdown()


@contextlib.contextmanager
def chromium():
    """A Playwright browser on :func:`chromium_path`'s Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
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
