"""What a rule file imports: its metadata record and the reporter it yields findings through.

A rule is one module in ``rules/`` with a docstring (What it does / Why is this bad? / Example / Fix),
a module-level ``RULE = Rule(...)`` and a ``check(world, report)`` function that reads the model and
calls ``report.fail`` / ``report.unverified``. Rules never handle files, config or output.
"""

from __future__ import annotations


from pipelint.findings import FAIL, UNVERIFIED, Finding
from pipelint.model import Source
from pipelint.records import field, record
from pipelint.values import Unknown, display, fix_for


def _ids(resources) -> list[str]:
    """Resource identifiers for a finding: values the inputs could not settle are left out (also when a
    rule passed one through ``str``, which gives ``<unknown: reason>``)."""
    return [str(r) for r in resources if r is not None and not isinstance(r, Unknown)
            and str(r) != "None" and not str(r).startswith("<unknown: ")]


@record(frozen=True)
class Rule:
    """A rule's metadata; the module's docstring is its documentation."""

    id: str  # "PL" + three digits, selectable by prefix
    name: str  # kebab-case
    severity: str  # default severity of a failing finding: "error" or "warning"
    summary: str  # one line


@record
class Report:
    """Collects one rule's findings."""

    rule: Rule
    findings: list = field(default_factory=list)
    # messages and fixes read generated-name placeholders as words (values.display); resources keep them

    def fail(self, source: Source, message: str, *, resources=(), fix: str | None = None,
             severity: str | None = None) -> None:
        self.findings.append(Finding(
            rule_id=self.rule.id, rule_name=self.rule.name, message=display(message), source=source,
            resources=_ids(resources), severity=severity or self.rule.severity,
            verdict=FAIL, fix=display(fix) if fix else None))

    def unverified(self, source: Source, message: str, *, resources=(), settle: str) -> None:
        """The inputs cannot settle the requirement; ``settle`` names the input that would."""
        self.findings.append(Finding(
            rule_id=self.rule.id, rule_name=self.rule.name, message=display(f"unverified: {message}"),
            source=source, resources=_ids(resources), severity="info",
            verdict=UNVERIFIED, fix=display(fix_for(settle)), settle=display(settle)))
