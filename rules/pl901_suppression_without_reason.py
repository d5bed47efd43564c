"""
## What it does
Reports a pipelint suppression — a CloudFormation `Metadata: pipelint: ignore:` entry or a
`[[suppress]]` entry in the configuration — that gives no `reason`.

## Why is this bad?
A suppression turns off a check that exists because a cross-account pipeline would otherwise fail
with AccessDenied, or be more open than it should be. Months later nobody can tell whether the
suppression was a considered exception or a way to get a red build green. The reason is what a
reviewer reads; it is also the `justification` of the SARIF suppression GitHub code scanning shows.
The suppression still applies; this finding only asks for the reason.

## Example
```yaml
Pipeline:
  Type: AWS::CodePipeline::Pipeline
  Metadata:
    pipelint:
      ignore:
        - id: PL101
```

## Fix
Say why the finding does not apply:
```yaml
  Metadata:
    pipelint:
      ignore:
        - id: PL101
          reason: "single-account pipeline; the deploy role is in this account too"
```
"""

from __future__ import annotations

from pipelint.model import World
from pipelint.rule import Report, Rule

RULE = Rule(id="PL901", name="suppression-without-reason", severity="warning",
            summary="Every suppression says why the finding does not apply")


def check(world: World, report: Report) -> None:
    """Nothing to do here: suppressions are matched after every rule ran; see check_suppressions."""


def check_suppressions(entries: list, report: Report) -> None:
    """Called by pipelint.suppressions with every suppression entry once matching is done."""
    for entry in entries:
        s = entry.suppression
        if s.reason is None:
            report.fail(s.source, f"suppression of {s.rule} has no reason",
                        fix="Give the entry a reason that says why the finding does not apply.")
