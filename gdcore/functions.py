"""Objective functions used on the site, with values and analytic gradients.

Every objective follows one convention: **the last axis holds the
coordinates**. ``f.value(x)`` maps x of shape (..., d) to shape (...) and
``f.grad(x)`` maps x of shape (..., d) to shape (..., d). So the same
function evaluates one point, ``f.grad(np.array([3.0, 4.0]))``, and a whole
plotting grid, ``f.value(np.stack([X, Y], axis=-1))`` (see
:meth:`Objective.grid`).

Objectives: :data:`sphere`, :data:`elongated`, :data:`elongated_classic`,
:data:`ellipse_tilted`, :data:`saddle`, :data:`curvy`, :data:`landscape`
(with :data:`landscape_points`), :data:`rosenbrock_2d`, and the factories
:func:`quadratic` and :func:`rosenbrock`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from gdcore._validate import check_callable, check_int, check_real, check_real_array, check_window

Window = tuple[tuple[float, float], tuple[float, float]]

COORDS = "the last axis holds the coordinates"
PLANE = f"have shape (..., 2): {COORDS}"  # the expected form of a point x of the plane
ANY_D = f"have shape (..., d) with d >= 1: {COORDS}"


@dataclass(frozen=True)
class Objective:
    """A function to minimise, with its analytic gradient and plotting hints.

    Attributes:
        name: short identifier, e.g. ``"sphere"``.
        latex: the formula, e.g. ``r"f(x_0, x_1) = x_0^2 + x_1^2"``.
        value: ``value(x)``, x of shape (..., d) -> array of shape (...).
        grad: ``grad(x)``, x of shape (..., d) -> array of shape (..., d), ∇f(x).
        minimum: location of the global minimum if known, else ``None``.
        window: suggested 2-D plot window ``((xmin, xmax), (ymin, ymax))``.

    Calling the objective, ``f(x)``, is the same as ``f.value(x)``.
    """

    name: str
    latex: str
    value: Callable[[ArrayLike], np.ndarray] = field(repr=False)
    grad: Callable[[ArrayLike], np.ndarray] = field(repr=False)
    minimum: tuple[float, ...] | None
    window: Window

    def __post_init__(self) -> None:
        check_callable(self.value, "Objective.value", "a callable x -> f(x)")
        check_callable(self.grad, "Objective.grad", "a callable x -> ∇f(x)")
        check_window(self.window)

    def __call__(self, x: ArrayLike) -> np.ndarray:
        """f(x) = ``self.value(x)``; x of shape (..., d)."""
        return self.value(x)

    def grid(self, n: int = 201, window: Window | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Values on an n × n grid over ``window`` (default: ``self.window``), for contour plots.

            X[j, i] = xs[i],  Y[j, i] = ys[j],  Z[j, i] = f(xs[i], ys[j])

        with xs, ys = ``np.linspace`` over the window's x and y ranges, i.e.
        ``np.meshgrid`` in its default ``"xy"`` indexing, which is what
        ``matplotlib.pyplot.contour(X, Y, Z)`` expects. For 2-D objectives only.

        Source: NumPy ``meshgrid``,
        https://numpy.org/doc/stable/reference/generated/numpy.meshgrid.html
        """
        n = check_int(n, "n", 2)  # grid points per axis
        (xmin, xmax), (ymin, ymax) = check_window(self.window if window is None else window)
        X, Y = np.meshgrid(np.linspace(xmin, xmax, n), np.linspace(ymin, ymax, n))
        return X, Y, self.value(np.stack([X, Y], axis=-1))


# --- sphere: f(x) = Σ x_i² -------------------------------------------------


def _sphere_value(x: ArrayLike) -> np.ndarray:
    x = check_real_array(x, "x", ("...", "d"), form=ANY_D)
    return np.sum(x**2, axis=-1)


def _sphere_grad(x: ArrayLike) -> np.ndarray:
    return 2.0 * check_real_array(x, "x", ("...", "d"), form=ANY_D)


sphere = Objective(
    name="sphere",
    latex=r"f(x_0, x_1) = x_0^2 + x_1^2",
    value=_sphere_value,
    grad=_sphere_grad,
    minimum=(0.0, 0.0),
    window=((-5.0, 5.0), (-5.0, 5.0)),
)
"""f(x) = Σ_i x_i² = ‖x‖², ∇f(x) = 2x, for any dimension d (the minimum is the
origin of R^d; ``minimum`` gives it for d = 2). Circular level curves.

Source: test function F1 in K. A. De Jong, "An analysis of the behavior of a
class of genetic adaptive systems", PhD thesis, University of Michigan (1975)."""


# --- elongated: f = 0.1 x0² + 2 x1² ----------------------------------------


