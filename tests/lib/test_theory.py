"""gdcore.theory and calculus.hessian: curvatures, and stability limits that gdcore's runs obey."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from gdcore import functions
from gdcore.calculus import hessian
from gdcore.optim import SGD
from gdcore.run import minimize
from gdcore.theory import curvatures, lr_limit


def test_hessian_of_the_quadratics():
    np.testing.assert_allclose(hessian(functions.elongated.grad, [1.0, -2.0]), np.diag([0.2, 4.0]), atol=1e-9)
    np.testing.assert_allclose(hessian(functions.ellipse_tilted.grad, [0.3, 0.1]),
                               [[3.0, 2.0], [2.0, 3.0]], atol=1e-9)
    np.testing.assert_allclose(curvatures(functions.elongated), [0.2, 4.0], atol=1e-9)
    np.testing.assert_allclose(curvatures(functions.elongated_classic), [0.1, 2.0], atol=1e-9)
    # Rosenbrock at its minimum (1, 1): [[802, -400], [-400, 200]]
    np.testing.assert_allclose(hessian(functions.rosenbrock().grad, [1.0, 1.0]), [[802, -400], [-400, 200]], rtol=1e-6)


def test_hessian_rejects_bad_input():
    with pytest.raises(ValueError, match="x must be a vector of shape"):
        hessian(functions.elongated.grad, [[1.0, 2.0]])
    with pytest.raises(ValueError, match="h must be"):
        hessian(functions.elongated.grad, [1.0, 2.0], h=0)
    with pytest.raises(ValueError, match=r"grad\(x\) must be a vector of shape \(2,\)"):
        hessian(lambda x: np.zeros(3), [1.0, 2.0])


def test_limits_in_closed_form():
    assert lr_limit(4.0) == 0.5
    assert lr_limit(2.0, momentum=0.9) == pytest.approx(1.9)
    assert lr_limit(2.0, momentum=0.9, nesterov=True) == pytest.approx(3.8 / (2.8 * 2.0))
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\)"):
        lr_limit(2.0, momentum=1.0)
    with pytest.raises(ValueError, match="lam_max must be"):
        lr_limit(-1.0)
    with pytest.raises(TypeError, match="objective must have a grad"):
        curvatures(object())


@pytest.mark.parametrize("momentum, nesterov", [(0.0, False), (0.5, False), (0.9, False), (0.5, True), (0.9, True)])
def test_gdcore_converges_just_below_the_limit_and_diverges_just_above(momentum, nesterov):
    f = functions.elongated
    limit = lr_limit(curvatures(f)[-1], momentum, nesterov)

    def final(lr):
        opt = partial(SGD, lr=lr, momentum=momentum, nesterov=nesterov)
        return minimize(f, [-5.0, -2.0], opt, 3000, on_divergence="stop")

    below, above = final(0.98 * limit), final(1.02 * limit)
    assert not below.diverged and below.values[-1] < 1e-6 * below.values[0]
    assert above.diverged or above.values[-1] > above.values[0]


# --- rates ----------------------------------------------------------------------------------------

from gdcore.theory import gd_best, gd_rate, heavy_ball_best, heavy_ball_rate, measured_rate  # noqa: E402

ELONGATED = [0.2, 4.0]  # 0.1 x0² + 2 x1²: κ = 20


def test_rates_in_closed_form_for_kappa_20():
    lr, rate = gd_best(ELONGATED)
    assert lr == pytest.approx(2 / 4.2) and rate == pytest.approx(19 / 21)
    assert gd_rate(ELONGATED, lr) == pytest.approx(rate)
    assert gd_rate(ELONGATED, 0.25) == pytest.approx(0.95)  # 1 − 0.25·0.2: the slow direction
    assert gd_rate(ELONGATED, 0.6) == pytest.approx(1.4)  # |1 − 0.6·4| > 1: diverges
    lr, mu, rate = heavy_ball_best(ELONGATED)
    root = np.sqrt(20)
    assert rate == pytest.approx((root - 1) / (root + 1)) and mu == pytest.approx(rate**2)
    assert lr == pytest.approx(4 / (2 + np.sqrt(0.2)) ** 2)
    assert (lr, mu, rate) == pytest.approx((0.6679, 0.4026, 0.6345), abs=1e-4)
    assert heavy_ball_rate(ELONGATED, lr, mu) == pytest.approx(rate, rel=1e-6)
    assert heavy_ball_rate(ELONGATED, 0.4, 0.0) == pytest.approx(gd_rate(ELONGATED, 0.4))
    # κ = 100: 0.98 per step for the best gradient descent, 0.82 for the best heavy ball
    assert gd_best([1.0, 100.0])[1] == pytest.approx(99 / 101)
    assert heavy_ball_best([1.0, 100.0])[2] == pytest.approx(9 / 11)


def test_rate_input_is_checked():
    with pytest.raises(ValueError, match="curvatures must all be positive"):
        gd_best([0.0, 1.0])
    with pytest.raises(ValueError, match="curvatures must be a 1-D array"):
        gd_rate([[1.0, 2.0]], 0.1)
    with pytest.raises(ValueError, match="points must hold at least 9 positions"):
        measured_rate([[1.0, 1.0], [0.5, 0.5]], [0.0, 0.0])


@pytest.mark.parametrize("method", ["gd", "heavy ball"])
def test_gdcore_runs_shrink_by_the_predicted_factor(method):
    """The measured per-step factor of a gdcore run at the best setting is the formula's, within 5%."""
    f = functions.elongated
    lams = curvatures(f)
    if method == "gd":
        lr, rate = gd_best(lams)
        opt = partial(SGD, lr=lr)
    else:
        lr, mu, rate = heavy_ball_best(lams)
        opt = partial(SGD, lr=lr, momentum=mu)
    run = minimize(f, [-5.0, -2.0], opt, 200)
    measured = measured_rate(run.points, f.minimum)
    assert measured == pytest.approx(rate, rel=0.05), (measured, rate)


def test_the_best_cell_of_a_gdcore_grid_is_where_theory_puts_the_optimum():
    """On a grid with steps of 0.02 (it holds η*, μ* within 5%), the run with the lowest f after
    200 steps lies within one grid step of (η*, μ*) = (0.668, 0.403)."""
    f = functions.elongated
    lr_star, mu_star, _ = heavy_ball_best(curvatures(f))
    momenta = np.round(np.arange(0.2, 0.601, 0.02), 2)
    lrs = np.round(np.arange(0.5, 0.801, 0.02), 2)
    assert np.min(np.abs(momenta - mu_star)) < 0.05 * mu_star and np.min(np.abs(lrs - lr_star)) < 0.05 * lr_star
    final = {}
    for mu in momenta:
        for lr in lrs:
            run = minimize(f, [-5.0, -2.0], partial(SGD, lr=float(lr), momentum=float(mu)), 200, on_divergence="stop")
            final[(mu, lr)] = np.inf if run.diverged else run.values[-1]
    mu, lr = min(final, key=final.get)
    assert abs(mu - mu_star) <= 0.02 and abs(lr - lr_star) <= 0.02, (mu, lr)
