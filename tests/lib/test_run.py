"""Tests for gdcore.run.minimize with a local fake optimizer and with gdcore.optim.SGD."""

import functools
import math
import warnings

import numpy as np
import pytest

from gdcore import functions as F
from gdcore.optim import SGD
from gdcore.run import LIMIT, DivergenceError, Trajectory, minimize


class FakeGD:
    """Plain gradient descent, x <- x - lr * g, updating x in place (like gdcore.optim.SGD)."""

    def __init__(self, params, lr):
        self.params, self.lr = params, lr

    def step(self, grads):
        self.params -= self.lr * grads


@pytest.fixture(params=["fake", "sgd"])
def GD(request):
    return FakeGD if request.param == "fake" else SGD


def test_gradient_descent_on_sphere_contracts_by_0_8(GD):
    traj = minimize(F.sphere, [3.0, 4.0], functools.partial(GD, lr=0.1), steps=30)
    assert isinstance(traj, Trajectory)
    assert traj.points.shape == (31, 2) and traj.values.shape == (31,) and traj.grad_norms.shape == (31,)
    expected = 0.8 ** np.arange(31)[:, None] * np.array([3.0, 4.0])  # x_n = 0.8^n x_0
    np.testing.assert_allclose(traj.points, expected, rtol=1e-12)
    np.testing.assert_allclose(traj.values, 25.0 * 0.64 ** np.arange(31), rtol=1e-12)
    np.testing.assert_allclose(traj.grad_norms, 10.0 * 0.8 ** np.arange(31), rtol=1e-12)
    assert not traj.diverged and traj.message == ""


def _first_step_over_limit():
    # lr 1.1 on the sphere: x_k = (-1.2)^k x_0, f(x_k) = 25 * 1.44^k
    return next(k for k in range(1, 10_000) if 25.0 * 1.44**k > LIMIT)


def test_too_large_learning_rate_raises_with_step_number(GD):
    k = _first_step_over_limit()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy overflow warnings on the way
        with pytest.raises(DivergenceError, match=rf"step {k}\b") as info:
            minimize(F.sphere, [3.0, 4.0], lambda x: GD(x, lr=1.1), steps=5000)
    assert isinstance(info.value, FloatingPointError)
    assert "learning rate may be too large" in str(info.value)
    assert f"{25.0 * 1.44 ** (k - 1):.6g}" in str(info.value)  # the last finite value


def test_on_divergence_stop_truncates(GD):
    k = _first_step_over_limit()
    traj = minimize(F.sphere, [3.0, 4.0], lambda x: GD(x, lr=1.1), steps=5000, on_divergence="stop")
    assert traj.diverged and f"step {k}" in traj.message
    assert traj.points.shape == (k, 2)  # x_0 ... x_{k-1}
    assert np.all(np.isfinite(traj.points)) and np.all(np.abs(traj.values) <= LIMIT)
    np.testing.assert_allclose(traj.points[-1], (-1.2) ** (k - 1) * np.array([3.0, 4.0]), rtol=1e-9)


def test_fast_blow_up_on_rosenbrock_stops_before_overflow(GD):
    # f grows like x^4: the iterates jump to ~1e12, then f exceeds LIMIT before anything overflows
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = minimize(F.rosenbrock_2d, [-1.5, 2.0], lambda x: GD(x, lr=0.05), steps=100, on_divergence="stop")
    assert traj.diverged and "step 4" in traj.message and "exceeds" in traj.message
    assert traj.points.shape == (4, 2) and np.all(np.isfinite(traj.values))


class ExpSquare:
    """f(x) = exp(x0^2): one large step lands where exp overflows to inf."""

    def value(self, x):
        return np.exp(x[0] ** 2)

    def grad(self, x):
        return np.array([2.0 * x[0] * np.exp(x[0] ** 2)])


def test_overflow_inside_the_objective_is_caught_without_warnings(GD):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = minimize(ExpSquare(), [2.0], lambda x: GD(x, lr=1.0), steps=10, on_divergence="stop")
        with pytest.raises(DivergenceError, match="step 1: f"):
            minimize(ExpSquare(), [2.0], lambda x: GD(x, lr=1.0), steps=10)
    assert traj.diverged and "not finite" in traj.message
    np.testing.assert_array_equal(traj.points, [[2.0]])


