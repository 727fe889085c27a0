"""Tests for gdcore._validate, the one place of gdcore's argument checks.

The rule everywhere: a wrong TYPE raises TypeError, a wrong VALUE raises ValueError, and the
message names the argument and the expected form.
"""

import ast
import math
from pathlib import Path

import numpy as np
import pytest

import gdcore
from gdcore import _validate as V

GDCORE = Path(gdcore.__file__).parent


# ----------------------------------------------------------------------------- numbers


def test_check_int():
    assert V.check_int(3, "n") == 3 and type(V.check_int(np.int64(3), "n")) is int
    assert V.check_int(0, "n", 0) == 0
    for bad in (3.0, True, np.bool_(True), "3", None):
        with pytest.raises(TypeError, match="n must be an int"):
            V.check_int(bad, "n")
    with pytest.raises(ValueError, match="n must be an int >= 2, got 1"):
        V.check_int(1, "n", 2)


def test_check_positive_int():
    assert V.check_positive_int(1, "k") == 1
    with pytest.raises(ValueError, match="k must be an int > 0, got 0"):
        V.check_positive_int(0, "k")
    with pytest.raises(TypeError, match="k must be an int"):
        V.check_positive_int(2.0, "k")


def test_check_real_and_its_old_name():
    assert V.check_finite_float is V.check_real
    assert V.check_real(np.float32(0.5), "lr") == 0.5 and type(V.check_real(1, "lr")) is float
    for bad in ("0.1", True, None, np.array([0.1]), 1j):
        with pytest.raises(TypeError, match="lr must be a real number"):
            V.check_real(bad, "lr")
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match="lr must be a finite number"):
            V.check_real(bad, "lr")


def test_ranges():
    assert V.check_nonneg(0, "a") == 0.0 and V.check_positive(1e-300, "a") == 1e-300
    with pytest.raises(ValueError, match="a must be a finite number >= 0"):
        V.check_nonneg(-1e-9, "a")
    with pytest.raises(ValueError, match="a must be a finite number > 0"):
        V.check_positive(0.0, "a")
    assert V.check_unit_interval(0.0, "b") == 0.0
    with pytest.raises(ValueError, match=r"b must be in \[0, 1\)"):
        V.check_unit_interval(1.0, "b")
    assert V.check_open_interval(0.5, "p", 0, 1) == 0.5
    for bad in (0, 1, math.nan, math.inf):
        with pytest.raises(ValueError, match=r"p must be a number in \(0, 1\)"):
            V.check_open_interval(bad, "p", 0, 1)
    for bad in ("0.5", False):
        with pytest.raises(TypeError, match=r"p must be a number in \(0, 1\)"):
            V.check_open_interval(bad, "p", 0, 1)


def test_check_scalar():
    assert V.check_scalar(np.float64(2.5), "f(x)") == 2.5
    assert V.check_scalar(np.array(3), "f(x)") == 3.0 and V.check_scalar(7, "f(x)") == 7.0
    assert math.isnan(V.check_scalar(math.nan, "f(x)"))
    with pytest.raises(TypeError, match=r"f\(x\) must be a single number .* got shape \(2,\); use g"):
        V.check_scalar(np.ones(2), "f(x)", hint="use g")
    with pytest.raises(TypeError, match="x must be a single number"):
        V.check_scalar(True, "x")
    with pytest.raises(ValueError, match="x must be finite"):
        V.check_scalar(math.inf, "x", finite=True)


# ----------------------------------------------------------------------------- other single values


def test_check_bool_choice_callable():
    assert V.check_bool(np.bool_(True), "shuffle") is True
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        V.check_bool(1, "shuffle")
    assert V.check_choice("stop", "on_divergence", ("raise", "stop")) == "stop"
    with pytest.raises(ValueError, match='on_divergence must be "raise" or "stop"'):
        V.check_choice("ignore", "on_divergence", ("raise", "stop"))
    with pytest.raises(ValueError, match='activation must be one of "relu", "tanh", "sigmoid"'):
        V.check_choice("softplus", "activation", {"relu": 0, "tanh": 1, "sigmoid": 2})
    with pytest.raises(TypeError, match="scheme must be one of"):
        V.check_choice(1, "scheme", ("lecun", "he", "xavier"))
    assert V.check_callable(None, "schedule", "a callable", optional=True) is None
    with pytest.raises(TypeError, match="schedule must be None or a callable step -> lr, got int"):
        V.check_callable(5, "schedule", "a callable step -> lr", optional=True)
    with pytest.raises(TypeError, match="init must be a callable, got NoneType"):
        V.check_callable(None, "init", "a callable")


def test_check_has_and_check_model():
    class Opt:
        lr = None

        def step(self, grads):
            pass

    assert isinstance(V.check_has(Opt(), "optimizer", "have step", methods=("step",), attrs={"lr": object}), Opt)
    with pytest.raises(TypeError, match="optimizer must have step; got object"):
        V.check_has(object(), "optimizer", "have step", methods=("step",))

    class NoLr:
        def step(self, grads):
            pass

    with pytest.raises(TypeError, match="optimizer must"):  # a missing attribute is not an attribute None
        V.check_has(NoLr(), "optimizer", "have step and lr", methods=("step",), attrs={"lr": object})
    with pytest.raises(TypeError, match=r"model must have params \(a list of arrays\)"):
        V.check_model(object())


