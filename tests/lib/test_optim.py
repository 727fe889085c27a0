"""Tests for gdcore.optim: torch reference trajectories, properties, bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gdcore import optim
from gdcore.optim import SGD, Adagrad, Adam, AdamW, RMSprop, TextbookMomentum

REFERENCE = Path(__file__).parent / "reference" / "torch_reference.json"

# The case names the reference JSON must contain (written out here on purpose,
# so that a regenerated JSON that silently drops cases fails loudly).
_OPTIONS = {
    "SGD": ["plain", "momentum", "dampening", "nesterov", "weight_decay", "momentum_wd"],
    "Adagrad": ["plain", "lr_decay", "initial_accumulator_value", "weight_decay"],
    "RMSprop": ["plain", "momentum", "centered", "centered_momentum", "weight_decay"],
    "Adam": ["plain", "weight_decay", "amsgrad", "betas_eps"],
    "AdamW": ["plain", "amsgrad", "wd_0.1"],
}
EXPECTED_CASES = {
    f"{problem}/{opt}/{option}"
    for problem in ("quadratic", "rosenbrock", "two_params")
    for opt, options in _OPTIONS.items()
    for option in options
} | {"quadratic/SGD/momentum_lr_change", "quadratic/Adam/lr_change"}

ALL_OPTIMIZERS = [SGD, Adagrad, RMSprop, Adam, AdamW]


def _load_reference() -> dict:
    return json.loads(REFERENCE.read_text())


_REF = _load_reference()
_CASES = {c["name"]: c for c in _REF["cases"]}


def _load_reference_script():
    """The script that wrote the reference (torch is imported only inside its main())."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_torch_reference", REFERENCE.with_name("make_torch_reference.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# the very gradient formulas the reference was computed with, so the replay is exact
_gradient = _load_reference_script().gradient


# ---------------------------------------------------------------- torch reference


def test_reference_has_every_expected_case():
    names = set(_CASES)
    assert names == EXPECTED_CASES, (
        f"missing: {sorted(EXPECTED_CASES - names)}, unexpected: {sorted(names - EXPECTED_CASES)}"
    )
    assert _REF["steps"] >= 100
    assert REFERENCE.stat().st_size < 400_000


@pytest.mark.parametrize("name", sorted(EXPECTED_CASES))
def test_matches_torch_trajectory(name):
    case = _CASES[name]
    problem = _REF["problems"][case["problem"]]
    every = problem["record_every"]
    params = [np.array(s, dtype=np.float64) for s in problem["start"]]
    kwargs = dict(case["kwargs"])
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    opt = getattr(optim, case["optimizer"])(params, lr=case["lr"], **kwargs)
    ours = [np.concatenate([p.ravel() for p in params])]
    for step in range(1, _REF["steps"] + 1):
        opt.step(_gradient(problem, params))
        if step % every == 0:
            ours.append(np.concatenate([p.ravel() for p in params]))
        if str(step) in case["lr_changes"]:
            opt.lr = case["lr_changes"][str(step)]
    assert opt.t == _REF["steps"]
    np.testing.assert_allclose(np.array(ours), np.array(case["trajectory"]), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- API behaviour


def test_defaults_match_torch():
    x = np.zeros(3)
    assert SGD([x]).lr == 1e-3
    assert Adagrad([x]).lr == 1e-2 and Adagrad([x]).eps == 1e-10
    r = RMSprop([x])
    assert (r.lr, r.alpha, r.eps, r.momentum, r.centered) == (1e-2, 0.99, 1e-8, 0.0, False)
    a = Adam([x])
    assert (a.lr, a.betas, a.eps, a.weight_decay, a.amsgrad) == (1e-3, (0.9, 0.999), 1e-8, 0.0, False)
    assert AdamW([x]).weight_decay == 1e-2


def test_textbook_momentum_traces_sgd_momentum():
    A = np.array([[10.0, 2.0], [2.0, 1.0]])
    b = np.array([1.0, -1.0])
    x1, x2 = np.array([-2.0, 1.5]), np.array([-2.0, 1.5])
    sgd = SGD(x1, lr=0.05, momentum=0.9)
    book = TextbookMomentum(x2, lr=0.05, momentum=0.9)
    for _ in range(200):
        sgd.step(A @ x1 - b)
        book.step(A @ x2 - b)
        np.testing.assert_allclose(x2, x1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(x1, np.linalg.solve(A, b), atol=1e-3)  # both near the minimum


def test_single_array_and_list_give_same_result():
    x, y = np.array([1.0, -2.0]), np.array([1.0, -2.0])
    o1, o2 = Adam(x, lr=0.1), Adam([y], lr=0.1)
    for _ in range(5):
        o1.step(2 * x)
        o2.step([2 * y])
    np.testing.assert_array_equal(x, y)


def test_updates_in_place_and_leaves_grads_alone():
    x = np.array([1.0, 2.0])
    before_id = id(x)
    g = np.array([0.5, -0.5])
    g_copy = g.copy()
    opt = SGD([x], lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True)
    opt.step([g])
    opt.step([g])
    assert id(opt.params[0]) == before_id and opt.params[0] is x
    np.testing.assert_array_equal(g, g_copy)
    assert opt.t == 2


@pytest.mark.parametrize("cls", ALL_OPTIMIZERS + [TextbookMomentum])
def test_float32_params_keep_float32_state(cls):
    x = np.ones((4, 3), dtype=np.float32)
    kwargs = {"lr": 0.1, "momentum": 0.9} if cls in (SGD, TextbookMomentum) else {"lr": 0.1}
    opt = cls(x, **kwargs)
    opt.step(np.full((4, 3), 0.5, dtype=np.float32))
    assert x.dtype == np.float32
    arrays = list(opt.state[0].values())
    assert arrays, "expected some state arrays"
    assert all(a.dtype == np.float32 and a.shape == (4, 3) for a in arrays)


def test_lr_attribute_change_takes_effect_next_step():
    x = np.array([1.0])
    opt = SGD(x, lr=0.1)
    opt.step(np.array([1.0]))
    assert x[0] == pytest.approx(0.9)
    opt.lr = 0.5
    opt.step(np.array([1.0]))
    assert x[0] == pytest.approx(0.4)


def test_sgd_momentum_buffer_starts_as_first_gradient_without_dampening():
    x = np.array([0.0])
    opt = SGD(x, lr=1.0, momentum=0.9, dampening=0.5)
    opt.step(np.array([2.0]))
    assert opt.state[0]["momentum_buffer"][0] == 2.0  # copy, dampening not applied on step 1
    opt.step(np.array([2.0]))
    assert opt.state[0]["momentum_buffer"][0] == pytest.approx(0.9 * 2.0 + 0.5 * 2.0)


@pytest.mark.parametrize(
    "make, expected",
    [
        # Adagrad: s = 4, x = -lr g / (sqrt(s) + eps) = -2 / (2 + 1): eps outside the root
        (lambda x: Adagrad(x, lr=1.0, eps=1.0), -2.0 / 3.0),
        # RMSprop: v = 0.01 * 4, x = -lr g / (sqrt(v) + eps) = -2 / 1.2 (no bias correction)
        (lambda x: RMSprop(x, lr=1.0, eps=1.0), -2.0 / 1.2),
        # Adam, t = 1: m = 0.2, v = 0.004, d = sqrt(v) / sqrt(0.001) + eps = 2 + 1,
        # x = -lr / 0.1 * m / d = -2 / 3: eps added after bias-correcting the root
        (lambda x: Adam(x, lr=1.0, eps=1.0), -2.0 / 3.0),
        # AdamW, t = 1: x shrinks by (1 - lr wd) = 0.5 first: 1 * 0.5 - 2/3
        (lambda x: AdamW(x, lr=1.0, eps=1.0, weight_decay=0.5), None),
    ],
)
def test_one_step_by_hand_pins_eps_placement(make, expected):
    x = np.array([0.0 if expected is not None else 1.0])
    make(x).step(np.array([2.0]))
    assert x[0] == pytest.approx(expected if expected is not None else 0.5 - 2.0 / 3.0, rel=1e-14)


def test_amsgrad_uses_max_of_raw_second_moment():
    x = np.array([0.0])
    opt = Adam(x, lr=0.1, amsgrad=True)
    opt.step(np.array([10.0]))
    opt.step(np.array([0.1]))
    s = opt.state[0]
    assert s["max_exp_avg_sq"][0] == pytest.approx(0.001 * 100.0)  # raw v after step 1
    assert s["exp_avg_sq"][0] < s["max_exp_avg_sq"][0]


def test_nonfinite_grad_raises_before_touching_anything():
    x, y = np.array([1.0, 2.0]), np.array([3.0])
    opt = Adam([x, y], lr=0.1)
    opt.step([np.array([1.0, 1.0]), np.array([1.0])])
    watched = [x, y, opt.state[0]["exp_avg"], opt.state[1]["exp_avg_sq"]]
    snapshot = [a.copy() for a in watched]
    with pytest.raises(ValueError, match=r"grads\[1\] contains non-finite"):
        opt.step([np.array([1.0, 1.0]), np.array([np.nan])])
    with pytest.raises(ValueError, match=r"grads\[0\] contains non-finite"):
        opt.step([np.array([np.inf, 1.0]), np.array([1.0])])
    for a, b in zip(watched, snapshot):
        np.testing.assert_array_equal(a, b)
    assert opt.t == 1


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", [0, 4097, 99_999])
def test_nonfinite_found_anywhere_in_large_grads(dtype, bad, where):
    x = np.zeros(100_000, dtype=dtype)
    g = np.ones_like(x)
    g[where] = bad
    with pytest.raises(ValueError, match="non-finite"):
        SGD(x, lr=0.1).step(g)
    assert not x.any()


def test_huge_but_finite_grads_are_accepted():
    x = np.zeros(10, dtype=np.float32)
    g = np.full(10, 3e38, dtype=np.float32)  # g . g overflows, the slow exact check says fine
    SGD(x, lr=1e-38).step(g)
    assert np.all(np.isfinite(x))


# ---------------------------------------------------------------- bad input


def _x():
    return np.zeros(3)


@pytest.mark.parametrize("lr", [-1e-3, math.nan, math.inf])
def test_bad_lr(lr):
    with pytest.raises(ValueError, match="lr"):
        SGD(_x(), lr=lr)


def test_lr_must_be_a_number():
    with pytest.raises(TypeError, match="lr"):
        Adam(_x(), lr="0.1")


def test_bad_lr_set_by_schedule_is_caught_at_step():
    x = _x()
    opt = Adam(x)
    opt.lr = -0.1
    with pytest.raises(ValueError, match="lr"):
        opt.step(np.ones(3))
    np.testing.assert_array_equal(x, 0)


@pytest.mark.parametrize("betas", [(1.0, 0.999), (0.9, -0.1), (0.9, 1.5)])
def test_bad_betas(betas):
    with pytest.raises(ValueError, match=r"betas\[[01]\].*\[0, 1\)"):
        Adam(_x(), betas=betas)


def test_betas_must_be_a_pair():
    with pytest.raises(TypeError, match="betas"):
        AdamW(_x(), betas=0.9)


@pytest.mark.parametrize("cls", [Adagrad, RMSprop, Adam, AdamW])
@pytest.mark.parametrize("eps", [0.0, -1e-8])
def test_eps_must_be_positive(cls, eps):
    with pytest.raises(ValueError, match=r"eps.*> 0"):
        cls(_x(), eps=eps)


@pytest.mark.parametrize("cls", [SGD, RMSprop, TextbookMomentum])
def test_negative_momentum(cls):
    with pytest.raises(ValueError, match="momentum"):
        cls(_x(), lr=0.1, momentum=-0.5)


@pytest.mark.parametrize("alpha", [-0.1, 1.0, 1.5])
def test_rmsprop_alpha_outside_unit_interval(alpha):
    with pytest.raises(ValueError, match=r"alpha.*\[0, 1\)"):
        RMSprop(_x(), alpha=alpha)


@pytest.mark.parametrize("cls", ALL_OPTIMIZERS)
def test_negative_weight_decay(cls):
    with pytest.raises(ValueError, match="weight_decay"):
        cls(_x(), weight_decay=-0.1)


def test_negative_lr_decay():
    with pytest.raises(ValueError, match="lr_decay"):
        Adagrad(_x(), lr_decay=-0.1)


def test_negative_initial_accumulator_value():
    with pytest.raises(ValueError, match="initial_accumulator_value"):
        Adagrad(_x(), initial_accumulator_value=-1.0)


@pytest.mark.parametrize("kwargs", [{"nesterov": True}, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}])
def test_nesterov_needs_momentum_and_zero_dampening(kwargs):
    with pytest.raises(ValueError, match="nesterov.*momentum.*dampening"):
        SGD(_x(), **kwargs)


def test_flags_must_be_bool():
    with pytest.raises(TypeError, match="amsgrad"):
        Adam(_x(), amsgrad="yes")


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_, np.complex128])
def test_non_float_params_rejected(dtype):
    with pytest.raises(TypeError, match=r"params.*floating dtype"):
        SGD(np.zeros(3, dtype=dtype))


