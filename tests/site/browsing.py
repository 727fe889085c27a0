"""When the browser tests may run: Chromium (``tools.browser.chromium_path``) and Korean fonts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools.browser import chromium_path


def site_nav() -> list:
    """The ``nav`` of mkdocs.yml (read without MkDocs' YAML tags)."""
    import re

    import yaml

    text = (Path(__file__).resolve().parents[2] / "mkdocs.yml").read_text(encoding="utf-8")
    return yaml.safe_load(re.sub(r"!!python/\S+|!ENV", "", text))["nav"]


def require_browser() -> None:
    """Skip (or, with ``REQUIRE_BROWSER=1`` as in .ci/run, fail) naming how to get what is missing."""
    missing = [what for what, ok in [
        (f"chromium ({chromium_path()})", Path(chromium_path()).exists()),
        ("fonts-nanum", any(Path("/usr/share/fonts").rglob("Nanum*.ttf"))),
    ] if not ok]
    if missing:
        message = (f"browser tests need {', '.join(missing)}: "
                   "run `apt-get install chromium fonts-nanum` (as root), or set CHROMIUM_PATH "
                   "to another Chromium")
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


def open_page(browser, base: str, path: str, theme: str = "light", viewport: dict | None = None):
    """A new context and page at ``base + path``; returns ``(context, page, problems)``, where
    problems collects console errors, page errors, failed requests and requests to other hosts."""
    from urllib.parse import urlparse

    from tools.browser import DESKTOP

    context = browser.new_context(color_scheme=theme, viewport=viewport or DESKTOP)
    page = context.new_page()
    problems: list[str] = []
    host = urlparse(base).netloc
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: urlparse(r.url).netloc not in (host, "")
            and not r.url.startswith(("data:", "blob:")) and problems.append(f"request: {r.url}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.goto(base + path, wait_until="load")
    return context, page, problems
