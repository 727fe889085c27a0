"""The digits experiments shared by several chapters, with their hyperparameters in one place.

Part of :mod:`gdcore.book`, the experiments of the book (the site), not the library.

The SGD chapter (``docs/sgd.md``), the comparison page and the notebooks all
run the *same* large-batch experiment by calling this module, so every
hyperparameter below appears exactly once.

Large-batch experiment (after Goyal et al. 2017): a small MLP on the
handwritten digits (:func:`gdcore.data.load_digits_split`) trained with plain
mini-batch SGD under four settings (:data:`LARGE_BATCH_SETTINGS`):

1. ``"small"``  — the base batch B at the base learning rate η;
2. ``"large"``  — a k times larger batch kB at the same η;
3. ``"scaled"`` — batch kB with the linear scaling rule, learning rate kη;
4. ``"warmup"`` — batch kB, kη, reached by gradual warmup from η over the
   first few epochs (Goyal et al.'s form, which starts at η, not at 0).

All four train for the same number of epochs (so they see the same number of
examples) from the same seeds: seed s fixes the train/validation split, the
initial weights and the shuffling, identically for every setting.

Source: P. Goyal, P. Dollár, R. Girshick, P. Noordhuis, L. Wesolowski,
A. Kyrola, A. Tulloch, Y. Jia and K. He, "Accurate, Large Minibatch SGD:
Training ImageNet in 1 Hour" (2017), §2, arXiv:1706.02677,
https://arxiv.org/abs/1706.02677
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gdcore._validate import check_choice, check_int
from gdcore.data import DigitsSplit, load_digits_split
from gdcore.models import MLP
from gdcore.optim import SGD
from gdcore.schedules import gradual_warmup, linear_scaling
from gdcore.train import History, fit

__all__ = [
    "DigitsConfig",
    "DIGITS",
    "LargeBatchSetting",
    "large_batch_settings",
    "LARGE_BATCH_SETTINGS",
    "digits_setup",
    "steps_per_epoch",
    "run_large_batch",
    "final_val_errors",
]


@dataclass(frozen=True)
class DigitsConfig:
    """Hyperparameters of the digits large-batch experiment.

    Attributes:
        hidden: width of the one hidden layer: the MLP is 64-``hidden``-10.
        activation: hidden activation of :class:`gdcore.models.MLP`
            (He-normal initial weights for "relu").
        epochs: passes over the training set, the same for every setting.
        base_batch_size: B, the small batch.
        base_lr: η, the learning rate that suits B.
        k: the large batch is k·B.
        warmup_epochs: length of the gradual warmup from η to kη, in epochs.
        val_fraction: share of the 1797 images held out for validation.
        seeds: one run per seed; the table reports the mean and the range.
    """

    hidden: int = 64
    activation: str = "relu"
    epochs: int = 30
    base_batch_size: int = 32
    base_lr: float = 0.1
    k: int = 32
    warmup_epochs: int = 10
    val_fraction: float = 0.2
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)


#: The configuration every page uses.
DIGITS = DigitsConfig()


@dataclass(frozen=True)
class LargeBatchSetting:
    """One of the four compared settings.

    Attributes:
        name: ``"small"``, ``"large"``, ``"scaled"`` or ``"warmup"``.
        label: a short Korean label for tables and legends.
        batch_size: examples per step.
        lr: the learning rate after warmup (the constant rate without it).
        warmup_epochs: 0 for no warmup; otherwise the rate rises linearly
            from ``warmup_start_lr`` to ``lr`` over this many epochs.
        warmup_start_lr: the rate at step 0 of the warmup.
    """

    name: str
    label: str
    batch_size: int
    lr: float
    warmup_epochs: int = 0
    warmup_start_lr: float = 0.0


def large_batch_settings(config: DigitsConfig = DIGITS) -> tuple[LargeBatchSetting, ...]:
    """The four settings of the experiment for ``config``, in the order (1)–(4).

    The large-batch learning rate kη comes from
    :func:`gdcore.schedules.linear_scaling` (η per B examples).
    """
    B, eta = config.base_batch_size, config.base_lr
    large = config.k * B
    scaled = linear_scaling(eta, large, base_batch_size=B)
    return (
        LargeBatchSetting("small", "작은 배치", B, eta),
        LargeBatchSetting("large", "큰 배치, 같은 학습률", large, eta),
        LargeBatchSetting("scaled", "큰 배치 + 선형 스케일링", large, scaled),
        LargeBatchSetting(
            "warmup", "큰 배치 + 스케일링 + 워밍업", large, scaled,
            warmup_epochs=config.warmup_epochs, warmup_start_lr=eta,
        ),
    )


#: The four settings of :data:`DIGITS`.
LARGE_BATCH_SETTINGS = large_batch_settings(DIGITS)


def digits_setup(seed: int, config: DigitsConfig = DIGITS) -> tuple[MLP, DigitsSplit, np.random.Generator]:
    """The split, a freshly initialised MLP and the generator left for shuffling, for one seed.

    One ``numpy.random.default_rng(seed)`` draws, in this order, the
    train/validation permutation, the initial weights, and then (in
    :func:`run_large_batch`) every epoch's shuffle: the same seed gives every
    setting the same data and the same starting weights.
    """
    rng = np.random.default_rng(check_int(seed, "seed", 0))
    data = load_digits_split(rng, val_fraction=config.val_fraction)
    model = MLP((data.X_train.shape[1], config.hidden, 10), config.activation, rng=rng)
    return model, data, rng


def steps_per_epoch(n: int, batch_size: int) -> int:
    """⌈n / batch_size⌉: optimizer steps in one epoch (the last, smaller batch included)."""
    return math.ceil(n / batch_size)


def run_large_batch(
    setting: LargeBatchSetting | str,
    seed: int,
    config: DigitsConfig = DIGITS,
    *,
    epochs: int | None = None,
) -> History:
    """Train one setting from one seed with plain mini-batch SGD and return its :class:`History`.

    ``setting`` is a :class:`LargeBatchSetting` or the name of one of
    ``large_batch_settings(config)``. With warmup the learning rate at step t
    is :func:`gdcore.schedules.gradual_warmup` with
    ``warmup_steps = warmup_epochs · steps_per_epoch``. ``epochs`` overrides
    ``config.epochs`` (the tests use fewer). A run whose loss blows up is not
    an error: it stops there and the History says ``diverged=True``.
    """
    if isinstance(setting, str):
        by_name = {s.name: s for s in large_batch_settings(config)}
        setting = by_name[check_choice(setting, "setting", by_name)]
    model, data, rng = digits_setup(seed, config)
    schedule: Callable[[int], float] | None = None
    if setting.warmup_epochs > 0:
        warmup_steps = setting.warmup_epochs * steps_per_epoch(len(data.X_train), setting.batch_size)

        def schedule(step: int) -> float:
            return gradual_warmup(step, setting.lr, warmup_steps, start_lr=setting.warmup_start_lr)

    return fit(
        model,
        SGD(model.params, lr=setting.lr),
        data.X_train,
        data.y_train,
        batch_size=setting.batch_size,
        epochs=config.epochs if epochs is None else epochs,
        rng=rng,
        schedule=schedule,
        X_val=data.X_val,
        y_val=data.y_val,
        on_divergence="stop",
    )


def final_val_errors(
    config: DigitsConfig = DIGITS, *, epochs: int | None = None
) -> dict[str, tuple[np.ndarray, list[History]]]:
    """Run every setting for every seed: ``{name: (final validation errors per seed, histories)}``."""
    out: dict[str, tuple[np.ndarray, list[History]]] = {}
    for setting in large_batch_settings(config):
        runs = [run_large_batch(setting, seed, config, epochs=epochs) for seed in config.seeds]
        out[setting.name] = (np.array([h.val_error[-1] for h in runs]), runs)
    return out
