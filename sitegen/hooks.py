"""MkDocs hooks of the site (listed under ``hooks:`` in mkdocs.yml).

- ``<!-- figure ID -->`` on a line of its own becomes the figure's light and dark images, its
  Korean caption and a fold with the code that drew it (see ``sitegen/figures``).
- ``<!-- youtube VIDEO_ID "제목" -->`` becomes a placeholder that loads the video only on a click
  (``docs/assets/js/site.js``), so a page load makes no request to another host.
- ``<!-- table ID -->`` becomes a Markdown table computed at build time (``sitegen.figures.table``),
  cached like the figures, with the code that computed it.
- ``<!-- explorer NAME -->`` becomes the optimizer explorer (``sitegen/explorer.py``): sliders over
  runs of ``gdcore.run.minimize`` computed at build time, drawn by ``docs/assets/js/explorer.js``.
- ``<!-- source gdcore.optim.SGD.step -->`` becomes that object's code, read from gdcore itself
  (one source of truth: a page shows the code that runs, never a copy of it).
- Math left by ``pymdownx.arithmatex`` is typeset with KaTeX at build time (``sitegen/katex.py``);
  a TeX error is a build warning, so ``mkdocs build --strict`` fails on it.

Generated files (figures, KaTeX's stylesheet and fonts) are added in ``on_files`` as files that
live outside ``docs/``, so ``mkdocs serve`` does not rebuild forever.

An author's mistake (an unknown marker, a figure function or a notebook cell that raises) is a
``PluginError`` whose one line names the file and line: MkDocs prints it without a traceback and
``mkdocs build`` stops.  ``mkdocs serve`` keeps serving the last good build meanwhile
(``sitegen/serve_guard.py``).  CONTRIBUTING.md has the table of mistakes and what each gives.
"""

from __future__ import annotations

import html
import importlib
import inspect
import logging
import os
import posixpath
import re
import textwrap
import threading
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority
from mkdocs.structure.files import File, Files

from sitegen import serve_guard

log = logging.getLogger("mkdocs.hooks.sitegen")

FIGURE_MARKER = re.compile(r"^<!-- figure (?P<id>[\w.-]+) -->[ \t]*$", re.MULTILINE)
TABLE_MARKER = re.compile(r"^<!-- table (?P<id>[\w.-]+) -->[ \t]*$", re.MULTILINE)
SOURCE_MARKER = re.compile(r"^<!-- source (?P<name>gdcore(?:\.\w+)+) -->[ \t]*$", re.MULTILINE)
VIDEO_MARKER = re.compile(r'^<!-- youtube (?P<id>[\w-]{11}) "(?P<title>[^"]+)" -->[ \t]*$', re.MULTILINE)
#: a line that looks like one of our markers; one left after the expansions is a mistake
ANY_MARKER = re.compile(r"^[ \t]*<!--[ \t]*(?:figure|table|explorer|source|youtube)\b.*$", re.MULTILINE)

_katex = None
_figures: dict[str, Path] = {}
_notebooks: dict[str, threading.Thread] = {}  # src_uri -> thread executing it ahead of its page
_notebook_errors: dict[str, BaseException] = {}  # src_uri -> what its early execution raised

# What executing a notebook imports for the first time (nbconvert and nbclient are imported with
# mkdocs-jupyter itself).  These are imported on the main thread before the notebook thread starts:
# a module imported for the first time by two threads at once can be seen half-initialised (the
# main thread's first plt.figure() probes IPython, and met a half-imported one on busy machines).
# tests/test_serve.py fails, naming the module, if the notebook thread imports anything new.
NOTEBOOK_THREAD_IMPORTS = (
    "IPython", "ipykernel.kernelspec", "ipykernel.connect", "psutil",
    "pygments.lexers.python", "pygments.styles.default",
)


_config = None  # the current build's config (for messages)


def on_startup(command: str, dirty: bool) -> None:
    serve_guard.GUARD.start(command)


def on_serve(server, config, builder):
    return serve_guard.GUARD.wrap(server, config)