def test_check_sequence():
    assert V.check_sequence([3, 2], "shape", "a pair", length=2) == (3, 2)
    with pytest.raises(TypeError, match="shape must be a pair"):
        V.check_sequence(5, "shape", "a pair", length=2)
    with pytest.raises(TypeError, match="sizes must be a sequence"):
        V.check_sequence("64", "sizes", "a sequence", min_length=2)
    with pytest.raises(ValueError, match="shape must be a pair"):
        V.check_sequence((3,), "shape", "a pair", length=2)
    with pytest.raises(ValueError, match="sizes must be a sequence"):
        V.check_sequence((4,), "sizes", "a sequence", min_length=2)


# ----------------------------------------------------------------------------- arrays


def test_check_real_array_dtype_shape_and_copy():
    a = np.arange(6.0).reshape(2, 3)
    assert V.check_real_array(a, "X", ("n", 3)) is a  # no copy when nothing changes
    assert V.check_real_array(a, "X", copy=True) is not a
    assert V.check_real_array([1, 2], "x").dtype == np.float64
    for bad in (np.array([True]), np.array([1j]), np.array(["a"]), np.array([None])):
        with pytest.raises(TypeError, match="x must hold real numbers"):
            V.check_real_array(bad, "x")
    with pytest.raises(ValueError, match=r"X must have shape \(n, 4\); got shape \(2, 3\)"):
        V.check_real_array(a, "X", ("n", 4))
    with pytest.raises(ValueError, match="x must be a rectangular array"):
        V.check_real_array([[1.0], [1.0, 2.0]], "x")
    with pytest.raises(ValueError, match="x must be finite"):
        V.check_real_array([1.0, math.nan], "x", finite=True)
    with pytest.raises(ValueError, match="w must be 2 numbers; got shape"):
        V.check_real_array([1.0, 2.0, 3.0], "w", (2,), form="be 2 numbers")


@pytest.mark.parametrize(
    "shape, good, bad",
    [
        (("...", 2), [(2,), (5, 2), (3, 4, 2)], [(), (3,), (2, 3)]),
        (("d",), [(1,), (7,)], [(), (0,), (2, 2)]),
        (("d", "d"), [(1, 1), (3, 3)], [(2, 3), (0, 0), (3,)]),
        (("n", 4), [(1, 4), (9, 4)], [(4,), (3, 5), (0, 4)]),
        (("...", "d"), [(1,), (4, 3)], [(), (4, 0)]),
        ((), [()], [(1,)]),
    ],
)
def test_shapes(shape, good, bad):
    for s in good:
        V.check_real_array(np.zeros(s), "x", shape)
    for s in bad:
        with pytest.raises(ValueError, match="x must have shape"):
            V.check_real_array(np.zeros(s), "x", shape)


def test_int_arrays_labels_lists_data_window():
    assert V.check_int_array(3, "step", 0).dtype == np.int64
    with pytest.raises(TypeError, match="step must be an int or an array of ints"):
        V.check_int_array(np.arange(3.0), "step")
    with pytest.raises(ValueError, match="step must be >= 0, got minimum -1"):
        V.check_int_array([0, -1], "step", 0)
    np.testing.assert_array_equal(V.check_labels([0, 2], 2, 3), [0, 2])
    with pytest.raises(TypeError, match="y must hold integer class labels"):
        V.check_labels([0.0, 1.0], 2, 3)
    with pytest.raises(ValueError, match=r"y must hold labels in \[0, 3\)"):
        V.check_labels([0, 3], 2, 3)
    with pytest.raises(ValueError, match=r"y must have shape \(2,\)"):
        V.check_labels([0, 1, 2], 2, 3)
    assert [p.dtype for p in V.check_array_list([np.zeros(2), [1, 2]], "params", [(2,), (2,)])] == [np.float64] * 2
    with pytest.raises(TypeError, match="params must be a list of 1 arrays"):
        V.check_array_list(np.zeros(2), "params", [(2,)])
    with pytest.raises(ValueError, match="params must be a list of 1 arrays"):
        V.check_array_list([np.zeros(2), np.zeros(2)], "params", [(2,)])
    with pytest.raises(ValueError, match=r"params\[0\] must have shape \(3,\)"):
        V.check_array_list([np.zeros(2)], "params", [(3,)])
    with pytest.raises(ValueError, match="X_val and y_val must have the same, non-zero number of rows"):
        V.check_data(np.zeros((3, 2)), np.zeros(2), ("X_val", "y_val"))
    assert V.check_window(((0, 1), (-2, 2))) == ((0.0, 1.0), (-2.0, 2.0))
    with pytest.raises(ValueError, match="window must be"):
        V.check_window(((1, 0), (0, 1)))
    with pytest.raises(TypeError, match="window must hold real numbers"):
        V.check_window("abc")


# ----------------------------------------------------------------------------- one place


def _functions(path: Path) -> list[ast.FunctionDef]:
    return [n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.FunctionDef)]


def test_no_module_keeps_a_private_checker():
    """The checkers that gdcore's modules used to write themselves are gone: every check is in _validate."""
    old = {"_int", "_fan", "_check_h", "_real", "_steps", "_features", "_targets", "_labels", "_as_point",
           "_coords", "_check_window", "_check_param_list", "_check_model", "_data", "_points", "_activation"}
    for path in sorted(GDCORE.rglob("*.py")):
        if path.name == "_validate.py":
            continue
        names = {f.name for f in _functions(path)}
        assert not names & old, f"{path.relative_to(GDCORE)} defines {sorted(names & old)}"
        assert not {n for n in names if n.startswith("check_")}, f"{path.relative_to(GDCORE)} defines a check_*"


def test_every_check_is_exported_and_documented():
    for name in V.__all__:
        obj = getattr(V, name)
        assert callable(obj) and obj.__doc__, name
        assert f":func:`{name}`" in V.__doc__ or name == "check_finite_float", name
