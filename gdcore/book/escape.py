"""The SGD chapter's escape experiment: gradient noise carries runs out of a poor local minimum.

Part of :mod:`gdcore.book`, the experiments of the book (the site), not the library.

Every run starts at the shallow local minimum of :data:`gdcore.functions.landscape` (chapter 3's
function with a global minimum, a poorer local minimum and a saddle between them) and takes
``steps`` steps of :class:`gdcore.optim.SGD` with a noisy gradient

    g̃(x) = ∇f(x) + (τ/√2) ε,    ε ~ N(0, I₂) from ``numpy.random.default_rng(seed)``,

so that E‖g̃ − ∇f‖² = τ², the chapter's measure of gradient noise (a mini-batch of B examples
has about τ²/B).  τ = 0 is plain gradient descent, which stays where it starts (the gradient is
0 there, up to the rounding of the point: it moves less than 1e-12).

The basin a run *ends in* is the minimum that plain gradient descent (same η, ``settle_steps``
steps) reaches from the run's last point; a run *escaped* if that is the global minimum.

* :data:`ESCAPE` / :class:`EscapeConfig` — the hyperparameters, defined once.
* :func:`noisy_gradient` / :func:`escape_run` — one run through :func:`gdcore.run.minimize`
  (its ``grad=`` argument), the reference.
* :func:`escape_paths` — all seeds at once, one ``(seeds, 2)`` array stepped by one ``SGD``:
  row i is :func:`escape_run` with seed i to the last bit (tests/lib/test_escape.py).
* :func:`escape_experiment` — every noise level: paths, basins and counts (:class:`EscapeResult`).

Source: R. Kleinberg, Y. Li and Y. Yuan, "An Alternative View: When Does SGD Escape Local
Minima?", ICML 2018, PMLR 80:2698–2707, arXiv:1802.06175, https://arxiv.org/abs/1802.06175
(SGD's noise lets it leave sharp, shallow minima); the role of η and B in the size of that
noise: S. Jastrzębski, Z. Kenton, D. Arpit, N. Ballas, A. Fischer, Y. Bengio and A. Storkey,
"Three Factors Influencing Minima in SGD" (2017), arXiv:1711.04623,
https://arxiv.org/abs/1711.04623.  Here the noise is isotropic and Gaussian, a model of
mini-batch noise, not the noise of a real data set.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gdcore._rng import RngLike, as_generator
from gdcore._validate import check_int, check_nonneg, check_real_array
from gdcore.functions import landscape, landscape_points
from gdcore.optim import SGD
from gdcore.run import Trajectory, minimize

__all__ = [
    "EscapeConfig",
    "ESCAPE",
    "noisy_gradient",
    "escape_run",
    "escape_paths",
    "settle",
    "EscapeResult",
    "escape_experiment",
]


@dataclass(frozen=True)
class EscapeConfig:
    """Hyperparameters of the escape experiment.

    Attributes:
        start: where every run starts, the local minimum of ``landscape``.
        lr: η of every run (chapter 3's rate on this function).
        steps: noisy steps of every run.
        noise: the noise levels τ compared, in increasing order; 0 is plain gradient descent.
        seeds: runs per level; run i draws its noise from ``default_rng(i)``, at every level
            (the levels differ only in the factor τ).
        settle_steps: plain gradient-descent steps from a run's last point that decide its basin.
        tol: a settled point within this distance of a minimum is in that minimum's basin.
        near: the radius around the global minimum within which a run's last point counts as
            "near the global minimum".
    """

    start: tuple[float, float] = landscape_points["local_min"]
    lr: float = 0.1
    steps: int = 300
    noise: tuple[float, ...] = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0)
    seeds: int = 200
    settle_steps: int = 300
    tol: float = 1e-3
    near: float = 0.5


#: The configuration of the page, the figure and the tests.
ESCAPE = EscapeConfig()


def noisy_gradient(tau: float, rng: RngLike) -> Callable[[np.ndarray], np.ndarray]:
    """``x -> ∇f(x) + (τ/√2) ε`` on ``landscape``, with a fresh ε ~ N(0, I₂) from ``rng`` at every call.

    Each of the two coordinates of the noise has variance τ²/2, so E‖g̃ − ∇f‖² = τ².
    """
    scale = check_nonneg(tau, "tau") / math.sqrt(2)
    generator = as_generator(rng)

    def grad(x: np.ndarray) -> np.ndarray:
        return landscape.grad(x) + scale * generator.standard_normal(2)

    return grad


def escape_run(tau: float, seed: int, config: EscapeConfig = ESCAPE) -> Trajectory:
    """One run: :func:`gdcore.run.minimize` from ``config.start`` with ``SGD(lr)`` and
    :func:`noisy_gradient` ``(tau, default_rng(seed))``, ``config.steps`` steps."""
    seed = check_int(seed, "seed", 0)
    return minimize(landscape, config.start, functools.partial(SGD, lr=config.lr), config.steps,
                    grad=noisy_gradient(tau, np.random.default_rng(seed)))


def escape_paths(tau: float, config: EscapeConfig = ESCAPE) -> np.ndarray:
    """The paths of runs 0, ..., ``config.seeds`` − 1 at noise level τ, all at once: shape
    ``(steps + 1, seeds, 2)``, ``[0]`` the start.

    The runs are the rows of one ``(seeds, 2)`` array that one ``SGD`` steps; ``landscape.grad``
    works row by row and run i's noise is drawn from its own ``default_rng(i)`` in the order
    :func:`escape_run` draws it, so ``escape_paths(tau)[:, i]`` equals
    ``escape_run(tau, i).points`` exactly.
    """
    scale = check_nonneg(tau, "tau") / math.sqrt(2)
    seeds = check_int(config.seeds, "config.seeds", 1)
    steps = check_int(config.steps, "config.steps", 0)
    # eps[k, i]: the ε of run i at step k (one generator per run, drawn in the run's order)
    eps = np.stack([np.random.default_rng(i).standard_normal((steps, 2)) for i in range(seeds)], axis=1)
    x = np.tile(np.asarray(config.start, dtype=np.float64), (seeds, 1))
    opt = SGD(x, lr=config.lr)
    paths = np.empty((steps + 1, seeds, 2))
    paths[0] = x
    for k in range(steps):
        opt.step(landscape.grad(x) + scale * eps[k])  # x ← x − η (∇f(x) + (τ/√2) ε_k)
        paths[k + 1] = x
    return paths


def settle(points: np.ndarray, config: EscapeConfig = ESCAPE) -> np.ndarray:
    """Where plain gradient descent (η = ``config.lr``, ``config.settle_steps`` steps) takes each
    row of ``points`` (shape (n, 2)): the minimum of the basin the row lies in."""
    x = check_real_array(points, "points", ("n", 2), copy=True)
    opt = SGD(x, lr=config.lr)
    for _ in range(check_int(config.settle_steps, "config.settle_steps", 0)):
        opt.step(landscape.grad(x))
    return x


@dataclass(frozen=True)
class EscapeResult:
    """The runs of one noise level.

    Attributes:
        tau: the noise level τ (0: plain gradient descent).
        paths: shape (steps + 1, seeds, 2), :func:`escape_paths`.
        basin: shape (seeds,), ``"global"`` or ``"local"``: the minimum that plain gradient
            descent reaches from the run's last point (:func:`settle`), or ``""`` if it reached
            neither within ``tol``.
        near_global: shape (seeds,), whether the run's last point is within ``near`` of the
            global minimum.
        visited_global: shape (seeds,), whether the run came within ``near`` of the global
            minimum at any step.
    """

    tau: float
    paths: np.ndarray
    basin: np.ndarray
    near_global: np.ndarray
    visited_global: np.ndarray

    @property
    def runs(self) -> int:
        """The number of runs."""
        return len(self.basin)

    @property
    def escaped(self) -> int:
        """Runs that end in the global minimum's basin (all start at the local minimum)."""
        return int(np.sum(self.basin == "global"))

    @property
    def stayed(self) -> int:
        """Runs that end in the local minimum's basin."""
        return int(np.sum(self.basin == "local"))

    @property
    def near(self) -> int:
        """Runs whose last point is within ``near`` of the global minimum."""
        return int(np.sum(self.near_global))

    @property
    def pushed_back(self) -> int:
        """Runs that came within ``near`` of the global minimum and still ended in the local basin."""
        return int(np.sum(self.visited_global & (self.basin == "local")))


@functools.cache
def escape_experiment(config: EscapeConfig = ESCAPE) -> tuple[EscapeResult, ...]:
    """Every noise level of ``config.noise``, in that order (computed once per config)."""
    minima = {name: np.array(landscape_points[f"{name}_min"]) for name in ("global", "local")}
    out = []
    for tau in config.noise:
        paths = escape_paths(tau, config)
        settled = settle(paths[-1], config)
        basin = np.full(config.seeds, "", dtype=object)
        for name, point in minima.items():
            basin[np.linalg.norm(settled - point, axis=1) < config.tol] = name
        close = np.linalg.norm(paths - minima["global"], axis=2) < config.near  # (steps + 1, seeds)
        arrays = {"paths": paths, "basin": basin, "near_global": close[-1], "visited_global": close.any(axis=0)}
        for array in arrays.values():
            array.flags.writeable = False  # cached and shared by the figure and the tests
        out.append(EscapeResult(tau=float(tau), **arrays))
    return tuple(out)
