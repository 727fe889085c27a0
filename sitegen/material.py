"""Every workaround for Material for MkDocs, in one guarded place.

Material for MkDocs reaches end of life on 2027-05-05; whoever replaces or upgrades it finds here
everything the site changes in Material's output, what each change buys, the Material version it
was written for, and the test that fails when Material changes under it.  Each workaround is a
:class:`Patch` in :data:`PATCHES`; its target (what it changes in Material's installed files) is
checked in two places:

- at build time (``--strict`` fails on a warning): :func:`check_installed` warns when the installed
  Material is not :data:`WRITTEN_FOR` or a target is missing from its files, and each workaround
  warns where it is applied if it finds nothing to patch in the page or stylesheet;
- in ``tests/site/test_material.py``: each target is still in Material's installed files
  (:func:`found`), and each workaround still works in a browser.

The workarounds (measured numbers from the issues that introduced them):

``palette-switching-rule`` (:data:`PALETTE_SWITCHING_RULE`, :func:`drop_palette_switching_rule`)
    Material's palette component sets ``data-md-color-switching`` on ``<body>`` when the page
    starts (and on every switch) and removes it a frame later; a rule of its palette stylesheet
    that matches every element under it makes each of those two steps restyle the whole document.
    Buys: each of Material's two start-up restyles took ~0.1 s on a long chapter on a phone.
    Without the rule, a theme switch simply lets Material's colour transitions run.
    Written for 9.8.2; test: ``test_palette_switching_rule_is_in_materials_stylesheet``.

``focus-visible-early`` (:data:`FOCUS_VISIBLE_EARLY`)
    Material's focus-visible polyfill marks ``<html>`` (``js-focus-visible``) when its script
    starts, at the end of the page; set before ``<body>`` exists the mark costs nothing, and the
    polyfill then finds it in place.  Buys: the late mark restyled the whole document.  Only with
    JavaScript on: the polyfill is what adds ``.focus-visible``, so without it the mark would
    hide every focus ring.
    Written for 9.8.2; test: ``test_focus_ring_shows_after_keyboard_navigation``.

``bundle-defer`` (:data:`MATERIAL_BUNDLE`)
    Material's bundle is a plain ``<script>`` at the end of ``<body>``: the parser stops there,
    and the bundle's first read of the layout forces the whole first style and layout inside that
    one long task, before anything is painted.  Deferred, it runs right after parsing (still
    before ``DOMContentLoaded``, where Material starts), and the browser paints the page first.
    Buys: Lighthouse median 94 -> 97 on /gradient-descent/; the late first-paint runs (75-86) gone.
    Written for 9.8.2; test: ``test_bundle_script_is_found_and_deferred``.

``search-on-demand`` (:data:`SEARCH_ON_DEMAND`, ``sitegen/search_on_demand.js``)
    Holds back Material's ``XMLHttpRequest`` for ``search/search_index.json`` until the reader
    turns to the search (the search button, focus on the search box, Material's "/" key, or a
    page opened from a search result).  Buys: 110 KB compressed not downloaded on every page load.
    Written for 9.8.2; test: ``test_search_index_loads_only_when_the_reader_searches``.

``source-facts-offline`` (:data:`SOURCE_COMPONENT`)
    With ``repo_url`` set (the repository is known, ``sitegen/repository.py``), Material's header
    links to the repository and its script asks ``api.github.com`` for the stars and forks on
    every first visit: a request to another host that the reader did not make.  The link loses
    its ``data-md-component="source"`` mark, so the script leaves it alone; the link stays.
    Buys: no third-party request on any page load.
    Written for 9.8.2; test: ``test_repository_link_without_third_party_requests``.

``search-keys`` (:data:`SEARCH_KEYS`, :func:`add_search_keys`)
    The glossary's other forms of each term (``sitegen/glossary.py``) go into the search index as
    a field of the section that introduces the term: Material's worker indexes every field of
    ``search: fields:`` and its result list shows only title, text and tags.  Buys: "하강법",
    "편향보정", "gradient descent" find the page that introduces the term.
    Written for 9.8.2; test: ``test_search_finds_a_term_by_the_words_only_its_keys_hold``.

``search-dialog-name`` (:data:`SEARCH_DIALOG`)
    Material's search dialog (``role="dialog"``) has no accessible name: it gets
    ``aria-label="검색"``.  Buys: Lighthouse's accessibility audit aria-dialog-name passes.
    Written for 9.8.2; test: ``test_search_dialog_has_its_accessible_name``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sitegen.util import log

#: the Material for MkDocs version every workaround below was written for and checked against
WRITTEN_FOR = "9.8.2"
DISTRIBUTION = "mkdocs-material"


@dataclass(frozen=True)
class Patch:
    """One workaround: what it buys, what it changes in which of Material's files, its test."""

    name: str
    buys: str
    target: str  # glob, relative to Material's ``templates`` folder, of the file(s) it depends on
    needle: str | re.Pattern[str]  # what must stand in that file for the workaround to apply
    test: str  # the test in tests/site/test_material.py that fails when Material changes under it
    written_for: str = WRITTEN_FOR


