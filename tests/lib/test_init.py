"""Tests for gdcore.init: exact scales, empirical statistics, seeding, errors."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdcore import init as I

UNIFORM = {"lecun": I.lecun_uniform, "he": I.he_uniform, "xavier": I.xavier_uniform}
NORMAL = {"lecun": I.lecun_normal, "he": I.he_normal, "xavier": I.xavier_normal}
ALL = list(UNIFORM.values()) + list(NORMAL.values())


def test_exact_std_and_bound():
    assert I.init_std("lecun", 100, 300) == math.sqrt(1 / 100)
    assert I.init_std("he", 100, 300) == math.sqrt(2 / 100)
    assert I.init_std("xavier", 100, 300) == math.sqrt(2 / 400)
    assert I.init_bound("lecun", 100, 300) == math.sqrt(3 / 100)
    assert I.init_bound("he", 100, 300) == math.sqrt(6 / 100)
    assert I.init_bound("xavier", 100, 300) == math.sqrt(6 / 400)
    for scheme in I.SCHEMES:  # U(−a, a) has variance a²/3
        assert I.init_bound(scheme, 7, 5) == pytest.approx(math.sqrt(3) * I.init_std(scheme, 7, 5), rel=1e-15)


@pytest.mark.parametrize("scheme", I.SCHEMES)
def test_empirical_std_within_one_percent(scheme):
    fan_in, fan_out = 1000, 1000
    expected = I.init_std(scheme, fan_in, fan_out)
    for init in (UNIFORM[scheme], NORMAL[scheme]):
        W = init((fan_in, fan_out), rng=0)
        assert W.shape == (fan_in, fan_out) and W.dtype == np.float64
        assert abs(W.mean()) < 0.01 * expected
        assert W.std() == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize("scheme", I.SCHEMES)
def test_uniform_stays_within_bound_and_reaches_it(scheme):
    bound = I.init_bound(scheme, 500, 200)
    W = UNIFORM[scheme]((500, 200), rng=np.random.default_rng(3))
    assert np.abs(W).max() <= bound
    assert np.abs(W).max() > 0.999 * bound


def test_normal_is_not_truncated_by_default_and_truncate_cuts():
    std = I.init_std("he", 1000, 1000)
    W = I.he_normal((1000, 1000), rng=1)
    assert np.abs(W).max() > 4 * std  # a plain normal has tails
    T = I.he_normal((1000, 1000), rng=1, truncate=2.0)
    assert np.abs(T).max() <= 2.0 * std
    assert T.std() == pytest.approx(0.8796 * std, rel=0.01)  # truncation shrinks the std


@pytest.mark.parametrize("init", ALL, ids=lambda f: f.__name__)
def test_seeding(init):
    a = init((30, 20), rng=123)
    np.testing.assert_array_equal(a, init((30, 20), rng=123))
    np.testing.assert_array_equal(a, init((30, 20), rng=np.random.default_rng(123)))
    assert not np.array_equal(a, init((30, 20), rng=124))
    g = np.random.default_rng(5)
    assert not np.array_equal(init((30, 20), rng=g), init((30, 20), rng=g))  # the Generator advances
    assert init((30, 20)).shape == (30, 20)  # rng=None: fresh, unseeded


@pytest.mark.parametrize("init", ALL, ids=lambda f: f.__name__)
def test_bad_rng_and_shape(init):
    for bad in (1.5, "0", True, np.random.RandomState(0)):
        with pytest.raises(TypeError, match="rng"):
            init((3, 2), rng=bad)
    with pytest.raises(ValueError, match="rng"):
        init((3, 2), rng=-1)
    for bad in ((3,), (3, 2, 2), (0, 2), (3, -1)):
        with pytest.raises(ValueError, match="shape"):
            init(bad, rng=0)
    for bad in ((3.0, 2), 5, (True, 2)):  # a wrong type: not a sequence, or a float/bool fan
        with pytest.raises(TypeError, match="shape"):
            init(bad, rng=0)


def test_bad_scheme_fans_and_truncate():
    with pytest.raises(ValueError, match="scheme"):
        I.init_std("kaiming", 3, 3)
    with pytest.raises(ValueError, match="scheme"):
        I.init_bound("glorot", 3, 3)
    with pytest.raises(ValueError, match="fan_in"):
        I.init_std("he", 0, 3)
    with pytest.raises(TypeError, match="fan_out"):
        I.init_bound("xavier", 3, 2.5)
    for bad in (0.0, -1.0, float("inf")):
        with pytest.raises(ValueError, match="truncate"):
            I.xavier_normal((3, 3), rng=0, truncate=bad)
    with pytest.raises(TypeError, match="truncate"):
        I.xavier_normal((3, 3), rng=0, truncate="2")


@given(st.integers(1, 100_000), st.integers(1, 100_000))
def test_xavier_variance_compared_with_he_and_lecun(fan_in, fan_out):
    xavier = I.init_std("xavier", fan_in, fan_out)
    assert xavier < I.init_std("he", fan_in, fan_out)
    assert (xavier < I.init_std("lecun", fan_in, fan_out)) == (fan_out > fan_in)
