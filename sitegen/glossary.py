"""The glossary: ``docs/glossary.yml``, the page that lists it, and what the search learns from it.

Each entry of ``docs/glossary.yml`` is one term as the site writes it::

    - ko: 경사하강법            # the Korean term, spaced as the prose spaces it
      parts: 경사 하강법        # only for a compound the prose writes solid: the same with its parts spaced
      en: gradient descent
      torch: torch.optim.SGD    # optional: PyTorch's class, function or argument for it
      at: gradient-descent.md#갱신-규칙   # the section that introduces the term

- ``<!-- glossary -->`` (on ``docs/glossary.md``) becomes the table of every term: Korean, English,
  PyTorch, and a link to the section that introduces it (:func:`table_markdown`).
- The search: Material's search matches words by their beginning only, and a Korean compound is
  one word, so "하강법" found nothing and "편향보정" did not find "편향 보정".  At build time each
  term's other forms (:meth:`Term.keys`: the solid form, the last part, the English words) are
  given to the search document of the section that introduces it, in a field the search indexes
  but never shows (``sitegen/material.py``, ``search-keys``).  The browser does no extra work:
  it indexes one more short field.

An entry whose page, section or fields are wrong stops the build with the entry's line
(:func:`load`); CONTRIBUTING.md has the table of mistakes.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from mkdocs.exceptions import PluginError

from sitegen import numbering

FILE = "glossary.yml"
MARKER = re.compile(r"^<!-- glossary -->[ \t]*$", re.MULTILINE)
FIELDS = {"ko", "parts", "en", "torch", "at"}
HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<title>.+?)[ \t]*#*[ \t]*$")
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")


@dataclass(frozen=True)
class Term:
    """One entry of ``docs/glossary.yml`` (see the module docstring); ``line``: where it starts."""

    ko: str
    en: str
    at: str
    torch: str = ""
    parts: str = ""
    line: int = 0

    @property
    def page(self) -> str:
        """The introducing page's file, ``gradient-descent.md``."""
        return self.at.partition("#")[0]

    @property
    def anchor(self) -> str:
        """The introducing section's id (empty: the top of the page)."""
        return self.at.partition("#")[2]

    def variants(self) -> list[str]:
        """What a reader may type for this term: the term, with and without spaces between its
        parts, its last part (when it has parts) and its English term."""
        words = (self.parts or self.ko).split()
        forms = [self.ko, " ".join(words), "".join(words)]
        if len(words) > 1:
            forms.append(words[-1])
        forms.append(self.en)
        return list(dict.fromkeys(forms))

    def words(self) -> list[str]:
        """The term as one search word, when the prose writes it as one (학습률, 경사하강법):
        the search ranks it above every other form (:func:`search_words`)."""
        return [self.ko] if " " not in self.ko else []

    def keys(self) -> list[str]:
        """The other forms the search learns for the introducing section: the solid form of a
        spaced term, the last part and the English words.  (A spaced term's words are in the
        prose already, and its first part is usually a term of its own: 학습률 of 학습률 스케줄.)"""
        words = (self.parts or self.ko).split()
        keys = ["".join(words)] if len(words) > 1 and " " in self.ko else []
        if len(words) > 1:
            keys.append(words[-1])
        keys += self.en.split()
        return list(dict.fromkeys(keys))


def _headings(markdown: str, slugify) -> dict[str, str]:
    """``{id: title}`` of a page's headings (outside code fences), ids as the toc makes them."""
    out: dict[str, str] = {}
    fence = ""
    for line in markdown.splitlines():
        m = FENCE.match(line)
        if m:
            fence = "" if fence and m.group(1).startswith(fence) else (fence or m.group(1)[:3])
            continue
        h = HEADING.match(line)
        if h and not fence:
            title = re.sub(r"`([^`]*)`", r"\1", h.group("title"))
            out.setdefault(slugify(title, "-"), title)
    return out


