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

import numpy as np
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


def test_numbers_typed_in_the_prose_of_the_rate_and_schedule_sections_are_computed():
    """The few numbers the new sections write in running text (not in a checked code output)
    are the ones gdcore computes from the same settings."""
    import math

    from gdcore.book import DIGITS
    from gdcore.book.schedules import DIGITS_SCHEDULES, NOISE, digits_schedule_runs
    from gdcore.functions import elongated
    from gdcore.theory import curvatures, gd_best, heavy_ball_best

    lam = curvatures(elongated)
    lr_gd, _ = gd_best(lam)
    lr_hb, beta_hb, rate_hb = heavy_ball_best(lam)
    gd = _flat((DOCS / "gradient-descent.md").read_text(encoding="utf-8"))
    assert f"$\\eta^\\star \\approx {lr_gd:.3f}$" in gd and 0.49 > lr_gd and 2 / lam[-1] == 0.5
    momentum = _flat((DOCS / "momentum.md").read_text(encoding="utf-8"))
    assert f"(0.639 대 {rate_hb:.3f})" in momentum
    assert f"$(\\beta^\\star, \\eta^\\star) \\approx ({beta_hb:.2f}, {lr_hb:.2f})$" in momentum
    schedules = _flat((DOCS / "schedules.md").read_text(encoding="utf-8"))
    bound = NOISE.lr / (1 - NOISE.fast_gamma)
    assert f"$\\eta_0\\cdot {NOISE.fast_gamma:g}^t$의 학습률은 모두 더해도 $" \
           f"{NOISE.lr:g}/(1 - {NOISE.fast_gamma:g}) \\approx {bound:.1f}$" in schedules
    assert f"두 배인 학습률 {DIGITS_SCHEDULES.lr:g}로" in schedules and math.isclose(DIGITS_SCHEDULES.lr, 2 * DIGITS.base_lr)
    constant = np.mean([h.val_error[-1] for h in next(iter(digits_schedule_runs().values()))])
    assert "검증 오류율은 10%대에 머묾" in schedules and 0.10 <= constant < 0.20, constant
