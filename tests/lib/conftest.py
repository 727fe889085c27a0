"""Fixtures of the library tests."""

import pytest

from gdcore.data import make_regression_2d


@pytest.fixture(scope="module")
def problem():
    """A 2-feature least-squares problem with 100 examples (seed 0)."""
    return make_regression_2d(100, rng=0)
