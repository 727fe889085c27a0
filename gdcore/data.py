"""Small data sets for the SGD, mini-batch and initialisation chapters, all offline.

* :func:`make_regression_2d` — a two-parameter least-squares problem whose
  loss over (w0, w1) is an elongated, tilted bowl: the contour plots of the
  SGD and momentum chapters. Returns a :class:`LeastSquaresProblem`.
* :func:`load_digits_split` — the 8×8 handwritten digits that ship inside
  scikit-learn (1797 images, 10 classes), split and standardised. Nothing
  is downloaded.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from gdcore._rng import RngLike, as_generator
from gdcore._validate import check_bool, check_int, check_nonneg, check_open_interval, check_real_array
from gdcore.models import LinearRegression

__all__ = ["LeastSquaresProblem", "make_regression_2d", "DigitsSplit", "load_digits_split"]


@dataclass(frozen=True)
class LeastSquaresProblem:
    """A least-squares problem ``min_w L(w) = ½ · mean((X w − y)²)`` with its exact solution.

    Because L is quadratic, it equals its second-order Taylor expansion
    around the minimiser w* exactly::

        L(w) = L* + ½ (w − w*)ᵀ A (w − w*),   ∇L(w) = A (w − w*),   A = XᵀX / n

    (A is the Hessian; its eigenvalues are the curvatures along the bowl's
    axes and their ratio is the condition number). :meth:`value` and
    :meth:`grad` use this form, so they evaluate a whole grid of points at
    once, with the convention of :mod:`gdcore.functions` (the last axis
    holds the coordinates). The object therefore also works as the
    ``objective`` of :func:`gdcore.run.minimize` (full-batch gradient descent).

    Attributes:
        X: shape (n, d), the features.
        y: shape (n,), the targets.
        w_true: shape (d,), the weights the data were generated with.
        w_star: shape (d,), the exact least-squares solution (:func:`numpy.linalg.lstsq`).
        loss_star: L(w*), the smallest possible loss (about noise² / 2).
        hessian: A = XᵀX / n, shape (d, d).
    """

    X: np.ndarray
    y: np.ndarray
    w_true: np.ndarray
    w_star: np.ndarray
    loss_star: float
    hessian: np.ndarray

    @property
    def model(self) -> LinearRegression:
        """A fresh :class:`gdcore.models.LinearRegression` (no intercept) for these features."""
        return LinearRegression(self.X.shape[1])

    @property
    def condition_number(self) -> float:
        """λ_max(A) / λ_min(A): how elongated the bowl is."""
        eig = np.linalg.eigvalsh(self.hessian)
        return float(eig[-1] / eig[0])

    def _weights(self, w: ArrayLike) -> np.ndarray:
        """``w`` of shape (..., d) as floats: one point or a whole grid of points."""
        return check_real_array(w, "w", ("...", self.X.shape[1]))

    def value(self, w: ArrayLike) -> np.ndarray | float:
        """Full-batch loss L(w) = L* + ½ (w − w*)ᵀ A (w − w*); w of shape (..., d) gives shape (...)."""
        e = self._weights(w) - self.w_star
        out = self.loss_star + 0.5 * np.einsum("...i,ij,...j->...", e, self.hessian, e)
        return float(out) if out.ndim == 0 else out

    def grad(self, w: ArrayLike) -> np.ndarray:
        """Full-batch gradient ∇L(w) = A (w − w*); shape (..., d) like w."""
        return (self._weights(w) - self.w_star) @ self.hessian  # A is symmetric

    def loss_grid(self, W0: ArrayLike, W1: ArrayLike) -> np.ndarray:
        """L on a meshgrid (``W0, W1 = np.meshgrid(w0s, w1s)``) at once, for contour plots (d = 2 only)."""
        if self.X.shape[1] != 2:
            raise ValueError(f"loss_grid needs a 2-parameter problem, this one has d = {self.X.shape[1]}")
        W0, W1 = check_real_array(W0, "W0"), check_real_array(W1, "W1")
        if W0.shape != W1.shape:
            raise ValueError(f"W0 and W1 must have the same shape (from np.meshgrid), got {W0.shape} and {W1.shape}")
        return np.asarray(self.value(np.stack([W0, W1], axis=-1)))


def make_regression_2d(
    n: int = 100,
    rng: RngLike = None,
    *,
    noise: float = 0.5,
    w_true: ArrayLike = (2.0, 1.0),
    correlation: float = 0.8,
) -> LeastSquaresProblem:
    """A seeded two-feature least-squares problem with an elongated, tilted loss bowl.

        x_i ~ N(0, C),  C = [[1, ρ], [ρ, 1]],    y_i = x_i · w_true + noise · ε_i,   ε_i ~ N(0, 1)

    Correlated features (ρ = ``correlation``) tilt the bowl by 45° and
    stretch it: the Hessian A = XᵀX/n is close to C, whose eigenvalues
    1 ± ρ give a condition number near (1 + ρ)/(1 − ρ) = 9 for ρ = 0.8.
    Draws from ``rng`` in a fixed order (X, then ε). The exact minimiser
    ``w_star`` differs from ``w_true`` by the noise.
    """
    n = check_int(n, "n", 2)
    noise = check_nonneg(noise, "noise")
    correlation = check_open_interval(correlation, "correlation", -1, 1)
    w = check_real_array(w_true, "w_true", (2,), form="be 2 finite numbers (w0, w1)", finite=True, copy=True)
    generator = as_generator(rng)
    C = np.array([[1.0, correlation], [correlation, 1.0]])
    X = generator.standard_normal((n, 2)) @ np.linalg.cholesky(C).T  # rows ~ N(0, C)
    y = X @ w + noise * generator.standard_normal(n)
    model = LinearRegression(2)
    w_star = model.lstsq(X, y)[0]
    return LeastSquaresProblem(
        X=X, y=y, w_true=w, w_star=w_star, loss_star=model.loss(X, y, [w_star]), hessian=X.T @ X / n
    )


class DigitsSplit(NamedTuple):
    """Train/validation split of the digits: unpack as ``X_train, y_train, X_val, y_val = ...``."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray


