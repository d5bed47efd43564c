"""Suppressions: CloudFormation ``Metadata`` entries and config ``suppress`` entries, matched to findings.

Where suppressions come from:

- **In source** (SARIF kind ``inSource``): ``Metadata: {pipelint: {ignore: [{id, reason}]}}`` at template
  level or resource level, and ``# pipelint: ignore PL302 reason`` comments in ``.tf`` files (on or
  above a resource, data or module block, or elsewhere in the file for the whole file). The loaders
  record them in ``World.suppressions``.
- **Config** (SARIF kind ``external``): ``[[suppress]]`` entries ``{id, file?, resource?, reason?}`` in
  the configuration, for inputs that cannot hold comments (pipeline JSON, policy files, cdk.out).

When an entry covers a finding (see :func:`covers`), the finding's ``suppressed`` becomes the entry's
reason and it no longer counts towards the exit code. After matching, the two meta-rules run:
PL901 (``suppression-without-reason``) reports entries with no reason, PL902 (``unused-suppression``)
reports entries that covered nothing although a rule they name ran — like ruff's RUF100. Their logic
lives in their rule modules (``check_suppressions``); this module only decides what matched.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from pipelint.config import Config
from pipelint.findings import Finding
from pipelint.lazy_re import lazy
from pipelint.model import Source, Suppression, World
from pipelint.records import field, record
from pipelint.rule import Report

IN_SOURCE = "inSource"
EXTERNAL = "external"
NO_REASON = "(no reason given)"


@record
class Entry:
    """One suppression and what became of it."""

    suppression: Suppression
    kind: str  # IN_SOURCE or EXTERNAL
    matched: int = 0  # findings it covered
    known: bool = True  # its id names (a prefix of) at least one pipelint rule
    relevant: bool = True  # at least one rule it names ran, so "matched nothing" means something

    @property
    def unused(self) -> bool:
        return self.matched == 0 and (self.relevant or not self.known)


@record
class Applied:
    """Suppressions applied: the entries, how each suppressed finding was suppressed, the PL9xx findings."""

    entries: list = field(default_factory=list)  # Entry
    kinds: dict = field(default_factory=dict)  # id(finding) -> IN_SOURCE / EXTERNAL
    meta: list = field(default_factory=list)  # the PL9xx findings


def _norm(path: str | os.PathLike) -> str:
    return os.path.normcase(os.path.abspath(path))


def display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


# -- where entries come from -------------------------------------------------------------------------

def from_config(cfg: Config) -> list[Suppression]:
    """The config's ``suppress`` entries; ``file`` is relative to the configuration file."""
    if not cfg.suppress:
        return []
    base = cfg.path.parent if cfg.path else Path.cwd()
    shown = display(cfg.path) if cfg.path else "(configuration)"
    table = ("tool", "pipelint", "suppress") if cfg.path and cfg.path.name == "pyproject.toml" else ("suppress",)
    lines = _entry_lines(cfg.path, len(cfg.suppress)) if cfg.path else [None] * len(cfg.suppress)
    found = []
    for i, entry in enumerate(cfg.suppress):
        reason = entry.get("reason")
        found.append(Suppression(
            rule=entry["id"].upper(),
            file=display(base / entry["file"]) if entry.get("file") else None,
            prefix=(),
            reason=reason if isinstance(reason, str) and reason.strip() else None,
            source=Source(shown, table + (i,), lines[i], 1 if lines[i] else None),
            resource=entry.get("resource"),
        ))
    return found


_HEADER = lazy(r"^[ \t]*\[\[\s*(?:tool\s*\.\s*pipelint\s*\.\s*)?suppress\s*\]\]", re.MULTILINE)


