"""``--format json``: the shape in ``pipelint/schemas/findings.schema.json``.

Every finding is listed; ``missing_inputs`` also groups the active unverified ones by the input that
would settle them (the text output's to-do list), each naming its findings by fingerprint."""

from __future__ import annotations

import json

from pipelint import __version__
from pipelint.findings import Finding, missing_inputs


def finding_dict(f: Finding) -> dict:
    return {
        "rule_id": f.rule_id, "rule_name": f.rule_name, "severity": f.severity, "verdict": f.verdict,
        "message": f.message, "resources": list(f.resources),
        "location": {"path": f.source.file, "line": f.source.line, "column": f.source.column,
                     "logical_path": list(f.source.path)},
        "fix": f.fix, "settle": f.settle, "fingerprint": f.fingerprint(), "suppressed": f.suppressed,
    }


def render(findings: list[Finding], notices: list, files: int) -> str:
    active = [f for f in findings if f.suppressed is None]
    return json.dumps({
        "version": 1,
        "tool": {"name": "pipelint", "version": __version__},
        "findings": [finding_dict(f) for f in findings],
        "missing_inputs": [{"settle": m.settle, "checks": len(m.findings), "rules": m.rules,
                            "findings": [f.fingerprint() for f in m.findings]} for m in missing_inputs(active)],
        "notices": [{"path": n.file, "message": n.message} for n in notices],
        "summary": {
            "error": sum(f.severity == "error" for f in active),
            "warning": sum(f.severity == "warning" for f in active),
            "info": sum(f.severity == "info" for f in active),
            "suppressed": len(findings) - len(active),
            "files": files,
        },
    }, indent=2) + "\n"