def test_x0_is_not_mutated_and_steps_zero_gives_one_point(GD):
    x0 = [3.0, 4.0]
    array_x0 = np.array([3.0, 4.0])
    minimize(F.sphere, x0, lambda x: GD(x, lr=0.1), steps=5)
    minimize(F.sphere, array_x0, lambda x: GD(x, lr=0.1), steps=5)
    assert x0 == [3.0, 4.0]
    np.testing.assert_array_equal(array_x0, [3.0, 4.0])
    traj = minimize(F.sphere, (3, 4), lambda x: GD(x, lr=0.1), steps=0)  # ints are converted
    np.testing.assert_array_equal(traj.points, [[3.0, 4.0]])
    np.testing.assert_array_equal(traj.values, [25.0])
    np.testing.assert_array_equal(traj.grad_norms, [10.0])


def test_optimizer_factory_gets_a_fresh_float64_array():
    seen = []

    def factory(x):
        seen.append(x)
        return FakeGD(x, lr=0.1)

    x0 = np.array([1.0, 2.0])
    minimize(F.sphere, x0, factory, steps=1)
    assert len(seen) == 1 and seen[0].dtype == np.float64 and seen[0] is not x0


def test_custom_grad_is_used_for_steps_but_norms_are_true_gradients():
    rng = np.random.default_rng(0)
    noisy = lambda x: F.sphere.grad(x) + rng.normal(scale=0.1, size=x.shape)  # noqa: E731
    traj = minimize(F.sphere, [3.0, 4.0], lambda x: FakeGD(x, lr=0.1), steps=20, grad=noisy)
    assert not np.allclose(traj.points[1], [2.4, 3.2])  # noise moved it
    np.testing.assert_allclose(traj.grad_norms, 2 * np.linalg.norm(traj.points, axis=1))


def test_works_with_duck_typed_objective():
    class Line:
        def value(self, x):
            return float((x[0] - 1.0) ** 2)

        def grad(self, x):
            return np.array([2.0 * (x[0] - 1.0)])

    traj = minimize(Line(), [0.0], lambda x: FakeGD(x, lr=0.25), steps=3)
    np.testing.assert_allclose(traj.points[:, 0], [0.0, 0.5, 0.75, 0.875])


def test_bad_arguments():
    opt = lambda x: FakeGD(x, lr=0.1)  # noqa: E731
    with pytest.raises(TypeError, match="objective"):
        minimize(np.sin, [1.0], opt, 3)
    with pytest.raises(TypeError, match="optimizer"):
        minimize(F.sphere, [1.0, 2.0], "SGD", 3)
    with pytest.raises(TypeError, match="step"):
        minimize(F.sphere, [1.0, 2.0], lambda x: object(), 3)
    with pytest.raises(TypeError, match="steps"):
        minimize(F.sphere, [1.0, 2.0], opt, 3.0)
    with pytest.raises(ValueError, match="steps"):
        minimize(F.sphere, [1.0, 2.0], opt, -1)
    with pytest.raises(ValueError, match="on_divergence"):
        minimize(F.sphere, [1.0, 2.0], opt, 3, on_divergence="ignore")
    with pytest.raises(ValueError, match="x0"):
        minimize(F.sphere, [[1.0, 2.0]], opt, 3)
    with pytest.raises(ValueError, match="x0"):
        minimize(F.sphere, [math.nan, 2.0], opt, 3)
    with pytest.raises(TypeError, match="x0"):
        minimize(F.sphere, ["a", "b"], opt, 3)
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        minimize(F.elongated, [1.0, 2.0, 3.0], opt, 3)
    with pytest.raises(TypeError, match="grad"):
        minimize(F.sphere, [1.0, 2.0], opt, 3, grad=5)


@pytest.mark.parametrize("size", [1, 2, 16, 17, 1000])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 2e150, -2e150])
def test_blow_up_check_catches_every_bad_entry_at_every_size(size, bad):
    """The divergence check has a plain-Python path for up to 16 numbers and a NumPy one above:
    both must catch NaN, +-inf and |x| > LIMIT wherever it sits, and pass LIMIT itself."""
    from gdcore.run import LIMIT, _blown_up

    good = np.full(size, -LIMIT)
    assert _blown_up("x", good) == ""
    assert _blown_up("x", float(LIMIT)) == ""
    for where in {0, size // 2, size - 1}:
        x = good.copy()
        x[where] = bad
        message = _blown_up("x", x)
        assert message.startswith("x "), (size, where, bad)
        assert ("not finite" in message) == (not np.isfinite(bad))
    assert _blown_up("loss", bad).startswith("loss ")


@pytest.mark.parametrize("size", [1, 16, 17, 1000])
def test_all_finite_small_and_large_arrays(size):
    from gdcore._validate import all_finite

    for dtype in (np.float32, np.float64):
        x = np.ones(size, dtype=dtype)
        assert all_finite(x)
        for bad in (np.nan, np.inf, -np.inf):
            y = x.copy()
            y[-1] = bad
            assert not all_finite(y)
            assert not all_finite(y.reshape(-1, 1)[::-1])  # any layout
