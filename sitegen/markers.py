"""The one-line markers a page places, expanded into Markdown before MkDocs renders the page.

- ``<!-- figure ID -->`` becomes the figure's light and dark images, its Korean caption and a fold
  with the code that drew it (``sitegen/figures``).
- ``<!-- table ID -->`` becomes a Markdown table computed at build time (``sitegen.figures.table``),
  cached like the figures, with the code that computed it.
- ``<!-- explorer NAME -->`` becomes the optimizer explorer (``sitegen/explorer.py``).
- ``<!-- source gdcore.optim.SGD.step -->`` becomes that object's code, read from gdcore itself
  (one source of truth: a page shows the code that runs, never a copy of it).
- ``<!-- youtube VIDEO_ID "제목" channel="…" lang="영어" length="12:34" -->`` becomes a placeholder
  that loads the video only on a click (``docs/assets/js/site.js``), so a page load makes no
  request to another host; title, channel, language and length are written beside it, as typed
  in the marker (nothing is fetched).  ``?`` stands for a fact the author could not check: the
  page then says it is unknown.
- ``<!-- repository -->`` becomes how to get the repository the site was built from
  (``sitegen/repository.py``): its address and ``git clone``, or, when it is unknown (a local
  build), where the reader already has it.

Each marker stands alone on its line.  An author's mistake (an unknown id, a misspelt marker) is a
``PluginError`` whose one line names the page and line (``docs/gradient.md:12: unknown figure id
'fig4-99' ...``); CONTRIBUTING.md has the table of mistakes and what each gives.
"""

from __future__ import annotations

import html
import importlib
import inspect
import posixpath
import re
import textwrap
from collections.abc import Callable
from pathlib import Path

from mkdocs.exceptions import PluginError

from sitegen.util import ROOT, line_of, project_path

FIGURE_MARKER = re.compile(r"^<!-- figure (?P<id>[\w.-]+) -->[ \t]*$", re.MULTILINE)
TABLE_MARKER = re.compile(r"^<!-- table (?P<id>[\w.-]+) -->[ \t]*$", re.MULTILINE)
SOURCE_MARKER = re.compile(r"^<!-- source (?P<name>gdcore(?:\.\w+)+) -->[ \t]*$", re.MULTILINE)
REPOSITORY_MARKER = re.compile(r"^<!-- repository -->[ \t]*$", re.MULTILINE)
ANSWER_MARKER = re.compile(r"^<!-- answer (?P<id>[\w-]+) -->[ \t]*$", re.MULTILINE)
VIDEO_MARKER = re.compile(r'^<!-- youtube (?P<id>[\w-]{11}) "(?P<title>[^"]+)" channel="(?P<channel>[^"]+)" '
                          r'lang="(?P<lang>[^"]+)" length="(?P<length>\?|\d{1,2}:\d{2}(?::\d{2})?)" -->[ \t]*$',
                          re.MULTILINE)
#: a line that looks like one of our markers; one left after the expansions is a mistake
ANY_MARKER = re.compile(r"^[ \t]*<!--[ \t]*(?:figure|table|explorer|source|youtube|repository|glossary|answer)\b.*$",
                        re.MULTILINE)


def expand(markdown: str, page, config, figure_paths: dict[str, Path],
           numbers: Callable[[str], str | None] = lambda fig_id: None) -> str:
    """Every marker of ``page`` expanded; ``figure_paths``: ``{output name: drawn file}``;
    ``numbers``: a figure's number on this page (``"3.2"``), ``None`` outside the chapters."""
    shown: dict[tuple[str, int], str] = {}  # the page's helpers whose code a fold already shows
    markdown = FIGURE_MARKER.sub(
        lambda m: figure_block(m.group("id"), page, config, figure_paths, numbers(m.group("id")), shown), markdown)
    markdown = TABLE_MARKER.sub(lambda m: table_block(m.group("id"), page, config, shown), markdown)
    markdown = SOURCE_MARKER.sub(lambda m: source_block(m.group("name"), page, config), markdown)
    from sitegen import explorer  # imported afresh: a rebuild of `mkdocs serve` reloads it with gdcore

    markdown = explorer.expand_markers(markdown, page.file.url)
    markdown = VIDEO_MARKER.sub(lambda m: video_block(**m.groupdict()), markdown)
    markdown = REPOSITORY_MARKER.sub(lambda m: repository_block(config), markdown)
    markdown = expand_answers(markdown, page, config)
    left = ANY_MARKER.search(markdown)
    if left is not None:  # a marker none of the patterns above took: misspelt, or with a bad id
        raise PluginError(
            f"{line_of(page, left.group(0), config)}: malformed marker {left.group(0).strip()!r}; the markers are "
            '<!-- figure ID -->, <!-- table ID -->, <!-- explorer NAME -->, <!-- source gdcore.NAME -->, '
            '<!-- youtube VIDEO_ID "제목" channel="채널" lang="언어" length="분:초" -->, <!-- repository -->, '
            '<!-- answer ID -->, '
            'each alone on its line'
        )
    return markdown


