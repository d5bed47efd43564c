"""Conformance against the politest scenarios (MIT), read at test time from ../shared/peer-tests.

politest's expectations come from AWS's ``iam:SimulateCustomPolicy``. This module reads its YAML
scenarios (``test/scenarios/*.yml`` except the deliberately wrong ``fail-*.yml``), follows ``extends``,
renders the Go ``{{.var}}`` templates, expands ``actions`` and checks our evaluator's exact decision for
each vector. Nothing from that suite is copied into this repository.

Translation of politest's model into ours (see ../shared/peer-tests/README.md, part A):

- ``policy_json``/``policy_template`` is the caller's identity policy; ``resource_policy_*`` the resource
  policy; ``scp_paths`` are merged and passed as a *permissions boundary*, which is exactly what politest
  feeds the simulator (``evaluate(..., permissions_boundary=...)``);
- the owner of the resource is ``resource_owner`` or, when absent, the caller's account;
- the simulator knows only the context it is given, so every condition key the policies mention and the
  vector does not give is passed as ABSENT (pipelint's own default would be UNKNOWN);
- only the first of several ``resources`` is checked, as politest does.
"""

from __future__ import annotations

import glob
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipelint.policy import ABSENT, Decision, Policy, Principal, Request, account_of, evaluate

POLITEST = Path(__file__).resolve().parent.parent.parent / "shared" / "peer-tests" / "reaandrew__politest"
SCENARIOS = POLITEST / "test" / "scenarios"
DEFAULT_CALLER = "arn:aws:iam::123456789012:user/politest-caller"
EXPECT = {"allowed": Decision.ALLOWED, "implicitDeny": Decision.IMPLICIT_DENY, "explicitDeny": Decision.EXPLICIT_DENY}

# Vectors whose expectation is an artefact of the simulator, not of AWS semantics we model.
SKIPS = {
    ("11-context-stringlist", 1): "simulator artefact (peer README caveat on 11): a one-value stringList for the "
                                  "single-valued key ec2:InstanceType matching StringLike is reported implicitDeny; "
                                  "pipelint treats a one-element list as that value and allows",
    ("11-context-stringlist", 3): "simulator artefact (peer README caveat on 11): StringEquals on aws:RequestedRegion "
                                  "with two request values that both match; AWS documents no semantics for a "
                                  "single-valued operator on a multivalued key, so pipelint answers UNKNOWN",
}

_TEMPLATE = re.compile(r"\{\{\s*\.([A-Za-z0-9_]+)\s*\}\}")


def render(text: Any, variables: dict[str, Any]) -> Any:
    if isinstance(text, str):
        return _TEMPLATE.sub(lambda m: str(variables[m.group(1)]), text)
    if isinstance(text, list):
        return [render(t, variables) for t in text]
    if isinstance(text, dict):
        return {k: render(v, variables) for k, v in text.items()}
    return text


_PATH_KEYS = ("policy_json", "policy_template", "resource_policy_json", "resource_policy_template", "vars_file")


def _absolutise(raw: dict, base: Path) -> dict:
    """Make every path in a scenario (or test) absolute, relative to the file that declared it."""
    out = dict(raw)
    for key in _PATH_KEYS:
        if isinstance(out.get(key), str):
            out[key] = str((base / out[key]).resolve())
    if isinstance(out.get("scp_paths"), list):
        out["scp_paths"] = [str(base / p) for p in out["scp_paths"]]
    if isinstance(out.get("tests"), list):
        out["tests"] = [_absolutise(t, base) for t in out["tests"]]
    return out


def load_scenario(path: Path) -> dict:
    raw = _absolutise(yaml.safe_load(path.read_text()) or {}, path.parent)
    parent_name = raw.pop("extends", None)
    if not parent_name:
        return raw
    parent = load_scenario((path.parent / parent_name).resolve())
    merged = dict(parent)
    for key, value in raw.items():
        if key == "tests" and not value:
            continue
        merged[key] = value
    return merged


def _variables(scn: dict) -> dict[str, Any]:
    variables: dict[str, Any] = {}
    if scn.get("vars_file"):
        variables.update(yaml.safe_load(Path(scn["vars_file"]).read_text()) or {})
    variables.update(scn.get("vars") or {})
    return variables


def _policy(path: str | None, templated: bool, variables: dict, name: str) -> Policy | None:
    if not path:
        return None
    text = Path(path).read_text()
    if templated:
        text = render(text, variables)
    return Policy(json.loads(text), name)


def _context(entries: list[dict]) -> dict[str, Any]:
    ctx: dict[str, Any] = {}
    for e in entries:
        values = [str(v) for v in e.get("ContextKeyValues", [])]
        typ = (e.get("ContextKeyType") or "string").lower()
        if typ.endswith("list"):
            ctx[e["ContextKeyName"]] = values
        elif typ == "boolean":
            ctx[e["ContextKeyName"]] = values[0].lower() if values else ABSENT
        else:
            ctx[e["ContextKeyName"]] = values[0] if values else ABSENT
    return ctx


def _condition_keys(document: Any) -> set[str]:
    keys: set[str] = set()
    stmts = document.get("Statement", []) if isinstance(document, dict) else []
    for s in stmts if isinstance(stmts, list) else [stmts]:
        for block in (s.get("Condition") or {}).values():
            keys.update(block.keys())
        for element in ("Resource", "NotResource"):
            for value in s.get(element, []) if isinstance(s.get(element), list) else [s.get(element)]:
                if isinstance(value, str):
                    keys.update(m.split(",")[0].strip() for m in re.findall(r"\$\{([^}]*)\}", value))
    return keys