def _elongated_value(x: ArrayLike) -> np.ndarray:
    x = check_real_array(x, "x", ("...", 2), form=PLANE)
    return 0.1 * x[..., 0] ** 2 + 2.0 * x[..., 1] ** 2


def _elongated_grad(x: ArrayLike) -> np.ndarray:
    x = check_real_array(x, "x", ("...", 2), form=PLANE)
    return np.stack([0.2 * x[..., 0], 4.0 * x[..., 1]], axis=-1)


elongated = Objective(
    name="elongated",
    latex=r"f(x_0, x_1) = 0.1\,x_0^2 + 2\,x_1^2",
    value=_elongated_value,
    grad=_elongated_grad,
    minimum=(0.0, 0.0),
    window=((-5.0, 5.0), (-3.0, 3.0)),
)
"""f(x0, x1) = 0.1 x0² + 2 x1², ∇f = (0.2 x0, 4 x1): an ill-conditioned bowl
(curvatures 0.2 and 4, condition number 20).

Source: A. Zhang, Z. C. Lipton, M. Li, A. J. Smola, *Dive into Deep Learning*,
§12.6 "Momentum", https://d2l.ai/chapter_optimization/momentum.html
(arXiv:2106.11342)"""


# --- elongated_classic: f = x0²/20 + x1² ------------------------------------


def _elongated_classic_value(x: ArrayLike) -> np.ndarray:
    x = check_real_array(x, "x", ("...", 2), form=PLANE)
    return x[..., 0] ** 2 / 20.0 + x[..., 1] ** 2


def _elongated_classic_grad(x: ArrayLike) -> np.ndarray:
    x = check_real_array(x, "x", ("...", 2), form=PLANE)
    return np.stack([x[..., 0] / 10.0, 2.0 * x[..., 1]], axis=-1)


elongated_classic = Objective(
    name="elongated_classic",
    latex=r"f(x_0, x_1) = \frac{1}{20}x_0^2 + x_1^2",
    value=_elongated_classic_value,
    grad=_elongated_classic_grad,
    minimum=(0.0, 0.0),
    window=((-10.0, 10.0), (-5.0, 5.0)),
)
"""f(x0, x1) = x0²/20 + x1², ∇f = (x0/10, 2 x1): the textbook comparison of
SGD, Momentum, AdaGrad and Adam (condition number 20).

Source: 사이토 고키, 『밑바닥부터 시작하는 딥러닝』 (한빛미디어, 2017), §6.1.3;
original: 斎藤康毅, 『ゼロから作るDeep Learning』 (O'Reilly Japan, 2016)."""


# --- saddle: f = x0² − x1² ---------------------------------------------------


def _saddle_value(x: ArrayLike) -> np.ndarray:
    x = check_real_array(x, "x", ("...", 2), form=PLANE)
    return x[..., 0] ** 2 - x[..., 1] ** 2


def _saddle_grad(x: ArrayLike) -> np.ndarray:
    x = check_real_array(x, "x", ("...", 2), form=PLANE)
    return np.stack([2.0 * x[..., 0], -2.0 * x[..., 1]], axis=-1)


saddle = Objective(
    name="saddle",
    latex=r"f(x_0, x_1) = x_0^2 - x_1^2",
    value=_saddle_value,
    grad=_saddle_grad,
    minimum=None,
    window=((-2.0, 2.0), (-2.0, 2.0)),
)
"""f(x0, x1) = x0² − x1², ∇f = (2 x0, −2 x1): a saddle point at the origin
(Hessian diag(2, −2)); unbounded below, so there is no minimum.

Source: Y. Dauphin et al., "Identifying and attacking the saddle point problem
in high-dimensional non-convex optimization", NeurIPS 2014, arXiv:1406.2572"""


# --- curvy: f = ½ x0² + 2 (x1 − ½ x0²)² --------------------------------------


def _curvy_value(x: ArrayLike) -> np.ndarray:
    x = check_real_array(x, "x", ("...", 2), form=PLANE)
    bend = x[..., 1] - 0.5 * x[..., 0] ** 2
    return 0.5 * x[..., 0] ** 2 + 2.0 * bend**2


def _curvy_grad(x: ArrayLike) -> np.ndarray:
    x = check_real_array(x, "x", ("...", 2), form=PLANE)
    bend = x[..., 1] - 0.5 * x[..., 0] ** 2
    return np.stack([x[..., 0] - 4.0 * x[..., 0] * bend, 4.0 * bend], axis=-1)


