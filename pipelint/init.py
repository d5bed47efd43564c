"""``pipelint init``: write the deployment map (``pipelint.toml``) for the setup it finds.

:func:`questions` asks, template by template (the pipeline's first), for what a template does not say
itself: its account(s) and region(s), its stack name when its exports use it, the parameters without a
default that hold account ids, regions, names or ARNs, the SSM parameters it reads, and the physical
ids of the keys and buckets CloudFormation names. A cdk.out stack takes its account and region from
the manifest and gets an entry only when it has something left to give.

Defaults are inferred from how the templates point at each other (:class:`Session.infer`): the account
of a template that creates a role the pipeline names as ``arn:aws:iam::${DevAccount}:role/deploy`` is
the value of ``DevAccount``; an account parameter a role trusts is the pipeline's account; an import
pins the exporting stack to the importer's account and region and its export name gives the stack
name; an artifact store whose bucket name matches a bucket another template creates puts that template
in the store's region; a key ARN among the values gives that key's physical id. Nothing is guessed
beyond that: with ``--no-input`` what cannot be inferred is written as a ``# TODO`` comment naming
what would give it, so the file stays valid.

Each kind of input is one kind of entry (CloudFormation templates, cdk.out stacks); a Terraform root
module can become one more, today it is listed in a comment.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Callable, Iterator

from pipelint.errors import UsageError
from pipelint.records import field, record
from pipelint.survey import ACCOUNT_RE, REGION_RE, Setup, Template, Var, flatten, literal, substitute, survey

SSM_NOTE = "SSM parameters the templates read at deploy time (pipelint cannot read them offline)"
SCHEMA = Path(__file__).parent / "schemas" / "config.schema.json"
STEP_BUDGET = 20_000  # inference steps per question: the links form cycles, and a guard must end them


@record(frozen=True)
class Question:
    key: tuple
    text: str  # "account(s) of tooling/pipeline.yaml"
    kind: str  # accounts, regions, account, region, arn, name, text, id
    help: str = ""  # what the value is, from the template
    many: bool = False  # a list of values
    optional: bool = False  # leaving it out is normal (no TODO)


@record
class Guess:
    """What the setup says of one value: values with the reason for each, or else the values it equals."""

    value: object  # a string, a list of strings, or None when only relations are known
    reasons: dict = field(default_factory=dict)  # value -> why
    relations: list = field(default_factory=list)  # "parameter X of t.yaml (why)" when no value is known

    @property
    def why(self) -> str:
        if self.value:
            return "; ".join(dict.fromkeys(self.reasons.get(v, "") for v in _as_list(self.value) if v in self.reasons))
        return "; ".join(self.relations)


class Session:
    """The setup, the answers so far, and what follows from them."""

    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self.templates: list[Template] = setup.templates
        self.answers: dict = {}  # key -> value (None: left out)
        self.typed: set = set()  # keys whose value the user typed (not an inferred default)
        self._busy: set = set()
        self._known: dict = {}  # key -> Guess with a value (valid until the next answer)
        self._steps = 0

    # -- values ------------------------------------------------------------------------------------------

    def answer(self, key: tuple, value) -> None:
        self.answers[key] = value
        self._known.clear()

    def value(self, key: tuple):
        if key in self.answers:
            return self.answers[key]
        guess = self.infer(key)
        return guess.value if guess else None

    def accounts(self, i: int) -> list:
        t = self.templates[i]
        if t.cdk and t.cdk_account:
            return [t.cdk_account]
        return _as_list(self.value(("accounts", i)))

    def regions(self, i: int) -> list:
        t = self.templates[i]
        if t.cdk and t.cdk_region:
            return [t.cdk_region]
        return _as_list(self.value(("regions", i)))

    def one_account(self, i: int) -> str | None:
        found = self.accounts(i)
        return found[0] if len(found) == 1 else None

    def slot(self, i: int, slot) -> str | None:
        """The account an ARN's account field holds in template ``i``: literal, parameter, SSM, own."""
        if isinstance(slot, str):
            return slot
        if not isinstance(slot, Var):
            return None
        t = self.templates[i]
        if slot.kind == "param":
            param = t.params[slot.name]
            if param.ssm:  # its default names the SSM parameter that holds the value
                return _single(self.value(("ssm", param.default))) if param.default else None
            return param.default or _single(self.value(("param", i, slot.name)))
        if slot == Var("pseudo", "AWS::AccountId"):
            return self.one_account(i)
        if slot.kind == "ssm":
            return _single(self.value(("ssm", slot.name)))
        return None

    def describe(self, i: int, slot, own: bool = False) -> str:
        """An ARN's account field in words; ``own``: as template ``i`` would say it."""
        if isinstance(slot, Var) and slot.kind == "param":
            return f"its parameter {slot.name}" if own else f"parameter {slot.name} of {self.templates[i].shown}"
        if isinstance(slot, Var) and slot.kind == "ssm":
            return f"SSM parameter {slot.name}"
        if slot == Var("pseudo", "AWS::AccountId"):
            return "its own account" if own else f"the account of {self.templates[i].shown}"
        return str(slot)

    # -- inference -----------------------------------------------------------------------------------------

    def infer(self, key: tuple) -> Guess | None:
        """What the setup says of ``key`` given the answers so far (a value, or a relation to say)."""
        if key in self._known:
            return self._known[key]
        if not self._busy:
            self._steps = 0
        self._steps += 1
        if key in self._busy or self._steps > STEP_BUDGET:  # a cycle, or a setup too tangled to follow
            return None
        self._busy.add(key)
        try:
            guess = getattr(self, "_infer_" + key[0].replace("-", "_"))(*key[1:])
        finally:
            self._busy.discard(key)
        if guess is not None and guess.value not in (None, []):
            self._known[key] = guess
        return guess

    def _collect(self, hints: list) -> Guess | None:
        """hints: (value or None, why, what it equals, how); the values found, else the relations to say."""
        values: dict = {}
        relations: dict = {}
        for value, why, label, how in hints:
            if value:
                for v in _as_list(value):
                    values.setdefault(v, why)
            elif label:
                relations.setdefault(label, how)
        if values:
            return Guess(list(values), values)
        if relations:
            return Guess(None, relations=[label + (f" ({how})" if how else "") for label, how in relations.items()])
        return None

    def _infer_accounts(self, i: int) -> Guess | None:
        t = self.templates[i]
        if t.cdk and t.cdk_account:
            return Guess([t.cdk_account], {t.cdk_account: "the cloud assembly's manifest"})
        hints = []
        for j, ref, captured in self._role_sources(i):
            other = self.templates[j]
            if captured.get("account"):
                hints.append((captured["account"], f"{other.shown} names role {ref.role}, created here", None, None))
            elif ref.account is not None:
                hints.append((self.slot(j, ref.account), f"{other.shown} names role {ref.role}, created here, in "
                              f"{self.describe(j, ref.account, own=True)}", self.describe(j, ref.account),
                              f"{other.shown} names role {ref.role}, created here, in it"))
        for j, other in enumerate(self.templates):
            if j == i:
                continue
            for name, _ in self._imports(j, i):
                hints.append((self.accounts(j), f"{other.shown} imports its export {name}",
                              f"the account of {other.shown}", f"which imports its export {name}"))
            for _ in self._stores(j, i):
                hints.append((self.accounts(j), f"an artifact store of {other.shown} is its bucket",
                              f"the account of {other.shown}", "an artifact store of it is its bucket"))
        return self._collect(hints)

    def _infer_regions(self, i: int) -> Guess | None:
        t = self.templates[i]
        if t.cdk and t.cdk_region:
            return Guess([t.cdk_region], {t.cdk_region: "the cloud assembly's manifest"})
        hints = []
        for j, ref, captured in self._role_sources(i):
            if captured.get("region"):
                hints.append((captured["region"], f"{self.templates[j].shown} names role {ref.role}, created here",
                              None, None))
        for j, other in enumerate(self.templates):
            if j == i:
                continue
            for name, captured in self._imports(j, i):
                region = captured.get("region")
                value = [region] if region else self.regions(j)
                hints.append((value, f"{other.shown} imports its export {name}", f"the region of {other.shown}",
                              f"which imports its export {name}"))
            for store_region, region_text in self._stores(j, i):
                hints.append((store_region, f"the artifact store of {other.shown} in {region_text} is its bucket",
                              region_text, f"an artifact store of {other.shown} there is its bucket"))
        guess = self._collect(hints)
        if (guess is None or guess.value is None) and t.iam_only:
            for j in self._pipelines():
                regions = self.regions(j)
                if regions:
                    why = f"IAM only: any region will do, the pipeline's ({self.templates[j].shown})"
                    return Guess(regions[:1], {regions[0]: why})
        return guess

    def _infer_deployments(self, i: int) -> Guess | None:
        """Account/region pairs, when the roles a template creates per deployment are named with both
        (the CDK bootstrap stack: cdk-hnb659fds-deploy-role-ACCOUNT-REGION)."""
        hints = []
        for j, ref, captured in self._role_sources(i):
            account = captured.get("account") or (self.slot(j, ref.account) if ref.account is not None else None)
            if account and captured.get("region"):
                hints.append((f"{account}/{captured['region']}",
                              f"{self.templates[j].shown} names role {ref.role}, created here", None, None))
        return self._collect(hints)

    def paired(self, i: int) -> bool:
        """Whether template ``i``'s deployments are account/region pairs rather than every account in
        every region."""
        if ("deployments", i) in self.answers:
            return True
        if ("accounts", i) in self.answers or ("regions", i) in self.answers:
            return False
        pairs = _as_list(self.value(("deployments", i)))
        accounts = {p.split("/")[0] for p in pairs}
        regions = {p.split("/")[1] for p in pairs}
        return bool(pairs) and len(pairs) < len(accounts) * len(regions)

    def _infer_stack_name(self, i: int) -> Guess | None:
        t = self.templates[i]
        if t.cdk and t.cdk_name:
            return Guess(t.cdk_name, {t.cdk_name: "the cloud assembly's manifest"})
        for j, other in enumerate(self.templates):
            for name, captured in self._imports(j, i) if j != i else ():
                if captured.get("stack"):
                    return Guess(captured["stack"], {captured["stack"]: f"{other.shown} imports its export {name}"})
        return None

    def _infer_param(self, i: int, name: str) -> Guess | None:
        t = self.templates[i]
        kind, _ = t.params[name].kind()
        hints = []
        var = Var("param", name)
        if kind == "account":
            for ref in t.role_refs:
                if ref.account != var:
                    continue
                for j, other in enumerate(self.templates):
                    if j != i and ref.role in other.roles:
                        hints.append((self.one_account(j), f"it names role {ref.role}, which {other.shown} creates",
                                      f"the account of {other.shown}", f"which creates role {ref.role}, named in it"))
            if var in t.root_trusts and not t.is_pipeline:
                pipelines = [j for j in self._pipelines() if j != i]
                if len(pipelines) == 1:
                    j = pipelines[0]
                    hints.append((self.one_account(j), "a role trusts it: the pipeline's account",
                                  f"the account of {self.templates[j].shown}", "a role trusts it: the pipeline's"))
        for j, other in enumerate(self.templates):
            if j != i and name in other.params and other.params[name].kind()[0] == kind and kind != "ssm":
                value = other.default(name) or self.value(("param", j, name))
                hints.append((value, f"as parameter {name} of {other.shown}", f"parameter {name} of {other.shown}",
                              None))
        return _one(self._collect(hints), not _many(t.params[name]))

    def _infer_ssm(self, name: str) -> Guess | None:
        hints = []
        var = Var("ssm", name)
        for i, t in enumerate(self.templates):
            for ref in t.role_refs:
                if ref.account == var:
                    for j, other in enumerate(self.templates):
                        if j != i and ref.role in other.roles:
                            hints.append((self.one_account(j), f"{t.shown} names role {ref.role} in it, "
                                                               f"which {other.shown} creates",
                                          f"the account of {other.shown}", f"which creates role {ref.role}"))
        return _one(self._collect(hints), True)

    def _infer_physical_id(self, i: int, account, region, logical: str) -> Guess | None:
        t = self.templates[i]
        if not (account and region):
            return None
        if logical in t.keys and len(t.keys) == 1:
            pattern = re.compile(rf"arn:aws[-a-z]*:kms:{re.escape(region)}:{account}:key/([-0-9a-fA-F]+)")
            for value, where in self._arn_values():
                for match in pattern.finditer(value):
                    return Guess(match.group(1), {match.group(1): f"the key ARN in {where}"})
        unnamed = [b for b, name in t.buckets.items() if name is None]
        if logical in unnamed and len(unnamed) == 1:
            for j in self._pipelines():
                if self.one_account(j) != account:
                    continue
                for store in self.templates[j].stores:
                    store_region = literal(store.region) if store.region else _single(self.regions(j))
                    param = store.location[0] if store.location and len(store.location) == 1 else None
                    if store_region == region and isinstance(param, Var) and param.kind == "param":
                        value = self.value(("param", j, param.name)) or self.templates[j].default(param.name)
                        if value:
                            return Guess(value, {value: f"the artifact store of {self.templates[j].shown} in {region}"})
        return None

    # -- links ---------------------------------------------------------------------------------------------

    def _role_sources(self, i: int) -> Iterator[tuple[int, object, dict]]:
        """(j, role ref, captures) for each role ARN in another template ``j`` naming a role that
        template ``i`` creates: by its name, or by its name pattern (captures: account, region)."""
        t = self.templates[i]
        for j, other in enumerate(self.templates):
            if j == i:
                continue
            seen = set()
            for ref in other.role_refs:
                if (ref.role, ref.account) in seen:
                    continue
                seen.add((ref.role, ref.account))
                if ref.role in t.roles:
                    yield j, ref, {}
                    continue
                for pattern, _ in t.role_patterns:
                    captured = _match(pattern, ref.role)
                    if captured is not None:
                        yield j, ref, captured
                        break

    def _pipelines(self) -> list[int]:
        return [i for i, t in enumerate(self.templates) if t.is_pipeline]

    def _imports(self, j: int, i: int) -> Iterator[tuple[str, dict]]:
        """(import name, captures) for each export of template ``i`` that template ``j`` imports."""
        for name in sorted(self.templates[j].imports):
            for export in self.templates[i].exports:
                captured = _match(export, name)
                if captured is not None:
                    yield name, captured
                    break

    def _stores(self, j: int, i: int) -> Iterator[tuple[object, str]]:
        """(region value, region text) of each artifact store of ``j`` whose bucket template ``i`` creates."""
        other, t = self.templates[j], self.templates[i]
        for store in other.stores:
            if store.location is None:
                continue
            if len(store.location) == 1 and isinstance(store.location[0], Var) \
                    and store.location[0].kind == "import":
                continue  # an import links the templates already
            concrete = _concrete(substitute(store.location, other))
            if concrete is None:
                continue
            for name in t.buckets.values():
                if name is not None and _match(name, concrete) is not None:
                    if store.region is None:
                        yield self.regions(j), f"the region of {other.shown}"
                    else:
                        region = literal(store.region)
                        if region is None and len(store.region) == 1 and isinstance(store.region[0], Var) \
                                and store.region[0].kind == "param":
                            param = store.region[0].name
                            yield (other.default(param) or self.value(("param", j, param)),
                                   f"parameter {param} of {other.shown}")
                        else:
                            yield region, region or "its region"
                    break

    def _arn_values(self) -> Iterator[tuple[str, str]]:
        for key, value in self.answers.items():
            if isinstance(value, str) and value.startswith("arn:"):
                yield value, self.label(key)
        for i, t in enumerate(self.templates):
            for name, param in t.params.items():
                if param.default and param.default.startswith("arn:"):
                    yield param.default, f"the default of parameter {name} of {t.shown}"
                elif not param.default and ("param", i, name) not in self.answers and param.kind()[0] == "arn":
                    guess = self.infer(("param", i, name))
                    if guess and isinstance(guess.value, str):
                        yield guess.value, f"parameter {name} of {t.shown}"
            for text in sorted(t.literals):
                yield text, t.shown

    def label(self, key: tuple) -> str:
        kind = key[0]
        if kind in ("accounts", "regions", "deployments"):
            return f"{kind[:-1]} of {self.templates[key[1]].shown}"
        if kind == "stack-name":
            return f"stack name of {self.templates[key[1]].shown}"
        if kind == "param":
            return f"parameter {key[2]} of {self.templates[key[1]].shown}"
        if kind == "ssm":
            return f"SSM parameter {key[1]}"
        t = self.templates[key[1]]
        return f"physical id of {key[4]} in {t.shown}" + (f" ({key[2]}, {key[3]})" if key[2] else "")


