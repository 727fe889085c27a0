"""Learning-rate rules and schedules: linear scaling, warmup, step decay, exponential, cosine.

Each schedule comes in two forms, with the same values:

- **a function of the step** (``step_decay``, ``exponential``, ``cosine``, ``linear``,
  ``gradual_warmup``): pure, so a whole schedule can be computed and plotted with one call.
  ``step`` may be one int (the result is a float) or an integer array such as ``np.arange(100)``
  (the result is a float64 array of the same shape). Steps count from 0, like ``last_epoch`` in
  torch's schedulers after each ``scheduler.step()``;
- **an object with torch's name and behaviour** (``StepLR``, ``ExponentialLR``,
  ``CosineAnnealingLR``, ``LinearLR``, ``SequentialLR``): created on an optimizer, it sets
  ``opt.lr`` at creation and at every ``step()``, exactly as ``torch.optim.lr_scheduler``
  does, so a training loop written for torch reads the same here.  Like torch, the objects
  compute each rate from the previous one (their "chainable" form); the functions compute it
  from the step in closed form. The two agree to rounding, and the objects match torch's
  values to 1e-12 (``tests/lib/reference/schedule_reference.json``).

Why both: a page that plots a schedule wants the function; a training loop wants the object,
and the object is what transfers to torch.
"""

from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np
from numpy.typing import ArrayLike

from gdcore._validate import (
    check_has,
    check_int,
    check_int_array,
    check_nonneg,
    check_positive,
    check_positive_int,
    check_sequence,
)


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


def exponential(step: int | ArrayLike, lr: float, gamma: float) -> float | np.ndarray:
    """Exponential decay: multiply the learning rate by ``gamma`` every step.

        η_t = lr · γ^t

    The closed form of ``torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma)``.

    Source: PyTorch docs, ExponentialLR,
    https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ExponentialLR.html
    """
    steps = check_int_array(step, "step", minimum=0)
    lr = check_nonneg(lr, "lr")
    gamma = check_positive(gamma, "gamma")
    return _like_step(lr * gamma**steps, step)


def linear(step: int | ArrayLike, lr: float, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
           total_iters: int = 5) -> float | np.ndarray:
    """Linear change of the factor from ``start_factor`` to ``end_factor`` over ``total_iters`` steps.

        η_t = lr · (s + (e − s) · min(t, T) / T)

    With ``start_factor`` small and ``end_factor = 1`` this is linear warmup; the closed form of
    ``torch.optim.lr_scheduler.LinearLR(optimizer, start_factor, end_factor, total_iters)``.

    Source: PyTorch docs, LinearLR,
    https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LinearLR.html
    """
    steps = check_int_array(step, "step", minimum=0)
    lr = check_nonneg(lr, "lr")
    start_factor, end_factor = _check_factors(start_factor, end_factor)
    total_iters = check_positive_int(total_iters, "total_iters")
    fraction = np.minimum(steps, total_iters) / total_iters
    return _like_step(lr * (start_factor + (end_factor - start_factor) * fraction), step)


def _check_factors(start_factor: float, end_factor: float) -> tuple[float, float]:
    start_factor = check_positive(start_factor, "start_factor")
    end_factor = check_nonneg(end_factor, "end_factor")
    if start_factor > 1:
        raise ValueError(f"start_factor must be in (0, 1], got {start_factor}")
    if end_factor > 1:
        raise ValueError(f"end_factor must be in [0, 1], got {end_factor}")
    return start_factor, end_factor


# --- torch's scheduler objects ----------------------------------------------------------------


