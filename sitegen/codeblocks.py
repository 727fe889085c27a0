"""Code blocks carry their line count, for site.css's off-screen skipping; outputs are marked.

site.css leaves an off-screen code block unrendered (``content-visibility: auto``) and reserves
its height from this count, so the page does not jump when the block is rendered on the way down.

A block of expected output (the fence after ``<!--pytest-codeblocks:expected-output-->``) gets
the classes ``gd-output`` (site.css wraps its lines: on a phone a reader sees the whole output
without scrolling) and ``no-copy`` (Material gives it no copy button: an output is read, not
pasted).  Only the page MkDocs renders changes; pytest-codeblocks reads the Markdown file.
"""

from __future__ import annotations

import re

OUTPUT_FENCE = re.compile(r"^(?P<mark><!--pytest-codeblocks:expected-output-->[ \t]*\n\s*?\n?)```(?P<lang>\w*)[ \t]*$",
                          re.MULTILINE)
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
