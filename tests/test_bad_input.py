"""Bad input never produces a traceback: exit 2 with the file, the line when there is one, and a sentence."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CASES = {
    "unknown-tag.yaml": ("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Foo x\n",
                         "unknown-tag.yaml:5", "unknown YAML tag"),
    "syntax.json": ('{\n  "Resources": {\n    "Bucket": {"Type": "AWS::S3::Bucket",}\n  }\n}\n',
                    "syntax.json:3", ""),
    "bad-yaml.yaml": ("Resources:\n  Bucket:\n    Type: [unclosed\n", "bad-yaml.yaml:", ""),
    "pipeline-missing.json": (json.dumps({"pipeline": {"name": "app", "stages": []}}, indent=2),
                              "pipeline-missing.json:2", "roleArn"),
    "resource-not-mapping.yaml": ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket: 3\n"
                                  "  Other:\n    Type: AWS::S3::Bucket\n", "resource-not-mapping.yaml:3", "Bucket"),
    "bad-keypolicy.yaml": ("Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy: '{\"Statement\": [}'\n",
                           "bad-keypolicy.yaml:5", "not valid JSON"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_exits_2_with_location(name, in_tmp):
    text, where, words = CASES[name]
    (in_tmp / name).write_text(text)
    proc = subprocess.run([sys.executable, "-m", "pipelint", "check", name], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert where in proc.stderr, proc.stderr
    assert words in proc.stderr


def test_assembly_template_that_is_not_a_mapping(in_tmp):
    (in_tmp / "cdk.out").mkdir()
    (in_tmp / "cdk.out" / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": {
        "S": {"type": "aws:cloudformation:stack", "environment": "aws://111111111111/us-east-1",
              "properties": {"templateFile": "S.template.json"}}}}))
    (in_tmp / "cdk.out" / "S.template.json").write_text("[1, 2]\n")
    proc = subprocess.run([sys.executable, "-m", "pipelint", "check", "cdk.out"], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("pipelint: error: cdk.out/S.template.json:1:1: the cloud assembly names this "
                                  "file as a stack template, but it is not a CloudFormation template"), proc.stderr


def test_non_utf8_file(in_tmp):
    (in_tmp / "latin1.yaml").write_bytes(b"Resources:\n  B:\n    Type: AWS::S3::Bucket # caf\xe9\n")
    proc = subprocess.run([sys.executable, "-m", "pipelint", "check", "latin1.yaml"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "latin1.yaml" in proc.stderr and "UTF-8" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_path_is_usage_error(in_tmp):
    proc = subprocess.run([sys.executable, "-m", "pipelint", "check", "nope"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "nope: no such file or folder" in proc.stderr


def test_invalid_config_names_the_key(in_tmp):
    (in_tmp / "pipelint.toml").write_text('inputs = ["."]\nfail-on = "fatal"\n')
    (in_tmp / "t.yaml").write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    proc = subprocess.run([sys.executable, "-m", "pipelint", "check"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "pipelint.toml" in proc.stderr and "'fail-on'" in proc.stderr


def test_inputs_are_never_written(in_tmp):
    path = in_tmp / "t.yaml"
    path.write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    subprocess.run([sys.executable, "-m", "pipelint", "check", "t.yaml"], capture_output=True, text=True)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
