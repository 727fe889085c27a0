"""Tests for gdcore.book.init_training: the initialisation chapter's training runs.

The six runs of INIT_TRAINING (under a second with one BLAS thread) are the ones the figure
``init-training-curves`` draws; the orderings the chapter states about them are checked here on
the figure's seed and, so that they are not an accident of one seed, on two more.
"""

import dataclasses
import math

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from gdcore.book.init_training import (
    ACTIVATIONS_COMPARED,
    INIT_TRAINING,
    INITIALIZERS,
    InitRun,
    init_training_runs,
    init_training_setup,
    small_normal,
    train_one,
)
from gdcore.init import init_std

LN10 = math.log(10)
EXTRA_SEEDS = (1, 2)  # the figure shows seed 0; the orderings must hold on these too


@pytest.fixture(scope="module")
def runs() -> dict[tuple[str, str], InitRun]:
    with threadpool_limits(1):
        return init_training_runs()


@pytest.fixture(scope="module")
def other_seeds() -> list[dict[tuple[str, str], InitRun]]:
    with threadpool_limits(1):
        return [init_training_runs(dataclasses.replace(INIT_TRAINING, seed=s)) for s in EXTRA_SEEDS]


def _loss(runs, activation: str, init: str) -> np.ndarray:
    return runs[activation, init].history.epoch_loss


def test_the_configuration():
    c = INIT_TRAINING
    assert c.sizes == (64, *[c.width] * c.hidden_layers, 10) and c.dense_layers == len(c.sizes) - 1
    assert 5 <= c.dense_layers <= 10  # a deep MLP, as deep as the chapter's step-0 experiment
    assert list(INITIALIZERS) == ["small", "xavier", "he"] and ACTIVATIONS_COMPARED == ("sigmoid", "relu")
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.lr = 1.0  # type: ignore[misc]


def test_the_three_starts_are_one_draw_scaled_layer_by_layer():
    """Same split, same generator state: the three initial weight sets are the same standard normal
    numbers times each scheme's standard deviation, so only the scale differs between the runs."""
    models = {}
    for init in INITIALIZERS:
        model, data, _ = init_training_setup(init, "relu")
        models[init] = model
        np.testing.assert_array_equal(data.X_train, init_training_setup("small", "sigmoid")[1].X_train)
        assert all(not b.any() for b in model.params[1::2])  # biases start at 0
    for l, (fan_in, fan_out) in enumerate(zip(INIT_TRAINING.sizes[:-1], INIT_TRAINING.sizes[1:])):
        z = models["small"].params[2 * l] / INIT_TRAINING.small_std
        np.testing.assert_allclose(models["xavier"].params[2 * l], z * init_std("xavier", fan_in, fan_out), rtol=1e-12)
        np.testing.assert_allclose(models["he"].params[2 * l], z * init_std("he", fan_in, fan_out), rtol=1e-12)
    big = small_normal((2000, 50), np.random.default_rng(0), std=0.01)
    assert abs(big.std() - 0.01) < 2e-4
    with pytest.raises(ValueError, match="std"):
        small_normal((2, 2), np.random.default_rng(0), std=0.0)
    with pytest.raises(ValueError, match="init"):
        init_training_setup("lecun", "relu")


def test_a_run_is_deterministic():
    with threadpool_limits(1):
        short = dataclasses.replace(INIT_TRAINING, epochs=2)
        a, b = train_one("he", "relu", short), train_one("he", "relu", short)
    np.testing.assert_array_equal(a.history.loss, b.history.loss)
    np.testing.assert_array_equal(a.history.epoch_loss, b.history.epoch_loss)
    assert a.val_error == b.val_error
    assert init_training_runs() is init_training_runs()  # cached: the figure, table and claims share one set


def test_every_run_is_complete(runs):
    assert list(runs) == [(a, i) for a in ACTIVATIONS_COMPARED for i in INITIALIZERS]
    for key, run in runs.items():
        h = run.history
        assert not h.diverged and len(h.epoch_loss) == INIT_TRAINING.epochs + 1, key
        assert np.all(np.isfinite(h.epoch_loss)) and 0 <= run.val_error <= 1, key


