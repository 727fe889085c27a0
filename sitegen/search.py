"""What Material's search index sees of a page: its text, not its typesetting.

:func:`for_search` gives the page as the search plugin should index it (formulas as plain text
such as ``gₜ = ∇f(θₜ₋₁)``, no code folds under the figures, code blocks without their highlighting
spans).  The glossary adds the words a reader may type for each term (``sitegen/glossary.py``).
:class:`SearchView` swaps it in as ``page.content`` just before Material's search plugin reads
the page (``on_page_context``, priority 100) and puts the rendered page back just after it
(priority -100), so the template still renders the real page.

When the index is downloaded (only once the reader turns to the search) is one of Material's
workarounds, with the others in ``sitegen/material.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mkdocs.plugins import CombinedEvent, event_priority

CODE_FOLD = re.compile(r'<details class="example gd-code">.*?</details>', re.DOTALL)
#: the download and Colab buttons under a chapter's title (sitegen/export.py): the same words on every page
NOTEBOOK_BUTTONS = re.compile(r'<p class="gd-notebook-links">.*?</p>', re.DOTALL)
PRE = re.compile(r"<pre\b.*?</pre>", re.DOTALL)
SPAN_TAG = re.compile(r"</?span\b[^>]*>")
#: what a notebook page holds besides its text: its styles and scripts, the In/Out prompts and the
#: copy button's "Copied!" notice (mkdocs-jupyter)
NOTEBOOK_CHROME = re.compile(
    r"<(style|script)\b.*?</\1>|<div class=\"jp-(?:Input|Output)Prompt[^\"]*\">.*?</div>"
    r"|<span class=\"notice\" hidden=\"\">.*?</span>", re.DOTALL)


def for_search(html_text: str) -> str:
    """The page as Material's search plugin should index it: formulas as plain text (what a
    result's preview shows; KaTeX's markup would hold each formula three times over);
    no code folds under the figures (how a figure was drawn is not what a reader searches for)
    and no notebook buttons;
    code blocks without their highlighting spans (the index drops them anyway); on a notebook page,
    no styles, scripts, In/Out prompts or copy notices (:data:`NOTEBOOK_CHROME`), which a result's
    preview would otherwise show.  The index is smaller, the parser reads a third of the tags, and
    what remains is the same text.

    ``html_text`` already has its formulas as plain text (``Katex.render_html``'s second result)."""
    html_text = NOTEBOOK_BUTTONS.sub("", NOTEBOOK_CHROME.sub("", CODE_FOLD.sub("", html_text)))
    return PRE.sub(lambda m: SPAN_TAG.sub("", m.group(0)), html_text)


class SearchView:
    """The pages' search text of one build, and the swap around Material's search plugin."""

    def __init__(self) -> None:
        self.plain: dict[str, str] = {}  # src_uri -> the page's HTML as the search plugin should see it
        self.rendered: dict[str, str] = {}  # src_uri -> the real content while the search reads the plain

    def remember(self, page, plain_html: str) -> None:
        """Keep what the search should see of ``page`` (its HTML with formulas as TeX)."""
        self.plain[page.file.src_uri] = for_search(plain_html)

    def before_index(self, page) -> None:
        plain = self.plain.get(page.file.src_uri)
        if plain is not None:
            self.rendered[page.file.src_uri] = page.content
            page.content = plain

    def after_index(self, page) -> None:
        content = self.rendered.pop(page.file.src_uri, None)
        if content is not None:
            page.content = content


def page_context_event(view: Callable[[], SearchView]) -> CombinedEvent:
    """An ``on_page_context`` event for the hooks: the swap around Material's search plugin, on
    the :class:`SearchView` that ``view()`` gives (the current build's)."""

    @event_priority(100)  # before Material's search plugin indexes page.content ...
    def search_sees_plain(context, page, config, nav):
        view().before_index(page)
        return context

    @event_priority(-100)  # ... and the real content back for the template, after it
    def template_sees_rendered(context, page, config, nav):
        view().after_index(page)
        return context

    return CombinedEvent(search_sees_plain, template_sees_rendered)
