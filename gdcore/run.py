"""Run an optimizer on an objective and record the whole trajectory.

    traj = minimize(functions.sphere, [3.0, 4.0], partial(SGD, lr=0.1), steps=50)
    traj.points      # (51, 2): x_0 (the start), x_1, ..., x_50
    traj.values      # (51,):   f(x_k)
    traj.grad_norms  # (51,):   ‖∇f(x_k)‖

If the iterates blow up (a learning rate too large), :func:`minimize` either
raises :class:`DivergenceError` or, with ``on_divergence="stop"``, returns
the finite part of the trajectory with ``diverged=True``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from gdcore._validate import check_callable, check_choice, check_has, check_int, check_real_array, check_scalar

LIMIT = 1e150
"""Magnitude beyond which a run counts as diverged. Squaring numbers below
1e150 cannot overflow float64 (max ≈ 1.8e308), so the run stops *before*
NumPy would produce inf and overflow warnings."""


class DivergenceError(FloatingPointError):
    """The iterates of :func:`minimize` stopped being finite (or exceeded :data:`LIMIT`)."""


@dataclass
class Trajectory:
    """The path of one optimisation run, start included.

    Attributes:
        points: shape (n + 1, d), x_0 (the start) to x_n.
        values: shape (n + 1,), f(x_k).
        grad_norms: shape (n + 1,), ‖∇f(x_k)‖ (Euclidean norm of ``objective.grad``).
        diverged: True if the run was cut short by divergence
            (``on_divergence="stop"``); n is then the last good step.
        message: "" or the divergence diagnostic.
    """

    points: np.ndarray
    values: np.ndarray
    grad_norms: np.ndarray
    diverged: bool = False
    message: str = ""


def _blown_up(name: str, value: Any) -> str:
    """"" if every entry of ``value`` is finite and at most LIMIT in magnitude, else why not."""
    array = np.asarray(value)
    # fast path, taken at every step of every run (a NaN makes every comparison False, so it
    # falls through to the checks below): plain Python for a few numbers, two reductions otherwise
    if array.size <= 16:
        if all(-LIMIT <= v <= LIMIT for v in array.ravel().tolist()):
            return ""
    elif array.max() <= LIMIT and array.min() >= -LIMIT:
        return ""
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        return f"{name} is not finite ({array})"
    if array.size and np.max(np.abs(array)) > LIMIT:
        return f"{name} exceeds {LIMIT:g} in magnitude (max |entry| = {np.max(np.abs(array)):.3g})"
    return ""


def minimize(
    objective: Any,
    x0: ArrayLike,
    optimizer: Callable[[np.ndarray], Any],
    steps: int,
    *,
    on_divergence: str = "raise",
    grad: Callable[[np.ndarray], ArrayLike] | None = None,
) -> Trajectory:
    """Run ``steps`` optimizer steps on ``objective`` from ``x0``.

    Each step k = 1, ..., steps does

        g = ∇f(x_{k-1});   opt.step(g)    # e.g. SGD: x_k = x_{k-1} − η g

    where the optimizer updates the parameter array in place, then records
    x_k, f(x_k) and ‖∇f(x_k)‖.

    Args:
        objective: a :class:`gdcore.functions.Objective`, or anything with
            ``value(x)`` (a number) and ``grad(x)`` (an array like x) methods.
        x0: the start, array-like of shape (d,). It is copied into a fresh
            float64 array; the caller's object is never modified.
        optimizer: called once with that float64 array and must return an
            object with ``step(grads)`` that updates the array in place, e.g.
            ``functools.partial(gdcore.optim.SGD, lr=0.1)`` or
            ``lambda x: Adam(x, lr=0.01)``.
        steps: number of steps, an int >= 0 (0 gives a one-point trajectory).
        on_divergence: ``"raise"`` (default) raises :class:`DivergenceError`
            when x, f(x) or ∇f(x) stops being finite or exceeds
            :data:`LIMIT` in magnitude; ``"stop"`` returns the trajectory up
            to the last good point with ``diverged=True`` and the diagnostic
            in ``message``.
        grad: optional gradient to step with instead of ``objective.grad``
            (e.g. a noisy, stochastic gradient). ``grad_norms`` still records
            the true gradient ``objective.grad``.

    Source: A. Cauchy, "Méthode générale pour la résolution des systèmes
    d'équations simultanées", Comptes Rendus 25 (1847), 536–538 (the
    gradient method); the optimizer follows ``torch.optim`` conventions,
    https://docs.pytorch.org/docs/stable/optim.html
    """
    check_has(objective, "objective", "have value(x) and grad(x) methods, e.g. a gdcore.functions.Objective",
              methods=("value", "grad"))
    check_callable(optimizer, "optimizer", "a callable params -> optimizer, e.g. functools.partial(SGD, lr=0.1)")
    check_callable(grad, "grad", "a callable x -> gradient", optional=True)
    steps = check_int(steps, "steps", 0)
    on_divergence = check_choice(on_divergence, "on_divergence", ("raise", "stop"))
    x = check_real_array(x0, "x0", ("d",), form="have shape (d,) with d >= 1", finite=True, copy=True)  # a fresh copy that the optimizer updates in place
    opt = check_has(optimizer(x), "optimizer(x)", "return an object with a step(grads) method", methods=("step",))

    def value_at(point: np.ndarray) -> float:
        return check_scalar(objective.value(point), "objective.value(x)")

    def true_grad_at(point: np.ndarray) -> np.ndarray:
        return check_real_array(objective.grad(point), "objective.grad(x)", point.shape)

    with np.errstate(over="ignore", invalid="ignore"):  # blow-ups are caught below, not warned about
        value, true_grad = value_at(x), true_grad_at(x)
        problem = _blown_up("f(x0)", value) or _blown_up("grad f(x0)", true_grad)
        if problem:
            raise ValueError(f"x0 must be a point where f and its gradient are finite: {problem}")
        points, values, grad_norms = [x.copy()], [value], [float(np.linalg.norm(true_grad))]
        message = ""
        for k in range(1, steps + 1):
            if grad is None:
                g = true_grad
            else:
                g = check_real_array(grad(x), "grad(x)", x.shape)
            problem = _blown_up(f"the gradient used at step {k}", g)
            if not problem:
                opt.step(g)
                problem = _blown_up(f"x at step {k}", x)
            if not problem:
                value, true_grad = value_at(x), true_grad_at(x)
                problem = _blown_up(f"f(x) at step {k}", value) or _blown_up(f"grad f(x) at step {k}", true_grad)
            if problem:
                message = (
                    f"diverged at step {k}: {problem}; last finite value f = {values[-1]:.6g} "
                    f"at step {k - 1}. The learning rate may be too large."
                )
                break
            points.append(x.copy())
            values.append(value)
            grad_norms.append(float(np.linalg.norm(true_grad)))

    if message and on_divergence == "raise":
        raise DivergenceError(message)
    return Trajectory(
        points=np.array(points),
        values=np.array(values),
        grad_norms=np.array(grad_norms),
        diverged=bool(message),
        message=message,
    )
