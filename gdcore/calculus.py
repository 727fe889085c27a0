"""Numerical differentiation: derivatives, partial derivatives and gradients.

Every derivative here is a finite difference. The central difference

    f'(x) ≈ (f(x + h) − f(x − h)) / 2h

has truncation error O(h²), the forward difference (f(x + h) − f(x)) / h only
O(h); both lose accuracy to rounding once h is very small, because f(x + h)
and f(x − h) then agree in almost all their digits.

Source for all formulas: J. Nocedal and S. J. Wright, *Numerical
Optimization*, 2nd ed., Springer 2006, §8.1 "Finite-difference derivative
approximations", https://doi.org/10.1007/978-0-387-40065-5
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from gdcore._validate import check_has, check_int, check_positive, check_real_array, check_scalar

ScalarFunction = Callable[[Any], Any]
"""A function of a number (or of an array) that returns one number."""

F_OF_X = "f(x)"  # the name in the message when f does not return a single number


def numerical_diff(f: ScalarFunction, x: float, h: float = 1e-4) -> float:
    """Central-difference derivative of a function of one variable.

        f'(x) ≈ (f(x + h) − f(x − h)) / 2h,   error O(h²)

    ``f`` takes a float and returns a number; ``x`` is a real number.

    Source: Nocedal & Wright, *Numerical Optimization*, 2nd ed. (2006), eq. 8.7,
    https://doi.org/10.1007/978-0-387-40065-5
    """
    h = check_positive(h, "h")
    x = check_scalar(x, "x", finite=True, hint="use numerical_gradient for arrays")
    return (check_scalar(f(x + h), F_OF_X) - check_scalar(f(x - h), F_OF_X)) / (2 * h)


def forward_diff(f: ScalarFunction, x: float, h: float = 1e-4) -> float:
    """Forward-difference derivative of a function of one variable.

        f'(x) ≈ (f(x + h) − f(x)) / h,   error O(h)

    Less accurate than :func:`numerical_diff` for the same h; kept to show
    the difference on the site.

    Source: Nocedal & Wright, *Numerical Optimization*, 2nd ed. (2006), eq. 8.1,
    https://doi.org/10.1007/978-0-387-40065-5
    """
    h = check_positive(h, "h")
    x = check_scalar(x, "x", finite=True)
    return (check_scalar(f(x + h), F_OF_X) - check_scalar(f(x), F_OF_X)) / h


def partial(f: ScalarFunction, x: ArrayLike, i: int | tuple[int, ...], h: float = 1e-4) -> float:
    """Central-difference partial derivative ∂f/∂x_i at the point ``x``.

        ∂f/∂x_i (x) ≈ (f(x + h e_i) − f(x − h e_i)) / 2h

    where e_i is the i-th unit vector. ``x`` is an array (any shape) and ``f``
    takes an array of that shape and returns a number. ``i`` indexes ``x``:
    an int for a vector, a tuple such as ``(row, column)`` for a matrix.
    The caller's ``x`` is not modified.

    Source: Nocedal & Wright, *Numerical Optimization*, 2nd ed. (2006), eq. 8.7,
    https://doi.org/10.1007/978-0-387-40065-5
    """
    h = check_positive(h, "h")
    point = check_real_array(x, "x", finite=True, copy=True)  # a fresh copy: the caller's x is untouched
    try:
        original = point[i]
    except IndexError as error:
        raise ValueError(f"i={i!r} is not a valid index into x of shape {point.shape}") from error
    except TypeError as error:
        raise TypeError(f"i must be an int or a tuple of ints (an index into x), got {i!r}") from error
    if np.ndim(original) != 0:
        raise ValueError(f"i={i!r} must select a single coordinate of x (shape {point.shape})")
    point[i] = original + h
    f_plus = check_scalar(f(point), F_OF_X)
    point[i] = original - h
    f_minus = check_scalar(f(point), F_OF_X)
    return (f_plus - f_minus) / (2 * h)


def numerical_gradient(f: ScalarFunction, x: ArrayLike, h: float = 1e-4) -> np.ndarray:
    """Central-difference gradient ∇f(x), one coordinate at a time.

        (∇f(x))_i ≈ (f(x + h e_i) − f(x − h e_i)) / 2h   for every index i

    ``x`` may have any shape (a vector, a weight matrix, ...); ``f`` takes an
    array of that shape and returns a number. The result has the shape of
    ``x``. The function works on a float64 copy, so the caller's ``x`` is
    unchanged afterwards.

    Source: Nocedal & Wright, *Numerical Optimization*, 2nd ed. (2006), eq. 8.7,
    https://doi.org/10.1007/978-0-387-40065-5
    """
    h = check_positive(h, "h")
    point = check_real_array(x, "x", finite=True, copy=True)  # a fresh copy: the caller's x is untouched
    grad = np.zeros_like(point)
    for i in np.ndindex(point.shape):
        original = point[i]
        point[i] = original + h
        f_plus = check_scalar(f(point), F_OF_X)
        point[i] = original - h
        f_minus = check_scalar(f(point), F_OF_X)
        point[i] = original
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def hessian(grad: Callable[[Any], Any], x: ArrayLike, h: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of f from its gradient, at a point x of shape (d,).

        H[:, j] ≈ (∇f(x + h e_j) − ∇f(x − h e_j)) / 2h,   then   H ← (H + Hᵀ) / 2

    ``grad`` maps a vector of shape (d,) to ∇f of shape (d,), e.g. an objective's ``grad``.
    For a quadratic the gradient is linear, so the difference is exact up to rounding.  The
    result is symmetrised (a true Hessian is symmetric wherever f is twice continuously
    differentiable); its eigenvalues are the curvatures along its eigenvectors.

    Source: Nocedal & Wright, *Numerical Optimization*, 2nd ed. (2006), eq. 8.21,
    https://doi.org/10.1007/978-0-387-40065-5
    """
    h = check_positive(h, "h")
    point = check_real_array(x, "x", ("d",), form="be a vector of shape (d,)", finite=True, copy=True)
    d = point.shape[0]
    H = np.empty((d, d))
    for j in range(d):
        step = np.zeros(d)
        step[j] = h
        g_plus = check_real_array(grad(point + step), "grad(x)", (d,), form=f"be a vector of shape ({d},)")
        g_minus = check_real_array(grad(point - step), "grad(x)", (d,), form=f"be a vector of shape ({d},)")
        H[:, j] = (g_plus - g_minus) / (2 * h)
    return (H + H.T) / 2


