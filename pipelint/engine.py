"""Finds the rules, runs them over a world, and filters what they report."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from types import ModuleType

from pipelint.findings import Finding
from pipelint.model import World
from pipelint.records import record
from pipelint.rule import Report, Rule


@record(frozen=True)
class LoadedRule:
    """A rule module found in ``pipelint.rules``: its metadata and the module."""

    rule: Rule
    module: ModuleType

    @property
    def doc(self) -> str:
        return (self.module.__doc__ or "").strip()


def discover() -> list[LoadedRule]:
    """Every module in ``pipelint.rules`` that defines RULE and check(), sorted by id."""
    import pipelint.rules as package

    # one file per rule; a folder listing, not pkgutil, which imports inspect (5 ms) to read names
    names = sorted({entry.name[:-3] for folder in package.__path__ for entry in os.scandir(folder)
                    if entry.name.endswith(".py") and not entry.name.startswith("_") and entry.is_file()})
    found = []
    for name in names:
        module = importlib.import_module(f"pipelint.rules.{name}")
        rule = getattr(module, "RULE", None)
        if isinstance(rule, Rule) and callable(getattr(module, "check", None)):
            found.append(LoadedRule(rule, module))
    found.sort(key=lambda loaded: loaded.rule.id)
    ids = [loaded.rule.id for loaded in found]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise RuntimeError(f"two rule modules claim the id(s) {sorted(duplicates)}")
    return found


def selected(rules: Iterable[LoadedRule], select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[LoadedRule]:
    """Rules whose id starts with a `select` prefix (all when empty) and with no `ignore` prefix."""
    select = tuple(s.upper() for s in select)
    ignore = tuple(s.upper() for s in ignore)
    return [
        loaded for loaded in rules
        if (not select or loaded.rule.id.startswith(select)) and not (ignore and loaded.rule.id.startswith(ignore))
    ]


def run(world: World, rules: Iterable[LoadedRule]) -> list[Finding]:
    findings: list[Finding] = []
    for loaded in rules:
        report = Report(loaded.rule)
        loaded.module.check(world, report)
        findings.extend(report.findings)
    unique = {(f.rule_id, f.source.file, f.source.path, f.message): f for f in findings}
    return sorted(unique.values(), key=Finding.sort_key)
