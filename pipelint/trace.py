"""``pipelint trace PIPELINE [--action NAME]``: per action, the requests it makes at run time — who assumes
whom, who reads and writes which artifact objects, the KMS calls S3 makes for them, which role is passed —
each with its verdict and the statements (file:line) that allow or deny it; then the trigger's requests.

The requests are the links of the access chain (:mod:`pipelint.chain`), the very ones the grant rules
judge, with their verdicts (:mod:`pipelint.verdicts`): what ``check`` reports as a finding shows here as a
failing request, with the finding's fix. Printed as a tree (rich, in colour on a terminal) or as JSON.
"""

from __future__ import annotations

import io
import json
from typing import Any

from pipelint import arns, chain, verdicts
from pipelint.errors import UsageError
from pipelint.model import Pipeline, World
from pipelint.values import display

STYLES = {chain.HOLDS: "green", chain.FAILS: "bold red", chain.UNVERIFIED: "yellow"}
MARKS = {chain.HOLDS: "✓", chain.FAILS: "✗", chain.UNVERIFIED: "?"}
ORDER = {kind: index for index, kind in enumerate(chain.KINDS)}


def _order(judged: verdicts.Judged) -> float:
    """When the action makes the request: CloudFormation assumes the execution role once it is passed."""
    link = judged.link
    if link.rule == "PL304" and link.kind == chain.ASSUME:
        return ORDER[chain.PASS_ROLE] + 0.5
    return ORDER[link.kind]


def find(world: World, name: str) -> Pipeline:
    found = [p for p in world.pipelines if name in (p.name, p.label, p.key)]
    if not found:
        names = ", ".join(sorted({p.label for p in world.pipelines})) or "none"
        raise UsageError(f"no pipeline named {name!r} among the inputs (pipelines: {names})")
    if len(found) > 1:
        raise UsageError(f"{len(found)} pipelines are named {name!r}: name one by its ARN "
                         f"({', '.join(str(p.key) for p in found)})")
    return found[0]


def who(value: Any) -> str:
    """A caller or resource in few words: a role by name and account, anything else as it is."""
    if isinstance(value, str) and arns.is_role_arn(value):
        return f"{arns.role_name(value)} ({arns.account_of(value)})"
    return display(value) if value is not None else "<not known>"


def _request(judged: verdicts.Judged) -> dict:
    link = judged.link
    finding = next((f for f in judged.findings if f.verdict == "fail"), None) or next(iter(judged.findings), None)
    return {
        "kind": link.kind, "rule": link.rule, "verdict": judged.verdict,
        "caller": display(link.caller) if link.caller is not None else None, "who": link.who,
        "request": link.check.action if link.check is not None else None,
        "resource": display(link.check.resource) if link.check is not None else None,
        "artifact": link.artifact,
        "statements": [s.to_json() for s in judged.statements],
        "reasons": [display(r) for r in judged.reasons] if judged.verdict != chain.HOLDS else [],
        "settle": display(judged.settle) if judged.settle else None,
        "finding": ({"verdict": finding.verdict, "file": finding.source.file, "line": finding.source.line,
                     "message": finding.message, "fix": finding.fix, "suppressed": finding.suppressed}
                    if finding is not None else None),
    }


def build(world: World, pipeline: Pipeline, findings=(), action: str | None = None) -> dict:
    """The trace as plain data (what ``--format json`` prints)."""
    actions = pipeline.actions
    if action is not None:
        actions = [a for a in pipeline.actions if action in (a.name, a.label)]
        if not actions:
            names = ", ".join(a.label for a in pipeline.actions) or "none"
            raise UsageError(f"pipeline {pipeline.label} has no action {action!r} (actions: {names})")
    links = chain.of_pipeline(world, pipeline)
    judged = verdicts.judge(world, links, findings)
    out_actions = []
    for each in actions:
        mine = sorted((j for j in judged if j.link.action is each), key=_order)
        region = pipeline.action_region(each)
        out_actions.append({
            "action": each.label, "stage": each.stage, "name": each.name, "provider": display(each.provider),
            "region": display(region), "role": display(each.role_arn) if each.role_arn is not None else None,
            "requests": [_request(j) for j in mine]})
    triggers: dict = {}
    if action is None:
        for j in judged:
            if j.link.event_rule is not None:
                rule = j.link.event_rule
                entry = triggers.setdefault(rule.key, {"rule": rule.label, "arn": display(rule.arn), "requests": []})
                entry["requests"].append(_request(j))
    requests = [r for a in out_actions for r in a["requests"]] + [r for t in triggers.values() for r in t["requests"]]
    counts = {v: sum(1 for r in requests if r["verdict"] == v) for v in (chain.HOLDS, chain.FAILS, chain.UNVERIFIED)}
    # "subject", not "pipeline": a top-level "pipeline" object is what pipeline JSON inputs look like, and a
    # trace saved among the inputs must not be read as one
    return {"pipelint": "trace", "subject": {"name": pipeline.label, "arn": display(pipeline.key), "account": display(pipeline.account),
                         "region": display(pipeline.region),
                         "role": display(pipeline.role_arn) if pipeline.role_arn is not None else None},
            "actions": out_actions, "triggers": list(triggers.values()), "counts": counts}