def test_read_only_params_rejected():
    x = np.zeros(3)
    x.flags.writeable = False
    with pytest.raises(ValueError, match=r"params\[1\] is read-only"):
        Adam([np.zeros(2), x])


def test_list_of_floats_rejected_with_hint():
    with pytest.raises(TypeError, match=r"np\.asarray\(x, dtype=float\)"):
        SGD([1.0, 2.0], lr=0.1)


def test_scalar_params_rejected():
    with pytest.raises(TypeError, match="params"):
        SGD(3.0, lr=0.1)


def test_empty_params_rejected():
    with pytest.raises(ValueError, match="params is empty"):
        Adam([])


def test_shared_memory_params_rejected():
    x = np.zeros(4)
    with pytest.raises(ValueError, match="share memory"):
        SGD([x, x[:2]])


def test_grad_wrong_shape():
    opt = Adam([np.zeros(3), np.zeros((2, 2))])
    with pytest.raises(ValueError, match=r"grads\[1\] has shape \(4,\).*\(2, 2\)"):
        opt.step([np.zeros(3), np.zeros(4)])


def test_grad_wrong_count():
    opt = Adam([np.zeros(3), np.zeros((2, 2))])
    with pytest.raises(ValueError, match="grads has 1 array"):
        opt.step([np.zeros(3)])


