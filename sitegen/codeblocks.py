"""Code blocks carry their line count, for site.css's off-screen skipping.

site.css leaves an off-screen code block unrendered (``content-visibility: auto``) and reserves
its height from this count, so the page does not jump when the block is rendered on the way down.
"""

from __future__ import annotations

import re

CODE_BLOCK = re.compile(r'<div class="highlight">(?P<inner>.*?</code></pre>)', re.DOTALL)


def count_code_lines(html_text: str) -> str:
    """Give each highlighted code block its line count (``style="--gd-code-lines: N"``)."""

    def tag(match: re.Match) -> str:
        code = match["inner"].rsplit("<code>", 1)[-1]
        lines = code.count("\n") + (not code.removesuffix("</code></pre>").endswith("\n"))
        return f'<div class="highlight" style="--gd-code-lines: {lines}">{match["inner"]}'

    return CODE_BLOCK.sub(tag, html_text)
