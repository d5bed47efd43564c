"""Baselines: accept today's findings, report only new ones.

``pipelint baseline`` writes the fingerprints of the current unsuppressed findings;
``pipelint check --baseline FILE`` (or ``baseline = "FILE"`` in the configuration) then marks findings
whose fingerprint is in the file as suppressed (SARIF kind ``external``, reason ``in baseline``), so only
new findings count towards the exit code.

The file is JSON::

    {
      "pipelint-baseline": 1,
      "findings": [
        {"fingerprint": "3f2a...", "rule_id": "PL101", "path": "tooling/pipeline.yaml",
         "resources": ["arn:aws:codepipeline:us-east-1:111111111111:app"], "message": "..."}
      ]
    }

Only ``fingerprint`` is used for matching; the other fields are there for people reading the diff of a
baseline in review. A fingerprint is :meth:`Finding.fingerprint` — a hash of rule id, resources, file,
logical path and message, **no line numbers**, so moving code around does not make a finding new — with
the file taken relative to the folder of the baseline file, so it does not matter which directory
pipelint runs from. Each entry accepts one finding (two identical findings need two entries).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from pipelint import records
from pipelint.errors import InputError
from pipelint.findings import Finding

FORMAT = 1
REASON = "in baseline"


def _relative_file(finding: Finding, base: Path) -> str:
    try:
        rel = os.path.relpath(os.path.abspath(finding.source.file), os.path.abspath(base))
    except ValueError:  # another drive on Windows
        rel = os.path.abspath(finding.source.file)
    return rel.replace(os.sep, "/")


def fingerprint(finding: Finding, base: Path) -> str:
    """The finding's fingerprint with its file relative to ``base`` (the baseline file's folder)."""
    source = records.replace(finding.source, file=_relative_file(finding, base))
    return records.replace(finding, source=source).fingerprint()


def render(findings: list[Finding], path: Path) -> str:
    base = path.parent
    entries = [
        {"fingerprint": fingerprint(f, base), "rule_id": f.rule_id, "path": _relative_file(f, base),
         "resources": list(f.resources), "message": f.message}
        for f in findings if f.suppressed is None
    ]
    entries.sort(key=lambda e: (e["path"], e["rule_id"], e["fingerprint"]))
    return json.dumps({"pipelint-baseline": FORMAT, "findings": entries}, indent=2) + "\n"


def write(findings: list[Finding], path: Path) -> int:
    """Write the baseline of the unsuppressed ``findings`` to ``path``; return how many entries."""
    text = render(findings, path)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), f"cannot write the baseline: {exc.strerror or exc}") from None
    return len(json.loads(text)["findings"])


def load(path: Path) -> Counter:
    """Fingerprint -> how many findings it accepts."""
    shown = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(shown, "baseline file not found (write one with `pipelint baseline`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(shown, f"cannot read the baseline: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(shown, f"the baseline is not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    if not isinstance(data, dict) or data.get("pipelint-baseline") != FORMAT or not isinstance(
            data.get("findings"), list):
        raise InputError(shown, f'not a pipelint baseline: expected {{"pipelint-baseline": {FORMAT}, '
                                '"findings": [...]}')
    counts: Counter = Counter()
    for i, entry in enumerate(data["findings"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise InputError(shown, f"baseline entry {i} has no fingerprint")
        counts[entry["fingerprint"]] += 1
    return counts


def apply(findings: list[Finding], path: Path, kinds: dict, counts: Counter | None = None) -> tuple[int, int]:
    """Mark findings in the baseline suppressed; return (findings matched, baseline entries left over).

    ``counts``: the baseline already read with :func:`load` (else ``path`` is read)."""
    remaining = Counter(counts) if counts is not None else load(path)
    base = path.parent
    matched = 0
    for finding in findings:
        if finding.suppressed is not None:
            continue
        fp = fingerprint(finding, base)
        if remaining[fp] > 0:
            remaining[fp] -= 1
            finding.suppressed = REASON
            kinds[id(finding)] = "external"
            matched += 1
    return matched, sum(remaining.values())
