"""Training with mini-batches: the loop of the SGD and momentum chapters.

* :func:`fit` — epochs of shuffled mini-batches, an optional learning-rate
  schedule, and a :class:`History` with everything needed for honest plots
  (the loss per step and per epoch, the learning rate, the examples seen).
  ``batch_size = len(X)`` is full-batch gradient descent, ``batch_size = 1``
  is SGD in its original one-example form.
* :func:`epoch_batches` — the mini-batches of one epoch.

A "model" is anything with ``params`` (a list of float arrays),
``loss(X, y)`` and ``loss_and_grads(X, y)`` (the mean over the rows), such
as :class:`gdcore.models.LinearRegression` and :class:`gdcore.models.MLP`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from gdcore._rng import RngLike, as_generator
from gdcore._validate import check_bool, check_callable, check_choice, check_data, check_has, check_int, check_model
from gdcore.run import DivergenceError, _blown_up

__all__ = ["History", "fit", "epoch_batches"]


def epoch_batches(n: int, batch_size: int, rng: RngLike = None, shuffle: bool = True) -> list[np.ndarray]:
    """The mini-batches of one epoch: index arrays that together cover 0, ..., n − 1 once.

    With ``shuffle=True`` the order is a fresh permutation drawn from ``rng``
    (sampling *without* replacement within the epoch, as torch's
    ``DataLoader(shuffle=True)``); batches are consecutive slices of that
    order. The last batch keeps the remainder when ``batch_size`` does not
    divide ``n`` (torch's ``drop_last=False``). If ``batch_size >= n`` the one
    batch is all rows in their order and nothing is drawn from ``rng`` (the
    order of the rows does not change their mean).

    Source: PyTorch docs, ``torch.utils.data.DataLoader``,
    https://docs.pytorch.org/docs/stable/data.html
    """
    n = check_int(n, "n", 1)
    batch_size = check_int(batch_size, "batch_size", 1)
    if batch_size >= n:
        return [np.arange(n)]
    order = as_generator(rng).permutation(n) if shuffle else np.arange(n)
    return [order[start : start + batch_size] for start in range(0, n, batch_size)]


@dataclass
class History:
    """Everything :func:`fit` measured. Steps count optimizer steps from 0.

    Per step (arrays of shape (steps,)):
        loss: the mini-batch loss at step s, computed together with the
            gradient used at that step (so *before* the update).
        lr: the learning rate used at step s (``schedule(s)``, or ``opt.lr``).
        batch_size: the number of examples in step s's batch (the last batch
            of an epoch may be smaller).
        examples_seen: cumulative examples, i.e. per-example gradient
            evaluations, after step s: the honest cost axis when comparing
            batch sizes (``np.cumsum(batch_size)``).
        epoch: the epoch (from 0) that step s belongs to.

    Per epoch (arrays of shape (epochs + 1,); entry 0 is before training,
    entry e after e complete epochs):
        epoch_loss: the full training loss ``model.loss(X, y)``.
        epoch_steps: the number of steps taken so far (x axis against ``loss``).
        val_loss: the validation loss, or None without validation data.
        val_error: the validation error rate 1 − ``model.accuracy(X_val, y_val)``,
            or None without validation data or if the model has no ``accuracy``.

    diverged / message: see ``on_divergence`` of :func:`fit`. After a
    divergence the per-step arrays stop at the last good step and the
    per-epoch arrays at the last complete epoch.
    """

    loss: np.ndarray
    lr: np.ndarray
    batch_size: np.ndarray
    examples_seen: np.ndarray
    epoch: np.ndarray
    epoch_loss: np.ndarray
    epoch_steps: np.ndarray
    val_loss: np.ndarray | None = None
    val_error: np.ndarray | None = None
    diverged: bool = False
    message: str = ""

    @property
    def steps(self) -> int:
        """The number of optimizer steps taken."""
        return len(self.loss)


def fit(
    model: Any,
    optimizer: Any,
    X: ArrayLike,
    y: ArrayLike,
    *,
    batch_size: int,
    epochs: int,
    rng: RngLike,
    schedule: Callable[[int], float] | None = None,
    X_val: ArrayLike | None = None,
    y_val: ArrayLike | None = None,
    shuffle: bool = True,
    on_divergence: str = "raise",
    log_every: int | None = None,
) -> History:
    """Train ``model`` with ``optimizer`` for ``epochs`` passes over (X, y) in mini-batches.

    Every step s = 0, 1, ... takes the next mini-batch B of the epoch
    (:func:`epoch_batches`: a fresh shuffle from ``rng`` every epoch, the last
    smaller batch kept) and does::

        opt.lr = schedule(s)                            (only if a schedule is given)
        L_B, g = model.loss_and_grads(X[B], y[B])       g = ∇ (1/|B|) Σ_{i∈B} ℓ_i
        opt.step(g)                                     e.g. SGD: θ ← θ − η g

    ``batch_size >= len(X)`` is full-batch gradient descent (the same rows
    every step, nothing drawn from ``rng``); ``batch_size=1`` is the
    one-example SGD of Robbins & Monro. At the end of every epoch the full
    training loss (and, with ``X_val``/``y_val``, the validation loss and
    error) is computed; this costs forward passes only and is not counted in
    ``examples_seen``.

    Args:
        model: has ``params``, ``loss(X, y)`` and ``loss_and_grads(X, y)``.
        optimizer: an optimizer *instance* already built on the model's
            arrays, e.g. ``SGD(model.params, lr=0.1, momentum=0.9)``; its
            ``params`` must be those very arrays (checked), so ``opt.step``
            trains the model. Its state (momentum buffers, ``t``) carries
            over if ``fit`` is called again.
        X, y: training data, one row per example.
        batch_size: examples per step, an int >= 1.
        epochs: passes over the data, an int >= 0.
        rng: a ``numpy.random.Generator`` or an int seed for the shuffling.
        schedule: optional callable ``step -> lr`` (steps from 0), e.g.
            ``lambda s: gradual_warmup(s, 3.2, warmup_steps=50, start_lr=0.1)``;
            it sets ``opt.lr`` before each step.
        X_val, y_val: optional validation data (both or neither).
        shuffle: False keeps the data order (every epoch the same batches).
        on_divergence: ``"raise"`` (default) raises
            :class:`gdcore.run.DivergenceError` naming the step and epoch as
            soon as a mini-batch loss or gradient, or an end-of-epoch loss,
            is not finite or exceeds :data:`gdcore.run.LIMIT`; ``"stop"``
            returns the history so far with ``diverged=True`` and the
            diagnostic in ``message``. Either way the model's parameters are
            left as they were at that moment (the bad gradient is not applied).
        log_every: print the mini-batch loss every ``log_every`` steps and a
            line per epoch; None (default) prints nothing.

    Source: H. Robbins and S. Monro, "A Stochastic Approximation Method",
    Ann. Math. Statist. 22 (1951), 400–407, https://doi.org/10.1214/aoms/1177729586;
    mini-batches and epochs as in L. Bottou, F. E. Curtis and J. Nocedal,
    "Optimization Methods for Large-Scale Machine Learning", SIAM Review 60
    (2018), 223–311, https://doi.org/10.1137/16M1080173
    """
    X, y, val, batch_size, epochs, log_every = _checked_inputs(
        model, optimizer, X, y, X_val, y_val, batch_size, epochs, schedule, shuffle, on_divergence, log_every
    )
    generator = as_generator(rng)
    record = _Record(model, X, y, val, log_every)

    with np.errstate(over="ignore", invalid="ignore"):  # blow-ups are reported below, not warned about
        if not record.end_of_epoch(0):
            raise ValueError(f"the model's loss on X is not finite before training: {record.message}")
        for epoch in range(epochs):
            for b, idx in enumerate(epoch_batches(len(X), batch_size, generator, shuffle)):
                if schedule is not None:
                    optimizer.lr = float(schedule(record.step))
                loss, grads = model.loss_and_grads(X[idx], y[idx])  # forward and backward
                if not record.finite_step(loss, grads, epoch, b):
                    break  # the bad gradient is not applied
                optimizer.step(grads)
                record.add_step(loss, optimizer.lr, len(idx), epoch)
            if record.message or not record.end_of_epoch(epoch + 1):
                break

    if record.message and on_divergence == "raise":
        raise DivergenceError(record.message)
    return record.history()


def _checked_inputs(model, optimizer, X, y, X_val, y_val, batch_size, epochs, schedule, shuffle, on_divergence,
                    log_every) -> tuple:
    """The arguments of :func:`fit`, checked: ``(X, y, (X_val, y_val) or None, batch_size, epochs, log_every)``."""
    check_model(model)
    check_has(optimizer, "optimizer", "be an optimizer instance (with step(grads) and lr) built on model.params, "
              "e.g. gdcore.optim.SGD(model.params, lr=0.1)", methods=("step",), attrs={"lr": object})
    opt_params = getattr(optimizer, "params", None)
    if opt_params is not None and (
        len(opt_params) != len(model.params) or any(a is not b for a, b in zip(opt_params, model.params))
    ):
        raise ValueError(
            "optimizer.params must be the model's own arrays: build it as Opt(model.params, ...) "
            "(otherwise opt.step would update copies and the model would not train)"
        )
    X, y = check_data(X, y)
    batch_size = check_int(batch_size, "batch_size", 1)
    epochs = check_int(epochs, "epochs", 0)
    check_callable(schedule, "schedule", "a callable step -> lr", optional=True)
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together (or neither)")
    val = None if X_val is None else check_data(X_val, y_val, ("X_val", "y_val"))
    check_bool(shuffle, "shuffle")
    check_choice(on_divergence, "on_divergence", ("raise", "stop"))
    if log_every is not None:
        log_every = check_int(log_every, "log_every", 1)
    return X, y, val, batch_size, epochs, log_every


@dataclass
class _Step:
    """What :func:`fit` records at one optimizer step (the fields of :class:`History` per step)."""

    loss: float
    lr: float
    batch_size: int
    epoch: int


@dataclass
class _Epoch:
    """What :func:`fit` records at the end of an epoch (entry 0: before training)."""

    loss: float
    steps: int
    val_loss: float | None = None
    val_error: float | None = None


@dataclass
class _Record:
    """The steps and epochs of one :func:`fit` so far, its printed log and its divergence diagnostic."""

    model: Any
    X: np.ndarray
    y: np.ndarray
    val: tuple[np.ndarray, np.ndarray] | None
    log_every: int | None
    steps: list[_Step] = field(default_factory=list)
    epochs: list[_Epoch] = field(default_factory=list)
    message: str = ""  # "" or why the run diverged

    @property
    def step(self) -> int:
        """The number of the next step (steps count from 0)."""
        return len(self.steps)

    @property
    def has_error(self) -> bool:
        """Whether the validation error rate is recorded (validation data and a model with ``accuracy``)."""
        return self.val is not None and callable(getattr(self.model, "accuracy", None))

    def finite_step(self, loss: float, grads: list[np.ndarray], epoch: int, batch: int) -> bool:
        """False, with the diagnostic in ``message``, if the mini-batch loss or a gradient blew up."""
        problem = _blown_up("the mini-batch loss", loss) or next(
            (p for i, g in enumerate(grads) if (p := _blown_up(f"grads[{i}]", g))), ""
        )
        if problem:
            last = f"; last finite mini-batch loss {self.steps[-1].loss:.6g} at step {self.step - 1}" if self.steps else ""
            self.message = (
                f"diverged at step {self.step} (epoch {epoch}, batch {batch}): {problem}{last}. "
                "The learning rate may be too large."
            )
        return not problem

    def add_step(self, loss: float, lr: float, batch_size: int, epoch: int) -> None:
        """Record a step that was taken (and print it every ``log_every`` steps)."""
        if self.log_every is not None and self.step % self.log_every == 0:
            print(f"step {self.step} (epoch {epoch}): batch loss {loss:.6g}, lr {lr:.6g}")
        self.steps.append(_Step(float(loss), float(lr), batch_size, epoch))

    def end_of_epoch(self, epoch: int) -> bool:
        """Evaluate and record the full losses after ``epoch`` epochs; False (see ``message``) if they blew up."""
        train = self.model.loss(self.X, self.y)
        problem = _blown_up("the full training loss", train)
        if problem:
            self.message = f"diverged at the end of epoch {epoch} (after step {self.step - 1}): {problem}"
            if epoch > 0:  # at epoch 0 nothing was trained yet: fit raises a ValueError instead
                self.message += ". The learning rate may be too large."
            return False
        self.epochs.append(self._evaluate(float(train)))
        if self.log_every is not None:
            self._print_epoch(epoch, train)
        return True

    def _evaluate(self, train: float) -> _Epoch:
        """The end-of-epoch numbers: forward passes only, not counted in ``examples_seen``."""
        record = _Epoch(loss=train, steps=self.step)
        if self.val is not None:
            record.val_loss = float(self.model.loss(*self.val))
            if self.has_error:
                record.val_error = 1.0 - float(self.model.accuracy(*self.val))
        return record

    def _print_epoch(self, epoch: int, train: float) -> None:
        last = self.epochs[-1]
        extra = f", val loss {last.val_loss:.6g}" if self.val is not None else ""
        extra += f", val error {last.val_error:.4f}" if self.has_error else ""
        print(f"epoch {epoch}: train loss {train:.6g}{extra} ({self.step} steps)")

    def history(self) -> History:
        """The records as a :class:`History` of arrays."""
        sizes = np.array([s.batch_size for s in self.steps], dtype=np.int64)
        return History(
            loss=np.array([s.loss for s in self.steps], dtype=np.float64),
            lr=np.array([s.lr for s in self.steps], dtype=np.float64),
            batch_size=sizes,
            examples_seen=np.cumsum(sizes),
            epoch=np.array([s.epoch for s in self.steps], dtype=np.int64),
            epoch_loss=np.array([e.loss for e in self.epochs]),
            epoch_steps=np.array([e.steps for e in self.epochs], dtype=np.int64),
            val_loss=np.array([e.val_loss for e in self.epochs]) if self.val is not None else None,
            val_error=np.array([e.val_error for e in self.epochs]) if self.has_error else None,
            diverged=bool(self.message),
            message=self.message,
        )
