"""The deep-network experiment of the initialisation chapter: activations and gradients, layer by layer.

Part of :mod:`gdcore.book`, the experiments of the book (the site), not the library.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gdcore._rng import RngLike, as_generator
from gdcore._validate import check_callable, check_choice, check_positive, check_positive_int
from gdcore.models import ACTIVATIONS

__all__ = ["ActivationStats", "activation_stats"]


@dataclass
class ActivationStats:
    """Activations and gradients of a deep stack of dense layers, layer by layer.

    Layer index l = 1, ..., layers is position ``l − 1`` in every list/array.

    Attributes:
        activations: ``[a_1, ..., a_layers]``, each of shape (n, width), for histograms.
        mean, std: shape (layers,): mean and standard deviation of all entries of a_l.
        grad_norms: shape (layers,): ‖∂L/∂W_l‖ (Frobenius norm).
        delta_std: shape (layers,): standard deviation of ∂L/∂z_l, the
            back-propagated signal entering layer l.
        saturated: shape (layers,): fraction of entries with φ'(z_l) < 0.01:
            the flat tails of sigmoid and tanh; for "relu", the inactive
            units (z_l ≤ 0), whose gradient is 0.
    """

    activations: list[np.ndarray]
    mean: np.ndarray
    std: np.ndarray
    grad_norms: np.ndarray
    delta_std: np.ndarray
    saturated: np.ndarray


def activation_stats(
    init: Callable[[tuple[int, int], np.random.Generator], np.ndarray] | float,
    activation: str,
    *,
    layers: int = 5,
    width: int = 100,
    n: int = 1000,
    rng: RngLike = None,
) -> ActivationStats:
    """Push ``n`` standard-normal inputs through ``layers`` dense layers and back.

    Forward, for l = 1, ..., layers (biases 0, the activation after every layer)::

        a_0 ~ N(0, 1)^(n × width),   z_l = a_{l−1} W_l,   a_l = φ(z_l)

    Backward, from a fixed random upstream gradient G ~ N(0, 1)^(n × width),
    i.e. the loss L = (1/n) Σ G ⊙ a_layers (a stand-in for whatever comes after)::

        δ_l = ∂L/∂z_l = (∂L/∂a_l) ⊙ φ'(z_l),   ∂L/∂a_layers = G / n
        ∂L/∂W_l = a_{l−1}ᵀ δ_l,   ∂L/∂a_{l−1} = δ_l W_lᵀ

    ``init`` is a callable ``(shape, rng) -> W`` such as
    :func:`gdcore.init.xavier_normal` or :func:`gdcore.init.he_normal`, or a
    number ``std`` for W ~ N(0, std²). The random draws come from one
    generator in a fixed order (inputs, W_1, ..., W_layers, G), so a seed
    reproduces everything and two schemes with the same seed see the same
    inputs.

    The experiment follows Glorot & Bengio (2010), "Understanding the
    difficulty of training deep feedforward neural networks", §4.2 and
    figures 3 and 6, https://proceedings.mlr.press/v9/glorot10a.html; the
    He scheme is He et al. (2015), arXiv:1502.01852, §2.2.
    """
    layers = check_positive_int(layers, "layers")
    width = check_positive_int(width, "width")
    n = check_positive_int(n, "n")
    phi, phi_grad = ACTIVATIONS[check_choice(activation, "activation", ACTIVATIONS)]
    if isinstance(init, numbers.Real) and not isinstance(init, bool):
        std = check_positive(init, "init (as a number: the weight std)")

        def init(shape, generator, _std=std):
            return generator.normal(0.0, _std, size=shape)

    else:
        check_callable(init, "init", "a callable (shape, rng) -> W such as gdcore.init.xavier_normal, "
                       "or a float std for N(0, std²)")
    generator = as_generator(rng)

    a = generator.standard_normal((n, width))  # a_0
    Ws = [np.asarray(init((width, width), generator), dtype=np.float64) for _ in range(layers)]
    G = generator.standard_normal((n, width))

    a_list, z_list = [a], []
    with np.errstate(over="ignore", invalid="ignore"):
        for W in Ws:
            z = a_list[-1] @ W  # z_l = a_{l−1} W_l
            z_list.append(z)
            a_list.append(phi(z))  # a_l = φ(z_l)

        grad_norms, delta_std, saturated = np.empty(layers), np.empty(layers), np.empty(layers)
        upstream = G / n  # ∂L/∂a_layers
        for l in reversed(range(layers)):
            d_phi = phi_grad(z_list[l], a_list[l + 1])
            delta = upstream * d_phi  # δ_l = ∂L/∂a_l ⊙ φ'(z_l)
            grad_norms[l] = np.linalg.norm(a_list[l].T @ delta)  # ‖a_{l−1}ᵀ δ_l‖
            delta_std[l] = np.std(delta)
            saturated[l] = np.mean(d_phi < 0.01)
            upstream = delta @ Ws[l].T  # ∂L/∂a_{l−1} = δ_l W_lᵀ

    acts = a_list[1:]
    return ActivationStats(
        activations=acts,
        mean=np.array([x.mean() for x in acts]),
        std=np.array([x.std() for x in acts]),
        grad_norms=grad_norms,
        delta_std=delta_std,
        saturated=saturated,
    )
