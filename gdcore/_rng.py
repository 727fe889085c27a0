"""Turn an ``rng`` argument into a :class:`numpy.random.Generator`.

gdcore keeps no global random state: every function that draws random
numbers takes an ``rng`` argument and passes it through :func:`as_generator`.
"""

from __future__ import annotations

import numbers

import numpy as np

RngLike = np.random.Generator | int | None


def as_generator(rng: RngLike) -> np.random.Generator:
    """Return a NumPy ``Generator`` for ``rng``.

    * a ``numpy.random.Generator`` is returned as is (draws advance its state);
    * a non-negative ``int`` is a seed: ``numpy.random.default_rng(rng)``;
    * ``None`` gives a fresh, unseeded ``default_rng()`` — not reproducible,
      so the site's pages and the tests always pass a seed or a Generator.

    Anything else (a float, a bool, the legacy ``numpy.random.RandomState``)
    raises ``TypeError``; a negative seed raises ``ValueError``.

    Source: NumPy, "Random Generator",
    https://numpy.org/doc/stable/reference/random/generator.html
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng: a seed must be a non-negative int, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(
        "rng must be a numpy.random.Generator, a non-negative int seed or None, "
        f"got {type(rng).__name__}"
    )
