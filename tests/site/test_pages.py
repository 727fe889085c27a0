"""The site as GitHub Pages publishes a fork: under https://OWNER.github.io/REPO/.

The suite's one build (``built_site``, built with the fork's ``SITE_URL`` and ``GITHUB_REPOSITORY``)
is served under ``/REPO/`` (``site_server``), as Pages serves it, with its ``404.html`` for paths
that have no file.  Every link and asset of every page must resolve there, the sitemap must list
the pages at their published address, the notebook's download and Colab links must point where a
fork publishes them, and the 404 page must work at any depth.
"""

from __future__ import annotations

import html.parser
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from published import PAGES_COMMIT, PAGES_REPOSITORY, SITE_PATH, SITE_URL

from tools.browser import DESKTOP, PHONE, site_pages


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


class _Links(html.parser.HTMLParser):
    """Every URL a page refers to: links, images, scripts, stylesheets, preloads, sources."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if not value:
                continue
            if name in ("href", "src"):
                self.urls.append(value)
            elif name == "srcset":
                self.urls.extend(part.split()[0] for part in value.split(",") if part.strip())


def _local_targets(page_url: str, body: str) -> set[str]:
    parser = _Links()
    parser.feed(body)
    out = set()
    host = urlparse(page_url).netloc
    for ref in parser.urls:
        url = urljoin(page_url, ref).split("#", 1)[0]
        if urlparse(url).scheme in ("http", "https") and urlparse(url).netloc == host:
            out.add(url)
    return out


def test_every_link_and_asset_resolves_under_the_project_path(built_site: Path, site_server: str):
    pages = [site_server + path for path in site_pages(built_site)]
    assert len(pages) >= 12 and all(urlparse(p).path.startswith(SITE_PATH) for p in pages)
    checked: dict[str, int] = {}
    broken = []
    for page in pages:
        status, body = _get(page)
        assert status == 200, f"{page}: HTTP {status}"
        for url in _local_targets(page, body.decode("utf-8")):
            if url not in checked:
                checked[url] = _get(url)[0]
            if checked[url] != 200:
                broken.append(f"{urlparse(page).path} -> {urlparse(url).path} (HTTP {checked[url]})")
            elif not urlparse(url).path.startswith(SITE_PATH):
                broken.append(f"{urlparse(page).path} -> {urlparse(url).path} leaves {SITE_PATH}")
    assert not broken, "\n".join(sorted(set(broken)))
    assert len(checked) > 80, f"only {len(checked)} distinct URLs found: the link parser is broken"


def test_sitemap_lists_every_page_at_its_published_address(built_site: Path, site_server: str):
    status, body = _get(site_server + "/sitemap.xml")
    assert status == 200
    locs = re.findall(r"<loc>([^<]+)</loc>", body.decode("utf-8"))
    expected = {SITE_URL + path.lstrip("/") for path in site_pages(built_site)}
    assert set(locs) == expected, set(locs) ^ expected
    for loc in locs:  # and each of them is served
        assert _get(site_server + "/" + loc.removeprefix(SITE_URL))[0] == 200, loc


def test_canonical_links_carry_the_published_address(built_site: Path):
    page = (built_site / "momentum" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{SITE_URL}momentum/">' in page


def test_notebook_download_and_colab_links_point_where_a_fork_publishes_them(site_server: str):
    status, body = _get(site_server + "/lab/")
    assert status == 200
    page = body.decode("utf-8")
    download = re.search(r'<a class="md-button" href="([^"]+\.ipynb)" download>', page)
    assert download, "no download link on the notebook page"
    status, notebook = _get(urljoin(site_server + "/lab/", download.group(1)))
    assert status == 200 and b'"cells"' in notebook
    assert f"git+https://github.com/{PAGES_REPOSITORY}@{PAGES_COMMIT}".encode() in notebook  # its install cell
    colab = re.search(r'<a class="md-button" href="(https://colab\.research\.google\.com/[^"]+)"', page)
    assert colab, "no Colab link on the notebook page"
    assert colab.group(1) == (f"https://colab.research.google.com/github/{PAGES_REPOSITORY}/blob/notebooks/"
                              f"{PAGES_COMMIT}/lab.ipynb")


@pytest.mark.parametrize("missing", ["/no-such-page/", "/momentum/no/such/deep/page/", "/assets/none.css"])
def test_missing_paths_get_the_404_page_with_working_assets(site_server: str, missing: str):
    status, body = _get(site_server + missing)
    assert status == 404
    page = body.decode("utf-8")
    assert "404" in page and 'lang="ko"' in page
    # the 404 page is served at any depth: its links must be absolute, under the project path
    base = site_server + missing
    targets = _local_targets(base, page)
    assert targets, "the 404 page refers to nothing"
    bad = [urlparse(u).path for u in targets if not urlparse(u).path.startswith(SITE_PATH) or _get(u)[0] != 200]
    assert not bad, f"404 page at {missing}: broken references {bad}"


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_404_page_renders_in_the_browser(site_server: str, viewport: dict):
    from browsing import require_browser

    from tools.browser import chromium

    require_browser()
    with chromium() as browser:
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        failed: list[str] = []
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/deep/page/") and failed.append(r.url))
        response = page.goto(site_server + "/momentum/no/such/deep/page/", wait_until="load")
        styled = page.evaluate("getComputedStyle(document.querySelector('.md-header')).position")
        home = page.locator("a.md-header__button.md-logo").get_attribute("href")
        context.close()
    assert response is not None and response.status == 404
    assert not failed, failed
    assert styled in ("sticky", "fixed"), "Material's stylesheet did not load on the 404 page"
    assert urlparse(urljoin(site_server + "/", home)).path == SITE_PATH
