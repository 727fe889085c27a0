"""Exercises (issue 18): 4-6 a chapter, numeric answers computed by gdcore, checked in the browser.

Each chapter ends with ``## 연습 문제``: ``### 연습 N.k 제목`` headings, each a question followed by
folds (``??? tip "힌트"``, ``??? success "풀이"`` or ``"모범 답안"``).  A numeric exercise places
``<!-- answer ID -->`` (registered with ``@answer`` in ``sitegen/figures/*.py``); its solution's
checked output must show the same number.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from browsing import open_page, site_nav

from sitegen import figures, glossary, numbering
from tools.browser import PHONE

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = {page: title for page, title in numbering.nav_titles(site_nav()).items()
            if page in glossary.chapters(site_nav())}
ANSWER = re.compile(r"^<!-- answer (?P<id>[\w-]+) -->$", re.MULTILINE)
EXERCISE = re.compile(r"^### 연습 (?P<n>\d+)\.(?P<k>\d+) \S", re.MULTILINE)
OUTPUT = re.compile(r"<!--pytest-codeblocks:expected-output-->\s*```text\n(?P<text>.*?)```", re.DOTALL)
NUMBER = re.compile(r"[-−]?\d+(?:[.,]\d+)?(?:e[-+]?\d+)?")


def exercises(page: str) -> list[str]:
    """The chapter's exercises, each as its Markdown (heading to the next heading of level <= 3)."""
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    section = text.split("\n## 연습 문제\n", 1)[1] if "\n## 연습 문제\n" in text else ""
    section = re.split(r"^## |^\[\^", section, maxsplit=1, flags=re.MULTILINE)[0]
    return [m.group(0) for m in re.finditer(r"^### 연습 .*?(?=^### |\Z)", section, re.MULTILINE | re.DOTALL)]


def numeric(page: str) -> list[tuple[str, str]]:
    """``[(answer id, the exercise's Markdown)]`` of a chapter."""
    return [(m.group("id"), ex) for ex in exercises(page) for m in ANSWER.finditer(ex)]


@pytest.mark.parametrize("page", sorted(CHAPTERS))
def test_every_chapter_has_four_to_six_exercises_of_three_kinds(page: str):
    found = exercises(page)
    number = CHAPTERS[page].split(".")[0]
    assert 4 <= len(found) <= 6, f"{page}: {len(found)} exercises"
    heads = [EXERCISE.match(ex) for ex in found]
    assert all(heads) and [(h.group("n"), int(h.group("k"))) for h in heads] == [
        (number, k) for k in range(1, len(found) + 1)], [ex.splitlines()[0] for ex in found]
    kinds = {"numeric": sum(bool(ANSWER.search(ex)) for ex in found),
             "conceptual": sum('??? success "모범 답안"' in ex for ex in found),
             "code": sum('??? success "풀이"' in ex and "```python" in ex and not ANSWER.search(ex) for ex in found)}
    assert all(kinds.values()), f"{page}: {kinds}"
    for ex in found:
        assert '??? success "' in ex, f"{page}: an exercise without its folded solution:\n{ex[:200]}"
        if ANSWER.search(ex):
            assert '??? tip "힌트"' in ex.split("<!-- answer", 1)[1], f"{page}: no hint after the answer:\n{ex[:200]}"


def _answers() -> list[tuple[str, str, str]]:
    return [(page, answer_id, ex) for page in sorted(CHAPTERS) for answer_id, ex in numeric(page)]


