"""The deployment map cannot miss silently (pipelint/loaders/deployment_map.py): an entry naming a file
that does not exist, a parameter the template does not declare, or a physical id of no resource is exit 2
naming the configuration file, the entry and what was probably meant."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES

EXAMPLE = FIXTURES / "example"


def pipelint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelint", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def example(tmp_path) -> Path:
    """A copy of the bundled example (a correct setup, `No problems found`) to break the map of."""
    target = tmp_path / "example"
    shutil.copytree(EXAMPLE, target)
    return target


def edit_map(folder: Path, old: str, new: str) -> None:
    path = folder / "pipelint.toml"
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def line_of(folder: Path, text: str, name: str = "pipelint.toml") -> int:
    lines = (folder / name).read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def assert_error(proc: subprocess.CompletedProcess, message: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert proc.stderr == f"pipelint: error: {message}\n"


def test_the_example_map_passes(example):
    proc = pipelint("check", cwd=example)
    assert (proc.returncode, proc.stdout) == (0, "No problems found in 4 file(s)\n"), proc.stderr


def test_template_that_does_not_exist(example):
    edit_map(example, 'template = "tooling/pipeline.yaml"', 'template = "tooling/pipline.yaml"')
    header = line_of(example, 'template = "tooling/pipline.yaml"') - 1
    assert_error(pipelint("check", cwd=example),
                 f'pipelint.toml:{header}: [[stacks]] entry 3 (template = "tooling/pipline.yaml"): no such file; '
                 'did you mean "tooling/pipeline.yaml"?')


def test_template_that_does_not_exist_without_a_close_name(example):
    edit_map(example, 'template = "target/execution-role.yaml"', 'template = "elsewhere/stack.yaml"')
    assert_error(pipelint("check", cwd=example),
                 'pipelint.toml:36: [[stacks]] entry 5 (template = "elsewhere/stack.yaml"): no such file')


def test_parameter_the_template_does_not_declare(example):
    edit_map(example, 'parameters = { TargetAccountId = "222222222222", Eu',
             'parameters = { TargetAcountId = "222222222222", Eu')
    line = line_of(example, "TargetAcountId")
    assert_error(pipelint("check", cwd=example),
                 f'pipelint.toml:{line}: [[stacks]] entry 3 (template = "tooling/pipeline.yaml"): parameter '
                 '"TargetAcountId" is not declared by the template (it declares: TargetAccountId, EuArtifactKeyArn); '
                 'did you mean "TargetAccountId"?')


def test_parameter_of_a_template_that_declares_none(example):
    edit_map(example, 'stack-name = "cloudformation-execution-role"',
             'stack-name = "cloudformation-execution-role"\nparameters = { ToolingAccountId = "111111111111" }')
    assert_error(pipelint("check", cwd=example),
                 'pipelint.toml:41: [[stacks]] entry 5 (template = "target/execution-role.yaml"): parameter '
                 '"ToolingAccountId" is not declared by the template (it declares: none)')


def test_physical_id_of_no_resource(example):
    edit_map(example, 'ArtifactKey = "9a8b', 'ArtifactKy = "9a8b')
    line = line_of(example, "ArtifactKy")
    assert_error(pipelint("check", cwd=example),
                 f'pipelint.toml:{line}: [[stacks]] entry 2 (template = "tooling/artifacts.yaml"): physical-ids '
                 '"ArtifactKy" is no resource of the template; did you mean "ArtifactKey"?')


def test_policy_file_that_does_not_exist(example):
    with open(example / "pipelint.toml", "a") as handle:
        handle.write('\n[[policies]]\nfile = "policies/artifact-key.json"\n'
                     'resource = "arn:aws:kms:us-east-1:111111111111:key/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"\n')
    line = line_of(example, "[[policies]]")
    assert_error(pipelint("check", cwd=example),
                 f'pipelint.toml:{line}: [[policies]] entry 1 (file = "policies/artifact-key.json"): no such file')


def test_pipeline_file_that_does_not_exist(example):
    with open(example / "pipelint.toml", "a") as handle:
        handle.write('\n[[pipelines]]\nfile = "tooling/pipeline.json"\naccount = "111111111111"\n')
    line = line_of(example, "[[pipelines]]")
    assert_error(pipelint("check", cwd=example),
                 f'pipelint.toml:{line}: [[pipelines]] entry 1 (file = "tooling/pipeline.json"): no such file; '
                 'did you mean "tooling/pipeline.yaml"?')


def test_entry_for_a_template_outside_this_run_is_not_parsed(example):
    """The pre-commit hook lints subsets: an existing template that is not an input is fine, and its
    parameters are not checked (that would cost parsing it)."""
    edit_map(example, 'ArtifactKey = "9a8b', 'ArtifactKy = "9a8b')
    proc = pipelint("check", "tooling/pipeline.yaml", "--select", "PL1", cwd=example)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    # and the whole setup names the problem
    assert pipelint("check", cwd=example).returncode == 2


def test_missing_template_is_reported_whatever_the_inputs(example):
    edit_map(example, 'template = "target/execution-role.yaml"', 'template = "target/execution-rol.yaml"')
    proc = pipelint("check", "tooling/pipeline.yaml", cwd=example)
    assert_error(proc, 'pipelint.toml:36: [[stacks]] entry 5 (template = "target/execution-rol.yaml"): no such file; '
                       'did you mean "target/execution-role.yaml"?')


def test_entry_that_names_no_template(example):
    (example / "tooling" / "pipeline.json").write_text(json.dumps({"pipeline": {
        "name": "p", "roleArn": "arn:aws:iam::111111111111:role/r", "artifactStore": {"type": "S3", "location": "b"},
        "stages": []}}))
    edit_map(example, 'template = "target/execution-role.yaml"', 'template = "tooling/pipeline.json"')
    assert_error(pipelint("check", cwd=example),
                 'pipelint.toml:36: [[stacks]] entry 5 (template = "tooling/pipeline.json"): not a stack template: '
                 'pipelint reads it as pipeline JSON')


def test_folder_named_as_a_template_passes(example):
    """Folders are another kind of stack source (Terraform root modules); one that exists is not a miss."""
    with open(example / "pipelint.toml", "a") as handle:
        handle.write('\n[[stacks]]\ntemplate = "target"\naccount = "222222222222"\nregion = "us-east-1"\n')
    proc = pipelint("check", cwd=example)
    assert proc.returncode == 0, proc.stderr


def test_pyproject_entries_are_named_as_written(tmp_path):
    (tmp_path / "t.yaml").write_text("Parameters:\n  Env:\n    Type: String\nResources:\n  B:\n    Type: AWS::S3::Bucket\n")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.pipelint]\ninputs = ["t.yaml"]\n\n[[tool.pipelint.stacks]]\n'
        'template = "t.yaml"\naccount = "111111111111"\nregion = "us-east-1"\nparameters = { Envv = "prod" }\n')
    assert_error(pipelint("check", cwd=tmp_path),
                 'pyproject.toml:11: [[tool.pipelint.stacks]] entry 1 (template = "t.yaml"): parameter "Envv" is not '
                 'declared by the template (it declares: Env); did you mean "Env"?')


def test_inline_array_entries_have_no_line(tmp_path):
    (tmp_path / "t.yaml").write_text("Resources:\n  ArtifactBucket:\n    Type: AWS::S3::Bucket\n")
    (tmp_path / "pipelint.toml").write_text(
        'inputs = ["t.yaml"]\nstacks = [{ template = "t.yaml", physical-ids = { ArtifactsBucket = "my-bucket" } }]\n')
    assert_error(pipelint("check", cwd=tmp_path),
                 'pipelint.toml: [[stacks]] entry 1 (template = "t.yaml"): physical-ids "ArtifactsBucket" is no '
                 'resource of the template; did you mean "ArtifactBucket"?')


def test_config_in_another_folder_is_named_from_the_working_directory(example):
    edit_map(example, 'ArtifactKey = "9a8b', 'ArtifactKy = "9a8b')
    proc = pipelint("check", "example", cwd=example.parent)
    assert proc.returncode == 2
    assert proc.stderr.startswith('pipelint: error: example/pipelint.toml:20: [[stacks]] entry 2 '
                                  '(template = "tooling/artifacts.yaml"): physical-ids "ArtifactKy"'), proc.stderr


def _assembly(folder: Path) -> None:
    out = folder / "cdk.out"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": {
        "Tooling": {"type": "aws:cloudformation:stack", "environment": "aws://111111111111/us-east-1",
                    "properties": {"templateFile": "Tooling.template.json"}}}}))
    (out / "Tooling.template.json").write_text(json.dumps({
        "Parameters": {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>",
                                            "Default": "/cdk-bootstrap/hnb659fds/version"}},
        "Resources": {"ArtifactsBucket2AAC5544": {"Type": "AWS::S3::Bucket"}}}))


def test_cdk_out_templates_are_checked_too(tmp_path):
    _assembly(tmp_path)
    (tmp_path / "pipelint.toml").write_text(
        'inputs = ["cdk.out"]\n\n[[stacks]]\ntemplate = "cdk.out/Tooling.template.json"\n'
        'physical-ids = { ArtifactsBucket = "artifacts-111111111111" }\n')
    assert_error(pipelint("check", cwd=tmp_path),
                 'pipelint.toml:5: [[stacks]] entry 1 (template = "cdk.out/Tooling.template.json"): physical-ids '
                 '"ArtifactsBucket" is no resource of the template; did you mean "ArtifactsBucket2AAC5544"?')


def test_cdk_out_stack_takes_one_entry(tmp_path):
    _assembly(tmp_path)
    (tmp_path / "pipelint.toml").write_text(
        'inputs = ["cdk.out"]\n\n[[stacks]]\ntemplate = "cdk.out/Tooling.template.json"\nstack-name = "a"\n\n'
        '[[stacks]]\ntemplate = "cdk.out/Tooling.template.json"\nstack-name = "b"\n')
    assert_error(pipelint("check", cwd=tmp_path),
                 'pipelint.toml:7: [[stacks]] entry 2 (template = "cdk.out/Tooling.template.json"): entry 1 already '
                 'maps this cdk.out stack, which deploys once (its manifest gives the environment); only one entry '
                 'applies')


def test_cdk_out_entry_with_declared_names_passes(tmp_path):
    _assembly(tmp_path)
    (tmp_path / "pipelint.toml").write_text(
        'inputs = ["cdk.out"]\n\n[[stacks]]\ntemplate = "cdk.out/Tooling.template.json"\n'
        'parameters = { BootstrapVersion = "/cdk-bootstrap/hnb659fds/version" }\n'
        'physical-ids = { ArtifactsBucket2AAC5544 = "artifacts-111111111111" }\n')
    proc = pipelint("check", cwd=tmp_path)
    assert proc.returncode in (0, 1) and proc.stderr == "", proc.stderr
