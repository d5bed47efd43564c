"""The GitHub Action (action.yml, composite): its inputs reach the command it runs. GitHub cannot run here,
so the steps' scripts run under bash with the ``${{ ... }}`` expressions filled in as the runner would:
with a stub pipelint that records its arguments, and once with the real one on the bundled example."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
INPUTS = ACTION["inputs"]
STEPS = {step.get("id", step.get("name")): step for step in ACTION["runs"]["steps"]}
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
BASH = shutil.which("bash")


def expand(text: str, context: dict) -> str:
    return EXPRESSION.sub(lambda m: context[m.group(1)], text)


def run_step(step_id: str, given: dict, context: dict, cwd: Path) -> tuple[subprocess.CompletedProcess, dict]:
    """Run one step's script as the runner would; returns the process and what it wrote to GITHUB_OUTPUT."""
    step = STEPS[step_id]
    values = {f"inputs.{name}": str(given.get(name, spec.get("default", ""))) for name, spec in INPUTS.items()}
    values.update(context)
    output = cwd / "github_output"
    output.write_text("")
    env = {**os.environ, "GITHUB_OUTPUT": str(output), "NO_COLOR": "1"}
    env.update({key: expand(str(value), values) for key, value in step.get("env", {}).items()})
    assert EXPRESSION.search(step["run"]) is None, "inputs go through env, never into the script text"
    proc = subprocess.run([BASH, "-c", step["run"]], cwd=cwd, env=env, capture_output=True, text=True)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return proc, outputs


STUB = """#!/usr/bin/env bash
printf '%s\\n' "$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "$@")" >> "$STUB_LOG"
exit "${STUB_EXIT:-0}"
"""


@pytest.fixture
def stub(tmp_path, monkeypatch):
    path = tmp_path / "pipelint-stub"
    path.write_text(STUB)
    path.chmod(0o755)
    monkeypatch.setenv("STUB_LOG", str(tmp_path / "calls"))
    return path


def calls(tmp_path: Path) -> list:
    log = tmp_path / "calls"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


pytestmark = pytest.mark.skipif(BASH is None, reason="bash is needed to run the action's scripts")


def test_the_action_is_composite_with_the_documented_inputs():
    assert ACTION["runs"]["using"] == "composite"
    assert list(INPUTS) == ["paths", "format", "fail-on", "config", "args", "sarif", "sarif-file",
                            "sarif-category", "python-version"]
    assert INPUTS["format"]["default"] == "github" and INPUTS["sarif"]["default"] == "false"
    text = (ROOT / "action.yml").read_text()
    for name in INPUTS:  # every input is used by a step
        assert f"inputs.{name} " in text or f"inputs.{name}}}" in text, name
    for step in ACTION["runs"]["steps"]:  # every variable a script is given, it reads
        for var in step.get("env", {}):
            assert f"${var}" in step["run"] or f"${{{var}}}" in step["run"], var


