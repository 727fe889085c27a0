"""The schedules chapter's experiments: why a learning rate that changes with the step helps.

Part of :mod:`gdcore.book`, the experiments of the book (the site), not the library.

* :data:`NOISE` / :func:`sgd_decay_runs` — one-example SGD on the SGD chapter's least-squares
  problem with a fixed rate and with three decays: the fixed rate hovers at the noise floor,
  a Robbins–Monro decay keeps going down, a too-fast decay stops short.
* :data:`DIGITS_SCHEDULES` / :func:`digits_schedule_runs` — the digits MLP with momentum SGD at a
  large learning rate under four schedules (constant, step, cosine, warmup then cosine).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gdcore import schedules as S
from gdcore._validate import check_int
from gdcore.book.large_batch import DIGITS, digits_setup, steps_per_epoch
from gdcore.book.minibatch import PATHS, _batch_stream, regression_problem
from gdcore.models import LinearRegression
from gdcore.optim import SGD
from gdcore.run import minimize
from gdcore.train import History, fit


@dataclass(frozen=True)
class NoiseConfig:
    """One-example SGD (batch 1) on :func:`gdcore.book.minibatch.regression_problem`.

    Attributes:
        lr: η_0, the SGD chapter's rate (``PATHS.lr``).
        steps: steps of every run.
        seeds: the batch draws; the figure shows the mean excess loss over them.
        inverse_time: τ of the decay η_t = η_0 / (1 + t/τ) (Robbins–Monro).
        fast_gamma: γ of the exponential decay η_0 γ^t, whose rates add up to η_0 / (1 − γ) only.
    """

    lr: float = PATHS.lr
    steps: int = 2000
    seeds: tuple[int, ...] = (1, 2, 3, 4)
    inverse_time: float = 100.0
    fast_gamma: float = 0.97


NOISE = NoiseConfig()


def noise_schedules(config: NoiseConfig = NOISE) -> dict[str, Callable]:
    """The four schedules of :func:`sgd_decay_runs`, as ``optimizer -> scheduler`` (None: fixed)."""
    return {
        "고정": None,
        "1/t 감쇠": lambda opt: S.LambdaLR(opt, lambda t: 1 / (1 + t / config.inverse_time)),
        "지수 감쇠": lambda opt: S.ExponentialLR(opt, gamma=config.fast_gamma),
        "코사인": lambda opt: S.CosineAnnealingLR(opt, T_max=config.steps),
    }


@functools.cache
def sgd_decay_runs(config: NoiseConfig = NOISE) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{schedule: (η_t for t = 0..steps−1, mean excess loss L(w_t) − L* for t = 0..steps)}``.

    Each run is :func:`gdcore.run.minimize` from ``PATHS.w0`` with the gradient of one example
    drawn as in :func:`gdcore.train.fit` (a fresh shuffle every epoch), and
    ``gdcore.optim.SGD(lr)`` whose rate the schedule sets after every step.
    """
    problem = regression_problem()
    model = LinearRegression(problem.X.shape[1])
    out = {}
    for name, schedule in noise_schedules(config).items():
        excess, rates = [], None
        for seed in config.seeds:
            batches = _batch_stream(len(problem.X), 1, np.random.default_rng(seed))

            def one_example(w, batches=batches):
                idx = next(batches)
                return model.loss_and_grads(problem.X[idx], problem.y[idx], [w])[1][0]

            seen: list[float] = []

            def make(w, schedule=schedule, seen=seen):
                opt = SGD(w, lr=config.lr)
                sched = schedule(opt) if schedule else None

                class Recorded:  # the rate of every step, as the schedule set it
                    def step(self, grads):
                        seen.append(opt.lr)
                        opt.step(grads)
                        if sched is not None:
                            sched.step()

                return Recorded()

            run = minimize(problem, PATHS.w0, make, config.steps, grad=one_example)
            excess.append(run.values - problem.loss_star)
            rates = np.array(seen)
        out[name] = (rates, np.mean(excess, axis=0))
    return out


@dataclass(frozen=True)
class DigitsScheduleConfig:
    """The digits MLP of :data:`gdcore.book.DIGITS` (64-64-10, ReLU) with ``SGD(momentum=0.9)``.

    Attributes:
        lr: the peak learning rate, twice the large-batch chapter's base rate: constant, it
            wrecks the first epochs.
        epochs: passes over the training set.
        batch_size: examples per step.
        step_every: StepLR's step size, as a fraction of all steps.
        step_gamma: StepLR's γ.
        warmup: the warmup's share of all steps (linear from 1 % of ``lr``), then cosine.
        seeds: one run per seed (data split, initial weights, shuffles).
    """

    lr: float = 0.2
    epochs: int = 20
    batch_size: int = DIGITS.base_batch_size
    step_every: float = 1 / 3
    step_gamma: float = 0.1
    warmup: float = 0.1
    seeds: tuple[int, ...] = (0, 1, 2)


DIGITS_SCHEDULES = DigitsScheduleConfig()


def digits_schedules(total: int, config: DigitsScheduleConfig = DIGITS_SCHEDULES) -> dict[str, Callable | None]:
    """The four schedules as functions of the step (what :func:`gdcore.train.fit` takes), for
    ``total`` steps: None is the constant rate."""
    lr = config.lr
    warm = round(config.warmup * total)

    def warmup_cosine(step: int) -> float:
        if step < warm:
            return S.linear(step, lr, start_factor=0.01, total_iters=warm)
        return S.cosine(step - warm, lr, T_max=total - warm)

    return {
        "고정": None,
        "계단(StepLR)": functools.partial(S.step_decay, lr=lr, step_size=round(config.step_every * total),
                                        gamma=config.step_gamma),
        "코사인": functools.partial(S.cosine, lr=lr, T_max=total),
        "워밍업 + 코사인": warmup_cosine,
    }


@functools.cache
def digits_schedule_runs(config: DigitsScheduleConfig = DIGITS_SCHEDULES) -> dict[str, list[History]]:
    """``{schedule: [History per seed]}``: :func:`gdcore.train.fit` with validation every epoch."""
    out: dict[str, list[History]] = {}
    for seed in config.seeds:
        model, data, rng = digits_setup(check_int(seed, "seed", 0))
        total = config.epochs * steps_per_epoch(len(data.X_train), config.batch_size)
        for k, (name, schedule) in enumerate(digits_schedules(total, config).items()):
            if k:  # every schedule starts from the same data split, weights and shuffles
                model, data, rng = digits_setup(seed)
            history = fit(model, SGD(model.params, lr=config.lr, momentum=0.9), data.X_train, data.y_train,
                          batch_size=config.batch_size, epochs=config.epochs, rng=rng, schedule=schedule,
                          X_val=data.X_val, y_val=data.y_val)
            out.setdefault(name, []).append(history)
    return out