def figure_block(fig_id: str, page, config, figure_paths: dict[str, Path], number: str | None = None,
                 shown: dict[tuple[str, int], str] | None = None) -> str:
    """The figure's two images, its numbered caption (``number``: ``"3.2"``) and its code fold."""
    from sitegen import figures

    spec = figures.REGISTRY.get(fig_id)
    if spec is None:
        raise PluginError(f"{line_of(page, f'<!-- figure {fig_id} -->', config)}: unknown figure id {fig_id!r} "
                          "(figures are registered with @figure in sitegen/figures/*.py)")
    base = posixpath.relpath("assets/figures", posixpath.dirname(page.file.src_uri) or ".")
    images = []
    for theme in figures.THEMES:
        name = figures.output_name(spec, theme)
        width, height = figures.pixel_size(figure_paths[name])
        images.append(
            f'![{html.escape(spec.alt)}]({base}/{name}#only-{theme.name})'
            f'{{ width="{width}" height="{height}" loading="lazy" }}'
        )
    label = f"**그림 {number}**" if number else "**그림**"
    post = f' <span class="gd-figure__post">원 글 {spec.post_id}</span>' if spec.post_id else ""
    return (
        f'<figure class="gd-figure" id="{fig_id}" markdown="span">\n'
        + "\n".join(images)
        + f'\n<figcaption markdown="span">{label} {spec.caption}{post}</figcaption>\n'
        + "</figure>\n\n"
        + code_fold("이 그림을 그린 코드", fig_id, spec, config, shown)
    )


def code_fold(title: str, anchor: str, spec, config, shown: dict[tuple[str, int], str] | None = None) -> str:
    """A closed fold with the function's code first, then the helpers it calls.

    The code is plain text, not coloured: the fold is closed until a reader opens it, yet its bytes
    come with the page, and Pygments' spans tripled them (Lighthouse's first paint moves with the
    page's size; /weight-initialization/ has ten folds).

    Helpers from ``sitegen/`` are shown in the fold, each with an anchor the list links to; a
    helper whose code an earlier fold of the page already shows (``shown``: (file, line) -> its
    anchor) is linked there instead of shown again (seven histograms share one helper: its code
    once, not seven times, in a page that is already heavy).  gdcore's are linked to their file on
    GitHub at the built commit (or named by file and line when the repository is unknown).
    """
    shown = {} if shown is None else shown
    from sitegen import repository

    module = spec.module_file.relative_to(ROOT).as_posix()
    body = [f"```text\n{spec.body().rstrip()}\n```"]
    repo = repository.repository(config["extra"].get("repository", ""))
    names, blocks = [], []
    for helper in spec.helpers:
        where = f"{helper['path']} {helper['line']}행"
        key = (helper["path"], helper["line"])
        if helper["code"] and key in shown:  # shown in an earlier fold of this page
            target = f"#{shown[key]}"
        elif helper["code"]:  # the site's own helper: its code follows in this fold
            hid = shown[key] = f"{anchor}--{helper['name'].replace('.', '-')}"
            target = f"#{hid}"
            blocks += [f'<p class="gd-helper" id="{hid}" markdown="span">`{helper["name"]}` — `{helper["path"]}` '
                       f"{helper['line']}행</p>", f"```text\n{textwrap.dedent(helper['code']).rstrip()}\n```"]
        else:  # gdcore's: its line on GitHub, if the repository is known
            target = repository.source_url(repo, helper["path"], helper["line"])
        names.append(f"[`{helper['name']}`]({target}) ({where})" if target else f"`{helper['name']}` ({where})")
    if names:
        body += ["이 함수가 부르는 이 저장소의 코드: " + ", ".join(names), *blocks]
    inner = textwrap.indent("\n\n".join(body), "    ")
    return f'??? example gd-code "{title} — `{module}`"\n\n{inner}\n'


