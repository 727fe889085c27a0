"""Small shared argument checks for gdcore.

Every check either returns the (normalised) value or raises an error whose
message names the argument and says what form was expected.  ``TypeError``
means "wrong kind of object", ``ValueError`` means "right kind, bad value".

These helpers are deliberately general so that other gdcore modules
(schedules, objectives, initialisers) can reuse them.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

__all__ = [
    "check_finite_float",
    "check_nonneg",
    "check_positive",
    "check_positive_int",
    "check_lr",
    "check_unit_interval",
    "check_betas",
    "check_bool",
    "check_params",
    "check_grads",
    "all_finite",
]


def check_finite_float(value, name: str) -> float:
    """Return ``value`` as a Python float; it must be a finite real number.

    Raises TypeError for non-numbers (including ``bool``, strings, arrays) and
    ValueError for NaN or +-inf.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number (a Python float), got {type(value).__name__}: {value!r}"
        )
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return v


def check_nonneg(value, name: str) -> float:
    """Return ``value`` as a float; it must be finite and ``>= 0``."""
    v = check_finite_float(value, name)
    if v < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return v


def check_positive(value, name: str) -> float:
    """Return ``value`` as a float; it must be finite and ``> 0``."""
    v = check_finite_float(value, name)
    if v <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return v


def check_positive_int(value, name: str) -> int:
    """``value`` as an int > 0 (a bool or a float is rejected, naming ``name``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be an int > 0, got {value!r}")
    return int(value)


def check_lr(value, name: str = "lr") -> float:
    """Return a learning rate as a float; it must be finite and ``>= 0``."""
    return check_nonneg(value, name)


def check_unit_interval(value, name: str) -> float:
    """Return ``value`` as a float; it must lie in the half-open interval ``[0, 1)``."""
    v = check_finite_float(value, name)
    if not 0.0 <= v < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return v


def check_betas(value, name: str = "betas") -> tuple[float, float]:
    """Return a pair ``(beta1, beta2)`` of floats, each in ``[0, 1)``."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (beta1, beta2) of floats in [0, 1), got {value!r}")
    return (
        check_unit_interval(value[0], f"{name}[0]"),
        check_unit_interval(value[1], f"{name}[1]"),
    )


def check_bool(value, name: str) -> bool:
    """Return ``value`` as a bool; it must be ``True`` or ``False``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}: {value!r}")
    return bool(value)


def _describe(obj) -> str:
    if isinstance(obj, (list, tuple)) and obj:
        return f"a {type(obj).__name__} of {type(obj[0]).__name__}"
    return type(obj).__name__


def check_params(params, name: str = "params") -> list[np.ndarray]:
    """Return parameters as a list of writable floating-point ndarrays.

    ``params`` is one ndarray or a list/tuple of them.  Rejected, because an
    in-place update would silently truncate or fail:

    * anything that is not an ndarray (e.g. a list of Python floats) -> TypeError
    * integer/bool/complex/object dtypes -> TypeError
    * read-only arrays -> ValueError
    * an empty list -> ValueError
    * the same memory passed twice -> ValueError
    """
    hint = "pass np.asarray(x, dtype=float) (or a list of such arrays)"
    if isinstance(params, np.ndarray):
        arrays = [params]
    elif isinstance(params, (list, tuple)):
        arrays = list(params)
        if not arrays:
            raise ValueError(f"{name} is empty: pass at least one float ndarray")
        if not all(isinstance(a, np.ndarray) for a in arrays):
            raise TypeError(
                f"{name} must be a float ndarray or a list of float ndarrays, "
                f"got {_describe(params)}; {hint}"
            )
    else:
        raise TypeError(
            f"{name} must be a float ndarray or a list of float ndarrays, "
            f"got {type(params).__name__}; {hint}"
        )
    for i, a in enumerate(arrays):
        label = name if isinstance(params, np.ndarray) else f"{name}[{i}]"
        if a.dtype.kind != "f":
            raise TypeError(
                f"{label} must have a floating dtype (float16/32/64), got {a.dtype}; "
                f"an in-place update would truncate it. {hint}"
            )
        if not a.flags.writeable:
            raise ValueError(
                f"{label} is read-only (flags.writeable is False) and cannot be updated "
                "in place; pass a writable copy, e.g. x.copy()"
            )
    for i in range(len(arrays)):
        for j in range(i + 1, len(arrays)):
            if np.may_share_memory(arrays[i], arrays[j]):
                raise ValueError(
                    f"{name}[{i}] and {name}[{j}] share memory; each parameter must be "
                    "a separate array (it would otherwise be updated twice)"
                )
    return arrays


def all_finite(a: np.ndarray) -> bool:
    """True if every element of the float array ``a`` is finite (no NaN, no +-inf).

    Fast path: the sum of squares ``a . a`` is finite only if every element
    is (a NaN or inf term makes the sum NaN or inf, and nonnegative terms
    cannot cancel), and BLAS computes it about twice as fast as
    ``np.isfinite(a).all()``.  If it overflows, fall back to the exact test.
    """
    if a.size <= 16:  # a few numbers (the 2-D paths of the site): plain Python is quicker
        return all(map(math.isfinite, a.ravel().tolist()))
    if a.dtype in (np.float32, np.float64) and a.flags.c_contiguous:
        flat = a.reshape(-1)
        with np.errstate(over="ignore", invalid="ignore"):
            if np.isfinite(np.dot(flat, flat)):
                return True
    return bool(np.isfinite(a).all())


def check_grads(grads, params: list[np.ndarray], name: str = "grads") -> list[np.ndarray]:
    """Return gradients as a list matching ``params`` (as returned by check_params).

    ``grads`` is one ndarray (when there is one parameter) or a list/tuple
    with one ndarray per parameter, each with the same shape and dtype as its
    parameter and only finite values.  Nothing is modified; on any mismatch
    a TypeError/ValueError is raised.
    """
    if isinstance(grads, np.ndarray):
        garrays = [grads]
    elif isinstance(grads, (list, tuple)):
        garrays = list(grads)
    else:
        raise TypeError(
            f"{name} must be an ndarray or a list of ndarrays like params, got {type(grads).__name__}"
        )
    if len(garrays) != len(params):
        raise ValueError(
            f"{name} has {len(garrays)} array(s) but there are {len(params)} parameter array(s)"
        )
    for i, (g, p) in enumerate(zip(garrays, params)):
        if not isinstance(g, np.ndarray):
            raise TypeError(
                f"{name}[{i}] must be an ndarray, got {type(g).__name__}; "
                f"pass np.asarray(g, dtype=params[{i}].dtype)"
            )
        if g.shape != p.shape:
            raise ValueError(f"{name}[{i}] has shape {g.shape} but params[{i}] has shape {p.shape}")
        if g.dtype != p.dtype:
            raise TypeError(
                f"{name}[{i}] has dtype {g.dtype} but params[{i}] has dtype {p.dtype}; "
                f"pass g.astype(np.{p.dtype})"
            )
        if not all_finite(g):
            raise ValueError(
                f"{name}[{i}] contains non-finite values (NaN or inf); "
                "no parameter or state was changed"
            )
    return garrays
