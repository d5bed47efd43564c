"""What rules report."""

from __future__ import annotations


from pipelint.model import Source
from pipelint.records import field, record

SEVERITIES = ("info", "warning", "error")
FAIL = "fail"  # the inputs show the requirement is broken
UNVERIFIED = "unverified"  # the inputs cannot settle it; the message names what input would


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@record
class Finding:
    """One finding: a rule's verdict on a resource, where it is written and how to fix it."""

    rule_id: str
    message: str
    source: Source
    resources: list = field(default_factory=list)
    severity: str = "error"
    verdict: str = FAIL
    fix: str | None = None
    suppressed: str | None = None  # the reason when a suppression matched
    rule_name: str = ""
    # unverified findings: the input (or the reason no input can help) that would settle it, as the
    # rule gave it; findings that share it are settled together
    settle: str | None = None

    def fingerprint(self) -> str:
        """Stable across moved code: rule, resources, logical path and message — no line numbers."""
        text = "\x1f".join(
            [self.rule_id, ",".join(map(str, self.resources)), self.source.file,
             "/".join(map(str, self.source.path)), self.message]
        )
        from pipelint.user_cache import digest  # SHA-256 without importing OpenSSL's hashlib

        return digest(text.encode())[:32]

    def sort_key(self) -> tuple:
        return (self.source.file, self.source.line or 0, self.source.column or 0, self.rule_id, self.message)


@record
class Missing:
    """One input the inputs lack, and the unverified findings it would settle."""

    settle: str
    findings: list = field(default_factory=list)

    @property
    def rules(self) -> list[str]:
        return sorted({f.rule_id for f in self.findings})


def missing_inputs(findings: list[Finding]) -> list[Missing]:
    """Active unverified findings grouped by what would settle them, the input that settles most first.

    Grouped by ``Finding.settle`` as the rule gave it (whitespace and a final full stop aside), never
    by reading the fix text; a finding made without it falls back on its fix, then its message."""
    groups: dict[str, Missing] = {}
    for f in findings:
        if f.verdict != UNVERIFIED or f.suppressed is not None:
            continue
        text = " ".join((f.settle or f.fix or f.message).split()).rstrip(".")
        groups.setdefault(text, Missing(text)).findings.append(f)
    return sorted(groups.values(), key=lambda m: (-len(m.findings), -len(m.rules), m.settle))