def _project_path(config, abs_path: str) -> str:
    """A file's path relative to the project (``docs/gradient.md``), for messages."""
    root = Path(config["config_file_path"]).parent
    path = Path(abs_path)
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _line_of(page, needle: str) -> str:
    """``docs/page.md:LINE`` of the first source line containing ``needle`` (no line if none)."""
    where = _project_path(_config, page.file.abs_src_path) if _config else f"docs/{page.file.src_uri}"
    for number, line in enumerate((page.file.content_string or "").splitlines(), start=1):
        if needle.strip() and needle.strip() in line:
            return f"{where}:{number}"
    return where



def on_config(config):
    global _katex, _config
    from sitegen import figures
    from sitegen.katex import Katex

    _config = config
    serve_guard.GUARD.on_config(config)

    # `mkdocs serve` keeps this process: pick up edited figure code (from the manifest when the
    # code is unchanged, so that a warm build never imports matplotlib)
    try:
        figures.load_all(reload=True, manifest=True)
    except figures.FigureError as err:
        raise PluginError(str(err)) from None
    if _katex is None:
        _katex = Katex()
    jupyter = config["plugins"].get("mkdocs-jupyter")
    if jupyter is not None and os.environ.pop("MPLBACKEND", None):
        # the notebook's kernel inherits this environment, and a backend such as Agg (which a
        # reader may have set in their shell) would keep plt.show() from putting any figure on the page
        log.info("MPLBACKEND unset for the notebook kernel (it would hide the notebook's figures)")
    if jupyter is not None:
        # mkdocs-jupyter keys its cache by the notebook's own bytes only; our notebooks run
        # gdcore, so a change there must re-execute them: one cache folder per gdcore version
        root = Path(config["config_file_path"]).parent / ".cache" / "mkdocs-jupyter"
        jupyter.config["cache_dir"] = str(root / figures._fingerprint(Path(figures.__file__), "notebooks"))  # noqa: SLF001
    return config


def on_files(files: Files, config) -> Files:
    """Generated files: figures, tables, KaTeX's stylesheet and fonts, the explorer's data.

    A cold build has three slow jobs that run side by side: the notebooks execute in a kernel
    of their own (started here, awaited when their page is built), and the figures and the
    explorer's runs share one pool of worker processes (the slowest figure module first).
    """
    from sitegen import explorer, figures, katex

    figure_paths, groups = figures.pending()
    pages = [f for f in files.documentation_pages() if f.src_uri.endswith(".md")]
    presets = _explorer_presets(pages, config)
    draws_here = bool(groups) or explorer.missing(presets)  # explorer backgrounds, on this thread
    if draws_here:
        figures.pyplot()  # the non-interactive backend, chosen before any thread starts
    _prewarm_notebooks(files, config)
    pool = figures.worker_pool() if draws_here else None
    try:
        futures = figures.submit(pool, groups) if groups else []
        if groups:
            total = sum(len(jobs) for jobs in groups.values())
            log.info(f"drawing {total} figures and tables from {len(groups)} modules ...")
        explorer_paths = explorer.build(presets, log=log.info, pool=pool)
        for future in futures:
            for item in future.result():
                log.info(f"drew {item}")
    except figures.FigureError as err:
        raise PluginError(str(err)) from None
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    _figures.clear()
    _figures.update(figure_paths)
    for name, path in _figures.items():
        files.append(File.generated(config, f"assets/figures/{name}", abs_src_path=str(path)))
    files.append(File.generated(config, "assets/katex/katex.min.css", content=katex.stylesheet()))
    for font in katex.font_files():
        files.append(File.generated(config, f"assets/katex/fonts/{font.name}", abs_src_path=str(font)))
    for name, path in explorer_paths.items():
        files.append(File.generated(config, f"assets/explorer/{name}", abs_src_path=str(path)))
    return files


def _explorer_presets(pages: list[File], config) -> list[str]:
    """The explorer presets the pages use; an unknown name fails, naming its page and line."""
    from sitegen import explorer

    used: set[str] = set()
    for file in pages:
        text = file.content_string
        try:
            used.update(explorer.used_presets([text]))
        except ValueError as err:
            name = str(err).split("'")[1] if "'" in str(err) else ""
            line = next((n for n, ln in enumerate(text.splitlines(), 1) if f"explorer {name} " in ln + " "), 0)
            where = _project_path(config, file.abs_src_path) + (f":{line}" if line else "")
            raise PluginError(f"{where}: {err}") from None
    return sorted(used)