def _one(guess: Guess | None, single: bool) -> Guess | None:
    """A value that takes one string: the only value found, or none when the setup gives several."""
    if guess is None or not guess.value or not single:
        return guess
    if len(guess.value) == 1:
        return Guess(guess.value[0], guess.reasons)
    return Guess(None, relations=[f"the setup gives several values: {', '.join(guess.value)}"])


def _single(value) -> str | None:
    if isinstance(value, list):
        return value[0] if len(value) == 1 else None
    return value


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _many(param) -> bool:
    return param.type.startswith("List<") or param.type == "CommaDelimitedList"


# -- matching names: an export name pattern against an import, a bucket name against a store location -----

_GROUPS = {"AWS::AccountId": r"(?P<account>\d{12}|\ue010)", "AWS::Region": r"(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+|\ue011)",
           "AWS::StackName": r"(?P<stack>[A-Za-z][-A-Za-z0-9]*)", "AWS::Partition": r"aws[-a-z]*",
           "AWS::URLSuffix": r"[a-z.]+"}


def _concrete(parts) -> str | None:
    """A name with the template's own account and region as markers; other unknown parts as wildcards."""
    out = ""
    for part in parts:
        if isinstance(part, str):
            out += part
        elif part == Var("pseudo", "AWS::AccountId"):
            out += "\ue010"
        elif part == Var("pseudo", "AWS::Region"):
            out += "\ue011"
        else:
            return None
    return out


