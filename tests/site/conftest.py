"""Shared fixtures: one strict, offline build of the site per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from published import PAGES_COMMIT, PAGES_REPOSITORY, SITE_PATH, SITE_URL

ROOT = Path(__file__).resolve().parents[2]


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
    run set for itself, and the published address, repository and commit of a fork (``SITE_URL``,
    ``GITHUB_REPOSITORY``, ``GITHUB_SHA``) as the Pages workflow gives them."""
    # Installing is not building: the pinned KaTeX comes from npm (once, like `uv run` syncing
    # the Python packages); only the build itself must work with no network.
    from sitegen.katex import ensure_installed

    ensure_installed()
    out = tmp_path_factory.mktemp("site")
    env = {**newcomer_env, "SITE_URL": SITE_URL, "GITHUB_REPOSITORY": PAGES_REPOSITORY, "GITHUB_SHA": PAGES_COMMIT}
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


@pytest.fixture(scope="session")
def site_server(built_site: Path):
    """The built site served as GitHub Pages serves a project site, under ``SITE_PATH``; yields
    the base URL without its final slash (``base + "/momentum/"``)."""
    from tools.browser import serve

    with serve(built_site, prefix=SITE_PATH) as base:
        yield base


@pytest.fixture(scope="module")
def server(site_server: str) -> str:
    """The site under /REPO/, as GitHub Pages serves a fork (a module may serve another site)."""
    return site_server


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, or a skip (a failure with REQUIRE_BROWSER=1) saying how to get it."""
    from browsing import require_browser

    from tools.browser import chromium

    require_browser()
    with chromium() as b:
        yield b
