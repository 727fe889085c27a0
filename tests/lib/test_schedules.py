"""Tests for gdcore.schedules: closed forms, Goyal et al.'s numbers, torch's values."""

import math

import numpy as np
import pytest

from gdcore import schedules as S


def test_linear_scaling_goyal():
    k = 8192 / 256
    assert k == 32
    assert S.linear_scaling(0.1, 8192) == pytest.approx(3.2)
    assert S.linear_scaling(0.1, 256) == pytest.approx(0.1)
    assert S.linear_scaling(0.1, 128) == pytest.approx(0.05)
    assert S.linear_scaling(0.01, 64, base_batch_size=32) == pytest.approx(0.02)


def test_gradual_warmup_goyal_from_eta_to_k_eta_over_five_epochs():
    iterations_per_epoch = 1_281_167 // 8192  # ImageNet-1k, batch 8192: 156 iterations
    warmup = 5 * iterations_per_epoch
    target = S.linear_scaling(0.1, 8192)
    lr = lambda t: S.gradual_warmup(t, target, warmup, start_lr=0.1)  # noqa: E731
    assert lr(0) == pytest.approx(0.1)
    assert lr(warmup // 2) == pytest.approx((0.1 + 3.2) / 2)
    assert lr(warmup) == pytest.approx(3.2)
    assert lr(warmup + 1000) == pytest.approx(3.2)
    curve = S.gradual_warmup(np.arange(warmup + 10), target, warmup, start_lr=0.1)
    increments = np.diff(curve[: warmup + 1])
    np.testing.assert_allclose(increments, (3.2 - 0.1) / warmup)  # the same amount every iteration


def test_gradual_warmup_from_zero():
    np.testing.assert_allclose(S.gradual_warmup(np.array([0, 1, 5, 10, 20]), 1.0, 10), [0.0, 0.1, 0.5, 1.0, 1.0])
    assert S.gradual_warmup(3, 0.5, 4, start_lr=0.1) == pytest.approx(0.4)


def test_step_decay_matches_torch_steplr():
    # StepLR(lr=0.1, step_size=30, gamma=0.1): lr * 0.1 ** (epoch // 30)
    steps = np.array([0, 29, 30, 59, 60, 89, 90])
    expected = [0.1, 0.1, 0.01, 0.01, 0.001, 0.001, 0.0001]
    np.testing.assert_allclose(S.step_decay(steps, 0.1, 30), expected, rtol=1e-12)
    assert S.step_decay(5, 1.0, 2, gamma=0.5) == 0.25


def test_cosine_matches_torch_closed_form():
    # CosineAnnealingLR(lr=0.1, T_max=100, eta_min=0.001)
    steps = np.array([0, 25, 50, 75, 100, 150, 200])
    expected = [0.1, 0.08550178566873411, 0.0505, 0.015498214331265886, 0.001, 0.0505, 0.1]
    np.testing.assert_allclose(S.cosine(steps, 0.1, 100, eta_min=0.001), expected, rtol=1e-12)
    assert S.cosine(10, 1.0, 10) == pytest.approx(0.0, abs=1e-15)
    assert S.cosine(1, 1.0, 3) == pytest.approx((1 + math.cos(math.pi / 3)) / 2)


@pytest.mark.parametrize(
    "schedule",
    [
        lambda t: S.gradual_warmup(t, 1.0, 10),
        lambda t: S.step_decay(t, 1.0, 10),
        lambda t: S.cosine(t, 1.0, 10),
    ],
)
def test_scalar_gives_float_array_gives_array(schedule):
    assert type(schedule(3)) is float
    assert type(schedule(np.int64(3))) is float
    out = schedule(np.arange(12).reshape(3, 4))
    assert isinstance(out, np.ndarray) and out.shape == (3, 4) and out.dtype == np.float64
    assert out[0, 3] == schedule(3)
    np.testing.assert_array_equal(schedule([1, 2]), [schedule(1), schedule(2)])


def test_bad_input():
    with pytest.raises(ValueError, match="base_lr"):
        S.linear_scaling(-0.1, 256)
    with pytest.raises(ValueError, match="batch_size"):
        S.linear_scaling(0.1, 0)
    with pytest.raises(TypeError, match="batch_size"):
        S.linear_scaling(0.1, 256.0)
    with pytest.raises(ValueError, match="base_batch_size"):
        S.linear_scaling(0.1, 256, base_batch_size=-256)
    with pytest.raises(ValueError, match="warmup_steps"):
        S.gradual_warmup(0, 0.1, 0)
    with pytest.raises(ValueError, match="lr"):
        S.gradual_warmup(0, -0.1, 5)
    with pytest.raises(ValueError, match="start_lr"):
        S.gradual_warmup(0, 0.1, 5, start_lr=float("nan"))
    with pytest.raises(TypeError, match="step"):
        S.step_decay(1.5, 0.1, 10)
    with pytest.raises(TypeError, match="step"):
        S.cosine(np.linspace(0, 10, 5), 0.1, 10)
    with pytest.raises(TypeError, match="step"):
        S.cosine(True, 0.1, 10)
    with pytest.raises(ValueError, match="step"):
        S.cosine(np.array([0, -1]), 0.1, 10)
    with pytest.raises(ValueError, match="step_size"):
        S.step_decay(1, 0.1, 0)
    with pytest.raises(ValueError, match="gamma"):
        S.step_decay(1, 0.1, 10, gamma=0.0)
    with pytest.raises(ValueError, match="T_max"):
        S.cosine(1, 0.1, -5)
    with pytest.raises(ValueError, match="eta_min"):
        S.cosine(1, 0.1, 5, eta_min=-1e-3)
