"""Tests for gdcore.train: the mini-batch loop (SGD paths and gradient noise: test_book.py)."""

import functools
import re

import numpy as np
import pytest

from gdcore.data import load_digits_split
from gdcore.models import MLP, LinearRegression
from gdcore.optim import SGD, Adam
from gdcore.run import DivergenceError, minimize
from gdcore.schedules import gradual_warmup
from gdcore.train import History, epoch_batches, fit
from common import fresh


# ----------------------------------------------------------------------------- epoch_batches


def test_epoch_batches_cover_every_row_once_and_keep_the_last_partial_batch():
    batches = epoch_batches(10, 4, rng=0)
    assert [len(b) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(10))
    np.testing.assert_array_equal(np.concatenate(batches), np.random.default_rng(0).permutation(10))
    np.testing.assert_array_equal(np.concatenate(epoch_batches(10, 3, rng=0, shuffle=False)), np.arange(10))
    assert [b.tolist() for b in epoch_batches(5, 8, rng=0)] == [[0, 1, 2, 3, 4]]


# ----------------------------------------------------------------------------- fit


def test_full_batch_fit_reaches_the_least_squares_solution(problem):
    model = fresh(problem)
    h = fit(model, SGD(model.params, lr=0.5), problem.X, problem.y, batch_size=100, epochs=300, rng=0)
    assert isinstance(h, History) and h.steps == 300
    np.testing.assert_allclose(model.params[0], problem.w_star, rtol=1e-10)
    assert h.epoch_loss[-1] == pytest.approx(problem.loss_star, rel=1e-12)
    np.testing.assert_array_equal(h.batch_size, 100)
    np.testing.assert_array_equal(h.examples_seen, 100 * np.arange(1, 301))


def test_full_batch_fit_is_gradient_descent(problem):
    """batch_size = len(X): the same iterates as gdcore.run.minimize on the full-batch objective."""
    model = fresh(problem)
    h = fit(model, SGD(model.params, lr=0.3), problem.X, problem.y, batch_size=100, epochs=20, rng=None)
    traj = minimize(problem, [-1.0, -2.0], functools.partial(SGD, lr=0.3), steps=20)
    np.testing.assert_allclose(h.epoch_loss, traj.values, rtol=1e-12)
    np.testing.assert_allclose(h.loss, traj.values[:-1], rtol=1e-12)  # the batch loss is taken before each step
    np.testing.assert_array_equal(h.epoch_steps, np.arange(21))


def test_sgd_is_reproducible_with_a_seed_and_changes_with_another(problem):
    def run(seed):
        model = fresh(problem)
        h = fit(model, SGD(model.params, lr=0.05), problem.X, problem.y, batch_size=1, epochs=3, rng=seed)
        return model.params[0].copy(), h

    w_a, h_a = run(7)
    w_b, h_b = run(7)
    w_c, _ = run(8)
    np.testing.assert_array_equal(w_a, w_b)
    np.testing.assert_array_equal(h_a.loss, h_b.loss)
    assert not np.allclose(w_a, w_c, rtol=0, atol=1e-6)
    assert h_a.steps == 300 and h_a.epoch.tolist() == [0] * 100 + [1] * 100 + [2] * 100
    np.testing.assert_array_equal(h_a.examples_seen, np.arange(1, 301))
    # SGD with a constant rate hovers near the solution (it does not converge to it exactly)
    assert 0 < np.linalg.norm(w_a - problem.w_star) < 0.3
    assert problem.loss_star < h_a.epoch_loss[-1] < problem.loss_star * 1.2


def test_partial_last_batch_is_kept(problem):
    model = fresh(problem)
    h = fit(model, SGD(model.params, lr=0.1), problem.X, problem.y, batch_size=32, epochs=2, rng=0)
    assert h.batch_size.tolist() == [32, 32, 32, 4] * 2
    assert h.examples_seen[-1] == 200
    np.testing.assert_array_equal(h.epoch_steps, [0, 4, 8])


def test_schedule_sets_the_learning_rate_before_each_step(problem):
    model = fresh(problem)
    opt = SGD(model.params, lr=123.0)  # overwritten by the schedule
    w0 = model.params[0].copy()
    g0 = model.grad(problem.X, problem.y)[0]

    def schedule(s):
        return gradual_warmup(s, 0.4, warmup_steps=20, start_lr=0.02)

    h = fit(model, opt, problem.X, problem.y, batch_size=100, epochs=30, rng=0, schedule=schedule)
    np.testing.assert_allclose(h.lr, gradual_warmup(np.arange(30), 0.4, warmup_steps=20, start_lr=0.02), rtol=1e-15)
    assert opt.lr == 0.4 and h.lr[0] == 0.02
    # the first step really used start_lr: replay it
    replay = LinearRegression(2)
    replay.params[0][:] = w0
    fit(replay, SGD(replay.params, lr=0.02), problem.X, problem.y, batch_size=100, epochs=1, rng=0)
    np.testing.assert_allclose(replay.params[0], w0 - 0.02 * g0, rtol=1e-15)


