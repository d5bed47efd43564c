"""``--format sarif``: SARIF 2.1.0, as GitHub code scanning reads it.

- ``runs[0].tool.driver``: name, version, informationUri and ``rules[]`` — one per rule that ran (plus any
  rule a result names), with id, name, ``shortDescription`` (the rule's summary), ``fullDescription``
  (its "What it does" section), ``help.text``/``help.markdown`` (the whole rule doc, the text
  ``pipelint explain`` prints) and ``defaultConfiguration.level`` (the configured severity).
- ``results[]``: ``ruleId``, ``ruleIndex``, ``level`` (error/warning/note), ``message.text`` (the message
  and the fix), one location with ``artifactLocation.uri`` relative to the repository root (``uriBaseId``
  ``%SRCROOT%``, forward slashes; a file outside the root gets an absolute ``file:`` URI instead) and
  ``region.startLine``/``startColumn`` when the line is known, a logical location (the finding's
  logical path), ``partialFingerprints["pipelint/v1"]`` = :meth:`Finding.fingerprint` (no line
  numbers), and ``suppressions[]`` for suppressed findings: kind ``inSource`` for CloudFormation
  Metadata, ``external`` for config entries and the baseline, ``justification`` = the reason.
- The repository root is the nearest folder upward from the working directory holding ``.git``, else the
  working directory. Notices (skipped files) become ``toolExecutionNotifications``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import quote

from pipelint import __version__
from pipelint.findings import Finding

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
# the project has no public home yet (same placeholder domain as the shipped schemas' $id)
INFORMATION_URI = "https://pipelint.invalid/"
SRCROOT = "%SRCROOT%"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def find_root(start: Path | None = None) -> Path:
    """The repository root: the nearest folder upward holding ``.git``, else ``start`` (the cwd)."""
    start = Path(os.path.abspath(start or os.getcwd()))
    for folder in [start, *start.parents]:
        if (folder / ".git").exists():
            return folder
    return start


def relative_path(file: str, root: Path) -> str | None:
    """``file`` relative to ``root`` with forward slashes; None when it is outside the root."""
    try:
        rel = os.path.relpath(os.path.abspath(file), root)
    except ValueError:  # another drive on Windows
        return None
    rel = rel.replace(os.sep, "/")
    if rel == ".." or rel.startswith("../"):
        return None
    return rel


def artifact_location(file: str, root: Path) -> dict:
    rel = relative_path(file, root)
    if rel is None:
        return {"uri": Path(os.path.abspath(file)).as_uri()}
    return {"uri": quote(rel, safe="/"), "uriBaseId": SRCROOT}


def section(doc: str, title: str) -> str:
    """One ``## title`` section of a rule doc, as one paragraph of plain text."""
    match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", doc, re.MULTILINE | re.DOTALL)
    return " ".join(match.group(1).split()) if match else ""


def rule_descriptor(loaded, severity: str) -> dict:
    rule, doc = loaded.rule, loaded.doc
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": section(doc, "What it does") or rule.summary},
        "help": {"text": doc or rule.summary, "markdown": doc or rule.summary},
        "defaultConfiguration": {"level": LEVEL.get(severity, "warning")},
        "properties": {"tags": ["aws", "codepipeline", "cross-account"]},
    }


def result(f: Finding, index: int, root: Path, kind: str | None) -> dict:
    text = f.message + (f"\nFix: {f.fix}" if f.fix else "")
    physical: dict = {"artifactLocation": artifact_location(f.source.file, root)}
    if f.source.line:
        region = {"startLine": f.source.line}
        if f.source.column:
            region["startColumn"] = f.source.column
        physical["region"] = region
    location: dict = {"physicalLocation": physical}
    if f.source.path:
        location["logicalLocations"] = [{"fullyQualifiedName": "/".join(map(str, f.source.path))}]
    out = {
        "ruleId": f.rule_id,
        "ruleIndex": index,
        "level": LEVEL.get(f.severity, "warning"),
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {"pipelint/v1": f.fingerprint()},
        "properties": {"verdict": f.verdict, "severity": f.severity, "resources": list(f.resources)},
    }
    if f.suppressed is not None:
        out["suppressions"] = [{"kind": kind or "external", "justification": f.suppressed}]
    return out


def render(outcome, *, root: Path | None = None, version: str = __version__) -> str:
    from pipelint import engine

    root = Path(os.path.abspath(root)) if root else find_root()
    loaded = list(outcome.rules)
    have = {r.rule.id for r in loaded}
    missing = {f.rule_id for f in outcome.findings} - have
    if missing:
        loaded += [r for r in engine.discover() if r.rule.id in missing]
    loaded.sort(key=lambda r: r.rule.id)
    index = {r.rule.id: i for i, r in enumerate(loaded)}
    overrides = outcome.config.severity
    rules = [rule_descriptor(r, overrides.get(r.rule.id, r.rule.severity)) for r in loaded]
    results = [result(f, index[f.rule_id], root, outcome.suppression_kind(f))
               for f in outcome.findings if f.rule_id in index]
    notifications = []
    for notice in outcome.world.notices:
        note: dict = {"level": "note", "message": {"text": notice.message}}
        if os.path.exists(notice.file):
            note["locations"] = [{"physicalLocation": {"artifactLocation": artifact_location(notice.file, root)}}]
        notifications.append(note)
    invocation: dict = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "pipelint",
                "version": version,
                "semanticVersion": version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "invocations": [invocation],
            "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2) + "\n"