def failing(data: dict) -> bool:
    """A request fails, or its rule reports another failure on it (a connection that is not AVAILABLE)."""
    requests = [r for a in data["actions"] for r in a["requests"]] + [r for t in data["triggers"]
                                                                      for r in t["requests"]]
    return any(r["verdict"] == chain.FAILS or (r["finding"] or {}).get("verdict") == "fail" for r in requests)


def to_json(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def _tree(data: dict):
    from rich.text import Text
    from rich.tree import Tree

    p = data["subject"]
    root = Tree(Text.assemble(("pipeline ", "bold"), (p["name"], "bold"),
                              f" (account {p['account']}, {p['region']}) · service role {who(p['role'])}"))
    for action in data["actions"]:
        runs = f" in {action['region']}" if action["region"] != p["region"] else ""
        role = f" · role {who(action['role'])}" if action["role"] else ""
        branch = root.add(Text.assemble((action["action"], "bold"), f" · {action['provider']}{runs}{role}"))
        if not action["requests"]:
            branch.add(Text("no request of this action is checked (none crosses an account or uses a key)",
                            style="dim"))
        for request in action["requests"]:
            _add(branch, request)
    for trigger in data["triggers"]:
        branch = root.add(Text.assemble(("trigger ", "bold"), (trigger["rule"], "bold"), " · EventBridge rule"))
        for request in trigger["requests"]:
            _add(branch, request)
    counts = data["counts"]
    total = sum(counts.values())
    return root, (f"{total} request{'' if total == 1 else 's'}: {counts[chain.HOLDS]} hold"
                  f"{'s' if counts[chain.HOLDS] == 1 else ''}, {counts[chain.FAILS]} fail"
                  f"{'s' if counts[chain.FAILS] == 1 else ''}, {counts[chain.UNVERIFIED]} unverified")


def _add(branch, request: dict) -> None:
    from rich.text import Text

    verdict = request["verdict"]
    if request["who"] in ("CloudFormation", "EventBridge"):
        caller = f"{request['who']} ({request['caller']})"
    else:
        caller = " ".join(part for part in (request["who"], who(request["caller"])) if part)
    artifact = f" artifact {request['artifact']}" if request["artifact"] else ""
    what = (f"{request['request']} on {request['resource']}" if request["request"] else "(no request could be built)")
    node = branch.add(Text.assemble((f"{MARKS[verdict]} {request['kind']}{artifact}", STYLES[verdict]),
                                    f": {caller} → {what} [{request['rule']}]"))
    for statement in request["statements"]:
        where = f"{statement['file']}:{statement['line']}" if statement["file"] else "(not in the inputs)"
        verb = {"Allow": "allowed by", "Deny": "denied by"}.get(statement["effect"], "undecided:")
        which = (f'Sid "{statement["sid"]}"' if statement["sid"] else
                 f"statement {statement['index'] + 1}" if statement["index"] is not None else "")
        label = f"{statement['policy']} ({which})" if which else statement["policy"]
        node.add(Text.assemble(f"{verb} {label} — ", (where, "cyan")))
    if verdict == chain.FAILS and not any(s["effect"] == "Deny" for s in request["statements"]):
        for reason in request["reasons"]:
            node.add(Text(reason))
        finding = request["finding"]
        if finding is not None:
            node.add(Text.assemble("see ", (f"{finding['file']}:{finding['line']}", "cyan")))
    if request["settle"]:
        node.add(Text(f"unverified: {request['settle']}", style="yellow"))
    finding = request["finding"]
    if verdict == chain.FAILS and finding is not None and finding["fix"]:
        node.add(Text(f"fix: {finding['fix']}"))
    elif verdict == chain.HOLDS and finding is not None and finding["verdict"] == "fail":
        # the request is allowed, but its rule found something else wrong (a connection still PENDING)
        node.add(Text.assemble(("but: ", "bold red"), finding["message"]))


def render_text(data: dict, colour: bool = False, stream=None) -> str:
    """The tree: plain (one line per entry, never cut) unless ``colour`` (rich, to ``stream``)."""
    from rich.console import Console

    tree, summary = _tree(data)
    if colour:
        console = Console(file=stream, highlight=False)
        console.print(tree)
        console.print(summary)
        return ""
    buffer = io.StringIO()
    console = Console(file=buffer, width=100_000, no_color=True, color_system=None, highlight=False,
                      soft_wrap=True)
    console.print(tree)
    console.print(summary)
    return buffer.getvalue()