def _check_orderings(runs):
    """What the chapter says about the curves, as in the figure's claims (sitegen/figures/weight_initialization.py)."""
    E = INIT_TRAINING.epochs
    for activation in ACTIVATIONS_COMPARED:  # N(0, 0.01²) never leaves ln 10
        assert np.abs(_loss(runs, activation, "small") - LN10).max() < 0.01, activation
    he, xavier = _loss(runs, "relu", "he"), _loss(runs, "relu", "xavier")
    assert he[3] < 0.5 * LN10 and xavier[3] < 0.5 * LN10  # below half of ln 10 within three epochs
    assert he[-1] < 0.01 and xavier[-1] < 0.01
    assert np.all(he[1:4] < xavier[1:4]), (he[:4], xavier[:4])  # He ahead for the first three epochs
    assert abs(math.log(he[-1] / xavier[-1])) < math.log(1.5)  # and about the same at the end
    sig_x, sig_he = _loss(runs, "sigmoid", "xavier"), _loss(runs, "sigmoid", "he")
    assert np.all(np.abs(sig_x[1:] / LN10 - 1) < 0.05)  # sigmoid + Xavier stays near ln 10
    assert np.all(sig_he[: E // 2 + 1] > 0.95 * LN10) and sig_he[-1] < 0.7 * LN10  # He leaves it, late
    assert runs["sigmoid", "he"].val_error < min(runs["sigmoid", i].val_error for i in ("small", "xavier"))
    assert max(runs["relu", i].val_error for i in ("xavier", "he")) < 0.06
    assert min(runs[a, "small"].val_error for a in ACTIVATIONS_COMPARED) > 0.85  # about 9 in 10 wrong


def test_the_orderings_the_chapter_states(runs):
    _check_orderings(runs)


def test_the_orderings_hold_on_other_seeds(other_seeds):
    for runs in other_seeds:
        _check_orderings(runs)


def test_the_small_start_learns_only_the_class_frequencies(runs):
    """With s = 0.01 only the output bias moves: the loss is the entropy of the training labels."""
    _, data, _ = init_training_setup("small", "relu")
    p = np.bincount(data.y_train, minlength=10) / len(data.y_train)
    entropy = float(-(p * np.log(p)).sum())
    assert 0 < LN10 - entropy < 1e-3
    assert abs(_loss(runs, "relu", "small")[-1] - entropy) < 1e-3
    assert np.abs(_loss(runs, "sigmoid", "small") - entropy).max() < 0.01



def test_the_gradients_before_training():
    """Step 0 on the whole training set: what the chapter's step-0 code block prints and its bullets say."""
    g = {}
    for activation in ACTIVATIONS_COMPARED:
        for init in INITIALIZERS:
            model, data, _ = init_training_setup(init, activation)
            g[activation, init] = model.grad_norms(data.X_train, data.y_train)
    assert np.all(g["relu", "he"] > 1e5 * g["relu", "small"])  # 10만 배 넘게
    assert np.all(g["relu", "he"] > g["relu", "xavier"])
    for init in ("xavier", "he"):
        assert 1.5 < math.log10(g["sigmoid", init][-1] / g["sigmoid", init][0]) < 2.5, init  # 두 자릿수 안팎
    assert 5.5 < math.log10(g["sigmoid", "small"][-1] / g["sigmoid", "small"][0]) < 6.0  # 여섯 자릿수 가까이
    assert g["sigmoid", "he"][0] > 2 * g["sigmoid", "xavier"][0]
    # with s = 0.01 and ReLU the signal shrinks by about √(½ · width · s²) per hidden layer
    model, data, _ = init_training_setup("small", "relu")
    z = model.forward(data.X_train).z
    factor = math.sqrt(0.5 * INIT_TRAINING.width * INIT_TRAINING.small_std**2)
    ratios = [z[l].std() / z[l - 1].std() for l in range(1, INIT_TRAINING.hidden_layers)]
    assert all(0.75 * factor < r < 1.25 * factor for r in ratios), (ratios, factor)
