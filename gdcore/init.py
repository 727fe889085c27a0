"""Weight initialisation for a dense layer: LeCun, He (Kaiming) and Xavier (Glorot).

Shapes are ``(fan_in, fan_out)``: the weight W of a dense layer used as
``y = x @ W``, with x of shape (batch, fan_in). (torch's ``nn.Linear`` stores
the transpose, ``weight.shape == (out_features, in_features)``, and computes
``x @ weight.T``; the fans are the same.) Convolution kernels and other
shapes are not supported: pass the two fans explicitly.

    scheme   variance              uniform bound √(3·variance)     torch
    lecun    1 / fan_in            √(3 / fan_in)                   kaiming_*(nonlinearity="linear")
    he       2 / fan_in            √(6 / fan_in)                   kaiming_*(nonlinearity="relu")
    xavier   2 / (fan_in+fan_out)  √(6 / (fan_in + fan_out))       xavier_*(gain=1)

(torch's kaiming_* in the default mode="fan_in".) A uniform U(−a, a) has
variance a²/3, so both forms of a scheme have the same variance.

The normal forms are plain normals, as in torch. With ``truncate=t`` they
redraw every value with |w| > t·σ until none is left — a truncated normal
like ``torch.nn.init.trunc_normal_(std=σ, a=−tσ, b=tσ)``. σ is not rescaled,
so the result's standard deviation is below σ (about 0.88σ for t = 2).

Every function takes ``rng``: a ``numpy.random.Generator``, an int seed, or
``None`` for a fresh unseeded generator (not reproducible — the site's pages
and the tests always pass a seed).
"""

from __future__ import annotations

import math

import numpy as np

from gdcore._rng import RngLike, as_generator
from gdcore._validate import check_choice, check_positive, check_positive_int, check_sequence

SCHEMES = ("lecun", "he", "xavier")


def _fans(shape: tuple[int, int]) -> tuple[int, int]:
    """(fan_in, fan_out) of a dense layer's weight shape."""
    fan_in, fan_out = check_sequence(
        shape, "shape", "a 2-tuple (fan_in, fan_out) of positive ints for a dense layer x @ W", length=2
    )
    return check_positive_int(fan_in, "shape[0] (fan_in)"), check_positive_int(fan_out, "shape[1] (fan_out)")


def init_std(scheme: str, fan_in: int, fan_out: int) -> float:
    """Standard deviation of the weights for ``scheme`` in {"lecun", "he", "xavier"}.

        lecun:  σ = √(1 / fan_in)
        he:     σ = √(2 / fan_in)
        xavier: σ = √(2 / (fan_in + fan_out))

    ``fan_out`` is ignored by LeCun and He but is always required (and checked),
    so the three schemes are called the same way.

    Sources: LeCun et al., "Efficient BackProp" (1998), §4.6,
    https://doi.org/10.1007/3-540-49430-8_2; He et al., "Delving Deep into
    Rectifiers" (2015), eq. 10, arXiv:1502.01852; Glorot & Bengio,
    "Understanding the difficulty of training deep feedforward neural
    networks" (2010), eq. 12, https://proceedings.mlr.press/v9/glorot10a.html
    """
    scheme = check_choice(scheme, "scheme", SCHEMES)
    fan_in, fan_out = check_positive_int(fan_in, "fan_in"), check_positive_int(fan_out, "fan_out")
    if scheme == "lecun":
        return math.sqrt(1.0 / fan_in)
    if scheme == "he":
        return math.sqrt(2.0 / fan_in)
    return math.sqrt(2.0 / (fan_in + fan_out))  # xavier


def init_bound(scheme: str, fan_in: int, fan_out: int) -> float:
    """Bound a of the uniform form U(−a, a) of ``scheme``: a = √3 · :func:`init_std`.

        lecun:  a = √(3 / fan_in)
        he:     a = √(6 / fan_in)
        xavier: a = √(6 / (fan_in + fan_out))

    Sources: as for :func:`init_std`; the Xavier bound is Glorot & Bengio (2010),
    eq. 16, https://proceedings.mlr.press/v9/glorot10a.html
    """
    numerator = {"lecun": 3.0, "he": 6.0, "xavier": 6.0}[check_choice(scheme, "scheme", SCHEMES)]
    fan_in, fan_out = check_positive_int(fan_in, "fan_in"), check_positive_int(fan_out, "fan_out")
    fans = fan_in + fan_out if scheme == "xavier" else fan_in
    return math.sqrt(numerator / fans)


def _uniform(scheme: str, shape: tuple[int, int], rng: RngLike) -> np.ndarray:
    fan_in, fan_out = _fans(shape)
    bound = init_bound(scheme, fan_in, fan_out)
    return as_generator(rng).uniform(-bound, bound, size=(fan_in, fan_out))  # [−a, a)