@dataclass
class Vector:
    id: str
    scenario: str
    index: int
    name: str
    caller: str
    owner: str
    action: str
    resource: str
    context: dict
    identity: Policy | None
    resource_policy: Policy | None
    boundary: Policy | None
    expect: Decision


def load_vectors() -> list[Vector]:
    vectors: list[Vector] = []
    for path in sorted(SCENARIOS.glob("*.yml")):
        if path.name.startswith("fail-"):
            continue
        scn = load_scenario(path)
        variables = _variables(scn)
        identity = _policy(scn.get("policy_json") or scn.get("policy_template"), bool(scn.get("policy_template")),
                           variables, f"identity policy of {path.stem}")
        scp_docs = []
        for pattern in scn.get("scp_paths") or []:
            for f in sorted(glob.glob(pattern)):
                scp_docs.append(json.loads(Path(f).read_text()))
        boundary = None
        if scp_docs:
            merged = [s for d in scp_docs for s in (d["Statement"] if isinstance(d["Statement"], list) else [d["Statement"]])]
            boundary = Policy({"Version": "2012-10-17", "Statement": merged}, "SCPs passed as permissions boundary")
        base_ctx = scn.get("context") or []
        n = 0
        for test in scn.get("tests") or []:
            actions = test.get("actions") or [test["action"]]
            resources = test.get("resources") or [test.get("resource", "*")]
            rp_path = test.get("resource_policy_json") or test.get("resource_policy_template") or \
                scn.get("resource_policy_json") or scn.get("resource_policy_template")
            rp_templated = bool(test.get("resource_policy_template") or
                                (not test.get("resource_policy_json") and scn.get("resource_policy_template")))
            rp = _policy(rp_path, rp_templated, variables, f"resource policy of {path.stem}")
            caller = render(test.get("caller_arn") or scn.get("caller_arn") or DEFAULT_CALLER, variables)
            owner_arn = render(test.get("resource_owner") or scn.get("resource_owner") or "", variables)
            owner = account_of(owner_arn) if owner_arn else account_of(caller)
            # test-level context entries override scenario entries with the same name
            entries = {e["ContextKeyName"]: e for e in render(base_ctx, variables)}
            entries.update({e["ContextKeyName"]: e for e in render(test.get("context") or [], variables)})
            ctx = _context(list(entries.values()))
            mentioned = set()
            for p in (identity, rp, boundary):
                if p is not None:
                    mentioned |= _condition_keys(p.document)
            given = {k.lower() for k in ctx}
            for key in mentioned:
                if key.lower() not in given:
                    ctx[key] = ABSENT
            for action in actions:
                n += 1
                vectors.append(Vector(
                    id=f"{path.stem}[{n}]-{action}", scenario=path.stem, index=n,
                    name=render(test.get("name") or f"{action} on {resources[0]}", variables),
                    caller=caller, owner=owner, action=render(action, variables),
                    resource=render(resources[0], variables), context=ctx, identity=identity,
                    resource_policy=rp, boundary=boundary, expect=EXPECT[test["expect"]],
                ))
    return vectors


def _params() -> list:
    if not SCENARIOS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"politest scenarios not found at {SCENARIOS}"),
                             id="politest-absent")]
    out = []
    for v in load_vectors():
        marks = []
        reason = SKIPS.get((v.scenario, v.index))
        if reason:
            marks.append(pytest.mark.skip(reason=reason))
        out.append(pytest.param(v, marks=marks, id=v.id))
    return out


def run_vector(v: Vector):
    request = Request(Principal(v.caller, None), v.action, v.resource, v.owner, v.context)
    return evaluate(request, [v.identity] if v.identity else [], v.resource_policy,
                    permissions_boundary=v.boundary)


@pytest.mark.parametrize("vector", _params())
def test_politest_vector(vector: Vector) -> None:
    result = run_vector(vector)
    assert result.decision is vector.expect, (vector.name, result.reasons, result.unknowns)


@pytest.mark.skipif(not SCENARIOS.is_dir(), reason="politest scenarios not found")
def test_politest_vector_inventory() -> None:
    """The suite we read is the one described in the peer README (90 vectors: 48/18/24)."""
    vectors = load_vectors()
    counts = {d: sum(1 for v in vectors if v.expect is d) for d in EXPECT.values()}
    assert len(vectors) == 90
    assert counts == {Decision.ALLOWED: 48, Decision.IMPLICIT_DENY: 18, Decision.EXPLICIT_DENY: 24}
    # every skipped vector exists and is one of the simulator artefacts the peer README lists
    ids = {(v.scenario, v.index) for v in vectors}
    assert set(SKIPS) <= ids


@pytest.mark.skipif(not SCENARIOS.is_dir(), reason="politest scenarios not found")
def test_politest_cross_account_layers() -> None:
    """Where politest's bucket policy decides a cross-account vector, the resource layer says so."""
    by_id = {(v.scenario, v.index): v for v in load_vectors()}
    put = run_vector(by_id[("12-resource-policy-cross-account", 3)])
    assert put.decision is Decision.EXPLICIT_DENY and put.resource is Decision.EXPLICIT_DENY
    silent = run_vector(by_id[("21-strip-resource-policy-metadata", 3)])
    assert silent.decision is Decision.IMPLICIT_DENY
    assert silent.identity is Decision.ALLOWED and silent.resource is Decision.IMPLICIT_DENY


if os.environ.get("PIPELINT_POLITEST_REPORT"):  # pragma: no cover - manual aid
    for _v in load_vectors():
        print(_v.id, _v.expect.value, run_vector(_v).decision.value)
