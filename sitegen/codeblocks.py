"""Code blocks carry their line count, for site.css's off-screen skipping; outputs are marked.

site.css leaves an off-screen code block unrendered (``content-visibility: auto``) and reserves
its height from this count, so the page does not jump when the block is rendered on the way down.

A block of expected output (the fence after ``<!--pytest-codeblocks:expected-output-->``) gets
the classes ``gd-output`` (site.css wraps its lines: on a phone a reader sees the whole output
without scrolling) and ``no-copy`` (Material gives it no copy button: an output is read, not
pasted).  Only the page MkDocs renders changes; pytest-codeblocks reads the Markdown file.

Highlighting is cached (:class:`HighlightCache`): Pygments took a third of a warm build's
Markdown time to colour the same few hundred blocks again.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from sitegen.util import ROOT, atomic_write

OUTPUT_FENCE = re.compile(r"^(?P<mark>(?P<indent>[ \t]*)<!--pytest-codeblocks:expected-output-->[ \t]*\n\s*?\n?"
                          r"(?P=indent))```(?P<lang>\w*)[ \t]*$", re.MULTILINE)  # also in a fold (indented)
CODE_BLOCK = re.compile(r'<div class="highlight">(?P<inner>.*?</code></pre>)', re.DOTALL)


def count_code_lines(html_text: str) -> str:
    """Give each highlighted code block its line count (``style="--gd-code-lines: N"``)."""

    def tag(match: re.Match) -> str:
        code = match["inner"].rsplit("<code>", 1)[-1]
        lines = code.count("\n") + (not code.removesuffix("</code></pre>").endswith("\n"))
        return f'<div class="highlight" style="--gd-code-lines: {lines}">{match["inner"]}'

    return CODE_BLOCK.sub(tag, html_text)


def mark_outputs(markdown: str) -> str:
    """Every expected-output fence gets the classes ``gd-output`` and ``no-copy``."""
    return OUTPUT_FENCE.sub(lambda m: f"{m['mark']}``` {{ .{m['lang'] or 'text'} .gd-output .no-copy }}", markdown)


class HighlightCache:
    """Pygments' HTML for each code block, kept in ``.cache/highlight/`` between builds.

    :meth:`install` wraps ``pymdownx.highlight.Highlight.highlight`` (what SuperFences calls for
    every fence): the same source, language, options and settings give the same HTML, read from
    the cache; the file is named by the Pygments and pymdown-extensions versions.  A block with a
    title is not cached (its title goes to Markdown's HTML stash, which belongs to one page).
    """

    def __init__(self, cache_dir: Path = ROOT / ".cache" / "highlight") -> None:
        from importlib.metadata import version

        self.path = cache_dir / f"pygments-{version('pygments')}-pymdownx-{version('pymdown-extensions')}.json"
        self.entries: dict[str, str] = {}
        self.new = 0
        self.original = None

    def install(self) -> None:
        from pymdownx.highlight import Highlight

        if self.original is not None:
            return
        if self.path.exists():
            self.entries = json.loads(self.path.read_text(encoding="utf-8"))
        self.original = original = Highlight.highlight
        cache = self

        def highlight(self, src, language, *args, **kwargs):
            if kwargs.get("title") or len(args) >= 10 and args[9]:  # highlight(src, language, css_class, ..., title)
                return original(self, src, language, *args, **kwargs)
            settings = {k: v for k, v in sorted(vars(self).items()) if k != "md"}
            key = hashlib.sha256(repr((settings, src, language, args, sorted(kwargs.items()))).encode()).hexdigest()
            if key not in cache.entries:
                cache.entries[key] = original(self, src, language, *args, **kwargs)
                cache.new += 1
            return cache.entries[key]

        Highlight.highlight = highlight

    def save(self) -> None:
        """Write the cache if this build added to it."""
        if self.new:
            atomic_write(self.path, json.dumps(self.entries, ensure_ascii=False).encode("utf-8"))
            self.new = 0