curvy = Objective(
    name="curvy",
    latex=r"f(x_0, x_1) = \tfrac12 x_0^2 + 2\left(x_1 - \tfrac12 x_0^2\right)^2",
    value=_curvy_value,
    grad=_curvy_grad,
    minimum=(0.0, 0.0),
    window=((-2.5, 2.5), (-1.5, 3.0)),
)
"""f(x0, x1) = ½ x0² + 2 (x1 − ½ x0²)², a bowl bent along the parabola
x1 = ½ x0², so its level curves are curved ("smiling"), not ellipses.

∇f = (x0 − 4 x0 (x1 − ½ x0²), 4 (x1 − ½ x0²)). f ≥ 0 with equality only at
the origin, the single critical point and global minimum. The same
construction (a quadratic in x0 and in the bent coordinate x1 − c·x0²) gives
Rosenbrock's function; here the bend is gentle so the figures stay readable.

Source: H. H. Rosenbrock, The Computer Journal 3(3), 175–184 (1960),
https://doi.org/10.1093/comjnl/3.3.175 (the bent-valley construction)."""


# --- quadratic: f = ½ xᵀAx − bᵀx ----------------------------------------------


def _pmatrix(array: np.ndarray) -> str:
    rows = array.reshape(len(array), -1)
    return r"\begin{pmatrix}" + r" \\ ".join(" & ".join(f"{v:g}" for v in row) for row in rows) + r"\end{pmatrix}"


def quadratic(
    A: ArrayLike,
    b: ArrayLike | None = None,
    *,
    name: str = "quadratic",
    latex: str | None = None,
    window: Window = ((-3.0, 3.0), (-3.0, 3.0)),
) -> Objective:
    """The quadratic f(x) = ½ xᵀAx − bᵀx with symmetric A, in any dimension d.

        ∇f(x) = Ax − b,    Hessian = A

    ``A`` must be a symmetric (d, d) matrix of finite reals, ``b`` a vector
    of shape (d,) (default: zeros). If A is positive definite the unique
    minimum x* solves Ax* = b and is stored in ``minimum``; otherwise
    ``minimum`` is ``None``. The level curves are ellipses whose axes are
    A's eigenvectors. A and b are copied.

    Source: Nocedal & Wright, *Numerical Optimization*, 2nd ed. (2006), eq. 5.2,
    https://doi.org/10.1007/978-0-387-40065-5
    """
    A = check_real_array(A, "A", ("d", "d"), form="be a square (d, d) matrix", finite=True)
    if not np.allclose(A, A.T, rtol=1e-12, atol=1e-12):
        raise ValueError(f"A must be symmetric (A == A.T), got\n{A}")
    A = (A + A.T) / 2  # a new array; removes rounding-level asymmetry so grad is exactly Ax - b
    d = A.shape[0]
    b = np.zeros(d) if b is None else check_real_array(b, "b", (d,), form=f"be a vector of shape ({d},)", finite=True, copy=True)
    form = f"have shape (..., {d}): {COORDS}"

    def value(x: ArrayLike) -> np.ndarray:
        x = check_real_array(x, "x", ("...", d), form=form)
        return 0.5 * np.einsum("...i,ij,...j->...", x, A, x) - x @ b

    def grad(x: ArrayLike) -> np.ndarray:
        return check_real_array(x, "x", ("...", d), form=form) @ A - b  # = Ax - b, as A is symmetric

    positive_definite = bool(np.all(np.linalg.eigvalsh(A) > 0))
    minimum = tuple(float(v) for v in np.linalg.solve(A, b)) if positive_definite else None
    if latex is None:
        latex = rf"f(x) = \tfrac12 x^\top A x - b^\top x,\quad A = {_pmatrix(A)},\ b = {_pmatrix(b)}"
    return Objective(name=name, latex=latex, value=value, grad=grad, minimum=minimum, window=window)


ellipse_tilted = quadratic(
    [[3.0, 2.0], [2.0, 3.0]],
    name="ellipse_tilted",
    latex=r"f(x_0, x_1) = 1.5\,x_0^2 + 2\,x_0 x_1 + 1.5\,x_1^2",
)
"""f(x0, x1) = ½ xᵀAx with A = [[3, 2], [2, 3]], i.e. 1.5 x0² + 2 x0 x1 + 1.5 x1²:
elliptic level curves tilted by 45° (eigenvalues 5 along (1, 1)/√2 and
1 along (1, −1)/√2). ∇f = Ax; minimum at the origin. See :func:`quadratic`."""