class LRScheduler:
    """What torch's schedulers share: created on an optimizer, they set ``optimizer.lr``.

    At creation the optimizer's current rate is kept as ``optimizer.initial_lr`` (the first
    scheduler on an optimizer sets it, as torch's ``group.setdefault("initial_lr", ...)``),
    ``base_lr`` is that rate, and one initial step sets the rate for step 0.  Each ``step()``,
    called after ``optimizer.step()``, advances ``last_epoch`` by one and sets the next rate.
    ``get_last_lr()`` returns ``[rate]`` (torch: one rate per parameter group; gdcore's
    optimizers have one).  Resuming (torch's ``last_epoch`` argument) is not offered.

    Source: PyTorch, torch/optim/lr_scheduler.py (``LRScheduler``),
    https://docs.pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate
    """

    def __init__(self, optimizer) -> None:
        check_has(optimizer, "optimizer", "have a float attribute lr (a gdcore.optim optimizer)",
                  attrs={"lr": (int, float)})
        self.optimizer = optimizer
        if getattr(optimizer, "initial_lr", None) is None:
            optimizer.initial_lr = float(optimizer.lr)
        self.base_lr: float = optimizer.initial_lr
        self.last_epoch = -1
        self._is_initial = False
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def step(self) -> None:
        """Advance one step and set ``optimizer.lr`` to the rate of the new step."""
        self._step_count += 1
        self._update_lr()

    def _update_lr(self, epoch: int | None = None) -> None:
        if epoch is None:
            self.last_epoch += 1
            lr = self._next_lr(float(self.optimizer.lr))
        else:  # SequentialLR restarting a scheduler at a milestone: torch's closed form
            self.last_epoch = epoch
            lr = self._closed_form()
        self.optimizer.lr = lr
        self._last_lr = lr

    def get_last_lr(self) -> list[float]:
        """The rate set by the last step, as a list (one entry: gdcore's optimizers have one group)."""
        return [self._last_lr]

    def _next_lr(self, lr: float) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def _closed_form(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError


class LambdaLR(LRScheduler):
    """``torch.optim.lr_scheduler.LambdaLR``: the rate is η_0 · ``lr_lambda(t)`` at step t.

    E.g. ``LambdaLR(opt, lambda t: 1 / (1 + t / 100))``, a decay that meets the Robbins–Monro
    conditions (Σ η_t = ∞, Σ η_t² < ∞) under which SGD's iterates converge.
    """

    def __init__(self, optimizer, lr_lambda) -> None:
        if not callable(lr_lambda):
            raise TypeError(f"lr_lambda must be a callable step -> factor, got {type(lr_lambda).__name__}")
        self.lr_lambda = lr_lambda
        super().__init__(optimizer)

    def _next_lr(self, lr: float) -> float:
        return self.base_lr * float(self.lr_lambda(self.last_epoch))

    def _closed_form(self) -> float:
        return self.base_lr * float(self.lr_lambda(self.last_epoch))


class StepLR(LRScheduler):
    """``torch.optim.lr_scheduler.StepLR``: the rate times ``gamma`` every ``step_size`` steps.

        η_t = η_0 · γ^⌊t / step_size⌋            (closed form: :func:`step_decay`)
    """

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = check_positive_int(step_size, "step_size")
        self.gamma = check_positive(gamma, "gamma")
        super().__init__(optimizer)

    def _next_lr(self, lr: float) -> float:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return lr
        return lr * self.gamma

    def _closed_form(self) -> float:
        return self.base_lr * self.gamma ** (self.last_epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """``torch.optim.lr_scheduler.ExponentialLR``: the rate times ``gamma`` every step.

        η_t = η_0 · γ^t                          (closed form: :func:`exponential`)
    """

    def __init__(self, optimizer, gamma: float) -> None:
        self.gamma = check_positive(gamma, "gamma")
        super().__init__(optimizer)

    def _next_lr(self, lr: float) -> float:
        return lr if self._is_initial else lr * self.gamma

    def _closed_form(self) -> float:
        return self.base_lr * self.gamma**self.last_epoch


class CosineAnnealingLR(LRScheduler):
    """``torch.optim.lr_scheduler.CosineAnnealingLR``: half a cosine from η_0 down to ``eta_min``.

        η_t = η_min + (η_0 − η_min) · (1 + cos(π t / T_max)) / 2      (closed form: :func:`cosine`)

    torch computes each rate from the previous one (the ratio of two consecutive cosine
    factors), and so does this class; past ``T_max`` the rate climbs back, as in torch.

    Source: I. Loshchilov and F. Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts"
    (ICLR 2017), eq. 5, arXiv:1608.03983, https://arxiv.org/abs/1608.03983
    """

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0) -> None:
        self.T_max = check_positive_int(T_max, "T_max")
        self.eta_min = check_nonneg(eta_min, "eta_min")
        super().__init__(optimizer)

    def _next_lr(self, lr: float) -> float:
        t, T, low = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return lr
        if self._step_count == 1 and t > 0:
            return low + (self.base_lr - low) * (1 + math.cos(t * math.pi / T)) / 2
        if (t - 1 - T) % (2 * T) == 0:
            return lr + (self.base_lr - low) * (1 - math.cos(math.pi / T)) / 2
        return (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T)) * (lr - low) + low

    def _closed_form(self) -> float:
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2


