"""Learning-rate rules and schedules: linear scaling, warmup, step decay, cosine.

Every schedule is a pure function of the step number. ``step`` may be one
int (the result is a float) or an integer array such as ``np.arange(100)``
(the result is a float64 array of the same shape), so a whole schedule can
be plotted with one call. Steps count from 0, like ``last_epoch`` in torch's
schedulers after each ``scheduler.step()``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from gdcore._validate import check_int_array, check_nonneg, check_positive, check_positive_int


def _like_step(values: np.ndarray, step: int | ArrayLike) -> float | np.ndarray:
    """A float for a single step, a float64 array for an array of steps."""
    return float(values) if np.ndim(step) == 0 else np.asarray(values, dtype=np.float64)


def linear_scaling(base_lr: float, batch_size: int, base_batch_size: int = 256) -> float:
    """Linear scaling rule: multiply the learning rate by k when the batch is k times larger.

        η = base_lr · k,   k = batch_size / base_batch_size

    E.g. Goyal et al.'s η = 0.1 per 256 images becomes 0.1 · 8192/256 = 3.2
    for a batch of 8192.

    Source: P. Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet
    in 1 Hour" (2017), §2.1, arXiv:1706.02677, https://arxiv.org/abs/1706.02677
    """
    base_lr = check_nonneg(base_lr, "base_lr")
    batch_size = check_positive_int(batch_size, "batch_size")
    base_batch_size = check_positive_int(base_batch_size, "base_batch_size")
    return base_lr * batch_size / base_batch_size


def gradual_warmup(step: int | ArrayLike, lr: float, warmup_steps: int, start_lr: float = 0.0) -> float | np.ndarray:
    """Gradual (linear) warmup from ``start_lr`` at step 0 to ``lr`` at ``warmup_steps``, then constant.

        η_t = start_lr + (lr − start_lr) · min(t, T_w) / T_w,   T_w = warmup_steps

    Goyal et al. warm up from η to kη (``start_lr = η``, ``lr = k·η``) over
    the first 5 epochs, increasing the rate by the same amount every
    iteration; many libraries start from ``start_lr = 0``.

    Source: P. Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet
    in 1 Hour" (2017), §2.2, arXiv:1706.02677, https://arxiv.org/abs/1706.02677
    """
    steps = check_int_array(step, "step", minimum=0)
    lr = check_nonneg(lr, "lr")
    warmup_steps = check_positive_int(warmup_steps, "warmup_steps")
    start_lr = check_nonneg(start_lr, "start_lr")
    fraction = np.minimum(steps, warmup_steps) / warmup_steps
    return _like_step(start_lr + (lr - start_lr) * fraction, step)


def step_decay(step: int | ArrayLike, lr: float, step_size: int, gamma: float = 0.1) -> float | np.ndarray:
    """Step decay: multiply the learning rate by ``gamma`` every ``step_size`` steps.

        η_t = lr · γ^⌊t / step_size⌋

    This is the closed form of ``torch.optim.lr_scheduler.StepLR(optimizer,
    step_size, gamma)`` with initial learning rate ``lr``.

    Source: PyTorch docs, StepLR,
    https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html
    """
    steps = check_int_array(step, "step", minimum=0)
    lr = check_nonneg(lr, "lr")
    step_size = check_positive_int(step_size, "step_size")
    gamma = check_positive(gamma, "gamma")
    return _like_step(lr * gamma ** (steps // step_size), step)


def cosine(step: int | ArrayLike, lr: float, T_max: int, eta_min: float = 0.0) -> float | np.ndarray:
    """Cosine annealing from ``lr`` at step 0 down to ``eta_min`` at step ``T_max``.

        η_t = η_min + (lr − η_min) · (1 + cos(π t / T_max)) / 2

    This is the closed form of ``torch.optim.lr_scheduler.CosineAnnealingLR
    (optimizer, T_max, eta_min)``, i.e. SGDR's schedule without restarts.
    For t > T_max the same formula is used, as in torch's closed form: the
    rate climbs back to ``lr`` at t = 2·T_max and repeats with period 2·T_max
    (SGDR would instead restart at ``lr``); stop at T_max to avoid this.

    Sources: I. Loshchilov and F. Hutter, "SGDR: Stochastic Gradient Descent
    with Warm Restarts" (ICLR 2017), eq. 5, arXiv:1608.03983,
    https://arxiv.org/abs/1608.03983; PyTorch docs, CosineAnnealingLR,
    https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingLR.html
    """
    steps = check_int_array(step, "step", minimum=0)
    lr = check_nonneg(lr, "lr")
    T_max = check_positive_int(T_max, "T_max")
    eta_min = check_nonneg(eta_min, "eta_min")
    return _like_step(eta_min + (lr - eta_min) * (1 + np.cos(np.pi * steps / T_max)) / 2, step)
