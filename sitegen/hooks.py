"""MkDocs hooks of the site (listed under ``hooks:`` in mkdocs.yml): MkDocs' events, each delegating.

The jobs live one per module; this file only says which event runs which, and keeps the state of
the current build in one :class:`Build` object:

- ``sitegen/markers.py``: the page markers (figure, table, explorer, source, youtube) and their
  error messages;
- ``sitegen/numbering.py``: figure and equation numbers per chapter, and the links to them;
- ``sitegen/glossary.py``: the glossary page's table and the search's other forms of each term;
- ``sitegen/repository.py``: the GitHub repository and commit (header link, links to source);
- ``sitegen/figures/``: the figures and tables, drawn at build time and cached;
- ``sitegen/explorer.py``: the optimizer explorer's runs and backgrounds;
- ``sitegen/katex.py``: math typeset with KaTeX at build time (a TeX error is a build warning);
- ``sitegen/notebook.py``: notebook pages, executed ahead of their page, made lighter;
- ``sitegen/export.py``: every chapter as a notebook, the install cell, the download and Colab buttons;
- ``sitegen/search.py``: what Material's search index sees of a page;
- ``sitegen/codeblocks.py``: code blocks carry their line count (for site.css), outputs a class;
- ``sitegen/material.py``: every workaround for Material for MkDocs, each guarded;
- ``sitegen/serve_guard.py``: ``mkdocs serve`` keeps serving the last good build.

Generated files (figures, KaTeX's stylesheet and fonts, the explorer's data) are added in
``on_files`` as files that live outside ``docs/``, so ``mkdocs serve`` does not rebuild forever.

An author's mistake (an unknown marker, a figure function or a notebook cell that raises) is a
``PluginError`` whose one line names the file and line: MkDocs prints it without a traceback and
``mkdocs build`` stops.  ``mkdocs serve`` keeps serving the last good build meanwhile.
CONTRIBUTING.md has the table of mistakes and what each gives.
"""

from __future__ import annotations

import json
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from sitegen import (codeblocks, export, glossary, katex, markers, material, notebook, numbering, repository, search,
                     serve_guard)
from sitegen.util import line_of, log, project_path


class Build:
    """What one build (one run of MkDocs' events, from ``on_config``) keeps between its events."""

    def __init__(self) -> None:
        self.katex: katex.Katex | None = None  # kept across the rebuilds of `mkdocs serve`
        self.figure_paths: dict[str, Path] = {}  # output name -> drawn file
        self.numbers = numbering.Numbers()  # figure and equation numbers of the chapters
        self.notebooks = notebook.Prewarm()
        self.search = search.SearchView()
        self.highlight = codeblocks.HighlightCache()  # kept across the rebuilds of `mkdocs serve`
        self.terms: list[glossary.Term] = []  # docs/glossary.yml
        self.urls: dict[str, str] = {}  # page file -> its URL
        self.titles: dict[str, str] = {}  # page file -> its title (the first heading)

    def start(self) -> None:
        """A new build: fresh per-build state; the KaTeX renderer (and its cache) stays."""
        self.figure_paths = {}
        self.numbers = numbering.Numbers()
        self.notebooks = notebook.Prewarm()
        self.search = search.SearchView()
        self.terms, self.urls, self.titles = [], {}, {}
        if self.katex is None:
            self.katex = katex.Katex()

    def close(self) -> None:
        if self.katex is not None:
            self.katex.close()
            self.katex = None


BUILD = Build()


def on_startup(command: str, dirty: bool) -> None:
    serve_guard.GUARD.start(command)


def on_serve(server, config, builder):
    return serve_guard.GUARD.wrap(server, config)


def on_config(config):
    from sitegen import figures

    serve_guard.GUARD.on_config(config)
    material.check_installed()
    repo = repository.repository(config["extra"].get("repository", ""))
    if repo and not config["repo_url"]:  # Material's header links to it
        config["repo_url"] = f"https://github.com/{repo}"
        config["repo_name"] = repo
    # `mkdocs serve` keeps this process: pick up edited figure code (from the manifest when the
    # code is unchanged, so that a warm build never imports matplotlib)
    try:
        figures.load_all(reload=True, manifest=True)
    except figures.FigureError as err:
        raise PluginError(str(err)) from None
    BUILD.start()
    BUILD.highlight.install()
    notebook.configure(config)
    return config