class LinearLR(LRScheduler):
    """``torch.optim.lr_scheduler.LinearLR``: the factor goes linearly from ``start_factor`` to
    ``end_factor`` over ``total_iters`` steps, then stays (linear warmup when it ends at 1).

        η_t = η_0 · (s + (e − s) · min(t, T) / T)                    (closed form: :func:`linear`)
    """

    def __init__(self, optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5) -> None:
        self.start_factor, self.end_factor = _check_factors(start_factor, end_factor)
        self.total_iters = check_positive_int(total_iters, "total_iters")
        super().__init__(optimizer)

    def _next_lr(self, lr: float) -> float:
        s, e, T, t = self.start_factor, self.end_factor, self.total_iters, self.last_epoch
        if t == 0:
            return lr * s
        if self._is_initial or t > T:
            return lr
        return lr * (1.0 + (e - s) / (T * s + (t - 1) * (e - s)))

    def _closed_form(self) -> float:
        s, e, T = self.start_factor, self.end_factor, self.total_iters
        return self.base_lr * (s + (e - s) * min(T, self.last_epoch) / T)


class SequentialLR(LRScheduler):
    """``torch.optim.lr_scheduler.SequentialLR``: one schedule after another.

    ``schedulers[i]`` runs from ``milestones[i - 1]`` on (the first from step 0); at a milestone
    the next scheduler starts from its own step 0.  The usual modern default is linear warmup
    then cosine::

        warmup = LinearLR(opt, start_factor=0.01, total_iters=5)
        decay = CosineAnnealingLR(opt, T_max=95)
        schedule = SequentialLR(opt, [warmup, decay], milestones=[5])

    The schedulers must be created on ``optimizer`` just before (each one's creation stepped
    it; this undoes those steps, as torch does).
    """

    def __init__(self, optimizer, schedulers: list[LRScheduler], milestones: list[int]) -> None:
        check_has(optimizer, "optimizer", "have a float attribute lr (a gdcore.optim optimizer)",
                  attrs={"lr": (int, float)})
        schedulers = list(check_sequence(schedulers, "schedulers", "a list of schedulers on optimizer", min_length=1))
        for i, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler) or isinstance(scheduler, SequentialLR):
                raise TypeError(f"schedulers[{i}] must be a StepLR, ExponentialLR, CosineAnnealingLR or LinearLR, "
                                f"got {type(scheduler).__name__}")
            if scheduler.optimizer is not optimizer:
                raise ValueError(f"schedulers[{i}] belongs to another optimizer than the one given")
        milestones = [check_int(m, f"milestones[{i}]", 1)
                      for i, m in enumerate(check_sequence(milestones, "milestones", "a list of step numbers"))]
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"milestones must have one entry fewer than schedulers ({len(schedulers) - 1}), "
                             f"got {len(milestones)}")
        if milestones != sorted(set(milestones)):
            raise ValueError(f"milestones must increase, got {milestones}")
        self.optimizer = optimizer
        self.schedulers = schedulers
        self.milestones = milestones
        self.last_epoch = 0
        optimizer.lr = optimizer.initial_lr  # back to the rate before any scheduler
        for scheduler in schedulers:  # undo the step each scheduler's creation made
            scheduler.last_epoch -= 1
        schedulers[0]._initial_step()
        self._last_lr = schedulers[0].get_last_lr()[0]

    def step(self) -> None:
        """Advance one step: the scheduler of the current stretch sets ``optimizer.lr``."""
        self.last_epoch += 1
        i = bisect_right(self.milestones, self.last_epoch)
        scheduler = self.schedulers[i]
        if i > 0 and self.milestones[i - 1] == self.last_epoch:
            scheduler._update_lr(0)  # a new stretch starts at its own step 0
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()[0]


def scheduled(optimizer, schedule):
    """An optimizer factory whose learning rate ``schedule`` sets after every step, for
    :func:`gdcore.run.minimize` (which creates the optimizer itself)::

        minimize(f, x0, scheduled(partial(SGD, lr=0.1), lambda opt: CosineAnnealingLR(opt, T_max=100)), 100)

    Each step is ``opt.step(g); scheduler.step()``, torch's order.  ``optimizer`` makes the
    optimizer from the parameter array (e.g. ``partial(SGD, lr=0.1)``); ``schedule`` makes the
    scheduler from the optimizer.
    """
    if not callable(optimizer):
        raise TypeError(f"optimizer must be a callable params -> optimizer, got {type(optimizer).__name__}")
    if not callable(schedule):
        raise TypeError(f"schedule must be a callable optimizer -> scheduler, got {type(schedule).__name__}")

    class Scheduled:
        def __init__(self, params) -> None:
            self.optimizer = optimizer(params)
            self.scheduler = schedule(self.optimizer)
            check_has(self.scheduler, "schedule(optimizer)", "return a scheduler with step()", methods=("step",))

        @property
        def lr(self) -> float:
            return self.optimizer.lr

        def step(self, grads) -> None:
            self.optimizer.step(grads)
            self.scheduler.step()

    return Scheduled
