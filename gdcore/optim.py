"""Gradient-descent optimizers in plain NumPy, with the conventions of ``torch.optim``.

Every optimizer is built as ``Opt(params, **hyperparameters)``, where
``params`` is a float ndarray or a list of them, and ``opt.step(grads)``
updates the parameters **in place** (``grads`` has the same structure,
shapes and dtypes).  Hyperparameter names, defaults and update rules are
those of PyTorch 2.x (single-tensor implementation, ``maximize=False``), so
float64 trajectories agree with ``torch.optim`` to about 1e-10 (see
``tests/lib/reference``).

Attributes shared by all optimizers:

``params``
    the list of parameter arrays (the very arrays you passed in).
``lr``
    a plain attribute; a learning-rate schedule may assign to it between
    steps and the next ``step`` uses the new value.
``t``
    the number of steps taken so far (0 before the first ``step``); it is
    the ``t`` in the update equations below (torch calls it ``state["step"]``).
``state``
    ``state[i]`` is a dict of arrays for ``params[i]`` with torch's names,
    e.g. ``opt.state[0]["exp_avg"]``; same shape and dtype as the parameter
    (float32 parameters get float32 state).

Notation in the docstrings: ``g`` is the gradient, ``x`` the parameter,
``eta`` the learning rate ``lr``, ``lambda`` the weight decay; all
operations are element-wise.

Two project rules are stricter than torch: ``eps`` must be ``> 0`` (torch
allows 0, which divides by zero where the gradient history is zero), and
RMSprop's ``alpha`` must be in ``[0, 1)`` (torch only requires ``>= 0``).

Reading guide: each class's ``_update`` method is the whole algorithm, a few
plain NumPy expressions that mirror the equation in its docstring, line for
line (``s`` is the parameter's state dict).  Two helpers name the math the
optimizers share: :func:`ema` (an exponential moving average, used by
RMSprop's and Adam's moments) and :func:`l2_penalty` (weight decay coupled
into the gradient); AdamW's decoupled decay is its own line.  Speed comes
from the driver, not from the kernels: :meth:`Optimizer.step` cuts a large
parameter into chunks of ``CHUNK_BYTES``, so that the temporaries NumPy
makes for each expression stay in the CPU cache, and hands the chunks to
``THREADS`` threads.  Every element gets the same arithmetic either way.

torch conventions: https://pytorch.org/docs/stable/optim.html
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from gdcore._validate import (
    check_betas,
    check_bool,
    check_finite_float,
    check_grads,
    check_lr,
    check_nonneg,
    check_params,
    check_positive,
    check_unit_interval,
)

__all__ = ["Optimizer", "SGD", "TextbookMomentum", "Adagrad", "RMSprop", "Adam", "AdamW"]

#: Worker threads for large parameters (NumPy releases the GIL inside its loops).  Every element
#: gets exactly the same arithmetic, so results do not depend on it.  ``THREADS = 1``: no threads.
THREADS = min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
#: Bytes per chunk of one array: a parameter at least twice that size is updated chunk by chunk
#: (32K float32 or 16K float64 elements), so that x, g, the state and the temporaries NumPy makes
#: for one update stay in the CPU cache: about three times faster than whole-array expressions on
#: 10M parameters.  Larger chunks lose that, and past 128 KB each temporary costs fresh memory
#: from the system (measured: 25 ms a 10M float32 Adam step at 128 KB, 94 ms at 256 KB).
CHUNK_BYTES = 1 << 17


def ema(average: np.ndarray, new, decay: float) -> np.ndarray:
    """Exponential moving average, in place: ``average <- decay * average + (1 - decay) * new``.

    Returns ``average``.  (torch writes Adam's first moment as ``lerp``, the same number up to rounding.)
    """
    average *= decay
    average += (1 - decay) * new
    return average


def l2_penalty(g: np.ndarray, x: np.ndarray, weight_decay: float) -> np.ndarray:
    """Weight decay coupled into the gradient (an L2 penalty ``lambda/2 |x|^2``): ``g + lambda * x``."""
    return g + weight_decay * x if weight_decay else g


class Optimizer:
    """Base class: holds ``params``, ``lr``, the step counter ``t`` and the state.

    ``state[i]`` is a dict of arrays for ``params[i]`` with torch's names
    (e.g. ``opt.state[0]["exp_avg"]``), each with the parameter's shape and
    dtype.  Subclasses implement ``_update(x, g, s, lr)``: update the
    parameter ``x`` in place from its gradient ``g`` and its state dict ``s``.
    :meth:`step` calls it once per parameter, or once per chunk of a large one.
    """

    def __init__(self, params, lr):
        self.params = check_params(params)
        self.lr = check_lr(lr)
        self.t = 0
        self.state = [{} for _ in self.params]

    def step(self, grads) -> None:
        """Take one optimization step, updating ``self.params`` in place.

        ``grads`` is an ndarray (one parameter) or a list of ndarrays with the
        same shapes and dtypes as ``params``.  The gradients themselves are
        never modified.

        Everything is checked *before* anything changes: if ``self.lr`` is
        negative or non-finite, or ``grads`` has the wrong count, shape or
        dtype (TypeError/ValueError), or contains NaN/inf (ValueError
        "grads[i] contains non-finite values"), the error is raised and the
        parameters, the optimizer state and ``t`` are left untouched.
        """
        lr = check_lr(self.lr, "lr (the attribute opt.lr)")
        grads = check_grads(grads, self.params)
        self.t += 1
        pieces = [piece for x, g, s in zip(self.params, grads, self.state) for piece in _chunks(x, g, s)]
        if THREADS > 1 and len(pieces) > len(self.params):  # something was cut up: one run of chunks a thread
            runs = [pieces[i::THREADS] for i in range(THREADS)]
            list(_pool().map(lambda run: [self._update(*piece, lr) for piece in run], runs))
        else:
            for x, g, s in pieces:
                self._update(x, g, s, lr)

    def _update(self, x, g, s, lr):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        skip = ("params", "t", "state")
        hyper = {k: v for k, v in vars(self).items() if not k.startswith("_") and k not in skip}
        args = ", ".join(f"{k}={v!r}" for k, v in hyper.items())
        return f"{type(self).__name__}({args}; {len(self.params)} param array(s), t={self.t})"


def _chunks(x, g, s):
    """A large parameter, its gradient and its state cut into matching flat chunks of
    ``CHUNK_BYTES``, as ``(x, g, s)`` tuples of views; a small or non-contiguous one as it is."""
    n = max(1, CHUNK_BYTES // x.itemsize)
    arrays = [x, g, *s.values()]
    if x.size < 2 * n or not all(a.flags.c_contiguous for a in arrays):
        return [(x, g, s)]
    x, g, s = x.reshape(-1), g.reshape(-1), {k: a.reshape(-1) for k, a in s.items()}
    return [(x[lo : lo + n], g[lo : lo + n], {k: a[lo : lo + n] for k, a in s.items()}) for lo in range(0, x.size, n)]


_POOL: tuple | None = None  # (pid, number of threads, executor)


def _pool() -> ThreadPoolExecutor:
    """The shared thread pool (re-created after os.fork or a change of THREADS)."""
    global _POOL
    if _POOL is None or _POOL[:2] != (os.getpid(), THREADS):
        if _POOL is not None and _POOL[0] == os.getpid():
            _POOL[2].shutdown(wait=False)
        _POOL = (os.getpid(), THREADS, ThreadPoolExecutor(THREADS, thread_name_prefix="gdcore-optim"))
    return _POOL[2]


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum, torch convention.

    Plain SGD (Robbins & Monro 1951, "A Stochastic Approximation Method",
    Ann. Math. Statist. 22(3):400-407)::

        g <- g + lambda * x                    (only if weight_decay != 0)
        x <- x - eta * g

    With momentum ``mu`` (heavy ball, Polyak 1964, "Some methods of speeding up
    the convergence of iteration methods", USSR Comp. Math. Math. Phys. 4(5))
    and dampening ``tau``, torch keeps a buffer ``b``::

        b <- g                                 (t = 1: a copy of the first gradient, no dampening)
        b <- mu * b + (1 - tau) * g            (t > 1)
        g <- g + mu * b   if nesterov  else  g <- b
        x <- x - eta * g

    ``nesterov=True`` is the Nesterov form of Sutskever et al. 2013, "On the
    importance of initialization and momentum in deep learning",
    http://proceedings.mlr.press/v28/sutskever13.html; it requires
    ``momentum > 0`` and ``dampening == 0``.  The textbook form
    ``v <- mu v - eta g, x <- x + v`` is :class:`TextbookMomentum`; with
    dampening 0 it traces the same path.

    Parameters (torch names and defaults): ``lr=1e-3`` (>= 0),
    ``momentum=0`` (>= 0), ``dampening=0`` (finite), ``weight_decay=0``
    (>= 0), ``nesterov=False``.  State: ``opt.state[i]["momentum_buffer"]``
    (only if momentum != 0).

    torch: https://pytorch.org/docs/stable/generated/torch.optim.SGD.html
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False):
        self.momentum = check_nonneg(momentum, "momentum")
        self.dampening = check_finite_float(dampening, "dampening")  # torch accepts any value
        self.weight_decay = check_nonneg(weight_decay, "weight_decay")
        self.nesterov = check_bool(nesterov, "nesterov")
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                "nesterov=True requires momentum > 0 and dampening == 0 "
                f"(torch: 'Nesterov momentum requires a momentum and zero dampening'); "
                f"got momentum={momentum!r}, dampening={dampening!r}"
            )
        super().__init__(params, lr)
        if self.momentum != 0:
            for x, s in zip(self.params, self.state):
                s["momentum_buffer"] = np.zeros_like(x)

    def _update(self, x, g, s, lr):
        g = l2_penalty(g, x, self.weight_decay)  # g <- g + lambda x
        if self.momentum != 0:
            b = s["momentum_buffer"]
            b[...] = g if self.t == 1 else self.momentum * b + (1 - self.dampening) * g  # b <- mu b + (1 - tau) g
            g = g + self.momentum * b if self.nesterov else b
        x -= lr * g  # x <- x - eta g


class TextbookMomentum(Optimizer):
    """Momentum in its textbook form (Polyak 1964 heavy ball; as written in Sutskever et al. 2013)::

        v <- alpha * v - eta * g               (v starts at 0)
        x <- x + v

    with ``alpha = momentum`` and ``eta = lr``.  Multiplying torch's buffer by
    ``-eta`` gives ``v = -eta * b``, so this traces the same path as
    ``SGD(params, lr=eta, momentum=alpha)`` (dampening 0) as long as ``lr`` is
    constant (if ``lr`` changes, the two forms differ: here the old velocity
    keeps its old step size).

    Sources: B. T. Polyak 1964, "Some methods of speeding up the convergence
    of iteration methods"; Sutskever et al. 2013,
    http://proceedings.mlr.press/v28/sutskever13.html (eq. 1-2).
    State: ``opt.state[i]["velocity"]``.
    """

    def __init__(self, params, lr, momentum):
        self.momentum = check_nonneg(momentum, "momentum")
        super().__init__(params, lr)
        for x, s in zip(self.params, self.state):
            s["velocity"] = np.zeros_like(x)

    def _update(self, x, g, s, lr):
        v = s["velocity"]
        v[...] = self.momentum * v - lr * g  # v <- alpha v - eta g
        x += v  # x <- x + v


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan & Singer 2011, "Adaptive Subgradient Methods for
    Online Learning and Stochastic Optimization", JMLR 12:2121-2159,
    https://jmlr.org/papers/v12/duchi11a.html), torch convention::

        g <- g + lambda * x                    (only if weight_decay != 0)
        s <- s + g * g                         (s starts at initial_accumulator_value)
        eta_t = eta / (1 + (t - 1) * lr_decay)
        x <- x - eta_t * g / (sqrt(s) + eps)   (eps outside the square root)

    Parameters (torch names and defaults): ``lr=1e-2``, ``lr_decay=0``,
    ``weight_decay=0``, ``initial_accumulator_value=0`` (all >= 0),
    ``eps=1e-10`` (> 0 here; torch allows 0).  State: ``opt.state[i]["sum"]``.

    torch: https://pytorch.org/docs/stable/generated/torch.optim.Adagrad.html
    """

    def __init__(
        self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10
    ):
        self.lr_decay = check_nonneg(lr_decay, "lr_decay")
        self.weight_decay = check_nonneg(weight_decay, "weight_decay")
        self.initial_accumulator_value = check_nonneg(
            initial_accumulator_value, "initial_accumulator_value"
        )
        self.eps = check_positive(eps, "eps")
        super().__init__(params, lr)
        for x, s in zip(self.params, self.state):
            s["sum"] = np.full_like(x, self.initial_accumulator_value)

    def _update(self, x, g, s, lr):
        g = l2_penalty(g, x, self.weight_decay)  # g <- g + lambda x
        acc = s["sum"]
        acc += g * g  # s <- s + g^2
        eta_t = lr / (1 + (self.t - 1) * self.lr_decay)
        x -= eta_t * g / (np.sqrt(acc) + self.eps)  # x <- x - eta_t g / (sqrt(s) + eps)


class RMSprop(Optimizer):
    """RMSprop (Tieleman & Hinton 2012, Coursera "Neural Networks for Machine
    Learning", lecture 6.5), torch convention -- no bias correction, eps
    outside the square root::

        g <- g + lambda * x                    (only if weight_decay != 0)
        v <- alpha * v + (1 - alpha) * g^2     (v starts at 0)
        d  = sqrt(v) + eps

    Centered variant (Graves 2013, "Generating Sequences With Recurrent
    Neural Networks", arXiv:1308.0850, eq. 38-45) also tracks the mean
    gradient and divides by an estimate of the standard deviation::

        m_g <- alpha * m_g + (1 - alpha) * g   (m_g starts at 0)
        d    = sqrt(v - m_g^2) + eps

    Then, without momentum ``x <- x - eta * g / d``; with momentum ``mu > 0``
    a buffer that starts at 0 holds the scaled gradient::

        b <- mu * b + g / d
        x <- x - eta * b

    Parameters (torch names and defaults): ``lr=1e-2``, ``alpha=0.99`` (in
    [0, 1) here; torch only checks >= 0), ``eps=1e-8`` (> 0), ``weight_decay=0``,
    ``momentum=0`` (>= 0), ``centered=False``.  State in ``opt.state[i]``: ``square_avg``,
    ``grad_avg`` (centered only), ``momentum_buffer`` (momentum > 0 only).
    As in torch, ``v - m_g^2`` can round to a tiny negative number when the
    gradient is (nearly) constant for very many steps, giving NaN.

    torch: https://pytorch.org/docs/stable/generated/torch.optim.RMSprop.html
    """

    def __init__(
        self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False
    ):
        self.alpha = check_unit_interval(alpha, "alpha")
        self.eps = check_positive(eps, "eps")
        self.weight_decay = check_nonneg(weight_decay, "weight_decay")
        self.momentum = check_nonneg(momentum, "momentum")
        self.centered = check_bool(centered, "centered")
        super().__init__(params, lr)
        for x, s in zip(self.params, self.state):
            s["square_avg"] = np.zeros_like(x)
            if self.centered:
                s["grad_avg"] = np.zeros_like(x)
            if self.momentum > 0:
                s["momentum_buffer"] = np.zeros_like(x)

    def _update(self, x, g, s, lr):
        g = l2_penalty(g, x, self.weight_decay)  # g <- g + lambda x
        v = ema(s["square_avg"], g * g, self.alpha)  # v <- alpha v + (1 - alpha) g^2
        if self.centered:
            v = v - ema(s["grad_avg"], g, self.alpha) ** 2  # v - m_g^2, m_g <- alpha m_g + (1 - alpha) g
        step = g / (np.sqrt(v) + self.eps)  # g / d
        if self.momentum > 0:
            b = s["momentum_buffer"]
            b[...] = self.momentum * b + step  # b <- mu b + g / d
            step = b
        x -= lr * step  # x <- x - eta * step


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization",
    arXiv:1412.6980), torch convention::

        g <- g + lambda * x                    (L2 penalty, only if weight_decay != 0)
        m <- beta1 * m + (1 - beta1) * g       (m, v start at 0)
        v <- beta2 * v + (1 - beta2) * g^2
        m_hat = m / (1 - beta1^t)              (bias corrections)
        v_hat = v / (1 - beta2^t)
        x <- x - eta * m_hat / (sqrt(v_hat) + eps)   (eps added after the root of v_hat)

    With ``amsgrad=True`` (Reddi, Kale & Kumar 2018, "On the Convergence of
    Adam and Beyond", https://openreview.net/forum?id=ryQu7f-RZ) ``d`` uses
    ``v_max <- max(v_max, v)``, the running maximum of the raw (not
    bias-corrected) second moment.

    Parameters (torch names and defaults): ``lr=1e-3`` (>= 0),
    ``betas=(0.9, 0.999)`` (each in [0, 1)), ``eps=1e-8`` (> 0 here; torch
    allows 0), ``weight_decay=0`` (>= 0), ``amsgrad=False``.  State in
    ``opt.state[i]``: ``exp_avg`` (m), ``exp_avg_sq`` (v), ``max_exp_avg_sq``
    (amsgrad only).

    torch: https://pytorch.org/docs/stable/generated/torch.optim.Adam.html
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False):
        self.betas = check_betas(betas, "betas")
        self.eps = check_positive(eps, "eps")
        self.weight_decay = check_nonneg(weight_decay, "weight_decay")
        self.amsgrad = check_bool(amsgrad, "amsgrad")
        super().__init__(params, lr)
        for x, s in zip(self.params, self.state):
            s["exp_avg"], s["exp_avg_sq"] = np.zeros_like(x), np.zeros_like(x)
            if self.amsgrad:
                s["max_exp_avg_sq"] = np.zeros_like(x)

    def _update(self, x, g, s, lr):
        g = l2_penalty(g, x, self.weight_decay)  # g <- g + lambda x   (Adam: L2 in the gradient)
        x -= lr * self._direction(g, s)  # x <- x - eta m_hat / (sqrt(v_hat) + eps)

    def _direction(self, g, s):
        """Algorithm 1 of Kingma & Ba, line for line: ``m_hat / (sqrt(v_hat) + eps)``.

        (``v_hat`` lives only inside the denominator's expression: fewer arrays alive at once keep
        NumPy's temporaries in memory it already has; naming it costs up to 3x on a busy heap.)"""
        beta1, beta2 = self.betas
        m = ema(s["exp_avg"], g, beta1)  # m <- beta1 m + (1 - beta1) g
        v = ema(s["exp_avg_sq"], g * g, beta2)  # v <- beta2 v + (1 - beta2) g^2
        if self.amsgrad:
            v = s["max_exp_avg_sq"]
            v[...] = np.maximum(v, s["exp_avg_sq"])  # v_max <- max(v_max, v)
        m_hat = m / (1 - beta1**self.t)  # m_hat <- m / (1 - beta1^t)
        denominator = np.sqrt(v / (1 - beta2**self.t)) + self.eps  # sqrt(v_hat) + eps, v_hat = v / (1 - beta2^t)
        return m_hat / denominator


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019,
    "Decoupled Weight Decay Regularization", arXiv:1711.05101), torch convention.

    Identical to :class:`Adam` except that weight decay shrinks the parameter
    first instead of being added to the gradient::

        x <- x * (1 - eta * lambda)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g^2          (v_max with amsgrad)
        x <- x - eta * m_hat / (sqrt(v_hat) + eps)

    Parameters (torch names and defaults): ``lr=1e-3``, ``betas=(0.9, 0.999)``,
    ``eps=1e-8`` (> 0), ``weight_decay=1e-2`` (note: not 0), ``amsgrad=False``.

    torch: https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)

    def _update(self, x, g, s, lr):
        x *= 1 - lr * self.weight_decay  # x <- x (1 - eta lambda)   (AdamW: decoupled, not in g)
        x -= lr * self._direction(g, s)  # x <- x - eta m_hat / (sqrt(v_hat) + eps)
