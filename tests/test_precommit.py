"""The pre-commit hook through the real `pre-commit` tool.

A temporary git repository holds a cross-account setup (the bundled example: a tooling account
pipeline deploying into a workload account). With a broken grant staged, `pre-commit try-repo <this
repository> pipelint` fails; after the fix, `--all-files` passes.

`try-repo` builds the hook's virtualenv with pip (dependencies from PyPI): slow the first time, so this
module makes exactly two try-repo calls sharing one PRE_COMMIT_HOME (one install). It runs by default
(CI runs it); set PIPELINT_SKIP_PRECOMMIT=1 to skip it locally.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT

pytestmark = [
    pytest.mark.skipif(bool(os.environ.get("PIPELINT_SKIP_PRECOMMIT")), reason="PIPELINT_SKIP_PRECOMMIT is set"),
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]

# The broken grant, easy to switch: (file, text of the correct setup, text of the broken one, rule).
# Here the artifact key policy no longer lets the workload account use the key (PL302). Another choice:
# ("target/deploy-roles.yaml", "role/release-pipeline", "role/other-pipeline", "PL303") breaks the trust.
BROKEN_GRANT = (
    "tooling/artifacts.yaml",
    "          - Sid: WorkloadAccountUse\n            Effect: Allow\n",
    "          - Sid: WorkloadAccountUse\n            Effect: Deny\n",
    "PL302",
)

# and in Terraform: the artifact key policy denies the workload account (PL302)
BROKEN_TERRAFORM_GRANT = (
    "modules/artifact-store/main.tf",
    '    sid       = "WorkloadAccountUse"\n',
    '    sid       = "WorkloadAccountUse"\n    effect    = "Deny"\n',
    "PL302",
)

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_NOSYSTEM": "1"}


def git(*args, cwd, env=None):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV, **(env or {})}).stdout.strip()


def pre_commit_command() -> list[str]:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.skip("pre-commit is not installed")
    return [sys.executable, "-m", "pre_commit"]


def hook_source(tmp: Path) -> tuple[str, str]:
    """(repository, rev) for try-repo: this repository at HEAD when its tracked files are unchanged, else
    a clone with the working-tree changes of tracked files committed (what try-repo itself would do,
    but at a path we keep, so both calls reuse one installed environment)."""
    if not subprocess.run(["git", "diff", "--quiet", "HEAD"], cwd=ROOT).returncode:
        return str(ROOT), git("rev-parse", "HEAD", cwd=ROOT)
    shadow = tmp / "pipelint-src"
    git("clone", "--quiet", "--no-hardlinks", str(ROOT), str(shadow), cwd=tmp)
    diff = subprocess.run(["git", "diff", "HEAD", "--binary"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["git", "apply", "--allow-empty", "-"], cwd=shadow, input=diff, check=True)
    git("add", "-A", cwd=shadow)
    git("commit", "--quiet", "--no-verify", "--allow-empty", "-m", "working tree", cwd=shadow)
    return str(shadow), git("rev-parse", "HEAD", cwd=shadow)


def test_hook_fails_on_a_broken_grant_and_passes_after_the_fix(tmp_path):
    command = pre_commit_command()
    repo, rev = hook_source(tmp_path)
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1",
           "PRE_COMMIT_COLOR": "never", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("VIRTUAL_ENV", None)

    project = tmp_path / "infra"
    shutil.copytree(FIXTURES / "example", project)
    git("init", "--quiet", "-b", "main", cwd=project)
    git("add", "-A", cwd=project)
    git("commit", "--quiet", "-m", "cross-account pipeline", cwd=project)

    file, good, bad, rule = BROKEN_GRANT
    target = project / file
    assert good in target.read_text()
    target.write_text(target.read_text().replace(good, bad))
    git("add", file, cwd=project)

    def try_repo(*extra):
        return subprocess.run([*command, "try-repo", repo, "pipelint", "--ref", rev, *extra], cwd=project,
                              env=env, capture_output=True, text=True, timeout=900)

    broken = try_repo()  # the staged change only: the hook still loads every input of the configuration
    output = broken.stdout + broken.stderr
    assert broken.returncode == 1, output
    assert "exit code: 1" in output, output  # pipelint's own exit code: findings (2 would be bad input)
    assert rule in output and file in output, output
    assert "Traceback" not in output

    target.write_text(target.read_text().replace(bad, good))
    git("add", file, cwd=project)
    fixed = try_repo("--all-files")
    output = fixed.stdout + fixed.stderr
    assert fixed.returncode == 0, output
    assert "pipelint" in output and "Passed" in output

    # the same with Terraform: a staged .tf change is checked against every module of the configuration
    terraform = tmp_path / "infra-terraform"
    shutil.copytree(FIXTURES / "example-terraform", terraform)
    git("init", "--quiet", "-b", "main", cwd=terraform)
    git("add", "-A", cwd=terraform)
    git("commit", "--quiet", "-m", "cross-account pipeline in Terraform", cwd=terraform)
    file, good, bad, rule = BROKEN_TERRAFORM_GRANT
    target = terraform / file
    target.write_text(target.read_text().replace(good, bad))
    git("add", file, cwd=terraform)
    broken = subprocess.run([*command, "try-repo", repo, "pipelint", "--ref", rev], cwd=terraform, env=env,
                            capture_output=True, text=True, timeout=900)
    output = broken.stdout + broken.stderr
    assert broken.returncode == 1 and "exit code: 1" in output, output
    assert rule in output and file in output, output


def test_hook_files_pattern_and_changed_inputs_include_terraform():
    import re

    import yaml

    from pipelint.runner import INPUT_SUFFIXES

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    pattern = re.compile(hook["files"])
    for name in ("main.tf", "envs/prod/terraform.tfvars", "dev.auto.tfvars.json", "policy.json.tftpl",
                 "tooling/pipeline.yaml", "pipelint.toml"):
        assert pattern.search(name), name
    for name in ("README.md", "main.go", "main.tf.bak"):
        assert not pattern.search(name), name
    assert {".tf", ".tfvars"} <= INPUT_SUFFIXES