def _entry_lines(path: Path, count: int) -> list:
    """Best effort: the line of each ``[[suppress]]`` header (TOML parsers give no positions)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return [None] * count
    starts = [text.count("\n", 0, m.start()) + 1 for m in _HEADER.finditer(text)]
    return starts if len(starts) == count else [None] * count


def collect(world: World, cfg: Config) -> list[Entry]:
    """In-source entries first (deduplicated: a template deployed twice is loaded twice), then config."""
    entries, seen = [], set()
    for s in world.suppressions:
        identity = (s.rule, s.file and _norm(s.file), s.prefix, s.source.path, s.source.line)
        if identity in seen:
            continue
        seen.add(identity)
        entries.append(Entry(s, IN_SOURCE))
    entries += [Entry(s, EXTERNAL) for s in from_config(cfg)]
    return entries


# -- matching ---------------------------------------------------------------------------------------

class ResourceIndex:
    """Names each resource of the world answers to, and which resources each file/logical place defines."""

    def __init__(self, world: World):
        self.names: dict[str, set] = {}
        self.places: list[tuple[str, tuple, str]] = []  # (normalised file, logical path, resource key)
        for resource in world.all_resources():
            key = getattr(resource, "key", None)
            if not isinstance(key, str):
                continue
            names = {key}
            for attr in ("arn", "name", "key_id"):
                value = getattr(resource, attr, None)
                if isinstance(value, str):
                    names.add(value)
            names.update(a for a in getattr(resource, "aliases", []) if isinstance(a, str))
            source = getattr(resource, "source", None)
            if isinstance(source, Source):
                if len(source.path) >= 2 and source.path[0] == "Resources":
                    names.add(str(source.path[1]))
                elif source.path and is_address(source.path[0]):
                    names.add(str(source.path[0]))
                self.places.append((_norm(source.file), tuple(source.path), key))
            self.names.setdefault(key, set()).update(names)
            arn = getattr(resource, "arn", None)
            if isinstance(arn, str):
                self.names.setdefault(arn, set()).update(names)

    def defined_under(self, prefixes: tuple) -> set:
        """Resources whose logical path starts with one of ``prefixes`` (Terraform addresses), any file."""
        return {key for _, path, key in self.places if any(path[:len(p)] == p for p in prefixes)}

    def defined_in(self, file: str, prefix: tuple) -> set:
        file = _norm(file)
        return {key for f, path, key in self.places if f == file and path[:len(prefix)] == prefix}

    def answers_to(self, finding: Finding, name: str) -> bool:
        path = finding.source.path
        if len(path) >= 2 and path[0] == "Resources" and str(path[1]) == name:
            return True
        if path and is_address(path[0]) and _under(str(path[0]), name):
            return True
        return any(r == name or name in self.names.get(r, ()) for r in finding.resources)


_ADDRESS = lazy(r"^(?:[^:]+:)?(?:module\.[\w-]+(?:\[[^\]]*\])?\.)*(?:data\.)?[a-z0-9]+_[\w-]+\.[\w-]+")


def is_address(value: object) -> bool:
    """Whether a logical path's head is a Terraform resource address (module.x.aws_iam_role.deploy)."""
    return isinstance(value, str) and bool(_ADDRESS.match(value))


def _under(address: str, name: str) -> bool:
    """``name`` is the address, or a module (``module.target_dev``) that holds it."""
    address = address.split(":", 1)[-1] if ":" in address.split(".", 1)[0] else address
    return address == name or address.startswith(name + ".") or address.startswith(name + "[")


def covers(s: Suppression, finding: Finding, index: ResourceIndex) -> bool:
    """Whether suppression ``s`` covers ``finding``.

    The rule id must start with the entry's id. A Metadata entry covers findings located in its file
    under its logical place (the whole template, or ``Resources/<LogicalId>``), and findings about a
    resource defined there (a finding's ``resources``), wherever they are located. A config entry's
    ``file`` works like a template-level entry; its ``resource`` matches a finding whose resources or
    logical path name it (ARN, name, key id, alias or logical id); both given: both must match.
    """
    if not finding.rule_id.startswith(s.rule):
        return False
    if s.prefixes or s.span:
        path, line = tuple(finding.source.path), finding.source.line
        located = any(path[:len(p)] == p for p in s.prefixes) or (
            s.span is not None and line is not None and s.file is not None
            and _norm(finding.source.file) == _norm(s.file) and s.span[0] <= line <= s.span[1])
        if not located and not set(finding.resources) & index.defined_under(s.prefixes):
            return False
    elif s.file is not None:
        located = (_norm(finding.source.file) == _norm(s.file)
                   and tuple(finding.source.path[:len(s.prefix)]) == tuple(s.prefix))
        if not located and not set(finding.resources) & index.defined_in(s.file, tuple(s.prefix)):
            return False
    if s.resource is not None and not index.answers_to(finding, s.resource):
        return False
    return True


def match(findings: Iterable[Finding], entries: list[Entry], index: ResourceIndex | None, kinds: dict) -> None:
    """Mark covered findings suppressed (the first covering entry gives the reason) and count matches."""
    for finding in findings:
        if finding.suppressed is not None:
            continue
        for entry in entries:
            if covers(entry.suppression, finding, index):
                entry.matched += 1
                if finding.suppressed is None:
                    finding.suppressed = entry.suppression.reason or NO_REASON
                    kinds[id(finding)] = entry.kind


def apply(findings: list[Finding], world: World, cfg: Config, *, ran: Iterable, known: Iterable[str]) -> Applied:
    """Match every suppression; then the selected meta-rules among ``ran`` (LoadedRules) report on them.

    ``known`` is every rule id pipelint has, to tell a misspelt id from a rule that was not selected."""
    ran = list(ran)
    ran_ids = [loaded.rule.id for loaded in ran]
    known = list(known)
    applied = Applied(entries=collect(world, cfg))
    for entry in applied.entries:
        rule = entry.suppression.rule
        entry.known = any(i.startswith(rule) for i in known)
        entry.relevant = any(i.startswith(rule) for i in ran_ids)
    index = ResourceIndex(world) if applied.entries else None  # only entries consult it
    match(findings, applied.entries, index, applied.kinds)
    for loaded in ran:
        hook = getattr(loaded.module, "check_suppressions", None)
        if callable(hook):
            report = Report(loaded.rule)
            hook(applied.entries, report)
            applied.meta.extend(report.findings)
    # meta findings can themselves be suppressed (e.g. a template-level `ignore: [{id: PL902}]`)
    match(applied.meta, applied.entries, index, applied.kinds)
    return applied
