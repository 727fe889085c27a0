"""Every sentence that compares, orders or describes a trend is a claim that a test holds.

The rule (CONTRIBUTING.md, "그림과 정리의 주장"): a figure's alt text and caption, and the bullets
of a page's ``## 정리`` section, state a comparison only through a claim registered with
``sitegen.claims.claim`` next to the run the figure draws; a figure or a summary that states none
says so with ``describes_only``.  Here every figure and every summary must be covered, every
registered text must stand verbatim where it is said to, and every check must pass.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen import claims, figures

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
REGISTRY = figures.load_all()  # imports every figure module, which registers its claims
SUMMARY = re.compile(r"^## 정리\n(?P<body>.*?)(?=^## |^\[\^|\Z)", re.MULTILINE | re.DOTALL)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def summaries() -> dict[str, str]:
    """{page: the text of its ## 정리 section} for every page that has one."""
    out = {}
    for page in sorted(DOCS.glob("*.md")):
        match = SUMMARY.search(page.read_text(encoding="utf-8"))
        if match:
            out[page.name] = _flat(match["body"])
    return out


def test_every_figure_and_every_summary_declares_its_claims():
    covered = {c.where for c in claims.CLAIMS}
    both = covered & set(claims.DESCRIBES_ONLY)
    assert not both, f"claims registered for a text declared descriptive only: {sorted(both)}"
    missing = [f for f in REGISTRY if f not in covered and f not in claims.DESCRIBES_ONLY]
    assert not missing, f"figures with neither claims nor describes_only(): {missing}"
    pages = summaries()
    assert len(pages) >= 7
    missing = [p for p in pages if p not in covered and p not in claims.DESCRIBES_ONLY]
    assert not missing, f"정리 sections with neither claims nor describes_only(): {missing}"
    unknown = (covered | set(claims.DESCRIBES_ONLY)) - set(REGISTRY) - set(pages)
    assert not unknown, f"claims about no figure and no 정리 section: {sorted(unknown)}"


def test_every_claim_stands_verbatim_where_it_is_said_to():
    pages = summaries()
    for c in claims.CLAIMS:
        if c.where in REGISTRY:
            spec = REGISTRY[c.where]
            where = _flat(spec.alt + " " + spec.caption)
        else:
            where = pages[c.where]
        assert _flat(c.text) in where, f"{c.where} ({c.module}): {c.text!r} is not in its text"


@pytest.mark.parametrize("claim", claims.CLAIMS, ids=[f"{c.where}: {c.text[:40]}" for c in claims.CLAIMS])
def test_claim_holds(claim: claims.Claim):
    claim.check()


def test_the_claim_count_is_reported():
    """Not a check of the site: the number the note reports, and a guard against an empty registry."""
    assert len(claims.CLAIMS) >= 60, len(claims.CLAIMS)