@pytest.mark.parametrize(("page", "answer_id", "exercise"), _answers(), ids=[a for _, a, _ in _answers()])
def test_the_pages_answer_is_what_gdcore_computes_and_the_solution_prints(
        built_site: Path, page: str, answer_id: str, exercise: str):
    spec = figures.load_all()  # noqa: F841  (registers the answers)
    make = figures.TABLES[figures.ANSWER_PREFIX + answer_id].make
    computed = json.loads(make())
    assert "gdcore" in figures.TABLES[figures.ANSWER_PREFIX + answer_id].code, "the answer must be computed by gdcore"
    html = (built_site / page.removesuffix(".md") / "index.html").read_text(encoding="utf-8")
    form = re.search(rf'<form class="gd-answer" id="answer-{answer_id}"[^>]* data-answer="([^"]+)" data-tol="([^"]+)"', html)
    assert form, f"{page}: no form for {answer_id}"
    assert float(form.group(1)) == computed["value"] and float(form.group(2)) == computed["tol"]
    hint = re.search(rf'<form class="gd-answer" id="answer-{answer_id}"[^>]*data-hint="([^"]+)"', html)
    assert hint and "\\" not in hint.group(1), f"{answer_id}: the hint a wrong answer announces: {hint}"
    outputs = " ".join(m.group("text") for m in OUTPUT.finditer(exercise.split("<!-- answer", 1)[1]))
    printed = [float(n.replace("−", "-").replace(",", ".")) for n in NUMBER.findall(outputs)]
    assert any(abs(p - computed["value"]) <= computed["tol"] for p in printed), (
        f"{answer_id}: the solution's checked output {outputs!r} does not show the answer {computed['value']}")


@pytest.mark.browser
@pytest.mark.parametrize("page", sorted(CHAPTERS))
def test_a_numeric_exercise_checks_an_answer_from_the_keyboard(server: str, browser, page: str):
    """One numeric exercise a page: a wrong answer says so, opens the hint and announces both; a
    right one typed with a comma says right; all from the keyboard."""
    answer_id, _ = numeric(page)[0]
    context, tab, problems = open_page(browser, server, "/" + page.removesuffix(".md") + "/", viewport=PHONE)
    form = tab.locator(f"#answer-{answer_id}")
    form.wait_for(state="visible")
    value, tol = float(form.get_attribute("data-answer")), float(form.get_attribute("data-tol"))
    status = form.locator("[role=status]")
    assert status.get_attribute("aria-live") == "polite"
    box = form.locator("input")
    assert tab.locator(f"label[for='{box.get_attribute('id')}']").count() == 1
    box.focus()
    tab.keyboard.type(repr(value + 10 * tol + abs(value)))
    tab.keyboard.press("Enter")
    text = status.inner_text()
    assert text.startswith("틀렸습니다") and "힌트:" in text, text
    hint = form.locator("xpath=following-sibling::details[contains(@class, 'tip')][1]")
    assert hint.get_attribute("open") is not None
    box.focus()
    tab.keyboard.press("Control+A")
    tab.keyboard.type(repr(value).replace(".", ","))
    tab.keyboard.press("Tab")  # to the button, then press it with the keyboard
    assert tab.evaluate("document.activeElement.tagName") == "BUTTON"
    tab.keyboard.press("Enter")
    assert status.inner_text().startswith("맞았습니다"), status.inner_text()
    context.close()
    assert not problems, problems


def test_the_form_reads_numbers_as_readers_type_them(server: str, browser):
    context, tab, _ = open_page(browser, server, "/gradient-descent/")
    form = tab.locator("#answer-gd-factor-inverse-lmax")
    form.wait_for(state="visible")
    box, status = form.locator("input"), form.locator("[role=status]")
    for typed, verdict in [("0.95", "맞았습니다"), ("0,95", "맞았습니다"), ("9.5e-1", "맞았습니다"), (" 0.9504 ", "맞았습니다"),
                           ("9,5E-1", "맞았습니다"), ("0.951", "틀렸습니다"), ("−0.95", "틀렸습니다"), ("영점구오", "숫자로 읽을 수 없습니다"),
                           ("0.9.5", "숫자로 읽을 수 없습니다"), ("", "숫자로 읽을 수 없습니다")]:
        box.fill(typed)
        box.press("Enter")
        assert status.inner_text().startswith(verdict), (typed, status.inner_text())
    context.close()


def test_without_javascript_an_exercise_is_its_question_and_folded_solution(server: str, browser):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    tab = context.new_page()
    tab.goto(server + "/gradient-descent/", wait_until="load")
    assert tab.locator("form.gd-answer").first.is_hidden()
    assert tab.locator("details.success").count() >= 4
    context.close()
