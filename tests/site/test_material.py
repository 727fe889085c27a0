"""Every workaround for Material for MkDocs (``sitegen/material.py``) fails loudly here when
Material changes under it.

For each :data:`sitegen.material.PATCHES` entry: its target still stands in Material's installed
files (else the workaround silently does nothing, or the build warns), the built site carries the
workaround, and, where it is about what a reader sees or downloads, it still works in a browser
(``pytest.mark.browser``: skips without Chromium, like tests/site/test_browser.py).
"""

from __future__ import annotations

import inspect
import logging
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from sitegen import material
from tools.browser import DESKTOP, PHONE, site_pages

PATCHES = {patch.name: patch for patch in material.PATCHES}


@pytest.fixture
def warnings_logged():
    """The warnings sitegen logs (MkDocs counts them: ``--strict`` fails on any)."""
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                records.append(record.getMessage())

    handler = Collect()
    logger = logging.getLogger("mkdocs.hooks.sitegen")
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


def _pages(built_site: Path) -> list[tuple[Path, str]]:
    """Every page built from docs/ (404.html is a static template: MkDocs runs no page event on it)."""
    pages = [built_site / path.strip("/") / "index.html" for path in site_pages(built_site)]
    assert len(pages) > 10
    return [(html, html.read_text(encoding="utf-8")) for html in pages]


# --- the register of workarounds ------------------------------------------------------------


def test_material_is_the_version_the_workarounds_were_written_for():
    assert material.installed_version() == material.WRITTEN_FOR, (
        f"mkdocs-material {material.installed_version()} is installed; every workaround in sitegen/material.py "
        f"was written for {material.WRITTEN_FOR}: check each one (this file), then update WRITTEN_FOR")


def test_every_workaround_is_documented_and_has_its_test():
    doc = material.__doc__ or ""
    tests = {name for name, _ in inspect.getmembers(sys.modules[__name__], inspect.isfunction)}
    assert set(PATCHES) == {"palette-switching-rule", "focus-visible-early", "bundle-defer",
                            "search-on-demand", "search-dialog-name", "source-facts-offline", "search-keys"}
    for patch in material.PATCHES:
        assert f"``{patch.name}``" in doc, f"{patch.name}: no entry in sitegen/material.py's docstring"
        entry = doc.split(f"``{patch.name}``", 1)[1].split("\n\n", 1)[0]
        assert "Buys:" in entry and f"Written for {patch.written_for}; test: ``{patch.test}``" in entry, entry
        assert patch.buys.strip() and patch.written_for == material.WRITTEN_FOR
        assert patch.test in tests, f"{patch.name}: its test {patch.test} is not in tests/site/test_material.py"


@pytest.mark.parametrize("name", list(PATCHES))
def test_each_target_stands_in_materials_installed_files(name: str):
    patch = PATCHES[name]
    assert material.found(patch), (
        f"{name}: Material {material.installed_version()} changed: {patch.needle if isinstance(patch.needle, str) else patch.needle.pattern!r} "
        f"is in none of {patch.target} under {material.templates_dir()}; the workaround no longer applies")


def test_a_missing_target_makes_the_build_warn(tmp_path: Path, warnings_logged: list[str], monkeypatch):
    """--strict fails on a warning: a patch that finds nothing to patch must not pass quietly."""
    material.patch_page("<html><head></head><body><div class=\"md-search\"></div></body></html>", "page.md")
    assert any("bundle script found 0 times" in w for w in warnings_logged), warnings_logged
    assert any("search dialog found 0 times" in w for w in warnings_logged), warnings_logged
    material.patch_page('<html><head></head><body><a href="x" class="md-source" data-md-component="src">'
                        "</a></body></html>", "page.md")
    assert any("repository link has changed" in w for w in warnings_logged), warnings_logged
    sheets = tmp_path / "assets" / "stylesheets"
    sheets.mkdir(parents=True)
    (sheets / "palette.0000.min.css").write_text("[data-md-color-switching]{}", encoding="utf-8")
    material.drop_palette_switching_rule(tmp_path)
    assert any("PALETTE_SWITCHING_RULE" in w for w in warnings_logged), warnings_logged
    monkeypatch.setattr(material, "installed_version", lambda: "9.9.9")
    monkeypatch.setattr(material, "templates_dir", lambda: tmp_path)  # a Material without the targets
    material.check_installed()
    assert any("mkdocs-material 9.9.9 is installed" in w for w in warnings_logged), warnings_logged
    for patch in material.PATCHES:
        assert any(f"workaround {patch.name!r}" in w for w in warnings_logged), (patch.name, warnings_logged)


