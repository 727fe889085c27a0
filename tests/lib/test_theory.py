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