def _match(pattern_parts, concrete: str) -> dict | None:
    """Captures (account, region, stack) when ``concrete`` fits the pattern; a marker is "the same as
    the other template's"."""
    regex, used = "", set()
    for part in pattern_parts:
        if isinstance(part, str):
            regex += re.escape(part)
        elif isinstance(part, Var) and part.kind == "pseudo" and part.name in _GROUPS:
            group = _GROUPS[part.name]
            if "?P<" in group:
                name = group[4:group.index(">")]
                if name in used:
                    regex += f"(?P={name})"
                    continue
                used.add(name)
            regex += group
        else:
            regex += ".+?"
    match = re.fullmatch(regex, concrete)
    if match is None:
        return None
    return {k: v for k, v in match.groupdict().items() if v and v not in ("\ue010", "\ue011")}


# -- the questions ---------------------------------------------------------------------------------------

KIND_HELP = {"account": "an account id", "region": "a region", "arn": "an ARN", "name": "a name",
             "ssm": "the value stored in SSM"}


def _order(session: Session) -> list[int]:
    templates = session.templates
    return sorted(range(len(templates)), key=lambda i: (not templates[i].is_pipeline, templates[i].shown))


def asked_params(t: Template) -> list[tuple[str, str, str, bool]]:
    """(name, kind, why, optional) of the parameters the map should give: no default, and something
    pipelint reads (an account, region, name or ARN); NoEcho ones (secrets) never. An account parameter
    with an empty default (the CDK bootstrap's TrustedAccounts) is asked too, but may stay empty."""
    out = []
    for name, param in t.params.items():
        kind, why = param.kind()
        optional = param.default == "" and kind == "account"
        if (param.default and not optional) or (param.default == "" and not optional) or param.no_echo \
                or kind is None or not param.uses:
            continue
        if kind == "ssm":  # its value is the SSM parameter's name
            kind, why = "name", f"the name of the SSM parameter it reads ({param.type})"
        out.append((name, kind, why, optional))
    return out


