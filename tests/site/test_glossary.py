"""The glossary (docs/glossary.yml, the page 용어) and every chapter's learning objectives (issue 17)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browsing import site_nav
from mkdocs.exceptions import PluginError
from pymdownx.slugs import slugify

from sitegen import glossary, numbering

ROOT = Path(__file__).resolve().parents[2]
SLUGIFY = slugify(case="lower")
TERMS = glossary.load(ROOT / "docs", SLUGIFY)
CHAPTERS = {page: title for page, title in numbering.nav_titles(site_nav()).items()
            if page in glossary.chapters(site_nav())}


def test_the_glossary_has_the_sites_terms_each_where_it_is_introduced():
    assert len(TERMS) >= 60
    for term in TERMS:
        text = (ROOT / "docs" / term.page).read_text(encoding="utf-8")
        assert term.ko in text, f"{term.ko}: not written on {term.page}"
        assert term.page in CHAPTERS, f"{term.ko}: {term.page} is not a chapter"


def test_a_terms_variants_and_keys():
    gd = glossary.Term(ko="경사하강법", parts="경사 하강법", en="gradient descent", at="gradient-descent.md")
    assert gd.variants() == ["경사하강법", "경사 하강법", "하강법", "gradient descent"]
    assert gd.words() == ["경사하강법"] and gd.keys() == ["하강법", "gradient", "descent"]
    bc = glossary.Term(ko="편향 보정", en="bias correction", at="adam.md#x")
    assert bc.variants() == ["편향 보정", "편향보정", "보정", "bias correction"]
    assert bc.words() == [] and bc.keys() == ["편향보정", "보정", "bias", "correction"]  # not 편향: in the prose
    lr = glossary.Term(ko="학습률", en="learning rate", at="gradient-descent.md#학습률", torch="lr")
    assert lr.variants() == ["학습률", "learning rate"] and (lr.page, lr.anchor) == ("gradient-descent.md", "학습률")


@pytest.mark.parametrize(("entry", "message"), [
    ("- ko: 학습률\n  en: learning rate\n", r"missing \['at'\]"),
    ("- ko: 학습률\n  en: learning rate\n  at: gradient-descent.md\n  pytorch: lr\n", r"unknown field\(s\) \['pytorch'\]"),
    ("- ko: 학습률\n  en: learning rate\n  at: nowhere.md\n", "must be a page of docs/"),
    ("- ko: 학습률\n  en: learning rate\n  at: gradient-descent.md#없는-절\n", "has no heading with the id '없는-절'"),
    ("- ko: 경사하강법\n  parts: 경사 하강\n  en: gradient descent\n  at: gradient-descent.md\n", "must be the term"),
    ("- ko: 학습률\n  en: learning rate\n  at: gradient-descent.md\n- ko: 학습률\n  en: lr\n  at: gradient-descent.md\n",
     ":4 .*already the term of line 1"),
    ("- ko: 학습률\n  en: ' learning rate'\n  at: gradient-descent.md\n", "non-empty string"),
    ("ko: 학습률\n", "must be a YAML list"),
])
def test_a_wrong_entry_stops_the_build_with_its_line(tmp_path: Path, entry: str, message: str):
    (tmp_path / "gradient-descent.md").write_text("# 3. 경사하강법\n\n## 학습률\n\n```python\n# 없는 절\n```\n",
                                                 encoding="utf-8")
    (tmp_path / "glossary.yml").write_text(entry, encoding="utf-8")
    with pytest.raises(PluginError, match=r"^docs/glossary\.yml.*" + message):
        glossary.load(tmp_path, SLUGIFY)


def test_the_glossary_page_lists_every_term_with_a_link_to_its_section(built_site: Path):
    page = (built_site / "glossary" / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*</tr>", page, re.S)
    assert len(rows) == len(TERMS)
    for term, (ko, en, torch, where) in zip(TERMS, rows):
        assert (ko, en) == (term.ko, term.en)
        assert (f"<code>{term.torch}</code>" if term.torch else "") == torch
        href = re.search(r'href="([^"]+)"', where).group(1)
        assert href == f"../{term.page.removesuffix('.md')}/" + (f"#{term.anchor}" if term.anchor else ""), href
        number = CHAPTERS[term.page].split(".")[0]
        assert re.search(rf">{number}장(: [^<]+)?</a>", where), where


def test_every_chapter_opens_with_what_the_reader_will_be_able_to_do():
    """2-4 objectives in a box right under the chapter's title, each a thing the reader can do."""
    assert len(CHAPTERS) >= 10
    for page in CHAPTERS:
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        body = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S).lstrip()
        m = re.match(r"# [^\n]+\n\n!!! abstract \"이 장을 마치면\"\n\n((?:    - [^\n]+\n)+)", body)
        assert m, f"{page}: no objectives box right under the title"
        items = m.group(1).splitlines()
        assert 2 <= len(items) <= 4, f"{page}: {len(items)} objectives"
        assert all(item.endswith("수 있습니다.") for item in items), items  # what the reader can do