def _prewarm_notebooks(files: Files, config) -> None:
    """Start executing each notebook page now, in a thread, through mkdocs-jupyter itself.

    mkdocs-jupyter executes a notebook when its page is built, near the end of the build, and
    caches the result (``cache_dir``).  Here its own ``on_pre_page`` is run on a stand-in page
    and the conversion it prepares is started at once, so the kernel runs while the figures are
    drawn; :func:`on_pre_page` waits for it, and the real page then reads mkdocs-jupyter's cache.
    If the plugin's internals change, nothing is started and the build runs as before.
    """
    from mkdocs.structure.pages import Page

    _notebooks.clear()
    _notebook_errors.clear()
    jupyter = config["plugins"].get("mkdocs-jupyter")
    if jupyter is None or not jupyter.config.get("cache"):
        return
    for name in NOTEBOOK_THREAD_IMPORTS:  # on this thread first (see NOTEBOOK_THREAD_IMPORTS)
        importlib.import_module(name)
    for file in files.documentation_pages():
        if not jupyter.should_include(file):
            continue
        stand_in = Page(None, file, config)  # sets file.page: undone below
        file.page = None
        jupyter.on_pre_page(stand_in, config=config, files=files)
        convert = getattr(stand_in, "_mkdocs_jupyter_content", None)
        if callable(convert):
            thread = threading.Thread(target=_run_notebook, args=(convert, file.src_uri),
                                      name=f"notebook {file.src_uri}", daemon=True)
            thread.start()
            _notebooks[file.src_uri] = thread


def _run_notebook(convert, src_uri: str) -> None:
    try:
        convert()
    except Exception as err:  # reported by on_pre_page, on the main thread, as the page's error
        _notebook_errors[src_uri] = err


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def notebook_error(path: Path, shown: str, err: BaseException) -> str:
    """One line for a notebook whose cell raised: which cell, which line, what it raised.

    ``err`` is nbclient's ``CellExecutionError`` (its text holds the cell's source between two
    rules of dashes, then IPython's traceback with ``Cell In[N], line L``)."""
    import json

    text = ANSI.sub("", str(err))
    ename, evalue = getattr(err, "ename", type(err).__name__), getattr(err, "evalue", "")
    source = re.search(r"^-{5,}\n(.*?)\n-{5,}$", text, re.DOTALL | re.MULTILINE)
    where = shown
    if source is not None:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        wanted = source.group(1).strip()
        for number, cell in enumerate(cells, start=1):
            if cell["cell_type"] == "code" and "".join(cell["source"]).strip() == wanted:
                where += f", cell {number}"
                break
        line = re.search(r"Cell In\[\d+\], line (\d+)", text)
        if line:
            where += f", line {line.group(1)}"
    if not evalue and ename == type(err).__name__:
        evalue = text.strip().splitlines()[-1] if text.strip() else ""
    return f"{where}: a notebook cell raised {ename}: {evalue}"


def on_pre_page(page, config, files):
    thread = _notebooks.pop(page.file.src_uri, None)
    if thread is not None:
        thread.join()
    err = _notebook_errors.pop(page.file.src_uri, None)
    if err is not None:
        shown = _project_path(config, page.file.abs_src_path)
        raise PluginError(notebook_error(Path(page.file.abs_src_path), shown, err))
    return page


def _figure_block(fig_id: str, page) -> str:
    from sitegen import figures

    spec = figures.REGISTRY.get(fig_id)
    if spec is None:
        raise PluginError(f"{_line_of(page, f'<!-- figure {fig_id} -->')}: unknown figure id {fig_id!r} "
                          "(figures are registered with @figure in sitegen/figures/*.py)")
    base = posixpath.relpath("assets/figures", posixpath.dirname(page.file.src_uri) or ".")
    images = []
    for theme in figures.THEMES:
        name = figures.output_name(spec, theme)
        width, height = figures.pixel_size(_figures[name])
        images.append(
            f'![{html.escape(spec.alt)}]({base}/{name}#only-{theme.name})'
            f'{{ width="{width}" height="{height}" loading="lazy" }}'
        )
    module = spec.module_file.relative_to(figures.ROOT).as_posix()
    code = textwrap.indent(f"```python\n{spec.source().rstrip()}\n```", "    ")
    return (
        f'<figure class="gd-figure" id="{fig_id}" markdown="span">\n'
        + "\n".join(images)
        + f'\n<figcaption markdown="span">**[{fig_id}]** {spec.caption}</figcaption>\n'
        + "</figure>\n\n"
        + f'??? example gd-code "이 그림을 그린 코드 — `{module}`"\n\n{code}\n'
    )


