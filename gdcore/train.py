"""Training with mini-batches: the loop of the SGD and momentum chapters, and two measurements.

* :func:`fit` — epochs of shuffled mini-batches, an optional learning-rate
  schedule, and a :class:`History` with everything needed for honest plots
  (the loss per step and per epoch, the learning rate, the examples seen).
  ``batch_size = len(X)`` is full-batch gradient descent, ``batch_size = 1``
  is SGD in its original one-example form.
* :func:`sgd_path` — the trajectory of a two-parameter least-squares
  problem under GD / SGD / mini-batch SGD, to draw over the loss contours.
* :func:`gradient_noise` — how far a mini-batch gradient is from the full
  gradient, for several batch sizes, next to the exact formula.

A "model" is anything with ``params`` (a list of float arrays),
``loss(X, y)`` and ``loss_and_grads(X, y)`` (the mean over the rows), such
as :class:`gdcore.models.LinearRegression` and :class:`gdcore.models.MLP`.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from gdcore._rng import RngLike, as_generator
from gdcore.models import LinearRegression
from gdcore.optim import SGD
from gdcore.run import DivergenceError, Trajectory, _blown_up, minimize

__all__ = ["History", "fit", "sgd_path", "GradientNoise", "gradient_noise", "epoch_batches"]


def _int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _check_model(model: Any) -> None:
    if not (
        isinstance(getattr(model, "params", None), list)
        and callable(getattr(model, "loss", None))
        and callable(getattr(model, "loss_and_grads", None))
    ):
        raise TypeError(
            "model must have params (a list of arrays), loss(X, y) and loss_and_grads(X, y), "
            f"e.g. gdcore.models.MLP or LinearRegression; got {type(model).__name__}"
        )


def _data(X: ArrayLike, y: ArrayLike, name_X: str = "X", name_y: str = "y") -> tuple[np.ndarray, np.ndarray]:
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim < 1 or y.ndim < 1 or len(X) != len(y) or len(X) == 0:
        raise ValueError(
            f"{name_X} and {name_y} must have the same, non-zero number of rows; "
            f"got shapes {X.shape} and {y.shape}"
        )
    return X, y


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
    n = _int(n, "n", 1)
    batch_size = _int(batch_size, "batch_size", 1)
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
    _check_model(model)
    if not (callable(getattr(optimizer, "step", None)) and hasattr(optimizer, "lr")):
        raise TypeError(
            "optimizer must be an optimizer instance (with step(grads) and lr) built on model.params, e.g. "
            f"gdcore.optim.SGD(model.params, lr=0.1); got {type(optimizer).__name__}"
        )
    opt_params = getattr(optimizer, "params", None)
    if opt_params is not None and (
        len(opt_params) != len(model.params) or any(a is not b for a, b in zip(opt_params, model.params))
    ):
        raise ValueError(
            "optimizer.params must be the model's own arrays: build it as Opt(model.params, ...) "
            "(otherwise opt.step would update copies and the model would not train)"
        )
    X, y = _data(X, y)
    batch_size = _int(batch_size, "batch_size", 1)
    epochs = _int(epochs, "epochs", 0)
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be None or a callable step -> lr, got {type(schedule).__name__}")
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together (or neither)")
    if X_val is not None:
        X_val, y_val = _data(X_val, y_val, "X_val", "y_val")
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
    if on_divergence not in ("raise", "stop"):
        raise ValueError(f'on_divergence must be "raise" or "stop", got {on_divergence!r}')
    if log_every is not None:
        log_every = _int(log_every, "log_every", 1)
    generator = as_generator(rng)
    has_error = X_val is not None and callable(getattr(model, "accuracy", None))

    losses: list[float] = []
    lrs: list[float] = []
    sizes: list[int] = []
    epoch_of: list[int] = []
    epoch_loss: list[float] = []
    epoch_steps: list[int] = []
    val_loss: list[float] = []
    val_error: list[float] = []
    message = ""

    def end_of_epoch(epoch: int) -> str:
        """Record the per-epoch numbers; return a divergence diagnostic or ""."""
        train = model.loss(X, y)
        problem = _blown_up("the full training loss", train)
        if problem:
            return f"diverged at the end of epoch {epoch} (after step {len(losses) - 1}): {problem}"
        epoch_loss.append(float(train))
        epoch_steps.append(len(losses))
        if X_val is not None:
            val_loss.append(float(model.loss(X_val, y_val)))
            if has_error:
                val_error.append(1.0 - float(model.accuracy(X_val, y_val)))
        if log_every is not None:
            extra = f", val loss {val_loss[-1]:.6g}" if X_val is not None else ""
            extra += f", val error {val_error[-1]:.4f}" if has_error else ""
            print(f"epoch {epoch}: train loss {train:.6g}{extra} ({len(losses)} steps)")
        return ""

    with np.errstate(over="ignore", invalid="ignore"):  # blow-ups are reported below, not warned about
        message = end_of_epoch(0)
        if message:
            raise ValueError(f"the model's loss on X is not finite before training: {message}")
        step = 0
        for epoch in range(epochs):
            for b, idx in enumerate(epoch_batches(len(X), batch_size, generator, shuffle)):
                if schedule is not None:
                    optimizer.lr = float(schedule(step))
                loss, grads = model.loss_and_grads(X[idx], y[idx])
                problem = _blown_up("the mini-batch loss", loss) or next(
                    (p for i, g in enumerate(grads) if (p := _blown_up(f"grads[{i}]", g))), ""
                )
                if problem:
                    last = f"; last finite mini-batch loss {losses[-1]:.6g} at step {step - 1}" if losses else ""
                    message = (
                        f"diverged at step {step} (epoch {epoch}, batch {b}): {problem}{last}. "
                        "The learning rate may be too large."
                    )
                    break
                optimizer.step(grads)
                losses.append(float(loss))
                lrs.append(float(optimizer.lr))
                sizes.append(len(idx))
                epoch_of.append(epoch)
                if log_every is not None and step % log_every == 0:
                    print(f"step {step} (epoch {epoch}): batch loss {loss:.6g}, lr {optimizer.lr:.6g}")
                step += 1
            if message:
                break
            message = end_of_epoch(epoch + 1)
            if message:
                message += ". The learning rate may be too large."
                break

    if message and on_divergence == "raise":
        raise DivergenceError(message)
    sizes_array = np.array(sizes, dtype=np.int64)
    return History(
        loss=np.array(losses, dtype=np.float64),
        lr=np.array(lrs, dtype=np.float64),
        batch_size=sizes_array,
        examples_seen=np.cumsum(sizes_array),
        epoch=np.array(epoch_of, dtype=np.int64),
        epoch_loss=np.array(epoch_loss),
        epoch_steps=np.array(epoch_steps, dtype=np.int64),
        val_loss=np.array(val_loss) if X_val is not None else None,
        val_error=np.array(val_error) if has_error else None,
        diverged=bool(message),
        message=message,
    )


def _batch_stream(n: int, batch_size: int, generator: np.random.Generator) -> Iterator[np.ndarray]:
    """Mini-batches of :func:`epoch_batches`, epoch after epoch, for ever."""
    while True:
        yield from epoch_batches(n, batch_size, generator)


def sgd_path(
    problem: Any,
    w0: ArrayLike,
    lr: float,
    steps: int,
    batch_size: int,
    rng: RngLike,
    *,
    momentum: float = 0.0,
    nesterov: bool = False,
    on_divergence: str = "raise",
) -> Trajectory:
    """The path of (mini-batch) SGD on a least-squares problem, for drawing over its contours.

    ``problem`` is a :class:`gdcore.data.LeastSquaresProblem` (from
    :func:`gdcore.data.make_regression_2d`), or anything with ``X``, ``y``
    and full-batch ``value(w)`` / ``grad(w)``. Each step uses the gradient of
    the mean loss ½ mean((X_B w − y_B)²) over the next mini-batch B, drawn
    exactly as in :func:`fit` (a fresh shuffle every epoch, the last smaller
    batch kept; ``batch_size >= n`` is full-batch GD), and
    ``gdcore.optim.SGD(lr, momentum, nesterov)``::

        g = X_Bᵀ (X_B w − y_B) / |B|;   w ← w − η g    (with momentum: torch's buffer form)

    Returns a :class:`gdcore.run.Trajectory` (``points`` of shape
    (steps + 1, d) from ``w0``; ``values`` and ``grad_norms`` are the
    *full-batch* loss and gradient norm at every point), computed by
    :func:`gdcore.run.minimize` with the mini-batch gradient; divergence is
    handled as there (``on_divergence``).
    """
    if not all(hasattr(problem, a) for a in ("X", "y", "value", "grad")):
        raise TypeError(
            "problem must have X, y, value(w) and grad(w), e.g. gdcore.data.make_regression_2d(...); "
            f"got {type(problem).__name__}"
        )
    X, y = _data(problem.X, problem.y, "problem.X", "problem.y")
    if X.ndim != 2:
        raise ValueError(f"problem.X must have shape (n, d), got {X.shape}")
    batch_size = _int(batch_size, "batch_size", 1)
    model = LinearRegression(X.shape[1])
    batches = _batch_stream(len(X), batch_size, as_generator(rng))

    def minibatch_grad(w: np.ndarray) -> np.ndarray:
        idx = next(batches)
        return model.loss_and_grads(X[idx], y[idx], [w])[1][0]

    return minimize(
        problem,
        w0,
        functools.partial(SGD, lr=lr, momentum=momentum, nesterov=nesterov),
        steps,
        on_divergence=on_divergence,
        grad=minibatch_grad,
    )


@dataclass
class GradientNoise:
    """Mini-batch gradient noise for several batch sizes (see :func:`gradient_noise`).

    Attributes:
        batch_sizes: shape (k,), the batch sizes B.
        measured: shape (k,), the mean of ‖g_B − g‖² over the trials.
        predicted: shape (k,), its exact expectation (formula in :func:`gradient_noise`).
        variance: σ² = (1/N) Σ_i ‖g_i − g‖², the per-example gradient variance.
        grad_norm2: ‖g‖², the squared norm of the full gradient (for scale).
        replace: whether the batches were drawn with replacement.
    """

    batch_sizes: np.ndarray
    measured: np.ndarray
    predicted: np.ndarray
    variance: float
    grad_norm2: float
    replace: bool


def _flat(grads: Sequence[np.ndarray]) -> np.ndarray:
    return np.concatenate([np.ravel(g) for g in grads])


def gradient_noise(
    model: Any,
    params: Sequence[np.ndarray] | None,
    X: ArrayLike,
    y: ArrayLike,
    batch_sizes: Sequence[int],
    rng: RngLike,
    trials: int = 200,
    *,
    replace: bool = False,
) -> GradientNoise:
    """How noisy is a mini-batch gradient? Measured and exact, for each batch size B.

    With g = ∇L the full-batch gradient at ``params`` (None: ``model.params``),
    g_i the gradient of example i alone (so g = mean g_i) and g_B the mean
    over a random batch B of size B, the expected squared error is::

        E ‖g_B − g‖² = σ² (N − B) / (B (N − 1))    (B distinct examples, replace=False)
        E ‖g_B − g‖² = σ² / B                       (B draws with replacement)
        σ² = (1/N) Σ_i ‖g_i − g‖²

    Without replacement (how :func:`fit` draws its batches) the noise is
    a little smaller than σ²/B and exactly 0 at B = N (the finite
    population correction). ``measured`` averages ‖g_B − g‖² over ``trials``
    batches drawn from ``rng`` for every B; ``predicted`` is the formula.
    When the model has ``per_example_grads`` (LinearRegression) everything
    is vectorised; otherwise σ² takes one ``loss_and_grads`` call per example
    and the measurement one call per trial (fine for a few thousand).

    Source: W. G. Cochran, *Sampling Techniques*, 3rd ed., Wiley (1977),
    theorem 2.2 (variance of the sample mean without replacement); applied to
    SGD in Bottou, Curtis & Nocedal, "Optimization Methods for Large-Scale
    Machine Learning", SIAM Review 60 (2018), https://doi.org/10.1137/16M1080173
    """
    _check_model(model)
    X, y = _data(X, y)
    N = len(X)
    sizes = np.array([_int(b, "batch_sizes[i]", 1) for b in batch_sizes], dtype=np.int64)
    if sizes.size == 0:
        raise ValueError("batch_sizes must list at least one batch size")
    if not isinstance(replace, (bool, np.bool_)):
        raise TypeError(f"replace must be True or False, got {replace!r}")
    if not replace and sizes.max() > N:
        raise ValueError(f"batch_sizes must be <= N = {N} without replacement, got {sizes.max()}")
    trials = _int(trials, "trials", 1)
    generator = as_generator(rng)

    g = _flat(model.loss_and_grads(X, y, params)[1])
    per_example = None
    if callable(getattr(model, "per_example_grads", None)):
        per_example = np.asarray(model.per_example_grads(X, y, params))  # row i: g_i
        variance = float(np.mean(np.sum((per_example - g) ** 2, axis=1)))
    else:
        singles = (_flat(model.loss_and_grads(X[i : i + 1], y[i : i + 1], params)[1]) for i in range(N))
        variance = float(np.mean([np.sum((g_i - g) ** 2) for g_i in singles]))

    measured = np.empty(len(sizes))
    for k, B in enumerate(sizes):
        if replace:  # trials × B independent uniform draws
            batches = generator.integers(0, N, size=(trials, int(B)))
        else:  # the first B entries of an independent random permutation per trial
            batches = generator.permuted(np.tile(np.arange(N), (trials, 1)), axis=1)[:, : int(B)]
        if per_example is not None:  # g_B = mean of the batch's rows, all trials at once
            g_B = per_example[batches].mean(axis=1)
        else:
            g_B = np.array([_flat(model.loss_and_grads(X[idx], y[idx], params)[1]) for idx in batches])
        measured[k] = np.mean(np.sum((g_B - g) ** 2, axis=1))
    if replace:
        predicted = variance / sizes
    else:
        predicted = variance * (N - sizes) / (sizes * (N - 1)) if N > 1 else np.zeros(len(sizes))
    return GradientNoise(
        batch_sizes=sizes,
        measured=measured,
        predicted=predicted,
        variance=variance,
        grad_norm2=float(g @ g),
        replace=bool(replace),
    )