def test_divergence_raises_with_the_step_and_epoch(problem):
    model = fresh(problem)
    with pytest.raises(DivergenceError, match=r"diverged at step \d+ \(epoch \d+, batch \d+\)") as info:
        fit(model, SGD(model.params, lr=10.0), problem.X, problem.y, batch_size=10, epochs=50, rng=0)
    step, epoch, batch = map(int, re.search(r"step (\d+) \(epoch (\d+), batch (\d+)\)", str(info.value)).groups())
    assert step == 10 * epoch + batch and step > 0
    assert "learning rate may be too large" in str(info.value)
    # on_divergence="stop": the same step, the history up to it, no warnings
    model = fresh(problem)
    with np.errstate(all="raise"):
        h = fit(model, SGD(model.params, lr=10.0), problem.X, problem.y, batch_size=10, epochs=50, rng=0,
                on_divergence="stop")
    assert h.diverged and h.message == str(info.value)
    assert h.steps == step and np.all(np.isfinite(h.loss))
    assert len(h.epoch_loss) == epoch + 1  # epochs 0..epoch-1 completed, plus the start


def test_validation_numbers_per_epoch(problem):
    model = fresh(problem)
    X_val, y_val = problem.X[:20] + 0.1, problem.y[:20]
    h = fit(model, SGD(model.params, lr=0.3), problem.X, problem.y, batch_size=100, epochs=5, rng=0,
            X_val=X_val, y_val=y_val)
    assert h.val_error is None  # LinearRegression has no accuracy
    assert len(h.val_loss) == 6
    assert h.val_loss[-1] == pytest.approx(model.loss(X_val, y_val), rel=1e-15)


def test_mlp_on_digits_reaches_90_percent_in_three_epochs():
    X_train, y_train, X_val, y_val = load_digits_split(0)
    model = MLP((64, 64, 10), "relu", rng=1)
    h = fit(model, SGD(model.params, lr=0.1), X_train, y_train, batch_size=32, epochs=3, rng=2,
            X_val=X_val, y_val=y_val)
    assert h.steps == 3 * 45  # ceil(1438 / 32) = 45 batches per epoch
    assert h.val_error[0] > 0.8  # chance level before training
    assert h.val_error[-1] < 0.1  # measured 0.036
    assert h.val_error[-1] == pytest.approx(1 - model.accuracy(X_val, y_val))
    assert np.all(np.diff(h.epoch_loss) < 0)


def test_fit_with_momentum_and_adam_trains(problem):
    for make in (lambda p: SGD(p, lr=0.1, momentum=0.9), lambda p: Adam(p, lr=0.1)):
        model = fresh(problem)
        h = fit(model, make(model.params), problem.X, problem.y, batch_size=100, epochs=300, rng=0)
        assert h.epoch_loss[-1] == pytest.approx(problem.loss_star, rel=1e-4)


def test_log_every_prints_progress(problem, capsys):
    model = fresh(problem)
    fit(model, SGD(model.params, lr=0.1), problem.X, problem.y, batch_size=50, epochs=2, rng=0)
    assert capsys.readouterr().out == ""
    fit(model, SGD(model.params, lr=0.1), problem.X, problem.y, batch_size=50, epochs=2, rng=0, log_every=2)
    lines = capsys.readouterr().out.splitlines()
    expected = ["epoch 0", "step 0 (epoch 0)", "epoch 1", "step 2 (epoch 1)", "epoch 2"]
    assert [line.split(":")[0] for line in lines] == expected


def test_fit_rejects_bad_arguments(problem):
    model = fresh(problem)
    opt = SGD(model.params, lr=0.1)
    X, y = problem.X, problem.y
    with pytest.raises(ValueError, match="optimizer.params must be the model's own arrays"):
        fit(model, SGD([p.copy() for p in model.params], lr=0.1), X, y, batch_size=1, epochs=1, rng=0)
    with pytest.raises(TypeError, match="optimizer must be an optimizer instance"):
        fit(model, functools.partial(SGD, lr=0.1), X, y, batch_size=1, epochs=1, rng=0)
    with pytest.raises(ValueError, match="batch_size must be an int >= 1"):
        fit(model, opt, X, y, batch_size=0, epochs=1, rng=0)
    with pytest.raises(ValueError, match="X and y must have the same"):
        fit(model, opt, X, y[:-1], batch_size=1, epochs=1, rng=0)
    with pytest.raises(ValueError, match="X_val and y_val must be given together"):
        fit(model, opt, X, y, batch_size=1, epochs=1, rng=0, X_val=X)
    with pytest.raises(TypeError, match="model must have params"):
        fit(object(), opt, X, y, batch_size=1, epochs=1, rng=0)
    with pytest.raises(ValueError, match='on_divergence must be "raise" or "stop"'):
        fit(model, opt, X, y, batch_size=1, epochs=1, rng=0, on_divergence="ignore")
