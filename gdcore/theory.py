"""What theory says about gradient descent on a quadratic, computed (not typed) for the pages.

Near a minimum every smooth objective looks like a quadratic ½ xᵀHx whose Hessian H has
eigenvalues λ_min ≤ … ≤ λ_max (the curvatures).  Each eigen-direction then moves on its own,
and a fixed learning rate is stable only if every direction is:

- gradient descent, x ← x − η λ x: the factor 1 − ηλ must lie in (−1, 1), so η < 2/λ_max;
- heavy-ball momentum as ``torch.optim.SGD(momentum=μ)`` computes it (b ← μb + g, x ← x − ηb):
  x_{k+1} = (1 + μ − ηλ) x_k − μ x_{k−1}, stable iff ηλ < 2(1 + μ);
- Nesterov momentum in torch's form (x ← x − η(g + μb)):
  x_{k+1} = (1 + μ)(1 − ηλ) x_k − μ(1 − ηλ) x_{k−1}, stable iff ηλ < 2(1 + μ)/(1 + 2μ).

The two-term recurrences are stable exactly when both roots of z² − a z + c lie inside the
unit circle (|c| < 1 and |a| < 1 + c); for 0 ≤ μ < 1 the binding edge is the root z = −1.

How fast, not only whether (the per-step factor by which the distance to the minimum shrinks):

- gradient descent at learning rate η: max_i |1 − η λ_i|; the best fixed η = 2/(λ_min + λ_max)
  balances the two ends and gives (κ − 1)/(κ + 1), κ = λ_max/λ_min the condition number;
- heavy ball at (η, μ): the largest modulus of the roots of z² − (1 + μ − ηλ) z + μ over the
  curvatures; the best pair μ* = ((√κ − 1)/(√κ + 1))², η* = 4/(√λ_max + √λ_min)² gives
  (√κ − 1)/(√κ + 1): for κ = 100, 0.82 per step instead of 0.98.

Sources: B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
USSR Comput. Math. Math. Phys. 4(5), 1964, https://doi.org/10.1016/0041-5553(64)90137-5;
G. Goh, "Why Momentum Really Works", Distill, 2017, https://doi.org/10.23915/distill.00006.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from gdcore._validate import check_bool, check_has, check_positive, check_real_array, check_unit_interval
from gdcore.calculus import hessian


def curvatures(objective: Any, x: ArrayLike | None = None) -> np.ndarray:
    """The Hessian's eigenvalues (ascending) of a 2-D or n-D ``objective`` at ``x`` (default: its minimum).

    For the quadratics of this site they are exact up to rounding, e.g. ``functions.elongated``
    (0.1 x0² + 2 x1²) gives [0.2, 4].
    """
    check_has(objective, "objective", "have a grad(x) method (an Objective)", methods=("grad",))
    if x is None:
        if getattr(objective, "minimum", None) is None:
            raise ValueError("x is required: the objective has no known minimum (objective.minimum is None)")
        x = objective.minimum
    point = check_real_array(x, "x", ("d",), form="be a vector of shape (d,)", finite=True)
    return np.linalg.eigvalsh(hessian(objective.grad, point))


def lr_limit(lam_max: float, momentum: float = 0.0, nesterov: bool = False) -> float:
    """The largest stable learning rate of torch's SGD on a quadratic with top curvature ``lam_max``.

        2 (1 + μ) / λ_max                (plain SGD when μ = 0: 2 / λ_max)
        2 (1 + μ) / ((1 + 2μ) λ_max)     (nesterov=True)

    At η equal to the limit the iteration neither converges nor blows up; below it every run
    converges, above it almost every run diverges.
    """
    lam_max = check_positive(lam_max, "lam_max")
    momentum = check_unit_interval(momentum, "momentum")
    if check_bool(nesterov, "nesterov"):
        return 2 * (1 + momentum) / ((1 + 2 * momentum) * lam_max)
    return 2 * (1 + momentum) / lam_max


def _curvature_list(curvatures, name: str = "curvatures") -> np.ndarray:
    lams = check_real_array(curvatures, name, ("n",), form="be a 1-D array of curvatures (Hessian eigenvalues)",
                            finite=True)
    if np.any(lams <= 0):
        raise ValueError(f"{name} must all be positive (a convex quadratic), got {lams}")
    return lams


def gd_rate(curvatures: ArrayLike, lr: float) -> float:
    """Per-step factor of gradient descent on a quadratic: max_i |1 − η λ_i| (≥ 1: no convergence)."""
    lams = _curvature_list(curvatures)
    lr = check_positive(lr, "lr")
    return float(np.max(np.abs(1 - lr * lams)))


def gd_best(curvatures: ArrayLike) -> tuple[float, float]:
    """(η*, rate*) of gradient descent: η* = 2/(λ_min + λ_max), rate* = (κ − 1)/(κ + 1)."""
    lams = _curvature_list(curvatures)
    lo, hi = float(lams.min()), float(lams.max())
    kappa = hi / lo
    return 2 / (lo + hi), (kappa - 1) / (kappa + 1)


def heavy_ball_rate(curvatures: ArrayLike, lr: ArrayLike, momentum: ArrayLike) -> float | np.ndarray:
    """Per-step factor of heavy-ball momentum (torch's SGD with ``momentum``) on a quadratic.

    Along a curvature λ the error obeys x_{k+1} = (1 + μ − ηλ) x_k − μ x_{k−1}; the factor is the
    largest modulus of the roots (a ± √(a² − 4μ))/2, a = 1 + μ − ηλ, over the curvatures.
    ``lr`` and ``momentum`` may be arrays (broadcast together, e.g. a whole (η, μ) plane): the
    result is then an array of their shape, else a float.
    """
    lams = _curvature_list(curvatures)
    lr_, mu = _rate_arguments(lr, momentum)
    a = 1 + mu[..., None] - lr_[..., None] * lams  # one column per curvature
    root = np.sqrt((a * a - 4 * mu[..., None]).astype(complex))
    rate = np.maximum(np.abs(a + root), np.abs(a - root)).max(axis=-1) / 2
    return float(rate) if rate.ndim == 0 else rate


def _rate_arguments(lr, momentum) -> tuple[np.ndarray, np.ndarray]:
    lr_ = check_real_array(lr, "lr", finite=True)
    mu = check_real_array(momentum, "momentum", finite=True)
    if np.any(lr_ <= 0):
        raise ValueError(f"lr must be positive, got {lr!r}")
    if np.any((mu < 0) | (mu >= 1)):
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    return np.broadcast_arrays(lr_, mu)


def heavy_ball_best(curvatures: ArrayLike) -> tuple[float, float, float]:
    """(η*, μ*, rate*) of heavy-ball momentum on a quadratic (Polyak 1964):

        η* = 4/(√λ_max + √λ_min)²,   μ* = ((√κ − 1)/(√κ + 1))²,   rate* = (√κ − 1)/(√κ + 1)
    """
    lams = _curvature_list(curvatures)
    lo, hi = float(np.sqrt(lams.min())), float(np.sqrt(lams.max()))
    rate = (hi - lo) / (hi + lo)  # (√κ − 1)/(√κ + 1)
    return 4 / (hi + lo) ** 2, rate**2, rate


def measured_rate(points: ArrayLike, minimum: ArrayLike) -> float:
    """The per-step factor a run shows over its second half, where the slowest direction dominates
    and the start no longer matters: the ratio of the largest distances ‖x_k − x*‖ in the last
    and the first quarter of that half, to the power 1/(their distance in steps).  Taking the
    largest distance of a few steps follows the envelope of a run that swings across the minimum
    (complex roots), whose distance does not shrink by the same factor every step.
    """
    pts = check_real_array(points, "points", ("n", "d"), form="be a trajectory of shape (n + 1, d)", finite=True)
    x_star = check_real_array(minimum, "minimum", (pts.shape[1],), form=f"be a point of shape ({pts.shape[1]},)")
    n = len(pts) - 1
    if n < 8:
        raise ValueError(f"points must hold at least 9 positions (8 steps), got {len(pts)}")
    m = n // 2
    w = max(1, (n - m) // 4)
    dist = np.linalg.norm(pts - x_star, axis=1)
    early, late = dist[m : m + w + 1].max(), dist[n - w : n + 1].max()
    if early == 0:
        raise ValueError("the run reached the minimum exactly: no rate to measure")
    return float((late / early) ** (1 / (n - w - m)))


def heavy_ball_regime(curvatures: ArrayLike, lr: ArrayLike, momentum: ArrayLike) -> str | np.ndarray:
    """How heavy-ball momentum moves on a quadratic at (η, μ): ``"monotone"`` (every root real and
    non-negative: each coordinate of the error keeps its sign), ``"oscillating"`` (a complex or
    negative root somewhere: some coordinate swings across the minimum) or ``"divergent"``
    (the per-step factor is 1 or more).  Arrays of ``lr``/``momentum`` give an array of names."""
    lams = _curvature_list(curvatures)
    lr_, mu = _rate_arguments(lr, momentum)
    a = 1 + mu[..., None] - lr_[..., None] * lams
    swings = ((a * a < 4 * mu[..., None]) | (a < 0)).any(axis=-1)
    regime = np.where(np.asarray(heavy_ball_rate(lams, lr_, mu)) >= 1, "divergent",
                      np.where(swings, "oscillating", "monotone"))
    return str(regime) if regime.ndim == 0 else regime
