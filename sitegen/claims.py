"""Claims: the words around a figure or a result that a test holds to the numbers.

A caption, an alt text or a bullet of a page's ``## 정리`` section may compare, order or describe
a trend ("faster", "larger at most steps", "first to escape", "spikes after warmup").  Each such
phrase is registered next to the run definition its figure draws, with a check computed from that
same run::

    @claim("fig12", "모멘텀은 긴 방향 x0으로 훨씬 멀리 간다")
    def _momentum_goes_further():
        gd, momentum = fig12_runs()          # the runs the figure draws, defined once
        assert abs(momentum.points[-1, 0]) < 0.1 * abs(gd.points[-1, 0]), (...)

``where`` is a figure id (the text must stand in its alt text or caption) or a page
(``"comparison.md"``: the text must stand in that page's ``## 정리`` section).  A figure or a
summary whose text only describes what is drawn says so with :func:`describes_only`.
``tests/site/test_claims.py`` checks that every figure and every summary is covered, that every
registered text is found verbatim where it is said to stand, and runs every check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"
_OUTPUT = re.compile(r"<!--pytest-codeblocks:expected-output-->\s*\n```\w*\n(?P<out>.*?)\n```", re.DOTALL)


@dataclass(frozen=True)
class Claim:
    where: str  # a figure id, or a page ("sgd.md") for its 정리 section
    text: str  # verbatim, as it stands there
    check: Callable[[], None]  # raises AssertionError (with the numbers) when the claim is false
    module: str


CLAIMS: list[Claim] = []
DESCRIBES_ONLY: dict[str, str] = {}  # figure id or page -> why its text needs no check


def claim(where: str, text: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register ``check()`` as what holds ``text`` (standing in ``where``) true."""
    if not text.strip():
        raise ValueError("a claim needs its text, verbatim")

    def register(check: Callable[[], None]) -> Callable[[], None]:
        key = (where, text)
        CLAIMS[:] = [c for c in CLAIMS if (c.where, c.text) != key]  # a module imported again
        CLAIMS.append(Claim(where=where, text=text, check=check, module=check.__module__))
        return check

    return register


def describes_only(where: str, why: str) -> None:
    """Declare that the texts of ``where`` (a figure id or a page's 정리) compare nothing."""
    if not why.strip():
        raise ValueError(f"describes_only({where!r}) needs a reason")
    DESCRIBES_ONLY[where] = why


def checked_output(page: str, containing: str) -> str:
    """The expected output block of ``docs/page`` that contains ``containing``.

    pytest-codeblocks checks that the block's code prints exactly this text, so a claim about
    a code block's result can read it here instead of running the experiment a second time.
    """
    blocks = [m["out"] for m in _OUTPUT.finditer((DOCS / page).read_text(encoding="utf-8")) if containing in m["out"]]
    if len(blocks) != 1:
        raise AssertionError(f"{page}: {len(blocks)} checked output blocks contain {containing!r}, expected 1")
    return blocks[0]


def first_step_is_diagonal(traj, rtol: float = 1e-6) -> None:
    """Assert that a 2-D trajectory's first step moves both coordinates by the same distance
    (what AdaGrad, RMSProp and Adam do from any start: each coordinate's step is about lr)."""
    dx, dy = abs(traj.points[1] - traj.points[0])
    assert abs(dx - dy) <= rtol * max(dx, dy), (traj.points[0], traj.points[1])