def _video_block(video_id: str, title: str) -> str:
    title = html.escape(title)
    return (
        f'<div class="yt-embed" data-youtube-id="{video_id}">'
        f'<button type="button" class="yt-embed__play" aria-label="동영상 재생: {title}">'
        '<span class="yt-embed__icon" aria-hidden="true">▶</span>'
        f'<span class="yt-embed__title">{title}</span>'
        '<span class="yt-embed__note">누르면 YouTube(youtube-nocookie.com)에서 영상을 불러옵니다.</span>'
        "</button>"
        f'<a class="yt-embed__link" href="https://www.youtube.com/watch?v={video_id}">'
        "YouTube에서 보기</a></div>"
    )


def _table_block(table_id: str, page) -> str:
    from sitegen import figures

    if table_id not in figures.TABLES:
        raise PluginError(f"{_line_of(page, f'<!-- table {table_id} -->')}: unknown table id {table_id!r} "
                          "(tables are registered with @table in sitegen/figures/*.py)")
    spec = figures.TABLES[table_id]
    module = spec.module_file.relative_to(figures.ROOT).as_posix()
    code = textwrap.indent(f"```python\n{spec.code.rstrip()}\n```", "    ")
    try:
        table = figures.table_markdown(table_id)
    except figures.FigureError as err:
        raise PluginError(str(err)) from None
    return (
        table
        + f'\n\n??? example gd-code "이 표를 계산한 코드 — `{module}`"\n\n{code}\n'
    )


def _source_block(dotted: str, page) -> str:
    """The code of a gdcore object (module, class, function or method) as a titled code block."""
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
        raise PluginError(f"{_line_of(page, f'<!-- source {dotted} -->')}: no {dotted!r} in gdcore "
                          "for a source marker (write <!-- source gdcore.module.Name -->)")
    lines, start = inspect.getsourcelines(obj)
    path = Path(inspect.getfile(obj)).resolve().relative_to(Path(__file__).resolve().parents[1])
    code = "".join(lines).rstrip()
    fence = "````" if "```" in code else "```"
    return f'{fence}python title="{path.as_posix()} ({start}행~)"\n{textwrap.dedent(code)}\n{fence}'


def on_page_markdown(markdown: str, page, config, files) -> str:
    markdown = FIGURE_MARKER.sub(lambda m: _figure_block(m.group("id"), page), markdown)
    markdown = TABLE_MARKER.sub(lambda m: _table_block(m.group("id"), page), markdown)
    markdown = SOURCE_MARKER.sub(lambda m: _source_block(m.group("name"), page), markdown)
    from sitegen import explorer  # <!-- explorer NAME --> (sitegen/explorer.py)

    markdown = explorer.expand_markers(markdown, page.file.url)
    markdown = VIDEO_MARKER.sub(lambda m: _video_block(m.group("id"), m.group("title")), markdown)
    left = ANY_MARKER.search(markdown)
    if left is not None:  # a marker none of the patterns above took: misspelt, or with a bad id
        raise PluginError(
            f"{_line_of(page, left.group(0))}: malformed marker {left.group(0).strip()!r}; the markers are "
            '<!-- figure ID -->, <!-- table ID -->, <!-- explorer NAME -->, <!-- source gdcore.NAME -->, '
            '<!-- youtube VIDEO_ID "제목" -->, each alone on its line'
        )
    return markdown


def _notebook_links(page, config) -> str:
    """Download and "Open in Colab" links above a notebook page (mkdocs-jupyter adds neither)."""
    name = posixpath.basename(page.file.src_uri)
    links = [f'<a href="{name}" download>노트북 내려받기 (<code>{name}</code>)</a>']
    repository = config["extra"].get("repository")
    if repository:
        colab = f"https://colab.research.google.com/github/{repository}/blob/main/docs/{page.file.src_uri}"
        links.append(f'<a href="{colab}">Colab에서 열기</a>')
    return '<p class="gd-notebook-links">' + " · ".join(links) + "</p>\n"


