"""`pipelint trace`: exact output on the bundled example (every request holds) and on its broken variant
(fixtures/graph/example-broken: one request denied by a statement, named with its file and line).

Snapshots live in tests/snapshots/ and are compared exactly; ``PIPELINT_UPDATE_SNAPSHOTS=1`` rewrites them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT

SNAPSHOTS = ROOT / "tests" / "snapshots"


def trace(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelint", "trace", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "NO_COLOR": "1"}, timeout=120)


def same_as_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("PIPELINT_UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no snapshot {name}: run with PIPELINT_UPDATE_SNAPSHOTS=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs; PIPELINT_UPDATE_SNAPSHOTS=1 rewrites it"


def test_trace_of_the_example_holds_everywhere():
    proc = trace("release", "fixtures/example")
    assert proc.returncode == 0, proc.stderr
    same_as_snapshot("trace.example.txt", proc.stdout)
    assert "✗" not in proc.stdout and "16 requests: 16 hold, 0 fail, 0 unverified" in proc.stdout


def test_trace_of_the_broken_example_names_the_deny():
    proc = trace("release", "fixtures/graph/example-broken", "--action", "DeployEU")
    assert proc.returncode == 1, proc.stderr
    same_as_snapshot("trace.example-broken.DeployEU.txt", proc.stdout)
    failing = [line for line in proc.stdout.splitlines() if "✗" in line]
    assert len(failing) == 1 and "decrypt" in failing[0] and "kms:Decrypt" in failing[0]
    assert ('denied by inline policy deploy of role PipelineDeployRole (Sid "KmsOnlyThroughS3InHomeRegion") — '
            "fixtures/graph/example-broken/target/deploy-roles.yaml:33") in proc.stdout
    line = (FIXTURES / "graph" / "example-broken" / "target" / "deploy-roles.yaml").read_text().splitlines()[32]
    assert "- Sid: KmsOnlyThroughS3InHomeRegion" in line  # line 33 is that statement


def test_trace_json():
    proc = trace("release", "fixtures/graph/example-broken", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["pipelint"] == "trace"
    assert data["subject"]["arn"] == "arn:aws:codepipeline:us-east-1:111111111111:release"
    assert [a["action"] for a in data["actions"]] == ["Source/Source", "Build/Build", "Deploy/DeployUS",
                                                       "Deploy/DeployEU"]
    assert [t["rule"] for t in data["triggers"]] == ["release-source-changed"]
    assert data["counts"] == {"holds": 15, "fails": 1, "unverified": 0}
    eu = data["actions"][3]["requests"]
    assert [(r["kind"], r["rule"], r["verdict"]) for r in eu] == [
        ("assume", "PL303", "holds"), ("read", "PL301", "holds"), ("decrypt", "PL302", "fails"),
        ("pass role", "PL304", "holds"), ("assume", "PL304", "holds")]
    denied = eu[2]
    assert denied["request"] == "kms:Decrypt"
    assert denied["resource"] == "arn:aws:kms:eu-west-1:111111111111:key/9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
    assert [(s["effect"], s["sid"], s["file"], s["line"]) for s in denied["statements"]] == [
        ("Deny", "KmsOnlyThroughS3InHomeRegion", "fixtures/graph/example-broken/target/deploy-roles.yaml", 33)]
    assert denied["finding"]["file"] == "fixtures/graph/example-broken/target/deploy-roles.yaml"
    assert denied["finding"]["line"] == 33 and "an Allow cannot override it" in denied["finding"]["fix"]


def test_trace_of_unverified_requests_says_what_would_settle_them(tmp_path):
    """Without its deployment map the example's accounts are unknown: the requests are unverified and
    say which input settles them."""
    for part in ("tooling", "target"):
        (tmp_path / part).mkdir()
        for template in (FIXTURES / "example" / part).iterdir():
            (tmp_path / part / template.name).write_text(template.read_text())
    proc = subprocess.run([sys.executable, "-m", "pipelint", "trace", "release", str(tmp_path), "--format", "json"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    requests = [r for a in data["actions"] for r in a["requests"]]
    unverified = [r for r in requests if r["verdict"] == "unverified"]
    assert unverified and all(r["settle"] for r in unverified)
    assert all(r["finding"] and r["finding"]["verdict"] == "unverified" for r in unverified)


@pytest.mark.parametrize("args, says", [
    (("nope", "fixtures/example"), "no pipeline named 'nope' among the inputs (pipelines: release)"),
    (("release", "fixtures/example", "--action", "Nope"),
     "pipeline release has no action 'Nope' (actions: Source/Source, Build/Build, Deploy/DeployUS, Deploy/DeployEU)"),
])
def test_trace_bad_names_exit_2(args, says):
    proc = trace(*args)
    assert proc.returncode == 2
    assert proc.stderr == f"pipelint: error: {says}\n"


def test_a_saved_trace_is_no_input(tmp_path):
    """A JSON trace written among the inputs is not read as pipeline JSON on the next run."""
    import shutil

    setup = tmp_path / "setup"
    shutil.copytree(FIXTURES / "example", setup)
    first = trace("release", str(setup), "--format", "json", "--output", str(setup / "trace.json"))
    assert first.returncode == 0, first.stderr
    again = trace("release", str(setup), "--format", "json", "--output", str(setup / "trace.json"))
    assert again.returncode == 0, again.stderr
    check = subprocess.run([sys.executable, "-m", "pipelint", "check", str(setup)], capture_output=True, text=True,
                           cwd=tmp_path, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_pending_connection_fails_the_trace_though_its_grant_holds():
    case = FIXTURES / "rules" / "PL307" / "fail" / "pending-connection-snapshot"
    proc = subprocess.run([sys.executable, "-m", "pipelint", "trace", "app", "."], capture_output=True, text=True,
                          cwd=case, timeout=120)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    grant = next(i for i, line in enumerate(lines) if "✓ use connection: pipeline role app-pipeline" in line)
    assert lines[grant + 1].endswith("(Sid \"UseSourceConnection\") — 111111111111-global.json:21")
    assert "but: connection arn:aws:codeconnections:us-east-1:111111111111:connection/" in lines[grant + 2]
    assert "is PENDING" in lines[grant + 2]
    assert lines[-1] == "1 request: 1 holds, 0 fail, 0 unverified"
