"""Figure and equation numbers per chapter, and the references to them from the prose.

A chapter is a page whose title in ``nav`` (mkdocs.yml) starts with its number, ``3. 경사하강법``.
Its figures (``<!-- figure ID -->``) are numbered in page order, 그림 3.1, 그림 3.2, ...; an
equation is numbered when its display block carries a label, 식 (3.1), (3.2), ...::

    $$
    \\mathbf x_{n+1} = \\mathbf x_n - \\eta\\, \\nabla f(\\mathbf x_n) \\label{gd-update}
    $$

(the block starts at the line's first column).  The prose refers to either with a link whose text
is left empty, and the build writes the number in::

    [](#fig7)                  ->  [그림 3.1](#fig7)
    [](#eq-gd-update)          ->  [식 (3.1)](#eq-gd-update)
    [](momentum.md#fig12)      ->  [그림 6.1](momentum.md#fig12)

MkDocs then checks the link and its anchor as it checks every other.  An empty link to something
that has no number, or a label on a page that is not a numbered chapter, is an author's mistake:
a ``PluginError`` naming the page and line.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from mkdocs.exceptions import PluginError

from sitegen.markers import FIGURE_MARKER
from sitegen.util import line_of, project_path

CHAPTER_TITLE = re.compile(r"^(?P<n>\d+)\.\s")
#: a display block at the start of a line, ``$$`` alone on its first and last lines
DISPLAY = re.compile(r"^\$\$[ \t]*\n(?P<body>.*?)\n\$\$[ \t]*$", re.MULTILINE | re.DOTALL)
LABEL = re.compile(r"[ \t]*\\label\{(?P<name>[\w-]+)\}")
#: a Markdown link with empty text to an anchor on this page or on another page, and the particle
#: that may follow it (its form depends on how the number is read: 3.1은 "삼 점 일은", 3.2는)
EMPTY_REF = re.compile(r"\[\]\((?P<page>[\w./-]*\.md)?#(?P<anchor>[\w-]+)\)(?P<particle>으로|[은는이가을를와과로])?")
#: the particle after a number read in Korean, by its last digit: 영 일 이 삼 사 오 육 칠 팔 구
AFTER_CONSONANT = {"는": "은", "가": "이", "를": "을", "와": "과"}
ENDS_IN_CONSONANT = set("013678")
ENDS_IN_RIEUL = set("178")  # 일 칠 팔: 로, not 으로


@dataclass
class Numbers:
    """Every number of the site: ``{(page src_uri, anchor): "3.2"}``; an anchor ``eq-LABEL`` is
    an equation, any other a figure."""

    numbers: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def names(self) -> dict[tuple[str, str], str]:
        """``{(page, anchor): "그림 3.2" or "식 (3.1)"}``, as the prose reads them."""
        return {key: f"식 ({n})" if key[1].startswith("eq-") else f"그림 {n}" for key, n in self.numbers.items()}

    def figure_number(self, src_uri: str, fig_id: str) -> str | None:
        """``3.2`` for a figure of a numbered chapter, ``None`` elsewhere."""
        return self.numbers.get((src_uri, fig_id))


def nav_titles(nav) -> dict[str, str]:
    """``{src_uri: its title in nav}`` (``"gradient-descent.md": "3. 경사하강법"``)."""
    out: dict[str, str] = {}

    def walk(items) -> None:
        for item in items or []:
            if isinstance(item, dict):
                for title, value in item.items():
                    if isinstance(value, str):
                        out[value] = str(title)
                    else:
                        walk(value)

    walk(nav)
    return out


def chapters(nav) -> dict[str, int]:
    """``{src_uri: chapter number}`` for the pages of ``nav`` whose title starts with a number."""
    return {page: int(m.group("n")) for page, title in nav_titles(nav).items() if (m := CHAPTER_TITLE.match(title))}


def count(pages, config) -> Numbers:
    """Number the figures and labelled equations of ``pages`` (MkDocs files) by ``config.nav``."""
    numbered = chapters(config["nav"])
    numbers = Numbers()
    for file in pages:
        text = file.content_string
        chapter = numbered.get(file.src_uri)
        figures = FIGURE_MARKER.findall(text)
        labels = [LABEL.search(m.group("body")) for m in DISPLAY.finditer(text)]
        labels = [m.group("name") for m in labels if m]
        if chapter is None:
            if labels:
                line = text.count("\n", 0, text.index("\\label{" + labels[0])) + 1
                raise PluginError(f"{project_path(config, file.abs_src_path)}:{line}: equation label "
                                  f"{labels[0]!r} on a page that is not a numbered chapter (its nav title "
                                  "must start with its number, e.g. '3. 경사하강법')")
            continue
        for k, fig_id in enumerate(figures, start=1):
            numbers.numbers[(file.src_uri, fig_id)] = f"{chapter}.{k}"
        for k, name in enumerate(labels, start=1):
            key = (file.src_uri, f"eq-{name}")
            if key in numbers.numbers:
                raise PluginError(f"{project_path(config, file.abs_src_path)}: equation label {name!r} is used twice")
            numbers.numbers[key] = f"{chapter}.{k}"
    return numbers


def number_equations(markdown: str, page, numbers: Numbers) -> str:
    """Each labelled display block gets its number beside it and an anchor ``eq-LABEL``."""

    def one(m: re.Match) -> str:
        label = LABEL.search(m.group("body"))
        if label is None:
            return m.group(0)
        number = numbers.numbers[(page.file.src_uri, f"eq-{label.group('name')}")]
        body = LABEL.sub("", m.group("body"), count=1).rstrip()
        # the number beside the math, not KaTeX's \tag: a tag is laid over the line and covers
        # a wide equation on a phone; here the math scrolls in its own box and the number stays
        return (f'<div class="gd-eq" id="eq-{label.group("name")}" markdown="block">\n\n'
                f'$$\n{body}\n$$\n\n<div class="gd-eq__number">({number})</div>\n</div>')

    return DISPLAY.sub(one, markdown)


def fill_references(markdown: str, page, config, numbers: Numbers) -> str:
    """``[](#fig7)`` becomes ``[그림 3.2](#fig7)``; an empty link to anything else fails."""
    here = page.file.src_uri
    names = numbers.names

    def one(m: re.Match) -> str:
        target = target_page(here, m.group("page"))
        name = names.get((target, m.group("anchor")))
        if name is None:
            raise PluginError(f"{line_of(page, m.group(0), config)}: the empty link {m.group(0)} names no numbered "
                              f"figure or equation of {target} (write [](#FIGURE_ID), [](#eq-LABEL) or "
                              "[](page.md#FIGURE_ID))")
        particle = m.group("particle") or ""
        if particle and particle != (right := _particle(name[-1] if name[-1].isdigit() else name[-2], particle)):
            raise PluginError(f"{line_of(page, m.group(0), config)}: {m.group(0)} reads '{name}{particle}'; "
                              f"write '{right}' after it ('{name}{right}')")
        return f"[{name}]({m.group('page') or ''}#{m.group('anchor')}){particle}"

    return EMPTY_REF.sub(one, markdown)


def target_page(here: str, page: str | None) -> str:
    """The page a link on ``here`` (``gradient.md``) names: ``page`` relative to it, or ``here``."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(here), page)) if page else here


def _particle(digit: str, particle: str) -> str:
    """The form of ``particle`` that follows a number ending in ``digit`` (read in Sino-Korean)."""
    vowel_form = {v: k for k, v in AFTER_CONSONANT.items()}.get(particle, particle)
    if particle in ("로", "으로"):
        return "으로" if digit in ENDS_IN_CONSONANT - ENDS_IN_RIEUL else "로"
    return AFTER_CONSONANT[vowel_form] if digit in ENDS_IN_CONSONANT else vowel_form
