"""`pipelint check` end to end: every --format, --output, colour rules, exit codes, invalid configuration
and options, `--changed` (the pre-commit path)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, SHARED

FAILING = FIXTURES / "rules" / "PL101" / "fail" / "no-key-yaml"
EXAMPLE = FIXTURES / "example"
# a broken grant in the bundled example: the key policy no longer lets the workload account use the key
KEY_GRANT = ("tooling/artifacts.yaml", "          - Sid: WorkloadAccountUse\n", "  ArtifactKeyAlias:\n")


def pipelint(*args, cwd=None, env=None):
    proc = subprocess.run([sys.executable, "-m", "pipelint", *args], capture_output=True, text=True, cwd=cwd,
                          env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def break_key_grant(folder: Path) -> None:
    file, start, end = KEY_GRANT
    text = (folder / file).read_text()
    (folder / file).write_text(text[:text.index(start)] + text[text.index(end):])


@pytest.fixture
def example(in_tmp):
    shutil.copytree(EXAMPLE, in_tmp, dirs_exist_ok=True)
    return in_tmp


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
def test_every_format_exits_1_on_findings_and_0_when_clean(fmt, example):
    assert pipelint("check", "--format", fmt).returncode == 0
    break_key_grant(example)
    proc = pipelint("check", "--format", fmt)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "PL302" in proc.stdout


def test_sarif_from_the_cli_validates(example):
    import jsonschema

    schema_path = SHARED / "schemas" / "sarif-schema-2.1.0.json"
    if not schema_path.is_file():
        pytest.skip(f"the official SARIF 2.1.0 schema is not at {schema_path} (../shared is absent)")
    break_key_grant(example)
    log = json.loads(pipelint("check", "--format", "sarif").stdout)
    jsonschema.Draft4Validator(json.loads(schema_path.read_text())).validate(log)
    [location] = {json.dumps(r["locations"][0]["physicalLocation"]["artifactLocation"]) for r in log["runs"][0]["results"]}
    assert json.loads(location) == {"uri": "tooling/artifacts.yaml", "uriBaseId": "%SRCROOT%"}


def test_junit_from_the_cli_parses(example):
    from junitparser import Failure, JUnitXml

    break_key_grant(example)
    assert pipelint("check", "--format", "junit", "--output", "report.xml").returncode == 1
    xml = JUnitXml.fromfile(str(example / "report.xml"))
    suites = {suite.name: suite for suite in xml}
    assert suites["PL302 artifact-key-grant"].failures == 1
    [case] = list(suites["PL302 artifact-key-grant"])
    assert case.name == "arn:aws:codepipeline:us-east-1:111111111111:release"
    assert all(isinstance(r, Failure) for r in case.result)
    assert all(s.failures == 0 for name, s in suites.items() if not name.startswith("PL302"))


def test_output_file(example):
    proc = pipelint("check", "--format", "json", "--output", "out.json")
    assert proc.returncode == 0 and proc.stdout == ""
    assert json.loads((example / "out.json").read_text())["findings"] == []
    bad = pipelint("check", "--output", "no/such/dir/out.txt")
    assert bad.returncode == 2 and "no/such/dir/out.txt" in bad.stderr


def _executable() -> str:
    """The ``pipelint`` console script next to this interpreter (cli.command, not ``python -m``)."""
    found = shutil.which("pipelint", path=str(Path(sys.executable).parent))
    assert found, f"no pipelint executable next to {sys.executable}"
    return found


def test_the_executable_leaves_whole_reports_and_exit_codes(example):
    """The ``pipelint`` executable ends a check without tearing the interpreter down (cli.command):
    what it printed and wrote is all there, and the exit code is the check's."""
    run = lambda *args: subprocess.run([_executable(), *args], capture_output=True, text=True, cwd=example)  # noqa: E731
    assert run("check").returncode == 0
    break_key_grant(example)
    printed = run("check", "--format", "json")
    assert printed.returncode == 1 and printed.stderr == ""
    assert {f["rule_id"] for f in json.loads(printed.stdout)["findings"]} == {"PL302"}
    written = run("check", "--format", "sarif", "--output", "out.sarif")
    assert written.returncode == 1 and written.stdout == ""
    assert {r["ruleId"] for r in json.loads((example / "out.sarif").read_text())["runs"][0]["results"]} == {"PL302"}