def _normal(scheme: str, shape: tuple[int, int], rng: RngLike, truncate: float | None) -> np.ndarray:
    fan_in, fan_out = _fans(shape)
    if truncate is not None:
        truncate = check_positive(truncate, "truncate")  # in standard deviations
    std = init_std(scheme, fan_in, fan_out)
    generator = as_generator(rng)
    weights = generator.normal(0.0, std, size=(fan_in, fan_out))
    if truncate is not None:
        outside = np.abs(weights) > truncate * std
        while outside.any():  # redraw only the values beyond the cut
            weights[outside] = generator.normal(0.0, std, size=int(outside.sum()))
            outside = np.abs(weights) > truncate * std
    return weights


def lecun_uniform(shape: tuple[int, int], rng: RngLike = None) -> np.ndarray:
    """LeCun uniform: W ~ U(−√(3 / fan_in), √(3 / fan_in)), variance 1 / fan_in.

    ``shape = (fan_in, fan_out)``; returns float64. Equals torch
    ``kaiming_uniform_(nonlinearity="linear")`` on the transposed weight.

    Source: LeCun, Bottou, Orr & Müller, "Efficient BackProp" (1998), §4.6,
    https://doi.org/10.1007/3-540-49430-8_2
    """
    return _uniform("lecun", shape, rng)


def lecun_normal(shape: tuple[int, int], rng: RngLike = None, *, truncate: float | None = None) -> np.ndarray:
    """LeCun normal: W ~ N(0, 1 / fan_in).

    ``shape = (fan_in, fan_out)``; returns float64. Equals torch
    ``kaiming_normal_(nonlinearity="linear")`` on the transposed weight.

    ``truncate=t`` redraws values beyond ±t·σ (see the module docstring);
    the default ``None`` gives a plain normal, as torch does.

    Source: LeCun, Bottou, Orr & Müller, "Efficient BackProp" (1998), §4.6,
    https://doi.org/10.1007/3-540-49430-8_2
    """
    return _normal("lecun", shape, rng, truncate)


def he_uniform(shape: tuple[int, int], rng: RngLike = None) -> np.ndarray:
    """He (Kaiming) uniform: W ~ U(−√(6 / fan_in), √(6 / fan_in)), variance 2 / fan_in.

    ``shape = (fan_in, fan_out)``; returns float64. Equals torch
    ``kaiming_uniform_(mode="fan_in", nonlinearity="relu")`` on the transposed weight.

    Source: He, Zhang, Ren & Sun, "Delving Deep into Rectifiers" (2015), eq. 10,
    arXiv:1502.01852, https://arxiv.org/abs/1502.01852
    """
    return _uniform("he", shape, rng)


def he_normal(shape: tuple[int, int], rng: RngLike = None, *, truncate: float | None = None) -> np.ndarray:
    """He (Kaiming) normal: W ~ N(0, 2 / fan_in).

    ``shape = (fan_in, fan_out)``; returns float64. Equals torch
    ``kaiming_normal_(mode="fan_in", nonlinearity="relu")`` on the transposed weight.

    ``truncate=t`` redraws values beyond ±t·σ (see the module docstring);
    the default ``None`` gives a plain normal, as torch does.

    Source: He, Zhang, Ren & Sun, "Delving Deep into Rectifiers" (2015), eq. 10,
    arXiv:1502.01852, https://arxiv.org/abs/1502.01852
    """
    return _normal("he", shape, rng, truncate)


def xavier_uniform(shape: tuple[int, int], rng: RngLike = None) -> np.ndarray:
    """Xavier (Glorot) uniform: W ~ U(−√(6 / (fan_in + fan_out)), √(6 / (fan_in + fan_out))).

    Variance 2 / (fan_in + fan_out). ``shape = (fan_in, fan_out)``; returns
    float64. Equals torch ``xavier_uniform_(gain=1)``.

    Source: Glorot & Bengio, "Understanding the difficulty of training deep
    feedforward neural networks" (AISTATS 2010), eq. 16,
    https://proceedings.mlr.press/v9/glorot10a.html
    """
    return _uniform("xavier", shape, rng)


def xavier_normal(shape: tuple[int, int], rng: RngLike = None, *, truncate: float | None = None) -> np.ndarray:
    """Xavier (Glorot) normal: W ~ N(0, 2 / (fan_in + fan_out)).

    ``shape = (fan_in, fan_out)``; returns float64. Equals torch
    ``xavier_normal_(gain=1)``.

    ``truncate=t`` redraws values beyond ±t·σ (see the module docstring);
    the default ``None`` gives a plain normal, as torch does.

    Source: Glorot & Bengio, "Understanding the difficulty of training deep
    feedforward neural networks" (AISTATS 2010), eq. 12,
    https://proceedings.mlr.press/v9/glorot10a.html
    """
    return _normal("xavier", shape, rng, truncate)
