"""Models with a loss, its analytic gradient, and the numbers the site plots.

Every model here follows one small protocol, which :func:`gdcore.train.fit`
relies on:

``model.params``
    a list of float64 arrays (``[w]``, ``[w, b]`` or ``[W1, b1, W2, b2, ...]``).
    A :mod:`gdcore.optim` optimizer built as ``SGD(model.params, lr=...)``
    updates these very arrays in place.
``model.loss(X, y, params=None)``
    the mean loss over the rows of ``X`` (a float).
``model.loss_and_grads(X, y, params=None)``
    ``(loss, grads)`` with ``grads`` a list shaped like ``params``: the
    gradient of the *mean* over the given rows.  A mini-batch gradient is
    therefore simply ``loss_and_grads(X[idx], y[idx])``.

``params=None`` means ``model.params``; pass another list of arrays of the
same shapes to evaluate the model somewhere else without touching it (the
numerical-gradient tests and :func:`gdcore.book.gradient_noise` do this).

Dense layers use the convention of :mod:`gdcore.init`: ``W`` has shape
``(fan_in, fan_out)`` and a layer computes ``x @ W + b`` for a batch ``x``
of shape ``(batch, fan_in)``.

Contents: :class:`LinearRegression` (least squares) and :class:`MLP` (a
multilayer perceptron with softmax cross-entropy, trained by
backpropagation).  The deep-network experiment of the initialisation
chapter is :func:`gdcore.book.activation_stats`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from gdcore import init as _init
from gdcore._rng import RngLike, as_generator
from gdcore._validate import (
    check_array_list,
    check_bool,
    check_callable,
    check_choice,
    check_int,
    check_labels,
    check_positive_int,
    check_real_array,
    check_sequence,
)

__all__ = [
    "ACTIVATIONS",
    "LinearRegression",
    "MLP",
    "Forward",
    "softmax",
    "log_softmax",
]


# ----------------------------------------------------------------------------
# linear regression (least squares)
# ----------------------------------------------------------------------------


class LinearRegression:
    """Least squares: predict ``ŷ = X w (+ b)`` and minimise half the mean squared error.

        L(w, b) = (1 / 2n) · Σ_i (x_i · w + b − y_i)²        (the ½ convention)
        ∂L/∂w   = (1 / n) · Xᵀ r,    ∂L/∂b = (1 / n) · Σ_i r_i,    r = X w + b − y

    The ½ makes the gradient the plain mean of ``x_i r_i`` (no factor 2), as in
    most textbooks; the minimiser is the same as for the mean squared error
    without ½. ``n`` is the number of rows passed in, so on a mini-batch the
    loss and gradient are the mini-batch means.

    ``params`` is ``[w]`` (shape ``(n_features,)``) or, with
    ``fit_intercept=True``, ``[w, b]`` with ``b`` of shape ``(1,)``; both
    start at 0 (the problem is convex, so the start only matters for the
    pictures). Set another start with ``model.params[0][:] = w0``.

    Source: A.-M. Legendre, *Nouvelles méthodes pour la détermination des
    orbites des comètes* (1805), appendix "Sur la méthode des moindres
    carrés"; the exact minimiser is :func:`numpy.linalg.lstsq`.
    """

    def __init__(self, n_features: int, *, fit_intercept: bool = False):
        self.n_features = check_positive_int(n_features, "n_features")
        self.fit_intercept = check_bool(fit_intercept, "fit_intercept")
        self.params: list[np.ndarray] = [np.zeros(self.n_features)]
        if self.fit_intercept:
            self.params.append(np.zeros(1))

    def _shapes(self) -> list[tuple[int, ...]]:
        return [(self.n_features,), (1,)] if self.fit_intercept else [(self.n_features,)]

    def _params(self, params) -> list[np.ndarray]:
        return self.params if params is None else check_array_list(params, "params", self._shapes())

    def predict(self, X: ArrayLike, params: Sequence[np.ndarray] | None = None) -> np.ndarray:
        """``ŷ = X w (+ b)``, shape (n,)."""
        p = self._params(params)
        X = check_real_array(X, "X", ("n", self.n_features))
        return X @ p[0] + p[1][0] if self.fit_intercept else X @ p[0]

    def residuals(self, X: ArrayLike, y: ArrayLike, params: Sequence[np.ndarray] | None = None) -> np.ndarray:
        """``r = X w (+ b) − y``, shape (n,)."""
        X = check_real_array(X, "X", ("n", self.n_features))
        return self.predict(X, params) - check_real_array(y, "y", (X.shape[0],))

    def loss(self, X: ArrayLike, y: ArrayLike, params: Sequence[np.ndarray] | None = None) -> float:
        """``L = ½ · mean(r²)`` over the rows of X."""
        r = self.residuals(X, y, params)
        return 0.5 * float(np.mean(r * r))

    def loss_and_grads(
        self, X: ArrayLike, y: ArrayLike, params: Sequence[np.ndarray] | None = None
    ) -> tuple[float, list[np.ndarray]]:
        """``(L, [∂L/∂w (, ∂L/∂b)])`` for the mean over the rows of X."""
        X = check_real_array(X, "X", ("n", self.n_features))
        r = self.residuals(X, y, params)
        n = X.shape[0]
        grads = [X.T @ r / n]  # ∂L/∂w = Xᵀ r / n
        if self.fit_intercept:
            grads.append(np.array([r.sum() / n]))  # ∂L/∂b = Σ r_i / n
        return 0.5 * float(np.mean(r * r)), grads

    def grad(self, X: ArrayLike, y: ArrayLike, params: Sequence[np.ndarray] | None = None) -> list[np.ndarray]:
        """The gradient list of :meth:`loss_and_grads` alone."""
        return self.loss_and_grads(X, y, params)[1]

    def per_example_grads(
        self, X: ArrayLike, y: ArrayLike, params: Sequence[np.ndarray] | None = None
    ) -> np.ndarray:
        """Every example's own gradient, flattened: shape (n, n_params).

        Row i is ∇ ½ (x_i · w + b − y_i)² = r_i · (x_i, 1): the mean of the
        rows is the gradient of :meth:`loss`. Used to compute the exact
        gradient-noise variance in :func:`gdcore.book.gradient_noise`.
        """
        X = check_real_array(X, "X", ("n", self.n_features))
        r = self.residuals(X, y, params)
        rows = np.hstack([X, np.ones((X.shape[0], 1))]) if self.fit_intercept else X
        return rows * r[:, None]

    def lstsq(self, X: ArrayLike, y: ArrayLike) -> list[np.ndarray]:
        """The exact minimiser of :meth:`loss` as a params list, by :func:`numpy.linalg.lstsq`.

        With an intercept, a column of ones is appended to X. (The minimum-norm
        solution if X does not have full column rank.)
        """
        X = check_real_array(X, "X", ("n", self.n_features))
        y = check_real_array(y, "y", (X.shape[0],))
        A = np.hstack([X, np.ones((X.shape[0], 1))]) if self.fit_intercept else X
        theta = np.linalg.lstsq(A, y, rcond=None)[0]
        return [theta[: self.n_features].copy(), theta[self.n_features :].copy()] if self.fit_intercept else [theta]

    def __repr__(self):
        return f"LinearRegression(n_features={self.n_features}, fit_intercept={self.fit_intercept})"


# ----------------------------------------------------------------------------
# activations and softmax
# ----------------------------------------------------------------------------


def _relu(z):
    return np.maximum(z, 0.0)


def _relu_grad(z, a):
    return (z > 0).astype(z.dtype)  # φ'(z) = 1 if z > 0 else 0 (0 at the kink, like torch)


def _tanh_grad(z, a):
    return 1.0 - a * a  # φ'(z) = 1 − tanh(z)²


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + e^(−z)), without overflow for large |z|


def _sigmoid_grad(z, a):
    return a * (1.0 - a)  # φ'(z) = σ(z)(1 − σ(z))


#: name -> (φ(z), φ'(z) computed from z and a = φ(z))
ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "relu": (_relu, _relu_grad),
    "tanh": (np.tanh, _tanh_grad),
    "sigmoid": (_sigmoid, _sigmoid_grad),
}


def log_softmax(z: ArrayLike) -> np.ndarray:
    """Row-wise log-softmax, computed stably with the log-sum-exp trick.

        log softmax(z)_k = z_k − LSE(z),   LSE(z) = m + log Σ_j exp(z_j − m),   m = max_j z_j

    Subtracting the row maximum m changes nothing mathematically but keeps
    every exp(·) ≤ 1, so nothing overflows.
    """
    z = np.asarray(z, dtype=np.float64)
    m = np.max(z, axis=-1, keepdims=True)
    return z - (m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True)))


def softmax(z: ArrayLike) -> np.ndarray:
    """Row-wise softmax ``exp(z_k) / Σ_j exp(z_j)``, as ``exp(log_softmax(z))`` (no overflow)."""
    return np.exp(log_softmax(z))


# ----------------------------------------------------------------------------
# multilayer perceptron
# ----------------------------------------------------------------------------


@dataclass
class Forward:
    """What a forward pass of :class:`MLP` computed, layer by layer.

    For layers l = 1, ..., L (L = number of weight matrices)::

        z_l = a_{l−1} W_l + b_l          (pre-activation)
        a_l = φ(z_l)       for l < L     (hidden activation)
        logits = z_L                     (no activation: softmax is in the loss)

    Attributes:
        a: ``[a_0 = X, a_1, ..., a_{L−1}]``, the input of every dense layer.
        z: ``[z_1, ..., z_L]``, the pre-activations (``z[-1]`` are the logits).
        logits: ``z_L``, shape (n, n_classes).

    With ``record=False`` only ``logits`` is kept (``a`` and ``z`` are empty).
    """

    logits: np.ndarray
    a: list[np.ndarray] = field(default_factory=list)
    z: list[np.ndarray] = field(default_factory=list)

    @property
    def hidden(self) -> list[np.ndarray]:
        """The hidden activations ``[a_1, ..., a_{L−1}]`` (for the histogram figures)."""
        return self.a[1:]


class MLP:
    """A multilayer perceptron for classification, trained by backpropagation.

    ``sizes = (n_in, h_1, ..., n_classes)``, e.g. ``(64, 32, 10)``: L =
    len(sizes) − 1 dense layers, the activation ``φ`` ("relu", "tanh" or
    "sigmoid") after every layer but the last, and the softmax
    cross-entropy loss on the last layer's outputs (the logits)::

        z_l = a_{l−1} W_l + b_l,   a_0 = X,   a_l = φ(z_l)  (l < L)
        L   = (1/n) Σ_i −log softmax(z_L)_{i, y_i}

    Backpropagation (Rumelhart, Hinton & Williams 1986) goes from the loss
    back to the first layer; with δ_l = ∂L/∂z_l::

        δ_L       = (softmax(z_L) − onehot(y)) / n
        ∂L/∂W_l   = a_{l−1}ᵀ δ_l
        ∂L/∂b_l   = Σ_i δ_l[i]                 (sum over the rows)
        δ_{l−1}   = (δ_l W_lᵀ) ⊙ φ'(z_{l−1})

    :meth:`loss_and_grads` is these four lines, one NumPy line each.

    Parameters ``params = [W_1, b_1, ..., W_L, b_L]`` are float64 arrays
    with ``W_l.shape == (sizes[l−1], sizes[l])`` and ``b_l.shape ==
    (sizes[l],)``. The weights are drawn with ``init(shape, rng)`` — any
    initialiser of :mod:`gdcore.init`; the default is ``he_normal`` for
    "relu" and ``xavier_normal`` otherwise — layer by layer from one
    generator; biases start at 0.

    Source: D. E. Rumelhart, G. E. Hinton and R. J. Williams, "Learning
    representations by back-propagating errors", Nature 323 (1986), 533–536,
    https://doi.org/10.1038/323533a0
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "relu",
        *,
        init: Callable[[tuple[int, int], np.random.Generator], np.ndarray] | None = None,
        rng: RngLike = None,
    ):
        sizes = check_sequence(sizes, "sizes", "a sequence (n_in, ..., n_classes) of at least 2 ints", min_length=2)
        self.sizes = tuple(check_positive_int(s, f"sizes[{i}]") for i, s in enumerate(sizes))
        check_int(self.sizes[-1], "sizes[-1] (the number of classes)", 2)
        self.activation = check_choice(activation, "activation", ACTIVATIONS)
        self._phi, self._phi_grad = ACTIVATIONS[activation]
        if init is None:
            init = _init.he_normal if activation == "relu" else _init.xavier_normal
        self.init = check_callable(init, "init", "a callable (shape, rng) -> W such as gdcore.init.he_normal")
        generator = as_generator(rng)
        self.params: list[np.ndarray] = []
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:]):
            W = check_real_array(init((fan_in, fan_out), generator), "init(shape, rng)", (fan_in, fan_out))
            self.params += [W.copy(), np.zeros(fan_out)]

    @property
    def n_layers(self) -> int:
        """L, the number of dense layers (weight matrices)."""
        return len(self.sizes) - 1

    def _shapes(self) -> list[tuple[int, ...]]:
        shapes: list[tuple[int, ...]] = []
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:]):
            shapes += [(fan_in, fan_out), (fan_out,)]
        return shapes

    def _params(self, params) -> list[np.ndarray]:
        return self.params if params is None else check_array_list(params, "params", self._shapes())

    def forward(
        self, X: ArrayLike, *, params: Sequence[np.ndarray] | None = None, record: bool = True
    ) -> Forward:
        """The forward pass: every layer's input ``a`` and pre-activation ``z`` (see :class:`Forward`).

        ``record=False`` keeps only the logits (for :meth:`predict`).
        """
        p = self._params(params)
        a = check_real_array(X, "X", ("n", self.sizes[0]))
        out = Forward(logits=a)
        for l in range(self.n_layers):
            W, b = p[2 * l], p[2 * l + 1]
            z = a @ W + b  # z_l = a_{l−1} W_l + b_l
            if record:
                out.a.append(a)
                out.z.append(z)
            if l < self.n_layers - 1:
                a = self._phi(z)  # a_l = φ(z_l)
        out.logits = z
        return out

    def loss(self, X: ArrayLike, y: ArrayLike, params: Sequence[np.ndarray] | None = None) -> float:
        """Mean softmax cross-entropy ``(1/n) Σ_i −log softmax(z_L)_{i, y_i}``."""
        logits = self.forward(X, params=params, record=False).logits
        y = check_labels(y, logits.shape[0], self.sizes[-1])
        return float(-np.mean(log_softmax(logits)[np.arange(len(y)), y]))

    def loss_and_grads(
        self, X: ArrayLike, y: ArrayLike, params: Sequence[np.ndarray] | None = None
    ) -> tuple[float, list[np.ndarray]]:
        """``(L, [∂L/∂W_1, ∂L/∂b_1, ..., ∂L/∂W_L, ∂L/∂b_L])`` by backpropagation (class docstring)."""
        p = self._params(params)
        f = self.forward(X, params=p)
        n = f.logits.shape[0]
        y = check_labels(y, n, self.sizes[-1])
        rows = np.arange(n)
        log_p = log_softmax(f.logits)
        loss = float(-np.mean(log_p[rows, y]))

        delta = np.exp(log_p)  # δ_L = (softmax(z_L) − onehot(y)) / n
        delta[rows, y] -= 1.0
        delta /= n
        grads: list[np.ndarray] = [None] * len(p)  # type: ignore[list-item]
        for l in reversed(range(self.n_layers)):
            grads[2 * l] = f.a[l].T @ delta  # ∂L/∂W_l = a_{l−1}ᵀ δ_l
            grads[2 * l + 1] = delta.sum(axis=0)  # ∂L/∂b_l = Σ_i δ_l[i]
            if l > 0:  # δ_{l−1} = (δ_l W_lᵀ) ⊙ φ'(z_{l−1})
                delta = (delta @ p[2 * l].T) * self._phi_grad(f.z[l - 1], f.a[l])
        return loss, grads

    def grad_norms(self, X: ArrayLike, y: ArrayLike, params: Sequence[np.ndarray] | None = None) -> np.ndarray:
        """Frobenius norm ‖∂L/∂W_l‖ of every layer's weight gradient, shape (L,).

        Layer 1 (next to the input) first: vanishing gradients show up as
        norms that shrink towards the front, exploding ones as norms that grow.
        """
        grads = self.loss_and_grads(X, y, params)[1]
        return np.array([np.linalg.norm(g) for g in grads[0::2]])

    def predict_proba(self, X: ArrayLike, params: Sequence[np.ndarray] | None = None) -> np.ndarray:
        """Class probabilities ``softmax(z_L)``, shape (n, n_classes)."""
        return softmax(self.forward(X, params=params, record=False).logits)

    def predict(self, X: ArrayLike, params: Sequence[np.ndarray] | None = None) -> np.ndarray:
        """The most probable class of every row, shape (n,), int64."""
        return np.argmax(self.forward(X, params=params, record=False).logits, axis=1)

    def accuracy(self, X: ArrayLike, y: ArrayLike, params: Sequence[np.ndarray] | None = None) -> float:
        """Fraction of rows whose predicted class equals the label ``y``."""
        pred = self.predict(X, params)
        y = check_labels(y, pred.shape[0], self.sizes[-1])
        return float(np.mean(pred == y))

    def __repr__(self):
        init = getattr(self.init, "__name__", repr(self.init))
        return f"MLP(sizes={self.sizes}, activation={self.activation!r}, init={init})"
