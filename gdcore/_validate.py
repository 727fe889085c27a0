"""Every argument check of gdcore, in one place.

Each check either returns the (normalised) value or raises an error whose
message names the argument and says what form was expected.  The rule is
the same everywhere:

* ``TypeError``: a wrong kind of object (a string where a number belongs, a
  float or a ``bool`` where an int belongs, an array of the wrong dtype, an
  object without the methods it needs);
* ``ValueError``: the right kind of object with a bad value (out of range,
  not finite, the wrong shape or length, not one of the allowed choices).

Numbers: :func:`check_int`, :func:`check_positive_int`, :func:`check_real`
(alias ``check_finite_float``), :func:`check_nonneg`, :func:`check_positive`,
:func:`check_lr`, :func:`check_unit_interval`, :func:`check_open_interval`,
:func:`check_scalar`.  Other single values: :func:`check_bool`,
:func:`check_choice`, :func:`check_callable`, :func:`check_has`,
:func:`check_model`, :func:`check_sequence`.  Arrays: :func:`check_real_array`,
:func:`check_int_array`, :func:`check_labels`, :func:`check_array_list`,
:func:`check_data`, :func:`check_window`.  Optimizers: :func:`check_betas`,
:func:`check_params`, :func:`check_grads` (and :func:`all_finite`).

Conditions that belong to one formula (a symmetric matrix, a unit vector,
``b > 0`` for a unique minimum) stay next to that formula in their module.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Collection, Sequence
from typing import Any

import numpy as np

__all__ = [
    "check_int",
    "check_positive_int",
    "check_real",
    "check_finite_float",
    "check_nonneg",
    "check_positive",
    "check_lr",
    "check_unit_interval",
    "check_open_interval",
    "check_scalar",
    "check_bool",
    "check_choice",
    "check_callable",
    "check_has",
    "check_model",
    "check_sequence",
    "check_real_array",
    "check_int_array",
    "check_labels",
    "check_array_list",
    "check_data",
    "check_window",
    "check_betas",
    "check_params",
    "check_grads",
    "all_finite",
]


# ----------------------------------------------------------------------------
# numbers
# ----------------------------------------------------------------------------


def check_int(value: Any, name: str, minimum: int | None = None) -> int:
    """``value`` as a Python int, ``>= minimum`` if given.

    TypeError for anything but an integer (a ``bool`` or a float such as
    ``3.0`` is rejected); ValueError below ``minimum``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def check_positive_int(value: Any, name: str) -> int:
    """``value`` as an int > 0 (a bool or a float is rejected, naming ``name``)."""
    value = check_int(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be an int > 0, got {value!r}")
    return value


def check_real(value: Any, name: str) -> float:
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


check_finite_float = check_real
"""The former name of :func:`check_real` (gdcore.optim imports it)."""


def check_nonneg(value: Any, name: str) -> float:
    """Return ``value`` as a float; it must be finite and ``>= 0``."""
    v = check_real(value, name)
    if v < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return v


def check_positive(value: Any, name: str) -> float:
    """Return ``value`` as a float; it must be finite and ``> 0``."""
    v = check_real(value, name)
    if v <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return v


def check_lr(value: Any, name: str = "lr") -> float:
    """Return a learning rate as a float; it must be finite and ``>= 0``."""
    return check_nonneg(value, name)


def check_unit_interval(value: Any, name: str) -> float:
    """Return ``value`` as a float; it must lie in the half-open interval ``[0, 1)``."""
    v = check_real(value, name)
    if not 0.0 <= v < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return v


def check_open_interval(value: Any, name: str, low: float, high: float) -> float:
    """Return ``value`` as a float; it must lie in the open interval ``(low, high)``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in ({low:g}, {high:g}), got {type(value).__name__}: {value!r}")
    if not low < value < high:
        raise ValueError(f"{name} must be a number in ({low:g}, {high:g}), got {value!r}")
    return float(value)


def check_scalar(value: Any, name: str, *, finite: bool = False, hint: str = "") -> float:
    """A single real number as a float: a Python or NumPy number, or a 0-d array.

    For numbers that come out of a computation (``f(x)``, a loss) or go into
    one, where NumPy scalars and 0-d arrays are as good as floats.  TypeError
    for an array with entries (or a non-real dtype); with ``finite=True``,
    ValueError for NaN or +-inf.  ``hint`` is added to the TypeError's message.
    """
    if isinstance(value, float):  # fast path: Python floats and np.float64
        v = value
    else:
        array = np.asarray(value)
        if array.ndim != 0 or array.dtype.kind not in "iuf":
            shape = f"shape {array.shape}" if array.ndim else f"dtype {array.dtype}"
            raise TypeError(f"{name} must be a single number (a real scalar), got {shape}" + (f"; {hint}" if hint else ""))
        v = array.item()
    if finite and not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(v)


# ----------------------------------------------------------------------------
# other single values
# ----------------------------------------------------------------------------


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` as a bool; it must be ``True`` or ``False``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}: {value!r}")
    return bool(value)


def check_choice(value: Any, name: str, choices: Collection[str]) -> str:
    """``value``, which must be one of the strings ``choices``.

    TypeError for a non-string, ValueError for a string not among them.
    """
    options = tuple(choices)
    if len(options) == 2:
        expected = f'"{options[0]}" or "{options[1]}"'
    else:
        expected = "one of " + ", ".join(f'"{c}"' for c in options)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__}: {value!r}")
    if value not in options:
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return value


def check_callable(value: Any, name: str, form: str, *, optional: bool = False) -> Callable | None:
    """``value`` if it is callable (or None with ``optional=True``), else TypeError.

    ``form`` describes what is expected, e.g. ``"a callable step -> lr"``.
    """
    if (value is None and optional) or callable(value):
        return value
    raise TypeError(f"{name} must be {'None or ' if optional else ''}{form}, got {type(value).__name__}")


def check_has(obj: Any, name: str, form: str, *, methods: Sequence[str] = (), attrs: dict[str, type] | None = None) -> Any:
    """``obj`` if it has the callable ``methods`` and the attributes ``attrs`` (name -> type).

    For duck-typed arguments (an objective, a model, an optimizer).  ``form``
    completes "``name`` must ...", e.g. ``"have value(x) and grad(x) methods"``.
    TypeError if anything is missing.
    """
    missing = object()
    ok = all(callable(getattr(obj, m, None)) for m in methods) and all(
        getattr(obj, a, missing) is not missing and isinstance(getattr(obj, a), t) for a, t in (attrs or {}).items()
    )
    if not ok:
        raise TypeError(f"{name} must {form}; got {type(obj).__name__}")
    return obj


def check_model(model: Any, name: str = "model") -> Any:
    """``model`` if it follows the protocol of :mod:`gdcore.models` (TypeError otherwise):
    ``params`` (a list of arrays), ``loss(X, y)`` and ``loss_and_grads(X, y)``."""
    return check_has(
        model,
        name,
        "have params (a list of arrays), loss(X, y) and loss_and_grads(X, y), "
        "e.g. gdcore.models.MLP or LinearRegression",
        methods=("loss", "loss_and_grads"),
        attrs={"params": list},
    )


def check_sequence(
    value: Any, name: str, form: str, *, length: int | None = None, min_length: int | None = None
) -> tuple:
    """``value`` as a tuple: a list, tuple or other sequence (not a string) of the right length.

    TypeError for anything that is not a sequence, ValueError for a wrong
    length.  ``form`` completes "``name`` must be ...", e.g. ``"a 2-tuple (fan_in, fan_out)"``.
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be {form}, got {type(value).__name__}: {value!r}")
    if (length is not None and len(value) != length) or (min_length is not None and len(value) < min_length):
        raise ValueError(f"{name} must be {form}, got {value!r}")
    return tuple(value)


# ----------------------------------------------------------------------------
# arrays
# ----------------------------------------------------------------------------

Shape = tuple[int | str, ...]
"""An expected shape: ints are exact lengths, a letter such as ``"n"`` or ``"d"``
is any length >= 1 (the same letter twice: the same length), and a leading
``"..."`` stands for any number of leading axes.  E.g. ``("n", 4)``, ``("d",)``,
``("d", "d")`` (square), ``("...", 2)``."""


def _shape_text(shape: Shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _shape_ok(actual: tuple[int, ...], shape: Shape) -> bool:
    if shape and shape[0] == "...":
        shape = shape[1:]
        if len(actual) < len(shape):
            return False
        actual = actual[len(actual) - len(shape):]
    elif len(actual) != len(shape):
        return False
    sizes: dict[str, int] = {}
    for n, want in zip(actual, shape):
        if want.__class__ is str:
            if n < 1 or sizes.setdefault(want, n) != n:
                return False
        elif n != want:
            return False
    return True


def _check_shape(array: np.ndarray, name: str, shape: Shape | None, form: str | None) -> None:
    if shape is None or array.shape == shape:
        return
    if shape and shape[0] == "..." and array.shape[-1:] == shape[1:] and shape[-1].__class__ is int:
        return  # fast path for points (..., d): objectives evaluate them at every step
    if not _shape_ok(array.shape, shape):
        raise ValueError(f"{name} must {form or 'have shape ' + _shape_text(shape)}; got shape {array.shape}")


def _as_array(x: Any, name: str) -> np.ndarray:
    try:
        return np.asarray(x)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers, got {x!r}") from error


def check_real_array(
    x: Any,
    name: str,
    shape: Shape | None = None,
    *,
    form: str | None = None,
    finite: bool = False,
    copy: bool = False,
) -> np.ndarray:
    """``x`` as a float64 array (no copy if it already is one, unless ``copy=True``).

    TypeError unless ``x`` holds real numbers (ints or floats; not bool,
    complex, strings or objects).  ValueError if its shape does not match
    ``shape`` (see :data:`Shape`) or, with ``finite=True``, if an entry is NaN
    or +-inf.  ``form`` replaces the default words "have shape ..." of the
    shape error, e.g. ``"have shape (n, 4): one row per example"``.
    """
    array = x if type(x) is np.ndarray else _as_array(x, name)
    if array.dtype.kind not in "iuf":  # signed or unsigned integers, floats (not bool, complex, ...)
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    _check_shape(array, name, shape, form)
    if copy or array.dtype != np.float64:
        array = array.astype(np.float64)
    if finite and not all_finite(array):
        raise ValueError(f"{name} must be finite (no NaN or inf), got {array}")
    return array


def check_int_array(x: Any, name: str, minimum: int | None = None) -> np.ndarray:
    """``x`` (an int or an array of ints) as an int64 array, every entry ``>= minimum`` if given.

    TypeError for any other dtype (bool and floats included), ValueError below ``minimum``.
    """
    array = _as_array(x, name)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an int or an array of ints (e.g. np.arange(100)), got dtype {array.dtype}")
    if minimum is not None and array.size and array.min() < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got minimum {array.min()}")
    return array.astype(np.int64, copy=False)


def check_labels(y: Any, n: int, n_classes: int, name: str = "y") -> np.ndarray:
    """Class labels: an integer array of shape (n,) with entries in ``[0, n_classes)``."""
    array = _as_array(y, name)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {array.dtype}")
    _check_shape(array, name, (n,), None)
    if n and (array.min() < 0 or array.max() >= n_classes):
        raise ValueError(f"{name} must hold labels in [0, {n_classes}), got min {array.min()}, max {array.max()}")
    return array


def check_array_list(arrays: Any, name: str, shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    """A list or tuple of real arrays with exactly the given shapes, as float64 arrays.

    TypeError if ``arrays`` is not a list/tuple, ValueError for a wrong
    number of arrays or a wrong shape (naming ``name[i]``).
    """
    if not isinstance(arrays, (list, tuple)):
        raise TypeError(f"{name} must be a list of {len(shapes)} arrays with shapes {shapes}, got {type(arrays).__name__}")
    if len(arrays) != len(shapes):
        raise ValueError(f"{name} must be a list of {len(shapes)} arrays with shapes {shapes}, got {len(arrays)} arrays")
    return [
        a if type(a) is np.ndarray and a.dtype == np.float64 and a.shape == shape  # fast path: nothing to do
        else check_real_array(a, f"{name}[{i}]", shape)
        for i, (a, shape) in enumerate(zip(arrays, shapes))
    ]


def check_data(X: Any, y: Any, names: tuple[str, str] = ("X", "y")) -> tuple[np.ndarray, np.ndarray]:
    """Examples and targets as arrays with the same, non-zero number of rows (ValueError otherwise)."""
    X, y = _as_array(X, names[0]), _as_array(y, names[1])
    if X.ndim < 1 or y.ndim < 1 or len(X) != len(y) or len(X) == 0:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same, non-zero number of rows; "
            f"got shapes {X.shape} and {y.shape}"
        )
    return X, y


def check_window(window: Any, name: str = "window") -> tuple[tuple[float, float], tuple[float, float]]:
    """A plot window ``((xmin, xmax), (ymin, ymax))`` of finite numbers with xmin < xmax, ymin < ymax."""
    form = "((xmin, xmax), (ymin, ymax))"
    (xmin, xmax), (ymin, ymax) = check_real_array(window, name, (2, 2), form=f"be {form}", finite=True).tolist()
    if xmin >= xmax or ymin >= ymax:
        raise ValueError(f"{name} must be {form} with xmin < xmax and ymin < ymax, got {window!r}")
    return ((xmin, xmax), (ymin, ymax))


# ----------------------------------------------------------------------------
# optimizers
# ----------------------------------------------------------------------------


def check_betas(value: Any, name: str = "betas") -> tuple[float, float]:
    """Return a pair ``(beta1, beta2)`` of floats, each in ``[0, 1)``."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (beta1, beta2) of floats in [0, 1), got {value!r}")
    return (
        check_unit_interval(value[0], f"{name}[0]"),
        check_unit_interval(value[1], f"{name}[1]"),
    )


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
