"""Which GitHub repository and commit the site is built from, when that is known.

GitHub Actions says both (``GITHUB_REPOSITORY``, ``GITHUB_SHA``); a clone of a GitHub repository
knows them from its ``origin`` remote and ``HEAD``.  A local copy without either builds a site
that names no repository: no header link, no links to source files (the page then gives the
file and line instead).
"""

from __future__ import annotations

import functools
import os
import re
import subprocess

from sitegen.util import ROOT

#: owner/name in a remote URL of github.com (https or ssh)
GITHUB_REMOTE = re.compile(r"github\.com[:/](?P<repo>[\w.-]+/[\w.-]+?)(?:\.git)?/?$")


def _git(*args: str) -> str:
    try:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


@functools.cache
def _origin_repository() -> str:
    m = GITHUB_REMOTE.search(_git("remote", "get-url", "origin"))
    return m.group("repo") if m else ""


def repository(configured: str = "") -> str:
    """``owner/name``: ``configured`` (mkdocs.yml's ``extra.repository``, from ``GITHUB_REPOSITORY``)
    or the clone's GitHub ``origin``; ``""`` when neither names one."""
    return configured or os.environ.get("GITHUB_REPOSITORY", "") or _origin_repository()


@functools.cache
def commit() -> str:
    """The commit being built: ``GITHUB_SHA``, else the clone's ``HEAD``; ``""`` outside git."""
    return os.environ.get("GITHUB_SHA", "") or _git("rev-parse", "HEAD")


def source_url(repo: str, path: str, line: int = 0) -> str:
    """The file (and line) on GitHub at the built commit; ``""`` when the repository is unknown."""
    if not repo:
        return ""
    ref = commit() or "HEAD"
    return f"https://github.com/{repo}/blob/{ref}/{path}" + (f"#L{line}" if line else "")