def on_page_content(html_text: str, page, config, files) -> str:
    assert _katex is not None
    if page.file.src_uri.endswith(".ipynb"):
        html_text = _notebook_links(page, config) + html_text
    rendered, plain, errors = _katex.render_html(html_text)
    for error in errors:
        formula = error.rsplit("in formula: ", 1)[-1]
        log.warning(f"{_line_of(page, formula.splitlines()[0] if formula else '')}: KaTeX: {error}")
    _search_html[page.file.src_uri] = _for_search(plain)
    return count_code_lines(rendered)


CODE_BLOCK = re.compile(r'<div class="highlight">(?P<inner>.*?</code></pre>)', re.DOTALL)


def count_code_lines(html_text: str) -> str:
    """Give each highlighted code block its line count (``style="--gd-code-lines: N"``).

    site.css leaves an off-screen code block unrendered (content-visibility) and reserves its
    height from this count, so the page does not jump when the block is rendered on the way down.
    """

    def tag(match: re.Match) -> str:
        code = match["inner"].rsplit("<code>", 1)[-1]
        lines = code.count("\n") + (not code.removesuffix("</code></pre>").endswith("\n"))
        return f'<div class="highlight" style="--gd-code-lines: {lines}">{match["inner"]}'

    return CODE_BLOCK.sub(tag, html_text)


# --- what the search index reads ------------------------------------------------------------
_search_html: dict[str, str] = {}  # src_uri -> the page's HTML as the search plugin should see it
CODE_FOLD = re.compile(r'<details class="example gd-code">.*?</details>', re.DOTALL)
PRE = re.compile(r"<pre\b.*?</pre>", re.DOTALL)
SPAN_TAG = re.compile(r"</?span\b[^>]*>")


def _for_search(html_text: str) -> str:
    """The page as Material's search plugin should index it: formulas as their TeX source (as
    on any MathJax site) instead of KaTeX's markup, which holds each formula three times over;
    no code folds under the figures (how a figure was drawn is not what a reader searches for);
    code blocks without their highlighting spans (the index drops them anyway).  The index is
    smaller, the parser reads a third of the tags, and what remains is the same text."""
    html_text = CODE_FOLD.sub("", html_text)
    return PRE.sub(lambda m: SPAN_TAG.sub("", m.group(0)), html_text)


@event_priority(100)  # before Material's search plugin indexes page.content ...
def _search_sees_plain(context, page, config, nav):
    plain = _search_html.get(page.file.src_uri)
    if plain is not None:
        page._gd_content = page.content
        page.content = plain
    return context


@event_priority(-100)  # ... and the real content back for the template, after it
def _template_sees_rendered(context, page, config, nav):
    content = getattr(page, "_gd_content", None)
    if content is not None:
        page.content = content
        del page._gd_content
    return context


on_page_context = CombinedEvent(_search_sees_plain, _template_sees_rendered)


def on_post_build(config) -> None:
    if _katex is not None:
        _katex.save()
    _drop_palette_switching_rule(Path(config["site_dir"]))


# Material's palette component sets data-md-color-switching on <body> when the page starts (and on
# every switch) and removes it a frame later; this rule, which matches every element under it,
# makes each of those two steps restyle the whole document (on a long chapter, 0.1 s a time on a
# phone).  Without it, a theme switch simply lets Material's colour transitions run.
PALETTE_SWITCHING_RULE = (
    "[data-md-color-switching] *,[data-md-color-switching] :after,"
    "[data-md-color-switching] :before{transition-duration:0s!important}"
)


PALETTE_PATCHED = "/* sitegen: [data-md-color-switching] rule removed (sitegen/hooks.py) */"


def _drop_palette_switching_rule(site_dir: Path) -> None:
    sheets = sorted((site_dir / "assets" / "stylesheets").glob("palette.*.min.css"))
    for sheet in sheets:
        text = sheet.read_text(encoding="utf-8")
        if PALETTE_SWITCHING_RULE in text:
            sheet.write_text(text.replace(PALETTE_SWITCHING_RULE, "") + "\n" + PALETTE_PATCHED, encoding="utf-8")
            return
        if PALETTE_PATCHED in text:  # a dirty rebuild of `mkdocs serve` kept last build's copy
            return
    log.warning("Material's palette stylesheet has changed: PALETTE_SWITCHING_RULE (sitegen/hooks.py) "
                f"not found in {[s.name for s in sheets]}; check what the palette switch costs now")