def ssm_names(t: Template) -> list[str]:
    """SSM parameters the template reads: SSM-typed parameters it uses, and dynamic references."""
    names = [p.default for p in t.params.values() if p.ssm and p.uses and p.default]
    return names + [n for n in t.ssm if n not in names]


def deployments(session: Session, i: int) -> list[tuple]:
    if not session.templates[i].cdk and session.paired(i):
        pairs = _as_list(session.value(("deployments", i)))
        if pairs:
            return [tuple(p.split("/", 1)) for p in pairs]
    accounts = session.accounts(i) or [None]
    regions = session.regions(i) or [None]
    return [(a, r) for a in accounts for r in regions]


def generated(t: Template) -> list[tuple[str, str]]:
    """(logical id, what) of the resources whose physical id CloudFormation generates and pipelint meets."""
    return [(k, "KMS key id") for k in t.keys] + [(b, "bucket name") for b, n in t.buckets.items() if n is None]


def questions(session: Session) -> Iterator[Question]:
    """The questions in order; later ones (physical ids per deployment) depend on earlier answers."""
    asked_ssm: set = set()
    order = _order(session)
    for i in order:
        t = session.templates[i]
        if not t.cdk and session.paired(i):
            yield Question(("deployments", i), f"deployments of {t.shown}", "deployments",
                           "account/region pairs, separated by commas", many=True)
        else:
            if not (t.cdk and t.cdk_account):
                yield Question(("accounts", i), f"account(s) of {t.shown}", "accounts", many=True)
            if not (t.cdk and t.cdk_region):
                yield Question(("regions", i), f"region(s) of {t.shown}", "regions", many=True)
        if t.uses_stack_name and not t.cdk:
            yield Question(("stack-name", i), f"stack name of {t.shown}", "text",
                           help="its exports or names use AWS::StackName")
        for name, kind, why, optional in asked_params(t):
            param = t.params[name]
            help_text = f"{KIND_HELP[kind]}{'s' if _many(param) else ''}: {why}"
            if param.description:
                help_text += f"; “{' '.join(param.description.split())}”"
            if optional:
                help_text += "; empty by default"
            yield Question(("param", i, name), f"parameter {name} of {t.shown}", kind, help_text,
                           many=_many(param), optional=optional)
        for name in ssm_names(t):
            if name not in asked_ssm:
                asked_ssm.add(name)
                yield Question(("ssm", name), f"SSM parameter {name}", "ssm", f"read by {t.shown} at deploy time")
    for i in order:
        t = session.templates[i]
        for account, region in deployments(session, i):
            for logical, what in generated(t):
                where = f" ({account}, {region})" if account and region and len(deployments(session, i)) > 1 else ""
                yield Question(("physical-id", i, account, region, logical),
                               f"physical id of {logical} in {t.shown}{where}", "id",
                               f"the {what} CloudFormation generated, once deployed; needed when another "
                               f"stack names it", optional=True)


