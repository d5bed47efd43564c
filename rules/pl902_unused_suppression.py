"""
## What it does
Reports a pipelint suppression that covers no finding: a `Metadata: pipelint: ignore:` entry or a
config `[[suppress]]` entry whose rule ran and reported nothing it covers, or whose id names no
pipelint rule at all. A suppression of a rule that was not selected (`--select`, `ignore`) is not
reported: it could not have matched.

## Why is this bad?
A suppression that no longer matches is a trap: the problem it excused has been fixed (or the resource
renamed), but the entry stays and will silently hide the next real finding of that rule on that
resource. A misspelt id (`PL1O1`) suppresses nothing while looking as if it did. Like ruff's RUF100,
pipelint flags them so they are removed.

## Example
```yaml
ArtifactBucket:
  Type: AWS::S3::Bucket
  Metadata:
    pipelint:
      ignore:
        - id: PL201        # the bucket is versioned now; PL201 no longer reports it
          reason: "versioning enabled by a later stack"
```

## Fix
Delete the entry, or correct its `id`, `file` or `resource` so it names the finding it is meant for.
To keep an entry anyway, suppress this rule for it (`id: PL902`) or add `PL902` to `ignore`.
"""

from __future__ import annotations

from pipelint.model import World
from pipelint.rule import Report, Rule

RULE = Rule(id="PL902", name="unused-suppression", severity="warning",
            summary="Suppressions that cover no finding are removed")


def check(world: World, report: Report) -> None:
    """Nothing to do here: suppressions are matched after every rule ran; see check_suppressions."""


def check_suppressions(entries: list, report: Report) -> None:
    """Called by pipelint.suppressions with every suppression entry once matching is done."""
    for entry in entries:
        s = entry.suppression
        if not entry.unused:
            continue
        scope = []
        if s.file is not None:
            place = "/".join(map(str, s.prefix))
            scope.append(f"{s.file}{' ' + place if place else ''}")
        if s.resource is not None:
            scope.append(f"resource {s.resource}")
        on = f" on {' and '.join(scope)}" if scope else ""
        if not entry.known:
            report.fail(s.source, f"suppression names {s.rule}, which is not a pipelint rule",
                        fix="Correct the id (`pipelint rules` lists them) or delete the entry.")
        else:
            report.fail(s.source, f"suppression of {s.rule}{on} matches no finding",
                        fix="Delete the entry, or correct its id, file or resource.")