def table_block(table_id: str, page, config, shown: dict[tuple[str, int], str] | None = None) -> str:
    from sitegen import figures

    if table_id not in figures.TABLES:
        raise PluginError(f"{line_of(page, f'<!-- table {table_id} -->', config)}: unknown table id {table_id!r} "
                          "(tables are registered with @table in sitegen/figures/*.py)")
    spec = figures.TABLES[table_id]
    try:
        table = figures.table_markdown(table_id)
    except figures.FigureError as err:
        raise PluginError(str(err)) from None
    return table + "\n\n" + code_fold("이 표를 계산한 코드", f"table-{table_id}", spec, config, shown)


def expand_answers(markdown: str, page, config) -> str:
    """Each ``<!-- answer ID -->`` becomes the form that checks a reader's answer in the browser.

    The answer and its tolerance are computed at build time (:func:`sitegen.figures.answer`) and
    written into the form; ``docs/assets/js/site.js`` (on every page, nothing at load: one
    ``submit`` listener) reads a number typed with a point or a comma or in scientific notation,
    says right or wrong in a live region, and opens the hint that follows the form after a wrong
    answer.  Without JavaScript site.css hides the form (``html.no-js``): the exercise is its
    question, its hint and its folded solution.  (A script of its own, run at load to show the
    forms, cost /weight-initialization/ two Lighthouse points.)
    """
    import json

    from sitegen import figures

    def one(m: re.Match) -> str:
        answer_id = m.group("id")
        table_id = figures.ANSWER_PREFIX + answer_id
        if table_id not in figures.TABLES:
            raise PluginError(f"{line_of(page, m.group(0), config)}: unknown answer id {answer_id!r} "
                              "(answers are registered with @answer in sitegen/figures/*.py)")
        try:
            data = json.loads(figures.table_markdown(table_id))
        except figures.FigureError as err:
            raise PluginError(str(err)) from None
        return answer_form(answer_id, data["value"], data["tol"])

    return ANSWER_MARKER.sub(one, markdown)


def answer_form(answer_id: str, value: float, tol: float) -> str:
    """The form of one numeric exercise (site.css hides it without JavaScript)."""
    name = f"answer-{answer_id}"
    return (
        f'<form class="gd-answer" id="{name}" data-answer="{value!r}" data-tol="{tol!r}">\n'
        f'<label for="{name}-input">답</label>\n'
        f'<input id="{name}-input" type="text" inputmode="decimal" autocomplete="off" spellcheck="false" '
        f'aria-describedby="{name}-how">\n'
        f'<button type="submit" class="md-button">확인</button>\n'
        f'<span class="gd-answer__how" id="{name}-how">허용 오차 ±{tol:g}. 0,5처럼 쉼표로, 1e-3처럼 지수로 써도 됩니다.</span>\n'
        f'<p class="gd-answer__result" role="status" aria-live="polite"></p>\n'
        "</form>\n"
    )


ANSWER_FORM = re.compile(r'<form class="gd-answer" id="(?P<id>[\w-]+)"')
HINT = re.compile(r'<details class="tip"[^>]*>\s*<summary>.*?</summary>(?P<body>.*?)</details>', re.DOTALL)


def with_hints(rendered: str, plain: str) -> str:
    """Each answer form of a rendered page, given the text of the hint that follows it (``data-hint``),
    taken from ``plain`` (the page with its formulas as text, :func:`sitegen.katex.readable`):
    what site.js announces after a wrong answer, formulas read once (``√κ = 10``)."""
    hints: dict[str, str] = {}
    for m in ANSWER_FORM.finditer(plain):
        hint = HINT.search(plain, m.end())
        after_form = plain.find("</form>", m.end())
        between = plain[after_form:hint.start()] if hint else ""
        if hint and not re.search(r"<(?:h\d|form)\b", between):  # the hint right after this form
            text = re.sub(r"</?(?:p|li|ul|ol|div|br)\b[^>]*>", " ", hint.group("body"))  # blocks apart
            text = html.unescape(re.sub(r"<[^>]+>", "", text))  # a formula joins its particle: λ인
            hints[m.group("id")] = re.sub(r"\s+", " ", text).strip()
    return ANSWER_FORM.sub(
        lambda m: m.group(0) + (f' data-hint="{html.escape(hints[m.group("id")])}"' if m.group("id") in hints else ""),
        rendered)