def test_grad_wrong_dtype():
    opt = Adam(np.zeros(3, dtype=np.float32))
    with pytest.raises(TypeError, match=r"grads\[0\] has dtype float64.*float32"):
        opt.step(np.zeros(3))


def test_grad_integer_dtype():
    opt = SGD(np.zeros(3))
    with pytest.raises(TypeError, match=r"grads\[0\] has dtype int64"):
        opt.step(np.zeros(3, dtype=np.int64))


def test_grad_not_an_array():
    opt = SGD(np.zeros(3))
    with pytest.raises(TypeError, match=r"grads\[0\] must be an ndarray"):
        opt.step([[1.0, 2.0, 3.0]])


# ---------------------------------------------------------------- properties

_finite = st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False)
_vectors = hnp.arrays(np.float64, st.integers(1, 6), elements=_finite)


def _variants(cls):
    """A few option sets per optimizer (all valid)."""
    return {
        SGD: [{}, {"momentum": 0.9}, {"momentum": 0.9, "nesterov": True, "weight_decay": 0.1},
              {"momentum": 0.5, "dampening": 0.3}],
        Adagrad: [{}, {"lr_decay": 0.1, "weight_decay": 0.1, "initial_accumulator_value": 0.1}],
        RMSprop: [{}, {"momentum": 0.9, "centered": True, "weight_decay": 0.1}],
        Adam: [{}, {"amsgrad": True, "weight_decay": 0.1}],
        AdamW: [{}, {"amsgrad": True, "weight_decay": 0.1}],
    }[cls]


