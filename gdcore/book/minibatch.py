"""The SGD chapter's two-parameter experiments: GD / SGD / mini-batch paths and gradient noise.

Part of :mod:`gdcore.book`, the experiments of the book (the site), not the library.

* :data:`PATHS` / :func:`regression_problem` — the problem, start, learning
  rate and seeds of the path figures and code blocks, defined once.
* :func:`sgd_path` — the trajectory of a two-parameter least-squares
  problem under GD / SGD / mini-batch SGD, to draw over the loss contours.
* :func:`gradient_noise` — how far a mini-batch gradient is from the full
  gradient, for several batch sizes, next to the exact formula.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from gdcore._rng import RngLike, as_generator
from gdcore._validate import check_bool, check_data, check_has, check_int, check_model, check_real_array
from gdcore.data import LeastSquaresProblem, make_regression_2d
from gdcore.models import LinearRegression
from gdcore.optim import SGD
from gdcore.run import Trajectory, minimize
from gdcore.train import epoch_batches

__all__ = ["PathConfig", "PATHS", "regression_problem", "sgd_path", "GradientNoise", "gradient_noise"]


@dataclass(frozen=True)
class PathConfig:
    """GD, SGD and mini-batch paths on :func:`gdcore.data.make_regression_2d`.

    Attributes:
        n: examples in the problem.
        data_seed: seed of the problem's data.
        w0: the common starting point (w0, w1).
        lr: the common learning rate η (below 2/λ_max of the full-batch
            Hessian, so GD converges).
        steps: steps drawn in the path figures.
        minibatch: the mini-batch size shown beside GD (B = n) and SGD (B = 1).
        seed: seed of the batch draws of :func:`sgd_path`.
    """

    n: int = 100
    data_seed: int = 0
    w0: tuple[float, float] = (-1.0, -2.0)
    lr: float = 0.1
    steps: int = 40
    minibatch: int = 10
    seed: int = 1


#: The configuration of the path figures and code blocks.
PATHS = PathConfig()


def regression_problem(config: PathConfig = PATHS) -> LeastSquaresProblem:
    """``make_regression_2d(config.n, rng=config.data_seed)`` (default noise, weights and correlation)."""
    return make_regression_2d(config.n, rng=config.data_seed)


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
    exactly as in :func:`gdcore.train.fit` (a fresh shuffle every epoch, the last smaller
    batch kept; ``batch_size >= n`` is full-batch GD), and
    ``gdcore.optim.SGD(lr, momentum, nesterov)``::

        g = X_Bᵀ (X_B w − y_B) / |B|;   w ← w − η g    (with momentum: torch's buffer form)

    Returns a :class:`gdcore.run.Trajectory` (``points`` of shape
    (steps + 1, d) from ``w0``; ``values`` and ``grad_norms`` are the
    *full-batch* loss and gradient norm at every point), computed by
    :func:`gdcore.run.minimize` with the mini-batch gradient; divergence is
    handled as there (``on_divergence``).
    """
    check_has(problem, "problem", "have X, y, value(w) and grad(w), e.g. gdcore.data.make_regression_2d(...)",
              methods=("value", "grad"), attrs={"X": object, "y": object})
    X, y = check_data(problem.X, problem.y, ("problem.X", "problem.y"))
    X = check_real_array(X, "problem.X", ("n", "d"))
    batch_size = check_int(batch_size, "batch_size", 1)
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

    Without replacement (how :func:`gdcore.train.fit` draws its batches) the noise is
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
    check_model(model)
    X, y = check_data(X, y)
    N = len(X)
    sizes = np.array([check_int(b, f"batch_sizes[{i}]", 1) for i, b in enumerate(batch_sizes)], dtype=np.int64)
    if sizes.size == 0:
        raise ValueError("batch_sizes must list at least one batch size")
    replace = check_bool(replace, "replace")
    if not replace and sizes.max() > N:
        raise ValueError(f"batch_sizes must be <= N = {N} without replacement, got {sizes.max()}")
    trials = check_int(trials, "trials", 1)
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