def on_files(files: Files, config) -> Files:
    """Generated files: figures, tables, KaTeX's stylesheet and fonts, the explorer's data, and the
    notebooks readers download or open in Colab (``notebooks/*.ipynb``, sitegen/export.py).

    A cold build has three slow jobs that run side by side: the notebooks execute in a kernel
    of their own (started here, awaited when their page is built), and the figures and the
    explorer's runs share one pool of worker processes (the slowest figure module first).
    """
    from sitegen import explorer, figures

    figure_paths, groups = figures.pending()
    pages = [f for f in files.documentation_pages() if f.src_uri.endswith(".md")]
    presets = markers.explorer_presets(pages, config)
    BUILD.numbers = numbering.count(pages, config)
    BUILD.urls = {f.src_uri: f.url for f in pages}
    all_urls = {f.src_uri: f.url for f in files.documentation_pages()}
    notebooks = export.notebook_pages(files, config, all_urls)  # before they start executing
    slugify = config["mdx_configs"]["toc"]["slugify"]
    BUILD.terms = glossary.load(config["docs_dir"], slugify) if (Path(config["docs_dir"]) / glossary.FILE).exists() else []
    draws_here = bool(groups) or explorer.missing(presets)  # explorer backgrounds, on this thread
    if draws_here:
        figures.pyplot()  # the non-interactive backend, chosen before any thread starts
    BUILD.notebooks.start(files, config)
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
    BUILD.figure_paths = figure_paths
    notebooks.update(export.chapter_notebooks(pages, config, BUILD.numbers, all_urls))
    for path, text in notebooks.items():
        files.append(File.generated(config, path, content=text))
    for name, path in figure_paths.items():
        files.append(File.generated(config, f"assets/figures/{name}", abs_src_path=str(path)))
    files.append(File.generated(config, "assets/katex/katex.min.css", content=katex.stylesheet()))
    for font in katex.font_files():
        files.append(File.generated(config, f"assets/katex/fonts/{font.name}", abs_src_path=str(font)))
    for name, path in explorer_paths.items():
        files.append(File.generated(config, f"assets/explorer/{name}", abs_src_path=str(path)))
    return files


def on_pre_page(page, config, files):
    BUILD.notebooks.wait(page, config)
    return page


def on_page_markdown(markdown: str, page, config, files) -> str:
    src, numbers = page.file.src_uri, BUILD.numbers
    markdown = glossary.MARKER.sub(lambda m: glossary.table_markdown(
        BUILD.terms, config["docs_dir"], config["nav"], config["mdx_configs"]["toc"]["slugify"], src), markdown)
    markdown = markers.expand(markdown, page, config, BUILD.figure_paths,
                              lambda fig_id: numbers.figure_number(src, fig_id))
    markdown = numbering.number_equations(markdown, page, numbers)
    markdown = codeblocks.mark_outputs(markdown)
    return numbering.fill_references(markdown, page, config, numbers)


def on_page_content(html_text: str, page, config, files) -> str:
    assert BUILD.katex is not None
    html_text = export.under_title(html_text, page, config)
    rendered, plain = BUILD.katex.render_page(html_text, lambda needle: line_of(page, needle, config))
    rendered = markers.with_hints(rendered, plain)
    BUILD.search.remember(page, plain)
    BUILD.titles[page.file.src_uri] = page.toc.items[0].title if page.toc.items else page.title
    return codeblocks.count_code_lines(rendered)


on_page_context = search.page_context_event(lambda: BUILD.search)


def on_post_page(output: str, page, config) -> str:
    """Finishing touches on the page's HTML: mkdocs-jupyter's CDN MathJax loader goes
    (``notebook.py``), Material's workarounds (``material.py``), a notebook page keeps only the
    JupyterLab CSS it uses and its output images become files (``notebook.py``), and pages with
    math preload KaTeX's two most used fonts (``katex.py``)."""
    output = notebook.drop_mathjax_loader(output)
    output = material.patch_page(output, page.file.src_uri)
    if notebook.is_notebook(page):  # the build's copy (sitegen/export.py): the cells of docs/, the same ids
        cells = json.loads(Path(page.file.abs_src_path).read_text(encoding="utf-8"))
        shown = project_path(config, str(Path(config["docs_dir"]) / page.file.src_uri))
        output = notebook.slim_page(output, Path(page.file.abs_dest_path).parent, cells, shown)
    return katex.preload_fonts(output, page.file.url)


def on_post_template(output: str, template_name: str, config) -> str:
    """The 404 page is a template, not a page: it gets the repository link's workaround here."""
    return material.quiet_repository_link(output, template_name) if template_name == "404.html" else output


def on_post_build(config) -> None:
    if BUILD.katex is not None:
        BUILD.katex.save()
    BUILD.highlight.save()
    if BUILD.terms:
        material.add_search_keys(Path(config["site_dir"]), glossary.search_words(
            BUILD.terms, BUILD.urls, BUILD.titles, glossary.chapters(config["nav"])))
    material.drop_palette_switching_rule(Path(config["site_dir"]))


def on_shutdown() -> None:
    BUILD.close()
