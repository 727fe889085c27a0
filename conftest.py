"""Root conftest: applies to the tests in tests/ and to the code blocks of docs/*.md.

The code blocks (pytest-codeblocks) run with ``exec``; they get no fixtures, so their setup lives
in these hooks: a non-interactive matplotlib backend, a fresh temporary working directory for
each block (so a block that saves a file leaves nothing behind), and all figures closed afterwards.
"""

import os

os.environ.setdefault("MPLBACKEND", "Agg")


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