@settings(max_examples=40, deadline=None)
@given(data=st.data(), x0=_vectors)
def test_lr_zero_never_moves_parameters(data, x0):
    cls = data.draw(st.sampled_from(ALL_OPTIMIZERS))
    kwargs = data.draw(st.sampled_from(_variants(cls)))
    x = x0.copy()
    opt = cls(x, lr=0.0, **kwargs)
    for _ in range(3):
        opt.step(data.draw(hnp.arrays(np.float64, x.shape, elements=_finite)))
    np.testing.assert_array_equal(x, x0)


@settings(max_examples=60, deadline=None)
@given(x0=_vectors, data=st.data(), lr=st.floats(1e-6, 1.0))
def test_one_adam_step_moves_each_coordinate_at_most_lr(x0, data, lr):
    g = data.draw(hnp.arrays(np.float64, x0.shape, elements=_finite))
    x = x0.copy()
    Adam(x, lr=lr).step(g)
    # the step itself is at most lr; storing x0 + step can add half an ulp of x0
    assert np.all(np.abs(x - x0) <= lr * (1 + 1e-6) + np.spacing(np.abs(x0)))
    z = np.zeros_like(x0)
    Adam(z, lr=lr).step(g)
    assert np.all(np.abs(z) <= lr * (1 + 1e-6))


