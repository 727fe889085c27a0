"""Tests for gdcore.book.escape: the SGD chapter's escape from the landscape's local minimum.

The experiment itself (every noise level, every seed) is computed once per session by
``escape_experiment`` (cached); the tests read its numbers and check the single-run reference,
the counts the page reports and the numbers its prose types.
"""

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from gdcore.book.escape import ESCAPE, escape_experiment, escape_paths, escape_run, noisy_gradient, settle
from gdcore.functions import landscape, landscape_points

DOCS = Path(__file__).resolve().parents[2] / "docs"
GLOBAL, LOCAL = np.array(landscape_points["global_min"]), np.array(landscape_points["local_min"])


@pytest.fixture(scope="module")
def results():
    return {r.tau: r for r in escape_experiment(ESCAPE)}


def _best(results):
    return max(results.values(), key=lambda r: r.escaped)


# ----------------------------------------------------------------------------- one run and all runs


@pytest.mark.parametrize("tau", [0.0, 3.0, ESCAPE.noise[-1]])
@pytest.mark.parametrize("seed", [0, 1, 57, ESCAPE.seeds - 1])
def test_a_row_of_the_batched_runs_is_the_single_minimize_run_to_the_last_bit(results, tau, seed):
    single = escape_run(tau, seed).points
    batched = results[tau].paths[:, seed]
    assert single.shape == batched.shape == (ESCAPE.steps + 1, 2)
    assert np.array_equal(single, batched), np.abs(single - batched).max()
    assert single.tobytes() == batched.tobytes()  # not even a signed zero differs


def test_the_batched_runs_do_not_depend_on_how_many_run_together():
    """Row i is run i whether 200 or 3 runs are stepped together."""
    few = replace(ESCAPE, seeds=3)
    assert np.array_equal(escape_paths(4.0, few), escape_paths(4.0)[:, :3])


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    a, b = escape_run(3.0, 5).points, escape_run(3.0, 5).points
    assert np.array_equal(a, b)
    assert not np.allclose(a[1:], escape_run(3.0, 6).points[1:])
    assert np.array_equal(escape_paths(3.0), escape_paths(3.0))


def test_the_noise_has_mean_zero_and_mean_square_tau_squared():
    tau, n = 2.0, 40_000
    grad = noisy_gradient(tau, np.random.default_rng(0))
    x = np.array([0.3, -0.7])
    noise = np.array([grad(x) for _ in range(n)]) - landscape.grad(x)
    assert np.all(np.abs(noise.mean(axis=0)) < 4 * (tau / np.sqrt(2)) / np.sqrt(n)), noise.mean(axis=0)
    mean_square = np.mean(np.sum(noise**2, axis=1))
    assert abs(mean_square / tau**2 - 1) < 0.02, mean_square
    assert np.array_equal(noisy_gradient(0.0, 0)(x), landscape.grad(x))


def test_a_negative_noise_level_is_refused():
    with pytest.raises(ValueError, match="tau"):
        noisy_gradient(-1.0, 0)
    with pytest.raises(ValueError, match="seed"):
        escape_run(1.0, -1)


def test_settle_takes_points_to_the_minimum_of_their_basin():
    ends = settle(np.array([LOCAL + 0.3, GLOBAL - 0.4, [2.5, 2.5], [-2.5, -2.5]]))
    expected = np.array([LOCAL, GLOBAL, GLOBAL, LOCAL])
    assert np.all(np.linalg.norm(ends - expected, axis=1) < ESCAPE.tol), ends


# ----------------------------------------------------------------------------- the counts


def test_every_run_ends_in_one_of_the_two_basins(results):
    for r in results.values():
        assert r.runs == ESCAPE.seeds and r.escaped + r.stayed == r.runs, (r.tau, r.escaped, r.stayed)


def test_gradient_descent_never_escapes(results):
    gd = results[0.0]
    assert gd.escaped == 0 and gd.stayed == ESCAPE.seeds
    assert np.abs(gd.paths - LOCAL).max() < 1e-9  # the gradient is 0 there: it does not move at all


def test_a_moderate_noise_escapes_most_runs(results):
    best = _best(results)
    assert 0 < best.tau < ESCAPE.noise[-1], best.tau
    assert best.escaped >= 0.8 * ESCAPE.seeds, best.escaped
    assert results[1.0].escaped == 0  # too little noise: no escape in this many steps


def test_too_much_noise_ends_fewer_runs_at_the_global_minimum(results):
    best, largest = _best(results), results[ESCAPE.noise[-1]]
    assert largest.escaped <= best.escaped - 0.1 * ESCAPE.seeds, (largest.escaped, best.escaped)
    assert largest.near <= 0.05 * ESCAPE.seeds < 0.3 * ESCAPE.seeds <= max(r.near for r in results.values())
    # the runs that end in the local basin at the largest noise mostly went to the global minimum first
    assert largest.pushed_back >= 0.8 * largest.stayed and largest.stayed > 2 * best.stayed, \
        (largest.pushed_back, largest.stayed, best.stayed)


# ----------------------------------------------------------------------------- the page


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_numbers_typed_in_the_prose_are_the_computed_ones(results):
    """The escape subsection of docs/sgd.md writes a few counts in running text (the full table is a
    checked code output); they must be these."""
    page = _flat((DOCS / "sgd.md").read_text(encoding="utf-8"))
    start = page.index("### 실험: 잡음으로 얕은 골짜기에서 빠져나오기")
    section = page[start : page.index("## 미니배치 경사하강법", start)]
    f = {name: float(landscape(np.array(p))) for name, p in landscape_points.items()}
    gd, small, best, largest = results[0.0], results[1.0], _best(results), results[ESCAPE.noise[-1]]
    three = results[3.0]
    expected = [
        f"시드 {ESCAPE.seeds}개로",
        f"잡음 없이 경사하강법으로 {ESCAPE.settle_steps}걸음을 더",
        f"({ESCAPE.seeds}, 2) 배열 하나로",
        f"경사하강법($\\tau = 0$)은 {gd.stayed}번 모두",
        f"작을 때($\\tau = {small.tau:g}$)도 {ESCAPE.steps}걸음 안에 빠져나온 실행은 하나도 없습니다",
        f"$\\tau = {three.tau:g}$에서 {three.escaped}번, $\\tau = {best.tau:g}$에서 {best.escaped}번",
        f"얕은 골짜기의 벽({f['saddle'] - f['local_min']:.2f})",
        f"깊은 골짜기의 벽({f['saddle'] - f['global_min']:.2f})",
        f"$\\tau = {largest.tau:g}$에서는 전역 골짜기에서 끝난 실행이 {largest.escaped}번으로",
        f"지역 골짜기에서 끝난 {largest.stayed}번 가운데 {largest.pushed_back}번은 전역 최소점에서 {ESCAPE.near:g} 안까지 갔다가",
        f"전역 최소점에서 {ESCAPE.near:g} 안에 든 실행은 $\\tau = {three.tau:g}$의 {three.near}번에서 {largest.near}번으로",
    ]
    missing = [text for text in expected if text not in section]
    assert not missing, missing
    assert small.escaped == 0  # "하나도 없습니다"
    assert best.tau == 4.0 and three.escaped < best.escaped  # the sentence names 3, then the best, 4