# --- rosenbrock: f = (a − x0)² + b (x1 − x0²)² ----------------------------------


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Objective:
    """Rosenbrock's banana-shaped valley, f(x0, x1) = (a − x0)² + b (x1 − x0²)².

        ∇f = (−2 (a − x0) − 4 b x0 (x1 − x0²),  2 b (x1 − x0²))

    Global minimum f = 0 at (a, a²) for b > 0. The classic choice is
    a = 1, b = 100 (:data:`rosenbrock_2d`).

    Source: H. H. Rosenbrock, "An automatic method for finding the greatest or
    least value of a function", The Computer Journal 3(3), 175–184 (1960),
    https://doi.org/10.1093/comjnl/3.3.175
    """
    a, b = check_real(a, "a"), check_real(b, "b")
    if b <= 0:
        raise ValueError(f"b must be > 0 (otherwise there is no unique minimum), got {b!r}")

    def value(x: ArrayLike) -> np.ndarray:
        x = check_real_array(x, "x", ("...", 2), form=PLANE)
        return (a - x[..., 0]) ** 2 + b * (x[..., 1] - x[..., 0] ** 2) ** 2

    def grad(x: ArrayLike) -> np.ndarray:
        x = check_real_array(x, "x", ("...", 2), form=PLANE)
        valley = x[..., 1] - x[..., 0] ** 2
        return np.stack([-2.0 * (a - x[..., 0]) - 4.0 * b * x[..., 0] * valley, 2.0 * b * valley], axis=-1)

    default = (a, b) == (1.0, 100.0)
    return Objective(
        name="rosenbrock" if default else f"rosenbrock(a={a:g}, b={b:g})",
        latex=rf"f(x_0, x_1) = ({a:g} - x_0)^2 + {b:g}\,(x_1 - x_0^2)^2",
        value=value,
        grad=grad,
        minimum=(a, a * a),
        window=((min(-2.0, a - 1.0), max(2.0, a + 1.0)), (min(-1.0, a * a - 1.0), max(3.0, a * a + 1.0))),
    )


rosenbrock_2d = rosenbrock()
"""Rosenbrock's function with a = 1, b = 100: minimum f = 0 at (1, 1)."""


# --- landscape: a bowl with two Gaussian wells ----------------------------------

_LANDSCAPE_BOWL = 0.1
_LANDSCAPE_WELLS = (  # (centre, depth, width)
    ((1.0, 0.5), 2.0, 0.8),  # deep well: the global minimum
    ((-1.5, -0.5), 1.2, 0.7),  # shallow well: a poorer local minimum
)


def _landscape_value(x: ArrayLike) -> np.ndarray:
    x = check_real_array(x, "x", ("...", 2), form=PLANE)
    total = _LANDSCAPE_BOWL * np.sum(x**2, axis=-1)
    for centre, depth, width in _LANDSCAPE_WELLS:
        total = total - depth * np.exp(-np.sum((x - centre) ** 2, axis=-1) / (2 * width**2))
    return total


def _landscape_grad(x: ArrayLike) -> np.ndarray:
    x = check_real_array(x, "x", ("...", 2), form=PLANE)
    total = 2 * _LANDSCAPE_BOWL * x
    for centre, depth, width in _LANDSCAPE_WELLS:
        offset = x - centre
        well = depth * np.exp(-np.sum(offset**2, axis=-1) / (2 * width**2))
        total = total + well[..., None] * offset / width**2
    return total


landscape_points: dict[str, tuple[float, float]] = {
    "global_min": (0.938033138377, 0.469180998910),
    "local_min": (-1.367088217817, -0.454470601772),
    "saddle": (-0.472724074969, -0.103985855737),
}
"""Critical points of :data:`landscape`, by Newton's method, rounded to 12 decimals
(‖∇f‖ < 1e-11 there; checked in tests/lib/test_functions.py)."""

landscape = Objective(
    name="landscape",
    latex=(
        r"f(x) = 0.1\,\lVert x\rVert^2"
        r" - 2\,e^{-\lVert x - (1,\,0.5)\rVert^2 / (2\cdot 0.8^2)}"
        r" - 1.2\,e^{-\lVert x - (-1.5,\,-0.5)\rVert^2 / (2\cdot 0.7^2)}"
    ),
    value=_landscape_value,
    grad=_landscape_grad,
    minimum=landscape_points["global_min"],
    window=((-3.0, 3.0), (-3.0, 3.0)),
)
"""A gentle bowl 0.1‖x‖² with two Gaussian wells, a deep one near (1, 0.5)
and a shallow one near (−1.5, −0.5):

    f(x) = 0.1 ‖x‖² − Σ_k a_k exp(−‖x − c_k‖² / (2 s_k²))
    ∇f(x) = 0.2 x + Σ_k a_k exp(−‖x − c_k‖² / (2 s_k²)) (x − c_k) / s_k²

It has a global minimum, a poorer local minimum and a saddle point between
them (:data:`landscape_points`), so gradient descent started on different
sides of the saddle ends in different minima.

Source: a sum of Gaussian wells on a quadratic bowl, built for this site; the
critical points are computed by Newton's method (Nocedal & Wright, *Numerical
Optimization*, 2nd ed. (2006), §3.3 (Newton's method), https://doi.org/10.1007/978-0-387-40065-5)
and verified in tests/lib/test_functions.py."""