@pytest.mark.parametrize("given, expected", [
    ({}, [["check", "--format", "github"]]),
    ({"paths": "tooling  target/roles.yaml", "format": "json", "fail-on": "warning", "config": "ci/pipelint.toml",
      "args": "--select PL3 --no-baseline"},
     [["check", "--format", "json", "--fail-on", "warning", "--config", "ci/pipelint.toml", "--select", "PL3",
       "--no-baseline", "tooling", "target/roles.yaml"]]),
    ({"sarif": "true", "sarif-file": "out/report.sarif", "fail-on": "info"},
     [["check", "--format", "sarif", "--output", "out/report.sarif", "--fail-on", "info"],
      ["check", "--format", "github", "--fail-on", "info"]]),
])
def test_check_step_passes_the_inputs(given, expected, stub, tmp_path):
    proc, outputs = run_step("check", given, {"steps.install.outputs.pipelint": str(stub)}, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert calls(tmp_path) == expected
    assert outputs["exit-code"] == "0"
    if given.get("sarif") == "true":
        assert outputs["sarif-file"] == "out/report.sarif"
    else:
        assert "sarif-file" not in outputs


@pytest.mark.parametrize("code", [1, 2])
def test_the_step_fails_with_pipelint(code, stub, tmp_path, monkeypatch):
    monkeypatch.setenv("STUB_EXIT", str(code))
    proc, outputs = run_step("check", {"sarif": "true"}, {"steps.install.outputs.pipelint": str(stub)}, tmp_path)
    assert proc.returncode == code
    assert len(calls(tmp_path)) == 2  # a failing SARIF run does not stop the check itself
    assert outputs == {"sarif-file": "pipelint.sarif", "exit-code": str(code)}


def test_check_step_with_the_real_pipelint_on_the_example(tmp_path):
    shutil.copytree(FIXTURES / "example", tmp_path / "repo")
    wrapper = tmp_path / "pipelint"
    wrapper.write_text(f"#!/usr/bin/env bash\nexec {sys.executable} -m pipelint \"$@\"\n")
    wrapper.chmod(0o755)
    proc, outputs = run_step("check", {"sarif": "true"}, {"steps.install.outputs.pipelint": str(wrapper)},
                             tmp_path / "repo")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "pipelint: 0 error(s), 0 warning(s), 0 info in 4 file(s)\n"
    report = json.loads((tmp_path / "repo" / "pipelint.sarif").read_text())
    assert report["version"] == "2.1.0" and report["runs"][0]["results"] == []
    assert outputs == {"sarif-file": "pipelint.sarif", "exit-code": "0"}
    # a broken grant: annotations and exit 1
    artifacts = tmp_path / "repo" / "tooling" / "artifacts.yaml"
    text = artifacts.read_text()
    start, end = text.index("          - Sid: WorkloadAccountUse\n"), text.index("  ArtifactKeyAlias:\n")
    artifacts.write_text(text[:start] + text[end:])
    proc, outputs = run_step("check", {}, {"steps.install.outputs.pipelint": str(wrapper)}, tmp_path / "repo")
    assert proc.returncode == 1 and outputs == {"exit-code": "1"}
    assert proc.stdout.startswith("::error file=tooling/artifacts.yaml,line=15,col=7,title=PL302 artifact-key-grant::")
    assert proc.stdout.endswith("\npipelint: 2 error(s), 0 warning(s), 0 info in 4 file(s)\n")


def test_install_step_installs_the_actions_own_checkout_into_a_venv():
    step = STEPS["install"]
    assert step["env"] == {"ACTION_PATH": "${{ github.action_path }}", "VENV": "${{ runner.temp }}/pipelint-venv"}
    script = step["run"]
    assert '-m venv "$VENV"' in script and '-m pip install --quiet --disable-pip-version-check "$ACTION_PATH"' in script
    assert 'echo "pipelint=$bin/pipelint" >> "$GITHUB_OUTPUT"' in script
    assert subprocess.run([BASH, "-n", "-c", script]).returncode == 0
    assert STEPS["check"]["env"]["PIPELINT"] == "${{ steps.install.outputs.pipelint }}"


def test_install_step_runs(tmp_path, monkeypatch):
    """The install script itself, with a stand-in for `python -m pip` (no network here)."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "python3").write_text(
        "#!/usr/bin/env bash\n"
        "if [ \"$1 $2\" = \"-m venv\" ]; then mkdir -p \"$3/bin\"; cp \"$0\" \"$3/bin/python\"; exit 0; fi\n"
        "echo \"$@\" > \"$(dirname \"$0\")/../pip-args\"\n")
    (fake / "python3").chmod(0o755)
    context = {"github.action_path": str(ROOT), "runner.temp": str(tmp_path)}
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    proc, outputs = run_step("install", {}, context, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "pipelint-venv" / "pip-args").read_text().split() == [
        "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(ROOT)]
    assert outputs == {"pipelint": f"{tmp_path}/pipelint-venv/bin/pipelint"}


def test_sarif_upload_step():
    step = STEPS["Upload SARIF to code scanning"]
    assert step["uses"] == "github/codeql-action/upload-sarif@v3"
    assert step["with"] == {"sarif_file": "${{ inputs.sarif-file }}", "category": "${{ inputs.sarif-category }}"}
    assert step["if"].startswith("always() && inputs.sarif == 'true'")
    setup = STEPS["Set up Python"]
    assert setup["if"] == "inputs.python-version != ''" and setup["uses"].startswith("actions/setup-python@")
