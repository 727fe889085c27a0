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


# --- torch's scheduler objects, against torch's own values ---------------------------------------

import json  # noqa: E402
from pathlib import Path  # noqa: E402

from gdcore.optim import SGD, Adam  # noqa: E402

REFERENCE = json.loads((Path(__file__).parent / "reference" / "schedule_reference.json").read_text(encoding="utf-8"))
CLOSED_FORM = {  # each object's closed-form function, for one stretch
    "StepLR": lambda t, lr, kw: S.step_decay(t, lr, **kw),
    "ExponentialLR": lambda t, lr, kw: S.exponential(t, lr, **kw),
    "CosineAnnealingLR": lambda t, lr, kw: S.cosine(t, lr, **kw),
    "LinearLR": lambda t, lr, kw: S.linear(t, lr, **kw),
}


def _replay(case: dict) -> list[float]:
    opt = SGD(np.zeros(1), lr=case["lr"])
    made = [getattr(S, name)(opt, **kwargs) for name, kwargs in case["schedulers"]]
    scheduler = S.SequentialLR(opt, made, case["milestones"]) if "milestones" in case else made[0]
    lrs = [opt.lr]
    for _ in range(case["steps"]):
        opt.step([np.zeros(1)])
        scheduler.step()
        lrs.append(opt.lr)
        assert scheduler.get_last_lr() == [opt.lr]
    return lrs


def test_the_reference_covers_every_scheduler():
    names = {name for case in REFERENCE["cases"] for name, _ in case["schedulers"]}
    assert names == set(CLOSED_FORM) and sum("milestones" in c for c in REFERENCE["cases"]) >= 3
    assert REFERENCE["torch_version"].startswith("2.")


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=[c["name"] for c in REFERENCE["cases"]])
def test_schedulers_match_torch_at_every_step(case: dict):
    got = np.array(_replay(case))
    want = np.array(case["lrs"])
    assert len(got) == len(want) == case["steps"] + 1
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=[c["name"] for c in REFERENCE["cases"]])
def test_the_functions_give_the_same_values_as_the_objects(case: dict):
    """Stretch by stretch, the closed form of each scheduler equals torch's values."""
    lrs = np.array(case["lrs"])
    starts = [0, *case.get("milestones", [])]
    ends = [*starts[1:], case["steps"] + 1]
    for (name, kwargs), a, b in zip(case["schedulers"], starts, ends, strict=True):
        t = np.arange(b - a)
        np.testing.assert_allclose(CLOSED_FORM[name](t, case["lr"], kwargs), lrs[a:b], rtol=0, atol=1e-12)


def test_warmup_then_cosine_reads_as_in_torch():
    opt = Adam(np.zeros(3), lr=1e-3)
    warmup = S.LinearLR(opt, start_factor=0.01, total_iters=5)
    decay = S.CosineAnnealingLR(opt, T_max=95)
    schedule = S.SequentialLR(opt, [warmup, decay], milestones=[5])
    assert opt.lr == pytest.approx(1e-5) and opt.initial_lr == 1e-3
    seen = []
    for _ in range(100):
        opt.step([np.ones(3)])
        schedule.step()
        seen.append(opt.lr)
    assert seen[4] == pytest.approx(1e-3) and max(seen) == pytest.approx(1e-3)
    assert seen[-1] == pytest.approx(0.0, abs=1e-12)


def test_scheduler_input_is_checked():
    opt = SGD(np.zeros(1), lr=0.1)
    with pytest.raises(TypeError, match="optimizer must have a float attribute lr"):
        S.StepLR(object(), step_size=3)
    with pytest.raises(ValueError, match="step_size must be"):
        S.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match=r"start_factor must be in \(0, 1\]"):
        S.LinearLR(opt, start_factor=2.0)
    with pytest.raises(ValueError, match="gamma must be"):
        S.ExponentialLR(opt, gamma=-0.5)
    a, b = S.ExponentialLR(opt, gamma=0.9), S.StepLR(opt, step_size=3)
    with pytest.raises(ValueError, match="milestones must have one entry fewer than schedulers"):
        S.SequentialLR(opt, [a, b], milestones=[])
    with pytest.raises(ValueError, match="milestones must increase"):
        S.SequentialLR(opt, [a, b, S.StepLR(opt, step_size=2)], milestones=[5, 5])
    other = S.StepLR(SGD(np.zeros(1), lr=0.1), step_size=3)
    with pytest.raises(ValueError, match=r"schedulers\[1\] belongs to another optimizer"):
        S.SequentialLR(opt, [a, other], milestones=[4])


def test_lambda_lr_and_scheduled_with_minimize():
    from functools import partial

    from gdcore.functions import elongated
    from gdcore.run import minimize

    opt = SGD(np.zeros(1), lr=0.2)
    sched = S.LambdaLR(opt, lambda t: 1 / (1 + t / 10))
    seen = [opt.lr]
    for _ in range(20):
        opt.step([np.zeros(1)])
        sched.step()
        seen.append(opt.lr)
    np.testing.assert_allclose(seen, [0.2 / (1 + t / 10) for t in range(21)], rtol=0, atol=1e-15)
    with pytest.raises(TypeError, match="lr_lambda must be a callable"):
        S.LambdaLR(opt, 0.5)
    # minimize with a schedule: the same path as the loop written out
    make = S.scheduled(partial(SGD, lr=0.4), lambda o: S.CosineAnnealingLR(o, T_max=30))
    run = minimize(elongated, [-5.0, -2.0], make, 30)
    x = np.array([-5.0, -2.0])
    opt = SGD(x, lr=0.4)
    cos = S.CosineAnnealingLR(opt, T_max=30)
    for _ in range(30):
        opt.step(elongated.grad(x))
        cos.step()
    np.testing.assert_array_equal(run.points[-1], x)
    with pytest.raises(TypeError, match="schedule must be a callable"):
        S.scheduled(partial(SGD, lr=0.1), None)