def directional_derivative(f: ScalarFunction, x: ArrayLike, u: ArrayLike, h: float = 1e-4) -> float:
    """Central-difference derivative of ``f`` at ``x`` in the direction ``u``.

        D_u f(x) ≈ (f(x + h u) − f(x − h u)) / 2h   (= ∇f(x) · u for smooth f)

    ``u`` must be a unit vector of the same shape as ``x``: ‖u‖ may differ
    from 1 by at most 1e-9, otherwise ``ValueError`` (divide u by its norm
    first). Requiring a unit vector keeps D_u f the rate of change per unit
    of distance, the quantity the site compares between directions.

    Source: Nocedal & Wright, *Numerical Optimization*, 2nd ed. (2006),
    Appendix A (directional derivatives) and eq. 8.7,
    https://doi.org/10.1007/978-0-387-40065-5
    """
    h = check_positive(h, "h")
    point = check_real_array(x, "x", finite=True)
    direction = check_real_array(u, "u", point.shape, form=f"have the shape of x {point.shape}", finite=True)
    norm = float(np.linalg.norm(direction))
    if abs(norm - 1.0) > 1e-9:
        raise ValueError(f"u must be a unit vector (‖u‖ = 1), got ‖u‖ = {norm!r}; pass u / ‖u‖")
    return (check_scalar(f(point + h * direction), F_OF_X) - check_scalar(f(point - h * direction), F_OF_X)) / (2 * h)


def tangent_plane(f_value: float, grad: ArrayLike, x0: ArrayLike, x: ArrayLike) -> np.ndarray:
    """The tangent plane (first-order Taylor approximation) of f at x0, evaluated at x.

        z = f(x0) + ∇f(x0) · (x − x0)

    ``f_value`` is f(x0), ``grad`` is ∇f(x0) and ``x0`` a point, both of
    shape (d,); ``x`` has shape (..., d) — e.g. ``np.stack([X, Y], -1)`` for a
    whole plotting grid — and the result has shape (...).

    Source: Nocedal & Wright, *Numerical Optimization*, 2nd ed. (2006),
    Theorem 2.1 (Taylor's theorem), https://doi.org/10.1007/978-0-387-40065-5
    """
    f0 = check_scalar(f_value, "f_value", finite=True, hint="pass f(x0)")
    base = check_real_array(x0, "x0", ("d",), finite=True)
    g = check_real_array(grad, "grad", base.shape, form=f"have the shape of x0 {base.shape}", finite=True)
    points = check_real_array(x, "x", ("...", base.shape[0]), finite=True)
    return f0 + (points - base) @ g


def steepest_path(objective: Any, x0: ArrayLike, step: float, n: int, ascent: bool = False) -> np.ndarray:
    """A finely stepped path of steepest descent (or ascent): the gradient flow.

        x_{k+1} = x_k − step · ∇f(x_k)     (ascent: + step · ∇f(x_k))

    This is the explicit Euler discretisation of the gradient flow
    dx/dt = −∇f(x) (Cauchy's method of steepest descent). With a small
    ``step`` the polyline follows the continuous curve, which crosses every
    level curve of f at a right angle. ``objective`` is anything with a
    ``grad(x)`` method (e.g. a :class:`gdcore.functions.Objective`); ``x0``
    has shape (d,). Returns an array of shape (n + 1, d) that starts at x0.

    Source: A. Cauchy, "Méthode générale pour la résolution des systèmes
    d'équations simultanées", Comptes Rendus 25 (1847), 536–538; Nocedal &
    Wright, *Numerical Optimization*, 2nd ed. (2006), §3.1,
    https://doi.org/10.1007/978-0-387-40065-5
    """
    check_has(objective, "objective", "have a grad(x) method, e.g. a gdcore.functions.Objective", methods=("grad",))
    step = check_positive(step, "step")
    n = check_int(n, "n", 0)  # the number of steps
    point = check_real_array(x0, "x0", ("d",), finite=True)
    sign = 1.0 if ascent else -1.0
    path = np.empty((n + 1, point.size))
    path[0] = point
    for k in range(n):
        path[k + 1] = path[k] + sign * step * np.asarray(objective.grad(path[k]), dtype=float)
    return path
