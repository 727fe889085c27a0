"""Shared fixtures: one strict, offline build of the site per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _offline_prefix() -> list[str]:
    """Run the build in a network namespace with no network but loopback, where we may (root).

    Loopback stays: the notebook's Jupyter kernel talks to its client over 127.0.0.1.
    """
    unshare, ip = shutil.which("unshare"), shutil.which("ip") or "/usr/sbin/ip"
    prefix = [unshare or "unshare", "--net", "sh", "-c", f'{ip} link set lo up && exec "$@"', "offline"]
    if unshare and os.geteuid() == 0 and Path(ip).exists() and subprocess.run([*prefix, "true"]).returncode == 0:
        return prefix
    return []


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, newcomer_env) -> Path:
    """Build the site with ``mkdocs build --strict`` (offline where possible) into a temp dir.

    The build gets the environment pytest was started with (``newcomer_env``), nothing the test
    run set for itself."""
    # Installing is not building: the pinned KaTeX comes from npm (once, like `uv run` syncing
    # the Python packages); only the build itself must work with no network.
    from sitegen.katex import ensure_installed

    ensure_installed()
    out = tmp_path_factory.mktemp("site")
    env = newcomer_env
    cmd = [*_offline_prefix(), sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    print(f"\nmkdocs build --strict ({'offline' if cmd[0].endswith('unshare') else 'online'}): {seconds:.1f} s")
    assert proc.returncode == 0, f"strict build failed:\n{proc.stdout}\n{proc.stderr}"
    (out.parent / "build.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")  # see build_log
    return out


@pytest.fixture(scope="session")
def build_log(built_site: Path) -> str:
    """What the build of :func:`built_site` printed (MkDocs logs at INFO level)."""
    return (built_site.parent / "build.log").read_text(encoding="utf-8")
