"""Search, tried as a reader tries it (issue 17): Korean compounds, spacing, English terms.

Material's search matches the beginning of words only, and a Korean compound is one word: before
the glossary's keys (``sitegen/glossary.py``), "하강법" found nothing and "경사하강법" ranked chapter 5
and the front page above chapter 3.  These tests run the built site's own search: the query table
is typed into the search box; the variants of every glossary term are asked of Material's search
worker with the built index (the same code the search box uses, without the typing).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from browsing import open_page, site_nav

from sitegen import glossary

ROOT = Path(__file__).resolve().parents[2]
TERMS = glossary.load(ROOT / "docs")
CHAPTERS = glossary.chapters(site_nav())

#: (query, the page expected, the worst rank allowed): what readers type, and where it must lead.
#: A query that is a chapter's title or a term the chapter introduces leads to that chapter first.
QUERIES = [
    ("경사하강법", "gradient-descent/", 1),
    ("학습률", "gradient-descent/", 1),
    ("모멘텀", "momentum/", 1),
    ("편미분", "partial-derivatives/", 1),
    ("기울기", "gradient/", 1),
    ("가중치 초기화", "weight-initialization/", 1),
    ("확률적 경사하강법", "sgd/", 1),
    ("미니배치", "sgd/", 1),
    ("AdaGrad", "rmsprop/", 1),
    ("RMSProp", "rmsprop/", 1),
    ("Adam", "adam/", 1),
    ("AdamW", "adam/", 1),
    ("학습률 스케줄", "schedules/", 1),
    ("옵티마이저 비교", "comparison/", 1),
    ("용어", "glossary/", 1),
    ("하강법", "gradient-descent/", 3),
    ("경사 하강법", "gradient-descent/", 3),
    ("gradient descent", "gradient-descent/", 3),
    ("learning rate", "gradient-descent/", 3),
    ("편향 보정", "adam/", 3),
    ("편향보정", "adam/", 3),
    ("보정", "adam/", 3),
    ("가중치 감쇠", "adam/", 3),
    ("가중치감쇠", "adam/", 3),
    ("weight decay", "adam/", 3),
    ("중앙 차분", "partial-derivatives/", 3),
    ("중앙차분", "partial-derivatives/", 3),
    ("방향 미분", "partial-derivatives/", 3),
    ("안장점", "gradient-descent/", 3),
    ("조건수", "gradient-descent/", 3),
    ("헤세 행렬", "gradient-descent/", 3),
    ("Nesterov", "momentum/", 3),
    ("momentum", "momentum/", 3),
    ("Xavier", "weight-initialization/", 3),
    ("워밍업", "sgd/", 3),
    ("코사인", "schedules/", 3),
    ("로젠브록", "comparison/", 3),
]

#: what a result's preview must not show: TeX commands or delimiters (outside code)
TEX = re.compile(r"\\[a-zA-Z]{2,}|\\[()\[\]]|\$")
CODE = re.compile(r"<(pre|code)\b.*?</\1>", re.DOTALL)

WORKER_JS = """async ([worker, queries]) => {
  const index = await (await fetch("../search/search_index.json")).json();
  index.options = {suggest: false};
  const w = new Worker("../assets/javascripts/workers/" + worker);
  const ask = (message) => new Promise((done) => { w.onmessage = (e) => done(e.data); w.postMessage(message); });
  await ask({type: 0, data: index});
  const out = {};
  for (const q of queries) {
    const answer = await ask({type: 2, data: q});
    out[q] = answer.data.items.map((group) => group[0].location.split("#")[0]);
  }
  w.terminate();
  return out;
}"""


def _page_of(href: str, base: str) -> str:
    path = href.split("?", 1)[0].split("#", 1)[0]
    return path[len(base):].lstrip("/") if path.startswith(base) else path.lstrip("/")


def _ranks(pages: list[str], expected: str) -> int:
    return pages.index(expected) + 1 if expected in pages else 0


def test_the_query_table_is_long_enough_and_leads_where_the_glossary_says():
    assert len(QUERIES) >= 30
    at = {t.ko: t.page.removesuffix(".md") + "/" for t in TERMS}
    for query, page, _ in QUERIES:
        if query in at:
            assert at[query] == page, f"{query!r}: the glossary says {at[query]}, the table {page}"


def test_the_query_table_typed_into_the_search_box(server: str, browser):
    context, page, problems = open_page(browser, server, "/")
    box = page.locator("input.md-search__input")
    box.click()
    wrong = []
    for query, expected, worst in QUERIES:
        box.fill("")
        page.wait_for_function("() => !document.querySelector('.md-search-result__item')")
        box.fill(query)
        box.press("End")  # fill() alone does not start Material's search with Hangul
        page.wait_for_selector(".md-search-result__item", timeout=15000)
        page.wait_for_timeout(150)
        hrefs = page.eval_on_selector_all(
            ".md-search-result__item > a.md-search-result__link", "links => links.map(a => a.href)")
        pages = [_page_of(h, server) for h in hrefs]
        rank = _ranks(pages, expected)
        if not rank or rank > worst:
            wrong.append(f"{query!r}: {expected} at rank {rank or 'none'} (at most {worst}); first: {pages[:4]}")
        previews = page.eval_on_selector_all(".md-search-result__item article", """articles => articles.map(
            a => { const c = a.cloneNode(true); c.querySelectorAll('pre, code').forEach(e => e.remove());
                   return c.innerText; })""")
        for text in previews[:3]:
            if TEX.search(text):
                wrong.append(f"{query!r}: a preview shows TeX: {TEX.search(text).group(0)!r} in {text[:80]!r}")
    context.close()
    assert not wrong, "\n".join(wrong)
    assert not problems, problems


def test_every_variant_of_every_term_finds_the_page_that_introduces_it(server: str, browser, built_site: Path):
    """The issue's rule: the term, with and without spaces, its last part and its English term
    each find the introducing page among the first 3."""
    worker = next((built_site / "assets" / "javascripts" / "workers").glob("search.*.min.js")).name
    context, page, problems = open_page(browser, server, "/glossary/")
    queries = sorted({v for term in TERMS for v in term.variants()})
    found = page.evaluate(WORKER_JS, [worker, queries])
    context.close()
    wrong = []
    for term in TERMS:
        expected = term.page.removesuffix(".md") + "/"
        for variant in term.variants():
            rank = _ranks(found[variant], expected)
            if not rank or rank > 3:
                wrong.append(f"{term.ko} / {variant!r}: {expected} at rank {rank or 'none'}; first: {found[variant][:3]}")
    assert not wrong, f"{len(wrong)} of {len(queries)} queries:\n" + "\n".join(wrong)
    assert not problems, problems


def test_the_index_holds_readable_text_and_the_words_apart(built_site: Path):
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    boost = {field: spec["boost"] for field, spec in index["config"]["fields"].items()}
    assert boost[glossary.WORDS] > boost[glossary.KEYS] > boost["title"]
    prose = {d["location"]: CODE.sub("", d["text"]) for d in index["docs"]}
    tex = [(where, TEX.search(text).group(0)) for where, text in prose.items() if TEX.search(text)]
    assert not tex, f"TeX in the text a preview shows: {tex[:5]}"
    pages = {d["location"]: d["title"] for d in index["docs"] if "#" not in d["location"]}
    urls = {t.page: t.page.removesuffix(".md") + "/" for t in TERMS}
    titles = {page: pages[url] for page, url in urls.items()}
    expected = glossary.search_words(TERMS, urls, titles, set(CHAPTERS))
    written = {d["location"]: {f: d[f].split() for f in (glossary.WORDS, glossary.KEYS) if f in d}
               for d in index["docs"] if glossary.WORDS in d or glossary.KEYS in d}
    assert written == expected
    assert expected["gradient-descent/"][glossary.WORDS][0] == "경사하강법"
    assert "경사하강법" not in expected["sgd/"][glossary.WORDS]  # its title's 경사하강법과: chapter 3's term
    assert "SGD" in expected["sgd/"][glossary.WORDS] or "미니배치" in expected["sgd/"][glossary.WORDS]
    adam = next(d for d in index["docs"] if d["location"].startswith("adam/#편향-보정"))
    assert "편향보정" in adam[glossary.KEYS] and "편향보정" not in adam["text"]  # a form only the keys hold


def test_a_formula_reads_as_text_in_the_index():
    from sitegen.katex import Katex, readable

    katex = Katex()
    try:
        cases = {r"g_t = \nabla f(\theta_{t-1})": "gₜ = ∇f(θₜ₋₁)",
                 r"\hat m_t = \frac{m_t}{1-\beta_1^t}": "m̂ₜ = mₜ/(1−β₁ᵗ)",
                 r"\frac{\partial f}{\partial x_0}": "∂f/∂x₀",
                 r"\eta/(1-\beta)": "η/(1−β)"}
        for tex, text in cases.items():
            assert readable(katex.render(tex, False)) == text
    finally:
        katex.close()
