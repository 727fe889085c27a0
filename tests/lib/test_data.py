"""Tests for gdcore.data: the two-parameter least-squares problem and the digits split."""

import functools
import hashlib

import numpy as np
import pytest

from gdcore.data import LeastSquaresProblem, _digits_raw, load_digits_split, make_regression_2d
from gdcore.models import LinearRegression
from gdcore.optim import SGD
from gdcore.run import minimize


# ----------------------------------------------------------------------------- make_regression_2d


def test_regression_2d_is_seeded_and_solved_exactly():
    p = make_regression_2d(100, rng=0)
    assert isinstance(p, LeastSquaresProblem)
    assert p.X.shape == (100, 2) and p.y.shape == (100,)
    q = make_regression_2d(100, rng=0)
    np.testing.assert_array_equal(p.X, q.X)
    np.testing.assert_array_equal(p.y, q.y)
    assert not np.array_equal(p.y, make_regression_2d(100, rng=1).y)
    np.testing.assert_allclose(p.w_star, np.linalg.lstsq(p.X, p.y, rcond=None)[0], rtol=1e-14)
    model = LinearRegression(2)
    assert np.max(np.abs(model.grad(p.X, p.y, [p.w_star])[0])) < 1e-13
    assert p.loss_star == pytest.approx(model.loss(p.X, p.y, [p.w_star]), rel=1e-14)
    assert np.linalg.norm(p.w_star - p.w_true) < 0.3  # noise 0.5, n = 100
    assert p.loss_star == pytest.approx(0.5 * 0.5**2, rel=0.5)  # about noise² / 2


def test_regression_2d_bowl_is_elongated_and_tilted():
    p = make_regression_2d(100, rng=0)
    assert 6 < p.condition_number < 15  # (1 + ρ) / (1 − ρ) = 9 for ρ = 0.8
    eigvec = np.linalg.eigh(p.hessian)[1][:, -1]
    assert abs(abs(eigvec[0]) - abs(eigvec[1])) < 0.1  # steepest direction near the diagonal (45°)
    np.testing.assert_allclose(p.hessian, p.X.T @ p.X / 100, rtol=1e-15)
    flat = make_regression_2d(2000, rng=0, correlation=0.0)
    assert flat.condition_number < 1.3


def test_value_grad_and_loss_grid_equal_the_model_loss():
    p = make_regression_2d(80, rng=3)
    model = LinearRegression(2)
    W0, W1 = np.meshgrid(np.linspace(-2, 5, 7), np.linspace(-3, 4, 6))
    grid = p.loss_grid(W0, W1)
    assert grid.shape == (6, 7)
    direct = np.array(
        [[model.loss(p.X, p.y, [np.array([a, b])]) for a, b in zip(r0, r1)] for r0, r1 in zip(W0, W1)]
    )
    np.testing.assert_allclose(grid, direct, rtol=1e-12)
    w = np.array([0.3, -1.7])
    assert p.value(w) == pytest.approx(model.loss(p.X, p.y, [w]), rel=1e-13)
    np.testing.assert_allclose(p.grad(w), model.grad(p.X, p.y, [w])[0], rtol=1e-12)
    assert p.grad(np.zeros((4, 5, 2))).shape == (4, 5, 2)


def test_regression_problem_works_with_minimize():
    p = make_regression_2d(100, rng=0)
    traj = minimize(p, [-1.0, -2.0], functools.partial(SGD, lr=0.5), steps=300)
    np.testing.assert_allclose(traj.points[-1], p.w_star, rtol=1e-10)
    assert traj.values[-1] == pytest.approx(p.loss_star, rel=1e-12)


def test_regression_2d_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n must be an int >= 2"):
        make_regression_2d(1, rng=0)
    with pytest.raises(ValueError, match=r"correlation must be a number in \(-1, 1\)"):
        make_regression_2d(10, rng=0, correlation=1.0)
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        make_regression_2d(10, rng=0, noise=-1)
    with pytest.raises(ValueError, match="w_true must be 2 finite numbers"):
        make_regression_2d(10, rng=0, w_true=(1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match=r"w must have shape \(\.\.\., 2\)"):
        make_regression_2d(10, rng=0).value([1.0, 2.0, 3.0])


# ----------------------------------------------------------------------------- digits


def test_digits_are_sklearns_bundled_digits():
    """Fingerprints of ``sklearn.datasets.load_digits()`` (scikit-learn 1.9), recorded once:
    importing scikit-learn itself takes seconds, which is why _digits_raw reads its file directly."""
    X, y = _digits_raw()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert hashlib.sha256(X.tobytes()).hexdigest() == "20def7f70a702f0af9732fbba4375e147a7d54fe70d8c45569b8e7c1c7010c10"
    assert hashlib.sha256(y.tobytes()).hexdigest() == "a3c91c262eddcf7ba8f0e37507c30284493c9b20412ffe4af30d536401f7ba21"
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    np.testing.assert_array_equal(X[0, :8], [0, 0, 5, 13, 9, 1, 0, 0])  # the first image, a 0
    assert X.min() == 0 and X.max() == 16 and X.sum() == 561718


def test_digits_split_shapes_seed_and_coverage():
    X_train, y_train, X_val, y_val = load_digits_split(0, standardize=False)
    assert X_train.shape == (1438, 64) and X_val.shape == (359, 64)  # 359 = round(0.2 · 1797)
    assert y_train.shape == (1438,) and y_val.shape == (359,)
    assert X_train.dtype == X_val.dtype == np.float64 and y_train.dtype == np.int64
    X, y = _digits_raw()
    everything = np.column_stack([X, y])
    split = np.column_stack([np.vstack([X_train, X_val]), np.concatenate([y_train, y_val])])
    # the same rows (as a multiset): sort both row-wise and compare
    np.testing.assert_array_equal(everything[np.lexsort(everything.T)], split[np.lexsort(split.T)])
    np.testing.assert_array_equal(load_digits_split(0, standardize=False).X_val, X_val)
    assert not np.array_equal(load_digits_split(1, standardize=False).y_val, y_val)
    assert set(np.unique(y_val)) == set(range(10))
    assert len(load_digits_split(0, val_fraction=0.5).y_val) == 898  # round(898.5) rounds half to even


def test_digits_standardised_with_training_statistics_only():
    raw = load_digits_split(0, standardize=False)
    X_train, _, X_val, _ = load_digits_split(0)
    mean, std = raw.X_train.mean(axis=0), raw.X_train.std(axis=0)
    constant = std == 0
    assert constant.sum() >= 3  # border pixels that are 0 in every training image
    np.testing.assert_allclose(X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X_train.std(axis=0)[~constant], 1.0, rtol=1e-12)
    assert np.all(X_train[:, constant] == 0)
    np.testing.assert_allclose(X_val[:, ~constant], ((raw.X_val - mean) / np.where(constant, 1, std))[:, ~constant])
    assert np.all(np.isfinite(X_val))


def test_digits_split_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"val_fraction must be a number in \(0, 1\)"):
        load_digits_split(0, val_fraction=1.0)
    with pytest.raises(TypeError, match="standardize must be True or False"):
        load_digits_split(0, standardize="yes")
    with pytest.raises(TypeError, match="rng must be"):
        load_digits_split(0.5)