def _digits_raw() -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of scikit-learn's bundled digits: float64 (1797, 64) pixel values 0..16, int64 labels.

    Reads the very file ``sklearn.datasets.load_digits`` reads
    (``sklearn/datasets/data/digits.csv.gz``) with the same ``np.loadtxt``
    call, without importing scikit-learn (which takes seconds); falls back
    to ``load_digits()`` if the file is not where it is expected.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        raise ImportError(
            "load_digits_split needs scikit-learn, whose package bundles the digits: pip install scikit-learn"
        )
    path = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"
    if path.is_file():
        data = np.loadtxt(path, delimiter=",")
        return data[:, :-1], data[:, -1].astype(np.int64)
    from sklearn.datasets import load_digits  # pragma: no cover - only if sklearn moves the file

    digits = load_digits()  # pragma: no cover
    return digits.data.astype(np.float64), digits.target.astype(np.int64)  # pragma: no cover


def load_digits_split(rng: RngLike = None, val_fraction: float = 0.2, standardize: bool = True) -> DigitsSplit:
    """The handwritten digits (8×8 pixels, classes 0–9), shuffled and split into train and validation.

    Needs scikit-learn installed (the data ship inside its package; nothing
    is downloaded), but does not import it. A random permutation from
    ``rng`` puts ``round(val_fraction · 1797)`` images into the validation
    set (359 for 0.2) and the rest into the training set. With
    ``standardize=True`` every pixel is rescaled with the *training* mean and
    standard deviation::

        x' = (x − mean_train) / std_train     (std_train = 1 where it is 0)

    so no information from the validation set leaks into training; three
    border pixels are 0 in every image and simply become 0. X arrays are
    float64 of shape (n, 64), y arrays int64 of shape (n,).

    Source: E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten
    Digits", UCI Machine Learning Repository (1998),
    https://doi.org/10.24432/C50P49 (the test part as bundled by
    scikit-learn, ``sklearn.datasets.load_digits``).
    """
    val_fraction = check_open_interval(val_fraction, "val_fraction", 0, 1)
    standardize = check_bool(standardize, "standardize")
    generator = as_generator(rng)
    X, y = _digits_raw()
    order = generator.permutation(len(y))
    n_val = int(round(val_fraction * len(y)))
    if not 0 < n_val < len(y):
        raise ValueError(f"val_fraction={val_fraction!r} leaves an empty training or validation set")
    val, train = order[:n_val], order[n_val:]
    X_train, X_val = X[train], X[val]
    if standardize:
        mean = X_train.mean(axis=0)
        std = X_train.std(axis=0)
        std[std == 0] = 1.0  # constant pixels: leave them at 0 after centring
        X_train, X_val = (X_train - mean) / std, (X_val - mean) / std
    return DigitsSplit(X_train, y[train].copy(), X_val, y[val].copy())