# --- palette-switching-rule -------------------------------------------------------------------


def test_palette_switching_rule_is_in_materials_stylesheet(built_site: Path):
    assert material.found(PATCHES["palette-switching-rule"])
    (palette,) = (built_site / "assets" / "stylesheets").glob("palette.*.min.css")
    text = palette.read_text(encoding="utf-8")
    assert material.PALETTE_SWITCHING_RULE not in text and text.endswith(material.PALETTE_PATCHED)


# --- bundle-defer -------------------------------------------------------------------------------


def test_bundle_script_is_found_and_deferred(built_site: Path):
    assert material.found(PATCHES["bundle-defer"])
    for html, text in _pages(built_site):
        assert not material.MATERIAL_BUNDLE.search(text), f"{html}: Material's bundle is not deferred"
        deferred = re.findall(r'<script src="[^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js" defer>', text)
        assert len(deferred) == 1, (html, deferred)


# --- search-dialog-name -------------------------------------------------------------------------


def test_search_dialog_has_its_accessible_name(built_site: Path):
    (template,) = material.found(PATCHES["search-dialog-name"])  # the replace cannot silently miss
    assert template.read_text(encoding="utf-8").count(material.SEARCH_DIALOG) == 1
    for html, text in _pages(built_site):
        assert material.SEARCH_DIALOG not in text, f"{html}: the search dialog has no accessible name"
        assert text.count(material.SEARCH_DIALOG_NAMED) == 1, html


@pytest.mark.browser
def test_search_dialog_is_named_in_the_browser(server: str, browser):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(server + "/momentum/", wait_until="load")
    dialog = page.get_by_role("dialog", name="검색", include_hidden=True)
    count = dialog.count()
    context.close()
    assert count == 1


# --- source-facts-offline ---------------------------------------------------------------------


@pytest.mark.browser
def test_repository_link_without_third_party_requests(built_site: Path, server: str, browser):
    """The suite's build knows its repository (GITHUB_REPOSITORY): the header links to it, on every
    page and the 404 page, and nothing asks api.github.com for its stars."""
    (template,) = material.found(PATCHES["source-facts-offline"])
    assert material.SOURCE_COMPONENT in template.read_text(encoding="utf-8")
    for html, text in [*_pages(built_site), (built_site / "404.html", (built_site / "404.html").read_text("utf-8"))]:
        assert 'href="https://github.com/gdcore-fork/gd-site" title="저장소로 이동" class="md-source"' in text, html
        assert material.SOURCE_COMPONENT not in text, f"{html}: Material would fetch the repository's facts"
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    hosts = []
    page.on("request", lambda r: hosts.append(r.url.split("/")[2]))
    page.goto(server + "/momentum/", wait_until="load")
    page.wait_for_timeout(800)
    shown = page.locator(".md-header a.md-source").is_visible()
    context.close()
    assert shown and "api.github.com" not in hosts, hosts


# --- focus-visible-early ----------------------------------------------------------------------


def test_focus_mark_is_set_before_the_body(built_site: Path):
    assert material.found(PATCHES["focus-visible-early"])
    for html, text in _pages(built_site):
        head = text[: text.index("</head>")]
        assert material.FOCUS_VISIBLE_EARLY in head, html


