"""Tests for gdcore.models: least squares and the MLP's backpropagation (the initialisation experiment: test_book.py)."""

import numpy as np
import pytest

from gdcore import init
from gdcore.calculus import numerical_gradient
from gdcore.models import MLP, LinearRegression, log_softmax, softmax


def numerical_grads(model, X, y, params, h=1e-5):
    """Central differences of model.loss with respect to every parameter array."""
    grads = []
    for i, p in enumerate(params):

        def f(x, i=i):
            trial = list(params)
            trial[i] = x
            return model.loss(X, y, trial)

        grads.append(numerical_gradient(f, p, h=h))
    return grads


# ----------------------------------------------------------------------------- LinearRegression


def test_linear_regression_loss_and_grad_by_hand():
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = np.array([1.0, 2.0])
    model = LinearRegression(2)
    w = [np.array([1.0, 0.0])]
    # r = Xw - y = [0, 1]; L = ½ mean(r²) = 0.25; ∂L/∂w = Xᵀr / 2 = [1.5, 2]
    loss, grads = model.loss_and_grads(X, y, w)
    assert loss == 0.25 and model.loss(X, y, w) == 0.25
    np.testing.assert_array_equal(grads[0], [1.5, 2.0])
    with_b = LinearRegression(2, fit_intercept=True)
    # b = 1: r = [1, 2]; L = ½ (1 + 4) / 2 = 1.25; ∂L/∂w = ([1, 2] + 2 [3, 4]) / 2; ∂L/∂b = 3 / 2
    loss, grads = with_b.loss_and_grads(X, y, [np.array([1.0, 0.0]), np.array([1.0])])
    assert loss == 1.25
    np.testing.assert_array_equal(grads[0], [3.5, 5.0])
    np.testing.assert_array_equal(grads[1], [1.5])


def test_linear_regression_starts_at_zero_and_params_override_leaves_model_alone():
    model = LinearRegression(3, fit_intercept=True)
    assert [p.shape for p in model.params] == [(3,), (1,)]
    assert all(p.dtype == np.float64 and not p.any() for p in model.params)
    X, y = np.ones((4, 3)), np.arange(4.0)
    model.loss(X, y, [np.ones(3), np.ones(1)])
    assert not model.params[0].any()
    assert model.loss(X, y) == pytest.approx(0.5 * np.mean(np.arange(4.0) ** 2))


def test_linear_regression_gradient_matches_finite_differences_and_per_example_mean():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    model = LinearRegression(3, fit_intercept=True)
    params = [rng.normal(size=3), rng.normal(size=1)]
    grads = model.grad(X, y, params)
    for g, num in zip(grads, numerical_grads(model, X, y, params)):
        np.testing.assert_allclose(g, num, rtol=1e-8)
    # the gradient is the mean of the per-example gradients; a mini-batch gradient is grad on those rows
    np.testing.assert_allclose(model.per_example_grads(X, y, params).mean(axis=0), np.concatenate(grads), rtol=1e-12)
    rows = [2, 5, 11]
    batch = model.grad(X[rows], y[rows], params)
    np.testing.assert_allclose(
        np.concatenate(batch), model.per_example_grads(X, y, params)[rows].mean(axis=0), rtol=1e-12
    )


def test_lstsq_is_the_minimiser():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 2))
    y = X @ [2.0, -1.0] + 0.5 + 0.1 * rng.normal(size=50)
    model = LinearRegression(2, fit_intercept=True)
    best = model.lstsq(X, y)
    assert all(np.max(np.abs(g)) < 1e-12 for g in model.grad(X, y, best))
    np.testing.assert_allclose(best[0], [2.0, -1.0], atol=0.05)
    np.testing.assert_allclose(best[1], [0.5], atol=0.05)
    nudged = [best[0] + 1e-3, best[1]]
    assert model.loss(X, y, nudged) > model.loss(X, y, best)


def test_linear_regression_rejects_bad_input():
    model = LinearRegression(2)
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\)"):
        model.loss(np.ones((3, 3)), np.ones(3))
    with pytest.raises(ValueError, match=r"y must have shape \(3,\)"):
        model.loss(np.ones((3, 2)), np.ones(4))
    with pytest.raises(ValueError, match=r"params\[0\] must have shape \(2,\)"):
        model.loss(np.ones((3, 2)), np.ones(3), [np.ones(3)])
    with pytest.raises(ValueError, match="n_features must be an int > 0"):
        LinearRegression(0)


# ----------------------------------------------------------------------------- softmax


