"""Tests for gdcore.calculus: finite differences, their error orders, helpers."""

import math

import numpy as np
import pytest

from gdcore import calculus as C
from gdcore import functions as F
from common import NAMED


def test_numerical_diff_of_known_derivatives():
    assert C.numerical_diff(lambda x: x**2, 3.0) == pytest.approx(6.0, rel=1e-10)
    assert C.numerical_diff(np.sin, 0.5) == pytest.approx(math.cos(0.5), rel=1e-8)
    assert C.numerical_diff(lambda x: x**3, 2) == pytest.approx(12.0, rel=1e-7)  # int x is fine
    assert C.forward_diff(lambda x: x**2, 3.0, h=1e-4) == pytest.approx(6.0001, rel=1e-9)


def test_partial_of_sum_of_squares():
    f = lambda x: x[0] ** 2 + x[1] ** 2  # noqa: E731
    assert C.partial(f, np.array([3.0, 4.0]), 0) == pytest.approx(6.0)
    assert C.partial(f, [3.0, 4.0], 1) == pytest.approx(8.0)
    W = np.arange(6.0).reshape(2, 3)
    assert C.partial(lambda w: np.sum(w**2), W, (1, 2)) == pytest.approx(10.0)


def _slope(hs, errors):
    return np.polyfit(np.log10(hs), np.log10(errors), 1)[0]


def test_central_difference_error_is_order_h_squared_until_rounding():
    f, x, exact = np.exp, 1.0, math.exp(1.0)
    hs = np.logspace(-1, -3, 9)
    central = [abs(C.numerical_diff(f, x, h) - exact) for h in hs]
    forward = [abs(C.forward_diff(f, x, h) - exact) for h in hs]
    assert _slope(hs, central) == pytest.approx(2.0, abs=0.05)
    assert _slope(hs, forward) == pytest.approx(1.0, abs=0.05)
    # rounding takes over for tiny h
    assert abs(C.numerical_diff(f, x, 1e-12) - exact) > abs(C.numerical_diff(f, x, 1e-5) - exact)


OBJECTIVES = NAMED


@pytest.mark.parametrize("f", OBJECTIVES, ids=lambda f: f.name)
def test_numerical_gradient_matches_analytic(f):
    rng = np.random.default_rng(42)
    for _ in range(10):
        x = rng.uniform(-2, 2, size=2)
        np.testing.assert_allclose(C.numerical_gradient(f, x), f.grad(x), rtol=1e-6, atol=1e-5)


def test_numerical_gradient_leaves_x_untouched_and_keeps_shape():
    W = np.arange(6.0).reshape(2, 3)
    before = W.copy()
    g = C.numerical_gradient(lambda w: np.sum(w**2), W)
    np.testing.assert_array_equal(W, before)
    assert g.shape == W.shape
    np.testing.assert_allclose(g, 2 * W, rtol=1e-10, atol=1e-10)
    ints = np.array([1, 2])
    np.testing.assert_allclose(C.numerical_gradient(F.sphere, ints), [2.0, 4.0])
    assert ints.dtype.kind == "i"


def test_numerical_gradient_moves_one_coordinate_at_a_time():
    x = np.array([1.0, 2.0, 3.0])
    probes = []
    C.numerical_gradient(lambda p: probes.append(p.copy()) or float(np.sum(p)), x, h=0.5)
    assert len(probes) == 6
    for probe in probes:  # every probe is x with exactly one coordinate moved by ±h
        moved = np.flatnonzero(probe != x)
        assert moved.size == 1 and abs(probe[moved[0]] - x[moved[0]]) == 0.5


def test_directional_derivative_equals_grad_dot_u():
    f = F.rosenbrock_2d
    x = np.array([-0.5, 1.5])
    for angle in np.linspace(0, 2 * np.pi, 7):
        u = np.array([np.cos(angle), np.sin(angle)])
        assert C.directional_derivative(f, x, u) == pytest.approx(f.grad(x) @ u, rel=1e-6, abs=1e-6)
    with pytest.raises(ValueError, match="unit vector"):
        C.directional_derivative(f, x, [1.0, 1.0])
    with pytest.raises(ValueError, match="shape"):
        C.directional_derivative(f, x, [1.0, 0.0, 0.0])


def test_tangent_plane():
    f, x0 = F.sphere, np.array([1.0, 2.0])
    X, Y, _ = f.grid(n=11)
    Z = C.tangent_plane(f(x0), f.grad(x0), x0, np.stack([X, Y], -1))
    np.testing.assert_allclose(Z, 5.0 + 2 * (X - 1) + 4 * (Y - 2))
    assert C.tangent_plane(f(x0), f.grad(x0), x0, x0) == pytest.approx(5.0)
    with pytest.raises(ValueError, match="x must have shape"):
        C.tangent_plane(5.0, [2.0, 4.0], x0, np.zeros(3))


def test_steepest_path_descends_and_crosses_level_curves_at_right_angles():
    f = F.ellipse_tilted
    path = C.steepest_path(f, [2.0, -0.5], step=1e-3, n=3000)
    assert path.shape == (3001, 2)
    np.testing.assert_array_equal(path[0], [2.0, -0.5])
    values = f(path)
    assert np.all(np.diff(values) < 0)
    # each small step is parallel to -grad, i.e. perpendicular to the level curve
    steps = np.diff(path[:100], axis=0)
    tangents = f.grad(path[:99]) @ np.array([[0.0, 1.0], [-1.0, 0.0]])  # grad rotated by 90°
    assert np.max(np.abs(np.sum(steps * tangents, -1)) / np.linalg.norm(steps, axis=-1)) < 1e-9
    up = C.steepest_path(f, [0.1, 0.2], step=1e-3, n=10, ascent=True)
    assert np.all(np.diff(f(up)) > 0)


@pytest.mark.parametrize("h", [0.0, -1e-3, float("nan"), float("inf")])
def test_bad_h_raises_value_error(h):
    with pytest.raises(ValueError, match="h must"):
        C.numerical_diff(np.sin, 1.0, h)
    with pytest.raises(ValueError, match="h must"):
        C.numerical_gradient(F.sphere, [1.0, 2.0], h)


def test_bad_arguments():
    with pytest.raises(TypeError, match="h must"):
        C.numerical_diff(np.sin, 1.0, "0.1")
    with pytest.raises(TypeError, match="x must"):
        C.numerical_diff(np.sin, np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="single number"):
        C.numerical_gradient(lambda x: x, np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="i="):
        C.partial(F.sphere, [1.0, 2.0], 2)
    with pytest.raises(ValueError, match="x must be finite"):
        C.numerical_gradient(F.sphere, [np.nan, 1.0])
    with pytest.raises(ValueError, match="step must"):
        C.steepest_path(F.sphere, [1.0, 1.0], step=0.0, n=5)
    with pytest.raises(ValueError, match="n must"):
        C.steepest_path(F.sphere, [1.0, 1.0], step=0.1, n=-1)
    with pytest.raises(TypeError, match="grad"):
        C.steepest_path(np.sin, [1.0, 1.0], step=0.1, n=5)