def parse(question: Question, text: str):
    """The answer as a value (a list for ``many``); raises ValueError with a sentence when malformed."""
    text = text.strip()
    if question.many or question.kind in ("accounts", "regions"):
        values = [v for v in re.split(r"[,\s]+", text) if v]
        kind = {"accounts": "account", "regions": "region"}.get(question.kind, question.kind)
        for v in values:
            if kind == "deployments":
                account, _, region = v.partition("/")
                _check("account", account)
                _check("region", region)
            else:
                _check(kind, v)
        return values
    _check(question.kind, text)
    return text


def _check(kind: str, value: str) -> None:
    if kind == "account" and not ACCOUNT_RE.match(value):
        raise ValueError(f"{value!r} is not an account id (12 digits)")
    if kind == "region" and not REGION_RE.match(value):
        raise ValueError(f"{value!r} is not a region (such as us-east-1)")


def show(value) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


def converse(session: Session, ask: Callable[[Question, str | None, str], str],
             say: Callable[[str], None]) -> None:
    """Ask every question; ``ask(question, default, why)`` returns the raw answer ('' takes the default,
    '-' leaves the value out)."""
    for question in questions(session):
        guess = session.infer(question.key)
        default = show(guess.value) if guess and guess.value else None
        why = guess.why if guess else ""
        while True:
            raw = ask(question, default, why).strip()
            if raw == "-" or (raw == "" and default is None):
                session.answer(question.key, None)
                break
            try:
                session.answer(question.key, parse(question, raw or default))
                if raw and raw != default:
                    session.typed.add(question.key)
                break
            except ValueError as exc:
                say(f"  {exc}; '-' leaves it out")