def test_log_softmax_is_stable_and_correct():
    z = np.array([[1000.0, 0.0], [1.0, 2.0]])
    out = log_softmax(z)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out[0], [0.0, -1000.0])
    np.testing.assert_allclose(out[1], np.log(np.exp([1.0, 2.0]) / np.exp([1.0, 2.0]).sum()), rtol=1e-15)
    np.testing.assert_allclose(softmax(z).sum(axis=1), 1.0, rtol=1e-15)


# ----------------------------------------------------------------------------- MLP


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_backprop_matches_numerical_gradient(activation):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(7, 4)), rng.integers(0, 3, size=7)
    model = MLP((4, 5, 6, 3), activation, rng=1)
    loss, grads = model.loss_and_grads(X, y)
    assert loss == model.loss(X, y)
    for g, num in zip(grads, numerical_grads(model, X, y, model.params)):
        np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-9)


def test_mlp_parameters_follow_gdcore_init_and_the_x_at_W_convention():
    model = MLP((64, 32, 10), "relu", rng=5)
    assert [p.shape for p in model.params] == [(64, 32), (32,), (32, 10), (10,)]
    assert all(p.dtype == np.float64 for p in model.params)
    g = np.random.default_rng(5)
    np.testing.assert_array_equal(model.params[0], init.he_normal((64, 32), g))  # default for relu
    np.testing.assert_array_equal(model.params[2], init.he_normal((32, 10), g))
    assert not model.params[1].any() and not model.params[3].any()
    g = np.random.default_rng(5)
    np.testing.assert_array_equal(MLP((64, 32, 10), "tanh", rng=5).params[0], init.xavier_normal((64, 32), g))
    g = np.random.default_rng(5)
    np.testing.assert_array_equal(
        MLP((64, 32, 10), "tanh", init=init.lecun_uniform, rng=5).params[0], init.lecun_uniform((64, 32), g)
    )


def test_mlp_forward_records_every_layer():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(9, 4))
    model = MLP((4, 6, 5, 3), "tanh", rng=3)
    f = model.forward(X)
    assert [a.shape for a in f.a] == [(9, 4), (9, 6), (9, 5)]
    assert [z.shape for z in f.z] == [(9, 6), (9, 5), (9, 3)]
    assert len(f.hidden) == 2
    W1, b1, W2, b2, W3, b3 = model.params
    np.testing.assert_allclose(f.hidden[0], np.tanh(X @ W1 + b1), rtol=1e-15)
    np.testing.assert_allclose(f.logits, np.tanh(f.hidden[0] @ W2 + b2) @ W3 + b3, rtol=1e-14)
    bare = model.forward(X, record=False)
    assert bare.a == [] and bare.z == []
    np.testing.assert_array_equal(bare.logits, f.logits)


def test_mlp_loss_prediction_and_accuracy_by_hand():
    model = MLP((2, 3), "relu", rng=0)  # one layer: logits = X W + b
    model.params[0][:] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    model.params[1][:] = [0.0, 0.0, 0.5]
    X = np.array([[2.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
    y = np.array([0, 0, 2])
    logits = X @ model.params[0] + model.params[1]
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert model.loss(X, y) == pytest.approx(-np.mean(np.log(p[[0, 1, 2], y])), rel=1e-14)
    np.testing.assert_array_equal(model.predict(X), [0, 1, 2])
    assert model.accuracy(X, y) == pytest.approx(2 / 3)
    np.testing.assert_allclose(model.predict_proba(X), p, rtol=1e-14)


def test_mlp_huge_logits_give_a_finite_loss():
    model = MLP((2, 3), "relu", rng=0)
    model.params[0][:] = 1e4
    loss, grads = model.loss_and_grads(np.array([[1.0, -2.0]]), np.array([1]))
    assert np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads)


def test_mlp_grad_norms_are_the_weight_gradient_norms():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(30, 8)), rng.integers(0, 4, size=30)
    model = MLP((8, 16, 16, 4), "sigmoid", rng=4)
    grads = model.loss_and_grads(X, y)[1]
    np.testing.assert_allclose(model.grad_norms(X, y), [np.linalg.norm(g) for g in grads[0::2]], rtol=1e-15)


def test_mlp_rejects_bad_input():
    with pytest.raises(ValueError, match="activation must be one of"):
        MLP((4, 3), "softplus")
    with pytest.raises(ValueError, match="sizes must be a sequence"):
        MLP((4,))
    with pytest.raises(TypeError, match="init must be a callable"):
        MLP((4, 3), init="he")
    model = MLP((4, 3), rng=0)
    with pytest.raises(ValueError, match=r"y must hold labels in \[0, 3\)"):
        model.loss(np.ones((2, 4)), np.array([0, 3]))
    with pytest.raises(TypeError, match="y must hold integer class labels"):
        model.loss(np.ones((2, 4)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"X must have shape \(n, 4\)"):
        model.predict(np.ones((2, 5)))