def load(docs_dir: str | Path, slugify=None) -> list[Term]:
    """The terms of ``docs_dir/glossary.yml``, checked: the fields, no term twice, and (with the
    toc's ``slugify``) that every ``at`` names a page of ``docs_dir`` and one of its headings.
    A mistake is a :class:`PluginError` naming the file, the line and the term."""
    import yaml

    docs = Path(docs_dir)
    path = docs / FILE
    where = f"docs/{FILE}"
    try:
        nodes = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise PluginError(f"{where}: cannot read the glossary: {err}") from None
    if nodes is None or not isinstance(nodes, yaml.SequenceNode):
        raise PluginError(f"{where}: the glossary must be a YAML list of terms")
    terms: list[Term] = []
    seen: dict[str, int] = {}
    headings: dict[str, dict[str, str]] = {}
    for node in nodes.value:
        line = node.start_mark.line + 1
        entry = yaml.safe_load(yaml.serialize(node)) if isinstance(node, yaml.MappingNode) else None
        name = entry.get("ko", "?") if isinstance(entry, dict) else "?"
        at = f"{where}:{line} ({name})"
        if not isinstance(entry, dict):
            raise PluginError(f"{at}: each term is a mapping with ko, en and at (optional parts, torch)")
        unknown = set(entry) - FIELDS
        missing = {"ko", "en", "at"} - set(entry)
        if unknown or missing:
            raise PluginError(f"{at}: unknown field(s) {sorted(unknown)} / missing {sorted(missing)}; "
                              f"the fields are {sorted(FIELDS)}")
        if not all(isinstance(v, str) and v.strip() == v and v for v in entry.values()):
            raise PluginError(f"{at}: every field is a non-empty string without surrounding spaces")
        term = Term(**entry, line=line)
        if term.parts and term.parts.replace(" ", "") != term.ko.replace(" ", ""):
            raise PluginError(f"{at}: parts {term.parts!r} must be the term {term.ko!r} with spaces between its parts")
        if term.ko in seen:
            raise PluginError(f"{at}: {term.ko!r} is already the term of line {seen[term.ko]}")
        seen[term.ko] = line
        if not (term.page.endswith(".md") and (docs / term.page).is_file()):
            raise PluginError(f"{at}: at {term.at!r} must be a page of docs/ (page.md or page.md#section-id)")
        if slugify is not None and term.anchor:
            if term.page not in headings:
                headings[term.page] = _headings((docs / term.page).read_text(encoding="utf-8"), slugify)
            if term.anchor not in headings[term.page]:
                raise PluginError(f"{at}: docs/{term.page} has no heading with the id {term.anchor!r}")
        terms.append(term)
    return terms


def chapters(nav) -> set[str]:
    """The chapter pages: those whose title in nav starts with their number (``3. 경사하강법``)."""
    return set(numbering.chapters(nav))


def table_markdown(terms: list[Term], docs_dir: str | Path, nav, slugify, page_src: str = "glossary.md") -> str:
    """The glossary page's table: one row a term, linked to the section that introduces it."""
    titles = numbering.nav_titles(nav)
    headings: dict[str, dict[str, str]] = {}
    rows = ["| 한국어 | 영어 | PyTorch | 처음 나오는 곳 |", "| --- | --- | --- | --- |"]
    for term in terms:
        if term.page not in headings:
            headings[term.page] = _headings((Path(docs_dir) / term.page).read_text(encoding="utf-8"), slugify)
        chapter = titles.get(term.page, term.page)
        number = chapter.split(".", 1)[0]
        label = f"{number}장" if number.isdigit() else chapter
        if term.anchor:
            label += f": {headings[term.page][term.anchor]}"
        link = posixpath.relpath(term.page, posixpath.dirname(page_src) or ".") + (f"#{term.anchor}" if term.anchor else "")
        torch = f"`{term.torch}`" if term.torch else ""
        rows.append(f"| {term.ko} | {term.en} | {torch} | [{_cell(label)}]({link}) |")
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    """Text that may stand in a Markdown table cell and a link's text."""
    return text.replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")


#: the two search fields (mkdocs.yml, ``search: fields:``): a term as written, and its other forms
WORDS, KEYS = "words", "keys"
NUMBER = re.compile(r"^\d+\.\s*")
PARTICLE = re.compile(r"(?<=\w\w)[와과의은는이가을를]$")
SEPARATOR = re.compile(r"[\s\-()\[\]{}.,:;!?·/\"'“”‘’「」]+")


def search_words(terms: list[Term], urls: dict[str, str], titles: dict[str, str],
                 chapters: set[str]) -> dict[str, dict[str, list[str]]]:
    """``{search location: {field: words}}`` for Material's search index.

    - :data:`WORDS`: each one-word term (:meth:`Term.words`) at the section that introduces it,
      and each chapter's title words (a particle cut off: "SGD와" -> SGD) at the chapter's page
      (``titles``: page file -> the page's title, ``chapters``: the pages numbered in the nav),
      except a title word that begins with a term introduced on another page (so that
      "경사하강법" leads to chapter 3, not to chapter 5's "확률적 경사하강법과 미니배치").
    - :data:`KEYS`: the other forms of each term (:meth:`Term.keys`) at its section.

    ``urls``: page file -> its URL (``gradient-descent/``)."""
    out: dict[str, dict[str, list[str]]] = {}

    def add(location: str, field: str, words: list[str]) -> None:
        have = out.setdefault(location, {WORDS: [], KEYS: []})[field]
        have += [w for w in words if w not in have]

    home = {term.ko: term.page for term in terms if term.words()}
    for page, title in titles.items():
        if page in chapters and page in urls:
            words = [PARTICLE.sub("", w) for w in SEPARATOR.split(NUMBER.sub("", title)) if w]
            add(urls[page], WORDS, [w for w in words
                                    if not any(w.startswith(t) and p != page for t, p in home.items())])
    for term in terms:
        location = urls[term.page] + (f"#{term.anchor}" if term.anchor else "")
        add(location, WORDS, term.words())
        add(location, KEYS, term.keys())
    return {loc: {f: w for f, w in fields.items() if w} for loc, fields in out.items()}