@settings(max_examples=60, deadline=None)
@given(x0=_vectors, data=st.data(), lr=st.floats(0.0, 10.0))
def test_plain_sgd_step_is_exactly_minus_lr_g(x0, data, lr):
    g = data.draw(hnp.arrays(np.float64, x0.shape, elements=_finite))
    x = x0.copy()
    SGD(x, lr=lr).step(g)
    np.testing.assert_array_equal(x, x0 - lr * g)
    z = np.zeros_like(x0)
    SGD(z, lr=lr).step(g)
    np.testing.assert_array_equal(z, -lr * g)


# ---------------------------------------------------------------- threaded chunks

_ALL_VARIANTS = [
    (SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    (SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.2}),
    (TextbookMomentum, {"lr": 0.1, "momentum": 0.9}),
    (Adagrad, {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1}),
    (RMSprop, {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.1}),
    (Adam, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    (AdamW, {"lr": 0.01, "amsgrad": True}),
]


@pytest.mark.parametrize("cls, kwargs", _ALL_VARIANTS)
def test_chunked_threads_give_bitwise_identical_results(cls, kwargs, monkeypatch):
    rng = np.random.default_rng(1)
    starts = [rng.standard_normal(1001), rng.standard_normal((7, 9)), rng.standard_normal((40, 30))]
    grads = [[rng.standard_normal(a.shape) for a in starts[:2]] + [rng.standard_normal((40, 10))] for _ in range(5)]

    def run(threads, chunk):
        monkeypatch.setattr(optim, "THREADS", threads)
        monkeypatch.setattr(optim, "CHUNK_BYTES", chunk * 8)  # chunks of 16 float64: small arrays get cut up
        params = [starts[0].copy(), starts[1].copy(), starts[2].copy()[:, ::3]]  # last: non-contiguous, not cut
        opt = cls(params, **kwargs)
        pieces = optim._chunks(params[0], grads[0][0], opt.state[0])
        assert len(pieces) == (1 if chunk > 1000 else 63)
        for gs in grads:
            opt.step(gs)
        return params

    whole = run(1, 1 << 20)  # whole arrays, no threads
    for threads in (1, 3):  # chunks of 16, one after the other and on three threads
        for a, b in zip(whole, run(threads, 16)):
            np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- kernels that read like the math

KERNELS = [(cls, name) for cls in (SGD, TextbookMomentum, Adagrad, RMSprop, Adam, AdamW)
           for name in ("_update", "_direction") if name in vars(cls)]


@pytest.mark.parametrize("cls, name", KERNELS, ids=[f"{c.__name__}.{n}" for c, n in KERNELS])
def test_each_kernel_is_a_few_plain_lines(cls, name):
    """No out= plumbing, no scratch buffers, at most 10 lines: the update rule as written."""
    import ast
    import inspect
    import re
    import textwrap

    source = textwrap.dedent(inspect.getsource(vars(cls)[name]))
    function = ast.parse(source).body[0]
    statements = function.body[1:] if ast.get_docstring(function) else function.body
    lines = source.splitlines()[statements[0].lineno - 1 : statements[-1].end_lineno]
    code = [line for line in lines if line.strip() and not line.strip().startswith("#")]
    assert len(code) <= 10, f"{cls.__name__}.{name} has {len(code)} lines of code"
    assert "out=" not in source and not re.search(r"\btmp\w*|scratch", source), source
