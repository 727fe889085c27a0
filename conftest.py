"""Root conftest: applies to the tests in tests/ and to the code blocks of docs/*.md.

The code blocks (pytest-codeblocks) run with ``exec``; they get no fixtures, so their setup lives
in these hooks: a non-interactive matplotlib backend, a fresh temporary working directory for
each block (so a block that saves a file leaves nothing behind), and all figures closed afterwards.

Nothing here goes into ``os.environ``: a subprocess the tests start (the site build, ``mkdocs
serve``) must meet the environment a newcomer has, not one the test run gave itself.  The
``newcomer_env`` fixture is that environment, as it was when pytest started.
"""

import os

import pytest

STARTUP_ENV = dict(os.environ)  # before any test code runs

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # for the code blocks, in this process only (not MPLBACKEND: it would be inherited)


@pytest.fixture(scope="session")
def newcomer_env() -> dict[str, str]:
    """The environment pytest was started with, for subprocesses that build or serve the site."""
    return dict(STARTUP_ENV)


def pytest_runtest_setup(item):
    if type(item).__name__ == "TestBlock":
        tmp = item.config._tmp_path_factory.mktemp("codeblock")  # noqa: SLF001
        item._saved_cwd = os.getcwd()  # noqa: SLF001
        os.chdir(tmp)


def pytest_runtest_teardown(item):
    if type(item).__name__ == "TestBlock":
        os.chdir(item._saved_cwd)  # noqa: SLF001
        import matplotlib.pyplot as plt

        plt.close("all")