def accept_inferred(session: Session) -> None:
    """--no-input: every value the setup gives is taken; the rest stays out (TODO in the file)."""
    for question in questions(session):
        guess = session.infer(question.key)
        if question.optional and question.key[0] == "param":
            continue  # its template's (empty) default stands unless someone says otherwise: a comment offers it
        if guess and guess.value:
            try:
                session.answer(question.key, parse(question, show(guess.value)))
            except ValueError:
                pass  # a template's literal that is not what the key takes: left for the user


# -- the file ------------------------------------------------------------------------------------------

def _toml(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name, ensure_ascii=False)


def _relpath(path: Path, base: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive
        return path.resolve().as_posix()


@record
class Written:
    text: str
    entries: int = 0
    todo: list = field(default_factory=list)  # labels of the values left out


def render(session: Session, inputs: list[Path], base: Path) -> Written:
    """The configuration as TOML; an inferred value says why in a comment, a typed one does not."""
    out = Written("")
    lines = ["# pipelint deployment map, written by `pipelint init`: which template deploys where, and",
             "# the values its parameters get. Check it; `pipelint check` then lints the inputs below.",
             "# A value marked TODO could not be inferred: fill it in (or run `pipelint init --force`",
             "# on a terminal, which asks for each value).",
             f"inputs = {_toml([_relpath(p, base) if _relpath(p, base) != '' else '.' for p in inputs])}", ""]
    for folder in session.setup.terraform:
        lines.append(f"# {folder}: Terraform, which init does not map: its providers give the accounts, else "
                     "add its [[stacks]] entry by hand (README, Terraform)")
    if session.setup.terraform:
        lines.append("")
    lines += _ssm_lines(session, out)
    agnostic_ok = [t.shown for t in session.templates if t.cdk and t.cdk_account and t.cdk_region]
    for i in _order(session):
        lines += _stack_lines(session, i, base, out)
    if agnostic_ok:
        lines.append("# cdk.out stacks take their account and region from the manifest; the ones not "
                     "listed above need no entry")
    out.text = "\n".join(_tidy(lines)) + "\n"
    return out


def _tidy(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return out


def _schema_has(key: str) -> bool:
    return key in json.loads(SCHEMA.read_text(encoding="utf-8")).get("properties", {})


def _ssm_lines(session: Session, out: Written) -> list[str]:
    names = [q.key[1] for q in questions(session) if q.key[0] == "ssm"]
    if not names:
        return []
    live = _schema_has("ssm")  # the configuration learns an ssm table; until then, a commented one
    prefix = "" if live else "# "
    lines = [f"# {SSM_NOTE}:" if live else f"# {SSM_NOTE}; uncomment the table once your pipelint reads it:",
             f"{prefix}[ssm]"]
    for name in names:
        value = session.value(("ssm", name))
        if value:
            lines.append(f"{prefix}{_key(name)} = {_toml(value)}")
        else:
            out.todo.append(f"SSM parameter {name}")
            lines += _todo(session, ("ssm", name), f"{_key(name)} = the value of SSM parameter {name}")
    return lines + [""]


def _todo(session: Session, key: tuple, what: str) -> list[str]:
    guess = session.infer(key)
    relations = guess.relations if guess and not guess.value else []
    return [f"# TODO: {what}"] + [f"#   the same as {relation}" for relation in relations]


def _comment(session: Session, key: tuple, value) -> str:
    if key in session.typed:
        return ""
    guess = session.infer(key)
    why = guess.reasons.get(value if isinstance(value, str) else None) if guess and guess.value else None
    if why is None and guess and guess.value:
        why = guess.why
    return f"  # {why}" if why else ""


def _stack_lines(session: Session, i: int, base: Path, out: Written) -> list[str]:
    t = session.templates[i]
    params = asked_params(t)
    physical = generated(t)
    name_key = ("stack-name", i)
    needs = not (t.cdk and t.cdk_account and t.cdk_region)
    if t.cdk and not needs and not params and not any(
            session.value(("physical-id", i, a, r, k)) for a, r in deployments(session, i) for k, _ in physical):
        if physical:
            return [f"# {_relpath(t.path, base)}: physical-ids, once deployed, if another stack names them: "
                    + ", ".join(f"{logical} ({what})" for logical, what in physical), ""]
        return []
    lines: list[str] = []
    for account, region in deployments(session, i):
        out.entries += 1
        lines += ["[[stacks]]", f"template = {_toml(_relpath(t.path, base))}"]
        if not (t.cdk and t.cdk_account):
            if account:
                key = ("deployments", i) if session.paired(i) else ("accounts", i)
                lines.append(f"account = {_toml(account)}"
                             f"{_comment(session, key, f'{account}/{region}' if key[0] == 'deployments' else account)}")
            else:
                out.todo.append(f"account of {t.shown}")
                lines += _todo(session, ("accounts", i), f"account of {t.shown} (an account id)")
        if not (t.cdk and t.cdk_region):
            if region:
                comment = "" if session.paired(i) else _comment(session, ("regions", i), region)
                lines.append(f"region = {_toml(region)}{comment}")
            else:
                out.todo.append(f"region of {t.shown}")
                lines += _todo(session, ("regions", i), f"region of {t.shown}")
        if t.uses_stack_name and not t.cdk:
            name = session.value(name_key)
            if name:
                lines.append(f"stack-name = {_toml(name)}{_comment(session, name_key, name)}")
            else:
                out.todo.append(f"stack name of {t.shown}")
                lines += _todo(session, name_key, f"stack-name of {t.shown} (its exports or names use it)")
        given, missing = [], []
        for name, kind, _, optional in params:
            key = ("param", i, name)
            value = session.answers.get(key) if optional else session.value(key)
            if value:
                given.append(f"{_key(name)} = {_toml(value)}{_comment(session, key, value)}")
            elif optional:  # its empty default stands; what the setup suggests is offered in a comment
                guess = session.infer(key)
                if guess and guess.value:
                    missing.append(f"# {_key(name)} = {_toml(guess.value)}  # empty by default; if it was given "
                                   f"this value: {guess.why}")
            else:
                out.todo.append(f"parameter {name} of {t.shown}")
                missing += _todo(session, key, f"parameter {name} of {t.shown} ({KIND_HELP[kind]})")
        if given or missing:
            lines += ["[stacks.parameters]"] if given else []
            lines += given + missing
        ids, unknown = [], []
        for logical, what in physical:
            key = ("physical-id", i, account, region, logical)
            value = session.value(key)
            if value:
                ids.append(f"{_key(logical)} = {_toml(value)}{_comment(session, key, value)}")
            else:
                unknown.append(f"{logical} ({what})")
        if ids:
            lines += ["[stacks.physical-ids]"] + ids
        if unknown:
            lines.append(f"# physical-ids, once deployed, if another stack names them: {', '.join(unknown)}")
        lines.append("")
    return lines


# -- the command -----------------------------------------------------------------------------------------

def existing(target: Path) -> str | None:
    """Why writing ``target`` would replace a configuration, or None."""
    if target.exists():
        return f"{target} exists"
    pyproject = target.parent / "pyproject.toml"
    if target.name == "pipelint.toml" and pyproject.is_file() and b"[tool.pipelint" in pyproject.read_bytes():
        return f"{pyproject} has a [tool.pipelint] table, which {target.name} would replace"
    return None


def prepare(inputs: list[Path], target: Path, force: bool) -> Session:
    from pipelint.loaders import display_path

    reason = existing(target)
    if reason and not force:
        raise UsageError(f"{reason}; pipelint init does not overwrite a configuration (--force does)")
    setup = survey(inputs, display_path)
    if not setup.templates:
        terraform = (" (init maps CloudFormation and cdk.out; `pipelint check` reads the Terraform, whose "
                     "providers give the accounts)") if setup.terraform else ""
        raise UsageError(f"no CloudFormation template or cdk.out among the inputs{terraform}: nothing to map")
    return Session(setup)


def write(session: Session, inputs: list[Path], target: Path) -> Written:
    """Render, check against the configuration schema, then write ``target``."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    from pipelint import config

    written = render(session, inputs, target.parent)
    config.validate(tomllib.loads(written.text), target, written.text)
    target.write_text(written.text, encoding="utf-8")
    return written
