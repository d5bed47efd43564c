"""Each link of the access chain with its verdict, the statements that decide it and the finding its rule
gives: what ``pipelint graph`` draws and ``pipelint trace`` prints.

The verdict is the evaluator's answer for the link's check (:func:`pipelint.chain.verdict`); the findings
come from the owning rule judging the very same link (its module's ``judge``, walked as ``check`` walks
it), so a red edge and a failing finding are one and the same.
"""

from __future__ import annotations

from typing import Any, Iterable

from pipelint import chain, engine, grants
from pipelint.chain import Link
from pipelint.findings import Finding
from pipelint.model import Source, World
from pipelint.policy import Result
from pipelint.records import field, record
from pipelint.rule import Report


@record
class Statement:
    """A statement that decided a link, and where it is written."""

    effect: str  # "Allow" / "Deny" / "" when the statement itself is not known
    policy: str  # the policy's name, as findings give it
    sid: str | None
    index: int  # position in the policy's Statement list; -1: the policy as a whole
    where: Source | None  # file and line; None for pipelint's copy of AWS-managed policies and unknown documents
    statement: Any

    def label(self) -> str:
        which = f'Sid "{self.sid}"' if self.sid else (f"statement {self.index + 1}" if self.index >= 0 else "")
        return f"{self.policy} ({which})" if which else self.policy

    def to_json(self) -> dict:
        return {"effect": self.effect or None, "policy": self.policy, "sid": self.sid,
                "index": self.index if self.index >= 0 else None,
                "file": self.where.file if self.where else None, "line": self.where.line if self.where else None,
                "statement": self.statement if isinstance(self.statement, dict) else None}


@record
class Judged:
    link: Link
    verdict: str  # chain.HOLDS / FAILS / UNVERIFIED
    result: Result | None
    findings: list = field(default_factory=list)  # the owning rule's findings for this link
    statements: list = field(default_factory=list)  # Statement
    covered_by: Link | None = None  # another link of its group whose finding stands for this one

    @property
    def reasons(self) -> list[str]:
        if self.link.broken is not None:
            return [self.link.broken]
        if self.result is None:
            return []
        return list(self.result.reasons)

    @property
    def settle(self) -> str | None:
        """What input would settle an unverified link."""
        if self.verdict != chain.UNVERIFIED:
            return None
        if self.link.unknown is not None:
            return self.link.unknown
        return grants.unknowns(self.result) if self.result is not None else None


def statements(result: Result | None) -> list[Statement]:
    if result is None:
        return []
    found = []
    for ref in result.deciding:
        stmt = ref.statement
        effect = stmt.get("Effect", "") if isinstance(stmt, dict) else ""
        found.append(Statement(effect if isinstance(effect, str) else "", ref.policy.name, ref.sid, ref.index,
                               grants.statement_source(ref), stmt))
    return found


def judge(world: World, links: Iterable[Link], findings: Iterable[Finding] = ()) -> list[Judged]:
    """Verdicts and findings for ``links`` (in their order). ``findings``: those of a ``check`` run over the
    same world; the link's findings are taken from there when present, so suppressions and severity
    overrides show as ``check`` reports them."""
    # the grant rules judge one link at a time: rule id -> (Rule, the module's judge)
    judges = {loaded.rule.id: (loaded.rule, loaded.module.judge) for loaded in engine.discover()
              if callable(getattr(loaded.module, "judge", None))}
    ran = {(f.rule_id, f.source.file, f.source.path, f.message): f for f in findings}
    links = list(links)
    by_rule: dict[str, list[Link]] = {}
    for link in links:
        by_rule.setdefault(link.rule, []).append(link)
    done: dict[int, Judged] = {}
    for rule_id, rule_links in by_rule.items():
        rule, rule_judge = judges[rule_id]
        walked = list(chain.judged(world, Report(rule), iter(rule_links), rule_judge))
        own = {id(link): produced for link, produced, _ in walked}
        for link, produced, cover in walked:
            verdict, result = chain.verdict(world, link)
            if cover is link:
                source = produced
            else:  # the group's finding stands for this link when this one does not hold either
                source = own[id(cover)] if verdict != chain.HOLDS else []
            mine = [ran.get((f.rule_id, f.source.file, f.source.path, f.message), f) for f in source]
            done[id(link)] = Judged(link, verdict, result, mine, statements(result),
                                    cover if cover is not link else None)
    return [done[id(link)] for link in links]