def source_code(dotted: str) -> tuple[str, int, str] | None:
    """``(path, first line, code)`` of a gdcore object (module, class, function or method), read
    from gdcore itself; ``None`` when there is no such object."""
    parts = dotted.split(".")
    obj = None
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        try:
            for attr in parts[split:]:
                obj = getattr(obj, attr)
        except AttributeError:
            obj = None
        break
    if obj is None:
        return None
    lines, start = inspect.getsourcelines(obj)
    path = Path(inspect.getfile(obj)).resolve().relative_to(ROOT)
    return path.as_posix(), start, textwrap.dedent("".join(lines).rstrip())


def source_block(dotted: str, page, config) -> str:
    """The code of a gdcore object (module, class, function or method) as a titled code block."""
    found = source_code(dotted)
    if found is None:
        raise PluginError(f"{line_of(page, f'<!-- source {dotted} -->', config)}: no {dotted!r} in gdcore "
                          "for a source marker (write <!-- source gdcore.module.Name -->)")
    path, start, code = found
    fence = "````" if "```" in code else "```"
    return f'{fence}python title="{path} ({start}행~)"\n{code}\n{fence}'


def video_block(id: str, title: str, channel: str, lang: str, length: str) -> str:
    """The click-to-load placeholder, with what the reader needs to decide: title, channel, language, length."""
    facts = [("채널", channel), ("언어", lang), ("길이", length)]
    known = " · ".join(f"{name} {html.escape(value)}" for name, value in facts if value != "?")
    unknown = [name for name, value in facts if value == "?"]
    if unknown:
        known += (" · " if known else "") + f"{'·'.join(unknown)}: 원 글에 없어 확인하지 못함"
    title = html.escape(title)
    return (
        f'<div class="yt-embed" data-youtube-id="{id}">'
        f'<button type="button" class="yt-embed__play" aria-label="동영상 재생: {title}">'
        '<span class="yt-embed__icon" aria-hidden="true">▶</span>'
        f'<span class="yt-embed__title">{title}</span>'
        '<span class="yt-embed__note">누르면 YouTube(youtube-nocookie.com)에서 영상을 불러옵니다.</span>'
        "</button>"
        f'<a class="yt-embed__link" href="https://www.youtube.com/watch?v={id}">'
        "YouTube에서 보기</a></div>\n"
        f'<p class="yt-embed__facts">YouTube 동영상 「{title}」 · {known}</p>'
    )


def repository_block(config) -> str:
    """Where the reader gets the code: the repository's address and ``git clone``, when known."""
    from sitegen import repository

    repo = repository.repository(config["extra"].get("repository", ""))
    if not repo:
        return ("이 사이트는 저장소 주소를 모르는 채로(내 컴퓨터에서) 빌드되었습니다. 이 사이트를 띄운 폴더가 바로 그 저장소이니, "
                "그 폴더에서 아래 명령을 실행하면 됩니다.")
    url = f"https://github.com/{repo}"
    name = repo.split("/")[1]
    return (f"코드는 GitHub 저장소 [{repo}]({url})에 있습니다(머리말 오른쪽 위의 링크도 같은 곳입니다). "
            f"내려받아 그 폴더로 들어갑니다.\n\n```shell\ngit clone {url}.git\ncd {name}\n```\n\n"
            "그 폴더에서 아래 명령을 실행합니다.")


def explorer_presets(pages, config) -> list[str]:
    """The explorer presets the pages use; an unknown name fails, naming its page and line."""
    from sitegen import explorer

    used: set[str] = set()
    for file in pages:
        text = file.content_string
        for marker in explorer.MARKER.finditer(text):
            name = marker.group("name")
            if name not in explorer.PRESETS:
                line = text.count("\n", 0, marker.start()) + 1
                raise PluginError(f"{project_path(config, file.abs_src_path)}:{line}: unknown explorer preset "
                                  f"{name!r}; known: {', '.join(explorer.PRESETS)}")
            used.add(name)
    return sorted(used)
