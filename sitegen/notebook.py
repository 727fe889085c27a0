"""Lighter notebook pages: mkdocs-jupyter's output, trimmed after the page is rendered.

mkdocs-jupyter inlines the whole JupyterLab stylesheet (575 KB) into every notebook page and its
figures as base64 PNGs, so the lab page weighed 890 KB of HTML before a phone could paint it.
:func:`slim_page` keeps only the CSS rules whose classes occur on the page and moves each inline
image to a file next to the page (lazy-loaded, with its size), which takes the HTML to about
140 KB without changing how the page looks (``test_sitegen`` holds it under 250 KB).
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from pathlib import Path

STYLE = re.compile(r'<style type="text/css">(?P<css>.*?)</style>', re.DOTALL)
CLASS_ATTR = re.compile(r'class="([^"]*)"')
CSS_CLASS = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")
NEGATION = re.compile(r":not\((?:[^()]|\([^()]*\))*\)")
UNREACHABLE_ROOT = re.compile(r"\S\s+:root")  # ".jupyter-wrapper :root": the root has no ancestor
COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
DATA_IMAGE = re.compile(
    r'<img (?P<before>[^>]*?)src="data:image/png;base64,(?P<data>[A-Za-z0-9+/=\s]+)"(?P<after>[^>]*)>'
)


def _blocks(css: str) -> list[tuple[str, str | None]]:
    """Split a stylesheet into top-level ``(prelude, body)`` pairs (body without its braces;
    a statement such as ``@charset "UTF-8";`` is ``(statement, None)``).  Braces and
    semicolons inside quoted strings do not count."""
    out: list[tuple[str, str | None]] = []
    depth, quote, start, open_at = 0, "", 0, 0
    for i, c in enumerate(css):
        if quote:
            if c == quote and css[i - 1] != "\\":
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "{":
            if depth == 0:
                open_at = i
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                out.append((css[start:open_at].strip(), css[open_at + 1 : i]))
                start = i + 1
        elif c == ";" and depth == 0:
            out.append((css[start : i + 1].strip(), None))
            start = i + 1
    return out


def _split_selectors(prelude: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, c in enumerate(prelude):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(prelude[start:i])
            start = i + 1
    parts.append(prelude[start:])
    return [p.strip() for p in parts if p.strip()]


def prune_css(css: str, used_classes: set[str]) -> str:
    """The rules of ``css`` that can match a page whose elements use only ``used_classes``.

    A selector is kept when every class it requires (classes inside ``:not(...)`` are not
    required) is used and it does not put ``:root`` inside another element (mkdocs-jupyter's
    scoping turns JupyterLab's ``:root`` rules into such selectors, which match nothing).
    At-rules that hold rules (``@media``, ``@supports``, ``@layer``) are pruned inside; other
    at-rules are kept as they are.
    """
    out = []
    for prelude, body in _blocks(COMMENT.sub("", css)):
        if body is None:
            out.append(prelude)
        elif prelude.startswith(("@media", "@supports", "@layer")):
            inner = prune_css(body, used_classes)
            if inner:
                out.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@"):
            out.append(f"{prelude}{{{body}}}")
        else:
            keep = [s for s in _split_selectors(prelude)
                    if set(CSS_CLASS.findall(NEGATION.sub("", s))) <= used_classes
                    and not UNREACHABLE_ROOT.search(s)]
            if keep:
                out.append(f"{','.join(keep)}{{{body.strip()}}}")
    return "".join(out)


def _png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


def slim_page(html: str, page_dir: Path) -> str:
    """Prune the page's inline styles to its own classes and write its inline PNGs to files in
    ``page_dir`` (named by content hash), returning the new HTML."""
    used = {c for attr in CLASS_ATTR.findall(html) for c in attr.split()}
    html = STYLE.sub(lambda m: f'<style type="text/css">{prune_css(m.group("css"), used)}</style>', html)

    def move(match: re.Match[str]) -> str:
        data = base64.b64decode(match.group("data"))
        name = f"output-{hashlib.sha256(data).hexdigest()[:12]}.png"
        page_dir.mkdir(parents=True, exist_ok=True)
        (page_dir / name).write_bytes(data)
        width, height = _png_size(data)
        rest = re.sub(r'\s*\b(?:width|height|loading)="[^"]*"', "", f'{match.group("before")} {match.group("after")}')
        return f'<img src="{name}" width="{width}" height="{height}" loading="lazy" {rest.strip()}>'

    return DATA_IMAGE.sub(move, html)