def test_a_closed_pipe_is_a_sentence_and_exit_2(example):
    """``pipelint check | head -0``: the report cannot be written; a sentence, no traceback, exit 2."""
    break_key_grant(example)
    for cmd in ([_executable()], [sys.executable, "-m", "pipelint"]):
        proc = subprocess.Popen([*cmd, "check", "--format", "json"], cwd=example,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proc.stdout.close()  # before the child has started to write
        assert proc.wait(timeout=60) == 2, cmd
        assert proc.stderr.read() == b"pipelint: error: Broken pipe\n", cmd
        proc.stderr.close()


def _in_pty(args, cwd, env):
    """Run pipelint with stdout on a pseudo-terminal; return what it printed."""
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "pipelint", *args], stdout=follower, stderr=subprocess.PIPE,
                            cwd=cwd, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait()
    os.close(leader)
    return b"".join(chunks).decode()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_colour_only_on_a_terminal_without_no_color(example):
    break_key_grant(example)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    env["TERM"] = "xterm-256color"
    assert "\x1b[" in _in_pty(["check"], example, env)
    assert "\x1b[" not in _in_pty(["check", "--no-color"], example, env)
    assert "\x1b[" not in _in_pty(["check"], example, {**env, "NO_COLOR": "1"})
    assert "\x1b[" not in pipelint("check", env=env).stdout  # a pipe: plain


@pytest.mark.parametrize("config, key", [
    ('select = ["XX1"]\n', "'select.0'"),
    ('severity = {PL101 = "fatal"}\n', "'severity.PL101'"),
    ('fail-on = "never"\n', "'fail-on'"),
    ('ignore = "PL1"\n', "'ignore'"),
    ('baseline = 3\n', "'baseline'"),
    ('[[suppress]]\nrule = "PL101"\n', "'suppress.0'"),
])
def test_invalid_configuration_is_exit_2_naming_the_key(config, key, in_tmp):
    (in_tmp / "pipelint.toml").write_text(config)
    (in_tmp / "t.yaml").write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    proc = pipelint("check", "t.yaml")
    assert proc.returncode == 2, proc.stdout
    assert "pipelint.toml" in proc.stderr and key in proc.stderr


@pytest.mark.parametrize("args, words", [
    (["--select", "E501"], "--select 'E501'"),
    (["--ignore", "PL1x"], "--ignore 'PL1x'"),
    (["--format", "xml"], "xml"),
    (["--fail-on", "fatal"], "fatal"),
    (["--config", "missing.toml"], "missing.toml: configuration file not found"),
])
def test_bad_usage_is_exit_2(args, words, example):
    proc = pipelint("check", *args)
    assert proc.returncode == 2
    assert words in proc.stderr


def test_select_accepts_commas_and_lowercase(example):
    break_key_grant(example)
    assert pipelint("check", "--select", "pl1,pl2").returncode == 0
    assert pipelint("check", "--select", "pl1,pl3").returncode == 1


def test_unexpected_error_is_exit_2_without_traceback(monkeypatch):
    from typer.testing import CliRunner

    from pipelint import cli, runner

    def boom(*args, **kwargs):
        raise RuntimeError("the model exploded")

    monkeypatch.setattr(runner, "find_config", boom)
    monkeypatch.delenv("PIPELINT_DEBUG", raising=False)
    result = CliRunner().invoke(cli.app, ["check", "x"])
    assert result.exit_code == 2
    assert "internal error: RuntimeError: the model exploded" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# -- --changed: what the pre-commit hook runs ----------------------------------------------------------

