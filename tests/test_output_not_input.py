"""The report is never an input: `pipelint check . --format json > out.json` inside the folder it lints
works (the shell creates out.json empty first), `--output FILE` is never read, an empty file is skipped
with a note, and a report that would land on a real input is refused (pipelint never writes to its inputs)."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES

PIPELINT = f"{shlex.quote(sys.executable)} -m pipelint"
CLEAN = {"error": 0, "warning": 0, "info": 0, "suppressed": 0, "files": 4}


@pytest.fixture
def example(tmp_path) -> Path:
    target = tmp_path / "example"
    shutil.copytree(FIXTURES / "example", target)
    return target


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    """A real shell redirection, as a user types it."""
    return subprocess.run(["sh", "-c", command], cwd=cwd, capture_output=True, text=True)


def pipelint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelint", *args], cwd=cwd, capture_output=True, text=True)


def test_stdout_redirected_into_the_linted_folder(example):
    for _ in range(2):  # the second run finds last run's report, truncated again by the shell
        proc = shell(f"{PIPELINT} check . --format json > out.json", example)
        assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
        report = json.loads((example / "out.json").read_text())
        assert report["findings"] == [] and report["notices"] == []  # skipped silently: it is the report
        assert report["summary"] == CLEAN


def test_stdout_redirected_text_report(example):
    proc = shell(f"{PIPELINT} check > report.yaml", example)
    assert proc.returncode == 0, proc.stderr
    assert (example / "report.yaml").read_text() == "No problems found in 4 file(s)\n"


def test_output_file_is_never_read(example):
    for _ in range(2):  # the second run finds the first run's report in the folder it lints
        proc = pipelint("check", ".", "--format", "json", "--output", "out.json", cwd=example)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
        report = json.loads((example / "out.json").read_text())
        assert report["notices"] == [] and report["summary"] == CLEAN


def test_another_report_in_the_folder_is_still_an_input_of_no_known_kind(example):
    pipelint("check", ".", "--format", "json", "--output", "old.json", cwd=example)
    proc = pipelint("check", ".", "--format", "json", "--output", "new.json", cwd=example)
    assert proc.returncode == 0
    assert json.loads((example / "new.json").read_text())["notices"] == [
        {"path": "old.json", "message": "not a template, pipeline, policy or snapshot; skipped"}]


def test_empty_files_are_skipped_with_a_note(example):
    (example / "empty.yaml").write_bytes(b"")
    (example / "tooling" / "blank.json").write_text("  \n\n\t\n")
    (example / "target" / "comments.yml").write_text("# to do\n")
    proc = pipelint("check", cwd=example)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == ("note: empty.yaml: empty file; skipped\n"
                           "note: target/comments.yml: empty file (only comments); skipped\n"
                           "note: tooling/blank.json: empty file; skipped\n"
                           "No problems found in 4 file(s)\n")


def test_an_empty_file_named_alone(in_tmp):
    (in_tmp / "t.yaml").write_text("")
    proc = pipelint("check", "t.yaml", cwd=in_tmp)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == "note: t.yaml: empty file; skipped\nNo problems found in 0 file(s)\n"


def test_an_empty_template_named_by_a_cloud_assembly_is_still_bad_input(in_tmp):
    (in_tmp / "cdk.out").mkdir()
    (in_tmp / "cdk.out" / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": {
        "S": {"type": "aws:cloudformation:stack", "environment": "aws://111111111111/us-east-1",
              "properties": {"templateFile": "S.template.json"}}}}))
    (in_tmp / "cdk.out" / "S.template.json").write_text("")
    proc = pipelint("check", "cdk.out", cwd=in_tmp)
    assert proc.returncode == 2
    assert proc.stderr == "pipelint: error: cdk.out/S.template.json: file is empty\n"


def test_output_onto_an_input_is_refused(example):
    template = example / "tooling" / "pipeline.yaml"
    before = template.read_bytes()
    proc = pipelint("check", ".", "--output", "tooling/pipeline.yaml", cwd=example)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == ("pipelint: error: tooling/pipeline.yaml: the report would go into this input (a "
                           "CloudFormation template) through --output tooling/pipeline.yaml; pipelint never "
                           "writes to its inputs: write the report elsewhere\n")
    assert template.read_bytes() == before


def test_stdout_appended_to_an_input_is_refused(example):
    policy = example / "key-policy.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": []}))
    before = policy.read_bytes()
    proc = shell(f"{PIPELINT} check . >> key-policy.json", example)
    assert proc.returncode == 2
    assert proc.stderr == ("pipelint: error: key-policy.json: the report would go into this input (a policy file) "
                           "through standard output; pipelint never writes to its inputs: write the report "
                           "elsewhere\n")
    assert policy.read_bytes() == before


def test_baseline_output_is_not_read_as_an_input(example):
    for _ in range(2):
        proc = pipelint("baseline", "--output", "pipelint-baseline.json", cwd=example)
        assert proc.returncode == 0 and proc.stderr == "pipelint: wrote 0 finding(s) to pipelint-baseline.json\n"
        assert json.loads((example / "pipelint-baseline.json").read_text()) == {"pipelint-baseline": 1, "findings": []}


def test_empty_documents_are_their_own_kind_of_bad_input():
    from pipelint.errors import EmptyInput, InputError
    from pipelint.loaders.documents import parse_document

    for text in ("", " \n\t\n", "# only a comment\n"):
        with pytest.raises(EmptyInput):
            parse_document(text, "t.yaml")
    with pytest.raises(InputError) as caught:
        parse_document("a: [", "t.yaml")
    assert not isinstance(caught.value, EmptyInput)
