"""When the browser tests may run: Chromium (``tools.browser.chromium_path``) and Korean fonts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools.browser import chromium_path


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