FOCUSED = """() => { const e = document.activeElement, s = getComputedStyle(e);
    return {tag: e.tagName, cls: e.className, outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
            shadow: s.boxShadow, html: document.documentElement.classList.contains('js-focus-visible'),
            visible: e.classList.contains('focus-visible')}; }"""


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/momentum/", "/"])
def test_focus_ring_shows_after_keyboard_navigation(server: str, browser, path: str):
    """The early mark must not hide focus rings: after Tab, the focused element is marked by the
    polyfill, and each focused link (skip link, logo, navigation) has a visible ring."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(server + path, wait_until="load")
    seen = []
    for _ in range(8):
        page.keyboard.press("Tab")
        page.wait_for_timeout(50)
        seen.append(page.evaluate(FOCUSED))
    context.close()
    assert all(s["html"] for s in seen), seen
    assert all(s["tag"] != "BODY" and s["visible"] for s in seen), seen
    links = [s for s in seen if s["tag"] == "A"]
    ringed = [s for s in links if (s["outline"] != "none" and s["width"] > 0) or s["shadow"] != "none"]
    assert len(links) >= 3, seen
    assert ringed == links, f"focused links without a visible focus ring: {[s for s in links if s not in ringed]}"


# --- search-on-demand -------------------------------------------------------------------------


def test_search_index_request_is_in_materials_bundle(built_site: Path):
    assert material.found(PATCHES["search-on-demand"])
    for html, text in _pages(built_site):
        head = text[: text.index("</head>")]
        assert material.SEARCH_ON_DEMAND in head, html


@pytest.mark.browser
@pytest.mark.parametrize("turn_to_search", ["click", "slash key"])
def test_search_index_loads_only_when_the_reader_searches(server: str, browser, turn_to_search: str):
    """sitegen/search_on_demand.js: a page load does not download the search index; pressing
    the search button (or Material's "/" key) does, and the search then works."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(urlparse(r.url).path))
    page.goto(server + "/momentum/", wait_until="load")
    page.wait_for_timeout(1000)
    before = [r for r in requests if r.endswith("search_index.json")]
    with page.expect_request("**/search/search_index.json"):
        if turn_to_search == "click":
            page.locator("label.md-header__button[for=__search]").click()
        else:
            page.keyboard.press("/")
    box = page.locator("input.md-search__input")
    box.fill("모멘텀")
    box.press("End")
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    found = page.locator(".md-search-result__item").count()
    context.close()
    assert before == [], before
    assert found > 0


@pytest.mark.browser
def test_page_from_a_search_result_loads_the_index_at_once(server: str, browser):
    """A result link carries ?h=words for Material to highlight, with the index's rules."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    with page.expect_request("**/search/search_index.json", timeout=10000):
        page.goto(server + "/momentum/?h=%EB%AA%A8%EB%A9%98%ED%85%80", wait_until="load")
    page.wait_for_selector("mark[data-md-highlight]", state="attached", timeout=10000)
    context.close()



# --- search-keys ----------------------------------------------------------------------------------


@pytest.mark.browser
def test_search_finds_a_term_by_the_words_only_its_keys_hold(server: str, browser, built_site: Path):
    """sitegen/glossary.py: "가중치감쇠" is written nowhere on the site (the prose writes 가중치 감쇠);
    only the index's hidden field holds it.  Material's worker must index that field, and its
    result list must not show it."""
    text = " ".join(p.read_text(encoding="utf-8") for p in built_site.rglob("*.html"))
    assert "가중치감쇠" not in text
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(server + "/", wait_until="load")
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("가중치감쇠")
    box.press("End")
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    first = page.locator(".md-search-result__item").first
    href, shown = first.locator("a").first.get_attribute("href"), first.inner_text()
    context.close()
    assert "/adam/" in href, href
    assert "가중치감쇠" not in shown, shown