# --- the workarounds ---------------------------------------------------------------------------

PALETTE_SWITCHING_RULE = (
    "[data-md-color-switching] *,[data-md-color-switching] :after,"
    "[data-md-color-switching] :before{transition-duration:0s!important}"
)
PALETTE_PATCHED = "/* sitegen: [data-md-color-switching] rule removed (sitegen/material.py) */"
PALETTE = Patch(
    "palette-switching-rule", buys="each of Material's two start-up restyles took ~0.1 s on a long chapter on a phone",
    target="assets/stylesheets/palette.*.min.css", needle=PALETTE_SWITCHING_RULE,
    test="test_palette_switching_rule_is_in_materials_stylesheet")

FOCUS_VISIBLE_EARLY = (
    "<script>document.documentElement.classList.add('js-focus-visible');"
    "document.documentElement.setAttribute('data-js-focus-visible','')</script>"
)
#: what Material's focus-visible polyfill does to <html> when it starts (FOCUS_VISIBLE_EARLY does it first)
FOCUS_POLYFILL_MARK = re.compile(r'classList\.add\("js-focus-visible"\).*?setAttribute\("data-js-focus-visible"',
                                 re.DOTALL)
FOCUS = Patch(
    "focus-visible-early", buys="the polyfill's late mark on <html> restyled the whole document",
    target="assets/javascripts/bundle.*.min.js", needle=FOCUS_POLYFILL_MARK,
    test="test_focus_ring_shows_after_keyboard_navigation")

MATERIAL_BUNDLE = re.compile(r'<script src="(?P<src>[^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js)"></script>')
#: the bundle's tag as Material's base.html writes it (rendered, it is what MATERIAL_BUNDLE finds)
BUNDLE_TEMPLATE = re.compile(
    r"""<script src="\{\{ 'assets/javascripts/bundle\.[0-9a-f]+\.min\.js' \| url \}\}"></script>""")
BUNDLE = Patch(
    "bundle-defer", buys="Lighthouse median 94 -> 97 on /gradient-descent/, late first-paint runs (75-86) gone",
    target="base.html", needle=BUNDLE_TEMPLATE, test="test_bundle_script_is_found_and_deferred")

_SEARCH_JS = (Path(__file__).parent / "search_on_demand.js").read_text(encoding="utf-8").splitlines()
#: sitegen/search_on_demand.js, inlined without its comment lines
SEARCH_ON_DEMAND = "<script>" + "\n".join(line for line in _SEARCH_JS if not line.startswith("//")) + "</script>"
#: how Material's bundle fetches the search index (what search_on_demand.js holds back)
SEARCH_INDEX_REQUEST = re.compile(
    r'new XMLHttpRequest;return \w+\.open\("GET",.*?new URL\("search/search_index\.json"', re.DOTALL)
SEARCH_INDEX = Patch(
    "search-on-demand", buys="110 KB compressed (the search index) not downloaded on every page load",
    target="assets/javascripts/bundle.*.min.js", needle=SEARCH_INDEX_REQUEST,
    test="test_search_index_loads_only_when_the_reader_searches")

SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
SEARCH_DIALOG_NAMED = '<div class="md-search" data-md-component="search" role="dialog" aria-label="검색">'
DIALOG_NAME = Patch(
    "search-dialog-name", buys="Lighthouse aria-dialog-name (the search dialog has an accessible name)",
    target="partials/search.html", needle=SEARCH_DIALOG, test="test_search_dialog_has_its_accessible_name")

SOURCE_COMPONENT = 'class="md-source" data-md-component="source"'
SOURCE = Patch(
    "source-facts-offline", buys="no request to api.github.com (the repository's stars and forks) on a page load",
    target="partials/source.html", needle=SOURCE_COMPONENT, test="test_repository_link_without_third_party_requests")

#: how Material's search worker indexes the fields of the index's config (``search: fields:`` in
#: mkdocs.yml): every field, shown or not; the result list shows only title, text and tags
SEARCH_FIELDS = re.compile(r"for\(let\[\w+,\w+\]of Object\.entries\(\w+\.fields\)\)this\.field\(")
SEARCH_KEYS = Patch(
    "search-keys", buys="Korean search: 하강법 finds 경사하강법's chapter, 편향보정 finds 편향 보정 (issue 17)",
    target="assets/javascripts/workers/search.*.min.js", needle=SEARCH_FIELDS,
    test="test_search_finds_a_term_by_the_words_only_its_keys_hold")

PATCHES = (PALETTE, FOCUS, BUNDLE, SEARCH_INDEX, DIALOG_NAME, SOURCE, SEARCH_KEYS)


# --- checks ---------------------------------------------------------------------------------------


def installed_version() -> str:
    from importlib.metadata import version

    return version(DISTRIBUTION)