# Material's focus-visible polyfill marks <html> when its script starts, at the end of the page,
# and that mark restyles the whole document; set before <body> exists it costs nothing, and the
# polyfill then finds it in place.  Only with JavaScript on: the polyfill is what adds
# .focus-visible, so without it the mark would hide every focus ring.
FOCUS_VISIBLE_EARLY = (
    "<script>document.documentElement.classList.add('js-focus-visible');"
    "document.documentElement.setAttribute('data-js-focus-visible','')</script>"
)
# Material's search index is fetched only once the reader wants to search (see the script, which
# is inlined without its comment lines).
_SEARCH_JS = (Path(__file__).parent / "search_on_demand.js").read_text(encoding="utf-8").splitlines()
SEARCH_ON_DEMAND = "<script>" + "\n".join(line for line in _SEARCH_JS if not line.startswith("//")) + "</script>"
# Material's bundle is a plain <script> at the end of <body>: the parser stops there, and the
# bundle's first read of the layout forces the whole first style and layout inside that one long
# task, before anything is painted.  Deferred, it runs right after parsing (still before
# DOMContentLoaded, where Material starts), and the browser can paint the page first.
MATERIAL_BUNDLE = re.compile(r'<script src="(?P<src>[^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js)"></script>')
MATHJAX_LOADER = re.compile(r"<script data-mkdocs-jupyter-mathjax=.*?</script>\n?", re.DOTALL)
KATEX_PRELOAD = ("KaTeX_Main-Regular.woff2", "KaTeX_Math-Italic.woff2")


def on_post_page(output: str, page, config) -> str:
    """Finishing touches on the page's HTML.

    - Material's search dialog has no accessible name (Lighthouse: aria-dialog-name): give it one.
    - Pages with math preload KaTeX's two most used fonts, so formulas do not reflow when the
      fonts arrive (layout shift).
    - mkdocs-jupyter appends a script to every page that fetches MathJax from a CDN when a
      notebook is shown; our math is already typeset by KaTeX, and nothing may load from another
      host, so that script is removed.
    - The focus-visible mark goes on <html> before the body is parsed (FOCUS_VISIBLE_EARLY).
    - Material's bundle is deferred (MATERIAL_BUNDLE), so the page can be painted before it runs.
    - Material's search index is requested only when the reader turns to the search
      (``sitegen/search_on_demand.js``), not on every page load.
    - A notebook page keeps only the JupyterLab CSS it uses, and its output images become files
      (``sitegen/notebook.py``): 890 KB of HTML -> 140 KB, with the same pixels.
    """
    output = MATHJAX_LOADER.sub("", output)
    output, deferred = MATERIAL_BUNDLE.subn(r'<script src="\g<src>" defer></script>', output)
    if deferred != 1:
        log.warning(f"{page.file.src_uri}: Material's bundle script found {deferred} times, not once "
                    "(MATERIAL_BUNDLE in sitegen/hooks.py); check that it is deferred")
    output = output.replace("</head>", FOCUS_VISIBLE_EARLY + SEARCH_ON_DEMAND + "</head>", 1)
    if page.file.src_uri.endswith(".ipynb"):
        from sitegen import notebook

        output = notebook.slim_page(output, Path(page.file.abs_dest_path).parent)
    output = output.replace(
        '<div class="md-search" data-md-component="search" role="dialog">',
        '<div class="md-search" data-md-component="search" role="dialog" aria-label="검색">',
    )
    if 'class="katex"' in output:
        base = posixpath.relpath("assets/katex/fonts", posixpath.dirname(page.file.url.rstrip("/") + "/x") or ".")
        links = "".join(
            f'<link rel="preload" href="{base}/{font}" as="font" type="font/woff2" crossorigin>'
            for font in KATEX_PRELOAD
        )
        output = output.replace("</head>", links + "</head>", 1)
    return output


def on_shutdown() -> None:
    global _katex
    if _katex is not None:
        _katex.close()
        _katex = None
