"""One term for one thing, on every page and in every figure's alt text and caption.

The retired forms (CONTRIBUTING.md, "용어"): 폭주 (write 폭발), 맞교환 (write 절충), "RMSprop" in
prose (the method is RMSProp; `RMSprop` is the PyTorch and gdcore class, in code only), and
기울기 for the slope of a line or a plot (write 직선의 기울기 or 로그-로그 기울기).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen import figures

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}).*?^(?P=indent)(?P=fence)\s*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
MARKER = re.compile(r"<!--.*?-->", re.DOTALL)
#: "기울기" followed by a negative number or a fraction is a slope, unless the sentence says whose
SLOPE = re.compile(r"(?<!직선의 )(?<!접선의 )(?<!로그-로그 )기울기[가는이]?\s*(?:[−-]\s*\d|\d+\s*/\s*\d)")
RETIRED = {
    "폭주": re.compile("폭주"),
    "맞교환": re.compile("맞교환"),
    "RMSprop outside code": re.compile(r"(?<![A-Za-z_.\"“])RMSprop(?![A-Za-z_\"”])"),  # a quoted title may keep it
    "기울기 for a slope": SLOPE,
}


def prose(text: str) -> str:
    """The text without code blocks, inline code and HTML comments (markers)."""
    return INLINE_CODE.sub("", FENCE.sub("", MARKER.sub("", text)))


def texts() -> dict[str, str]:
    out = {f"docs/{p.name}": prose(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "docs").glob("*.md"))}
    for spec in figures.load_all().values():
        out[f"figure {spec.id}"] = prose(spec.alt + "\n" + spec.caption)
    return out


@pytest.mark.parametrize("term", list(RETIRED))
def test_no_retired_term(term: str):
    found = [f"{where}: …{text[max(0, m.start() - 20):m.end() + 20]}…"
             for where, text in texts().items() for m in RETIRED[term].finditer(text)]
    assert not found, f"{term}:\n" + "\n".join(found)


@pytest.mark.parametrize(("text", "hit"), [
    ("AdaGrad는 기울기 -1/2인 직선으로 줄고", True),
    ("기울기가 −1/2인", True),
    ("로그-로그 기울기가 −1/2인 직선", False),
    ("직선의 기울기 1과 2", False),
    ("기울기 (6, 8)", False),
    ("RMSprop은", True),
    ("??? success \"풀이\"\n\n    ```python\n    from gdcore.optim import RMSprop\n    ```\n", False),  # code in a fold
    ("`RMSprop(lr=0.01)`", False),
    ('Ruder의 4.5절 "RMSprop"', False),
])
def test_the_lint_sees_what_it_should(text: str, hit: bool):
    body = prose(text)
    assert any(p.search(body) for p in RETIRED.values()) is hit