def templates_dir() -> Path:
    """Material's installed ``templates`` folder (what the theme renders and copies)."""
    import material

    return Path(material.__file__).parent / "templates"


def found(patch: Patch) -> list[Path]:
    """The files of Material's installed templates in which ``patch``'s target stands."""
    hits = []
    for path in sorted(templates_dir().glob(patch.target)):
        text = path.read_text(encoding="utf-8")
        if (patch.needle in text) if isinstance(patch.needle, str) else patch.needle.search(text):
            hits.append(path)
    return hits


def check_installed() -> None:
    """Warn (``--strict`` fails) when the installed Material is not the one the workarounds were
    written for, or when a workaround's target is not in Material's installed files (about 2 ms):
    each workaround must then be checked again (``uv run pytest tests/site/test_material.py``)."""
    installed = installed_version()
    if installed != WRITTEN_FOR:
        log.warning(f"{DISTRIBUTION} {installed} is installed, but the workarounds in sitegen/material.py were "
                    f"written for {WRITTEN_FOR}: run `uv run pytest tests/site/test_material.py`, check what each buys, "
                    "then update WRITTEN_FOR")
    for patch in PATCHES:
        if not found(patch):
            log.warning(f"Material's {patch.target} has changed: the workaround {patch.name!r} of "
                        "sitegen/material.py finds nothing to patch there; see tests/site/test_material.py")


# --- applying them --------------------------------------------------------------------------------


def patch_page(output: str, src_uri: str) -> str:
    """The workarounds that live in a page's HTML; each warns if its target is not found."""
    output, deferred = MATERIAL_BUNDLE.subn(r'<script src="\g<src>" defer></script>', output)
    if deferred != 1:
        log.warning(f"{src_uri}: Material's bundle script found {deferred} times, not once "
                    "(MATERIAL_BUNDLE in sitegen/material.py); check that it is deferred")
    output = output.replace("</head>", FOCUS_VISIBLE_EARLY + SEARCH_ON_DEMAND + "</head>", 1)
    named = output.count(SEARCH_DIALOG)
    if named != 1:
        log.warning(f"{src_uri}: Material's search dialog found {named} times, not once "
                    "(SEARCH_DIALOG in sitegen/material.py); check that it has an accessible name")
    return quiet_repository_link(output.replace(SEARCH_DIALOG, SEARCH_DIALOG_NAMED), src_uri)


def quiet_repository_link(output: str, where: str) -> str:
    """The header's repository link without Material's ``source`` component (no api.github.com
    request); every page and the 404 page.  Warns if a link is there in another form."""
    if 'class="md-source"' in output and SOURCE_COMPONENT not in output:
        log.warning(f"{where}: Material's repository link has changed (SOURCE_COMPONENT in sitegen/material.py); "
                    "check that it fetches nothing from api.github.com")
    return output.replace(SOURCE_COMPONENT, 'class="md-source"')


def add_search_keys(site_dir: Path, keys: dict[str, dict[str, list[str]]]) -> None:
    """Give search documents of ``site_dir/search/search_index.json`` more fields
    (``{location: {field: words}}``, :func:`sitegen.glossary.search_words`).

    Material's search indexes every field listed under ``search: fields:`` (mkdocs.yml) and shows
    only a result's title, text and tags, so the words help a reader find the section without
    appearing in its preview.  A location that is not a document of the index (a heading id that
    changed) is a build error."""
    import json

    from mkdocs.exceptions import PluginError

    path = site_dir / "search" / "search_index.json"
    index = json.loads(path.read_text(encoding="utf-8"))
    fields = {field for words in keys.values() for field in words}
    missing = sorted(fields - set(index["config"].get("fields", {})))
    if missing:
        raise PluginError(f"mkdocs.yml: the search plugin must list the field(s) {missing} under fields:")
    docs = {doc["location"]: doc for doc in index["docs"]}
    wrong = sorted(set(keys) - set(docs))
    if wrong:
        raise PluginError(f"docs/glossary.yml: no section of the site is at {wrong} (a heading changed?)")
    for location, words in keys.items():
        for field, values in words.items():
            docs[location][field] = " ".join(values)
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def drop_palette_switching_rule(site_dir: Path) -> None:
    """Remove :data:`PALETTE_SWITCHING_RULE` from the built palette stylesheet (warns if absent)."""
    sheets = sorted((site_dir / "assets" / "stylesheets").glob("palette.*.min.css"))
    for sheet in sheets:
        text = sheet.read_text(encoding="utf-8")
        if PALETTE_SWITCHING_RULE in text:
            sheet.write_text(text.replace(PALETTE_SWITCHING_RULE, "") + "\n" + PALETTE_PATCHED, encoding="utf-8")
            return
        if PALETTE_PATCHED in text:  # a dirty rebuild of `mkdocs serve` kept last build's copy
            return
    log.warning("Material's palette stylesheet has changed: PALETTE_SWITCHING_RULE (sitegen/material.py) "
                f"not found in {[s.name for s in sheets]}; check what the palette switch costs now")
