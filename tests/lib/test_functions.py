"""Tests for gdcore.functions: analytic gradients, grids, minima, the landscape."""

import numpy as np
import pytest

from gdcore import functions as F
from gdcore.calculus import numerical_gradient
from common import ALL_2D

OBJECTIVES_2D = ALL_2D


def _hessian(f, x, h=1e-5):
    """Central differences of the analytic gradient, symmetrised."""
    x = np.asarray(x, dtype=float)
    H = np.empty((x.size, x.size))
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h
        H[:, i] = (f.grad(x + e) - f.grad(x - e)) / (2 * h)
    return (H + H.T) / 2


@pytest.mark.parametrize("f", OBJECTIVES_2D, ids=lambda f: f.name)
def test_analytic_gradient_matches_numerical(f):
    rng = np.random.default_rng(0)
    (xmin, xmax), (ymin, ymax) = f.window
    for _ in range(20):
        x = rng.uniform([xmin, ymin], [xmax, ymax])
        numeric = numerical_gradient(f, x, h=1e-5)
        np.testing.assert_allclose(f.grad(x), numeric, rtol=1e-6, atol=1e-6)


def test_sphere_and_quadratic_work_in_higher_dimensions():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(5, 5))
    f = F.quadratic(A @ A.T + np.eye(5), rng.normal(size=5))
    for g in (F.sphere, f):
        x = rng.normal(size=5)
        np.testing.assert_allclose(g.grad(x), numerical_gradient(g, x, h=1e-5), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("f", OBJECTIVES_2D, ids=lambda f: f.name)
def test_value_and_grad_shapes_on_grids_and_points(f):
    X, Y, Z = f.grid(n=31)
    assert X.shape == Y.shape == Z.shape == (31, 31)
    assert X[0, 0] == f.window[0][0] and X[0, -1] == f.window[0][1]
    assert Y[0, 0] == f.window[1][0] and Y[-1, 0] == f.window[1][1]
    points = np.stack([X, Y], axis=-1)
    assert f.grad(points).shape == (31, 31, 2)
    assert Z[4, 7] == pytest.approx(f(np.array([X[4, 7], Y[4, 7]])), rel=1e-12)
    assert np.shape(f(np.array([0.5, -0.25]))) == ()
    assert f.grad(np.array([0.5, -0.25])).shape == (2,)
    assert f.grad([0.5, -0.25]).shape == (2,)  # lists are fine


def test_grid_with_custom_window():
    X, Y, Z = F.sphere.grid(n=3, window=((0, 2), (-1, 1)))
    np.testing.assert_array_equal(X[0], [0, 1, 2])
    np.testing.assert_array_equal(Y[:, 0], [-1, 0, 1])
    np.testing.assert_array_equal(Z, X**2 + Y**2)


@pytest.mark.parametrize("f", [f for f in OBJECTIVES_2D if f.minimum is not None], ids=lambda f: f.name)
def test_minimum_has_zero_gradient_and_positive_definite_hessian(f):
    np.testing.assert_allclose(f.grad(np.array(f.minimum)), 0.0, atol=1e-10)
    assert np.all(np.linalg.eigvalsh(_hessian(f, f.minimum)) > 0)


def test_known_values():
    assert F.sphere(np.array([3.0, 4.0])) == 25.0
    assert F.elongated(np.array([1.0, 1.0])) == pytest.approx(2.1)
    assert F.elongated_classic(np.array([10.0, 1.0])) == pytest.approx(6.0)
    assert F.saddle(np.array([1.0, 2.0])) == -3.0
    assert F.rosenbrock_2d(np.array([1.0, 1.0])) == 0.0
    assert F.rosenbrock_2d(np.array([0.0, 0.0])) == 1.0
    assert F.rosenbrock_2d.minimum == (1.0, 1.0)
    assert F.curvy(np.array([2.0, 2.0])) == 2.0
    assert F.ellipse_tilted(np.array([1.0, 1.0])) == pytest.approx(5.0)
    assert F.saddle.minimum is None
    assert F.quadratic([[1.0, 0.0], [0.0, -1.0]]).minimum is None  # indefinite


def test_quadratic_minimum_solves_linear_system():
    f = F.quadratic([[2.0, -0.5], [-0.5, 1.0]], [1.0, -2.0])
    np.testing.assert_allclose(np.array([[2.0, -0.5], [-0.5, 1.0]]) @ f.minimum, [1.0, -2.0])


def test_quadratic_copies_its_inputs():
    A = np.eye(2)
    f = F.quadratic(A)
    A[0, 0] = 100.0
    assert f(np.array([1.0, 0.0])) == 0.5


def test_landscape_critical_points():
    pts = F.landscape_points
    assert set(pts) == {"global_min", "local_min", "saddle"}
    for name, p in pts.items():
        assert np.linalg.norm(F.landscape.grad(np.array(p))) < 1e-10, name
    # Newton's method from the stored points stays put (they are precise).
    for p in pts.values():
        x = np.array(p)
        for _ in range(5):
            x = x - np.linalg.solve(_hessian(F.landscape, x), F.landscape.grad(x))
        np.testing.assert_allclose(x, p, atol=1e-9)
    eig = {name: np.linalg.eigvalsh(_hessian(F.landscape, p)) for name, p in pts.items()}
    assert np.all(eig["global_min"] > 0) and np.all(eig["local_min"] > 0)
    assert eig["saddle"][0] < 0 < eig["saddle"][1]
    f_global, f_local, f_saddle = (F.landscape(np.array(pts[k])) for k in ("global_min", "local_min", "saddle"))
    assert f_global < f_local < f_saddle
    assert F.landscape.minimum == pts["global_min"]
    # the global minimum is the lowest point of the plotting window
    assert F.landscape.grid(n=301)[2].min() >= f_global


def test_gradient_descent_on_landscape_ends_in_different_minima():
    def descend(x, lr=0.1, steps=2000):
        x = np.array(x, dtype=float)
        for _ in range(steps):
            x -= lr * F.landscape.grad(x)
        return x

    np.testing.assert_allclose(descend([2.0, 2.0]), F.landscape_points["global_min"], atol=1e-6)
    np.testing.assert_allclose(descend([-2.5, -2.0]), F.landscape_points["local_min"], atol=1e-6)


@pytest.mark.parametrize("f", [F.elongated, F.landscape, F.rosenbrock_2d, F.ellipse_tilted])
def test_wrong_last_axis_is_a_clear_value_error(f):
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        f(np.zeros(3))
    with pytest.raises(ValueError, match="last axis"):
        f.grad(np.zeros((4, 3)))
    with pytest.raises(ValueError):
        f(np.float64(1.0))


def test_bad_arguments():
    with pytest.raises(ValueError, match="symmetric"):
        F.quadratic([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="square"):
        F.quadratic(np.ones((2, 3)))
    with pytest.raises(ValueError, match="b must"):
        F.quadratic(np.eye(2), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="b must be > 0"):
        F.rosenbrock(b=0.0)
    with pytest.raises(ValueError, match="a must"):
        F.rosenbrock(a=float("nan"))
    with pytest.raises(ValueError, match="n must"):
        F.sphere.grid(n=1)
    with pytest.raises(ValueError, match="window"):
        F.sphere.grid(window=((1, 0), (0, 1)))
    with pytest.raises(TypeError):
        F.sphere(np.array([1 + 1j, 0]))
    with pytest.raises(AttributeError):  # frozen dataclass
        F.sphere.name = "other"