def test_changed_lints_every_input_and_lists_changed_files_first(example):
    break_key_grant(example)  # findings in tooling/artifacts.yaml
    trust = example / "target" / "deploy-roles.yaml"
    trust.write_text(trust.read_text().replace("role/release-pipeline", "role/other-pipeline"))
    plain = json.loads(pipelint("check", "--format", "json").stdout)["findings"]
    files = [f["location"]["path"] for f in plain]
    assert files[0] == "target/deploy-roles.yaml"  # by default: by file name
    proc = pipelint("check", "--changed", "--format", "json", "tooling/artifacts.yaml")
    assert proc.returncode == 1
    changed_first = [f["location"]["path"] for f in json.loads(proc.stdout)["findings"]]
    assert sorted(changed_first) == sorted(files)  # every input linted, not only the changed file
    assert changed_first == sorted(files, key=lambda f: f != "tooling/artifacts.yaml")


def test_changed_skips_when_no_input_changed(example):
    break_key_grant(example)
    (example / "pipelint.toml").write_text(
        (example / "pipelint.toml").read_text().replace('inputs = ["."]', 'inputs = ["tooling", "target"]'))
    (example / ".github").mkdir()
    (example / ".github" / "ci.yml").write_text("on: push\n")
    proc = pipelint("check", "--changed", ".github/ci.yml")
    assert proc.returncode == 0 and "No input changed" in proc.stdout
    # the configuration itself is relevant
    assert pipelint("check", "--changed", "pipelint.toml").returncode == 1
    assert pipelint("check", "--changed", "target/execution-role.yaml").returncode == 1


def test_changed_without_configured_inputs_lints_the_changed_files(in_tmp):
    shutil.copy(FAILING / "pipeline.yaml", in_tmp / "pipeline.yaml")
    (in_tmp / "pipelint.toml").write_text((FAILING / "pipelint.toml").read_text().replace('inputs = ["."]\n', ""))
    proc = pipelint("check", "--changed", "--select", "PL101", "pipeline.yaml", "pipelint.toml")
    assert proc.returncode == 1
    assert "PL101" in proc.stdout and "no `inputs` in the configuration" in proc.stdout


def test_changed_terraform_files_are_inputs(in_tmp):
    """A changed .tf or .tfvars file is an input (its folder, the module, is linted); a template that a .tf
    file reads is under the inputs too, so it triggers the lint."""
    shutil.copytree(ROOT / "fixtures" / "example-terraform", in_tmp, dirs_exist_ok=True)
    (in_tmp / "pipelint.toml").write_text('inputs = ["main.tf"]\n')  # a .tf input stands for its folder
    (in_tmp / "docs").mkdir()
    (in_tmp / "docs" / "notes.md").write_text("notes\n")
    assert "No problems found" in pipelint("check", "--changed", "terraform.tfvars").stdout
    (in_tmp / "pipelint.toml").write_text('inputs = ["modules", "main.tf"]\n')
    assert "No input changed" in pipelint("check", "--changed", "../elsewhere.tf").stdout
    for changed in ("main.tf", "terraform.tfvars", "modules/workload-roles/deploy-policy.json.tftpl"):
        proc = pipelint("check", "--changed", changed)
        assert proc.returncode == 0 and "No problems found" in proc.stdout, (changed, proc.stdout)
    policy = in_tmp / "modules" / "artifact-store" / "main.tf"
    policy.write_text(policy.read_text().replace('sid       = "WorkloadAccountUse"', 'sid       = "WorkloadAccountUse"\n'
                                                 '    effect    = "Deny"'))
    proc = pipelint("check", "--changed", "--format", "json", "modules/artifact-store/main.tf")
    assert proc.returncode == 1
    findings = json.loads(proc.stdout)["findings"]
    assert {f["rule_id"] for f in findings} == {"PL302"}
    assert findings[0]["location"]["path"] == "modules/artifact-store/main.tf"
    assert findings[0]["location"]["logical_path"][0].startswith("module.artifacts_")


def test_changed_terraform_without_configured_inputs_lints_its_module(in_tmp):
    shutil.copytree(ROOT / "fixtures" / "rules" / "PL202" / "fail" / "target-without-dlq-tf", in_tmp,
                    dirs_exist_ok=True)
    (in_tmp / "expected.json").unlink()
    proc = pipelint("check", "--changed", "--select", "PL202", "modules/pipeline/trigger.tf")
    assert proc.returncode == 1 and "PL202" in proc.stdout
    assert "no `inputs` in the configuration" in proc.stdout
