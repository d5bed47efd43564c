"""Terraform plans: the JSON of ``terraform show -json PLANFILE`` into the model.

Terraform documents the format ("JSON Output Format"): ``planned_values`` holds every resource of the
plan with the values it will have, ``resource_changes[].change.after_unknown`` marks the values known
only after apply, ``prior_state`` holds the data sources read while planning, and ``configuration``
holds each resource's provider configuration key and the references behind its expressions. A plan
has resolved what a configuration leaves open: variables, ``count``/``for_each``, modules from a
registry, and — for resources that already exist — their real ARNs and key ids.

Accounts and regions: a resource's own ARN when it holds them; else its provider configuration —
the ``aws_caller_identity``/``aws_region`` data sources read with that configuration, a constant
``assume_role.role_arn``/``allowed_account_ids``/``region``, then the deployment map (``[[stacks]]``
whose ``template`` names the plan file, with ``account``/``region`` for the default provider and
``providers = {"aws.x" = {...}}``). A value known only after apply stays unknown and names the
references it comes from: the plan does not say how they combine, so pipelint does not guess.
"""

from __future__ import annotations

from typing import Any

from pipelint import arns
from pipelint.errors import InputError
from pipelint.loaders.documents import Document
from pipelint.loaders.terraform import resources
from pipelint.model import Source, World
from pipelint.values import Unknown


def _dict(value: Any) -> dict:
    """``value`` when it is a JSON object, else an empty one: a plan edited by hand (or by a fuzzer) may
    hold anything anywhere; what is not where the format puts it is simply not there."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _modules(module: Any, path: tuple) -> list:
    """(module dict, JSON path) for ``module`` and every child module below it."""
    if not isinstance(module, dict):
        return []
    found = [(module, path)]
    for i, child in enumerate(_list(module.get("child_modules"))):
        found += _modules(child, path + ("child_modules", i))
    return found


def _config_path(address: str) -> tuple[list, str]:
    """("module.a[0].module.b.aws_x.y[2]") -> (["a", "b"], "aws_x.y"): the configuration that made it."""
    parts, calls = address.split("."), []
    i = 0
    while i < len(parts) - 1 and parts[i] == "module":
        calls.append(parts[i + 1].split("[", 1)[0])
        i += 2
    rest = ".".join(parts[i:])
    bracket = rest.find("[")
    return calls, rest if bracket < 0 else rest[:bracket]


class Plan:
    def __init__(self, document: Document, spec: Any):
        self.document = document
        data = document.data
        self.file = document.path
        self.spec = spec  # the deployment map's [[stacks]] entry for the plan file, if any
        configuration = _dict(data.get("configuration"))
        self.providers = _dict(configuration.get("provider_config"))
        self.root_config = _dict(configuration.get("root_module"))
        self.unknown: dict = {}
        self.created: set = set()
        for change in _list(data.get("resource_changes")):
            address = _dict(change).get("address")
            if isinstance(address, str) and isinstance(change.get("change"), dict):
                self.unknown[address] = change["change"].get("after_unknown")
                if change["change"].get("actions") == ["create"]:
                    self.created.add(address)
        self.data_sources: dict = {}  # provider key -> {type: values}
        self._provider_cache: dict = {}

    # configuration
    def resource_config(self, address: str) -> dict:
        calls, local = _config_path(address)
        module = self.root_config
        for name in calls:
            module = _dict(_dict(_dict(module.get("module_calls")).get(name)).get("module"))
        for resource in _list(module.get("resources")):
            if isinstance(resource, dict) and resource.get("address") == local:
                return resource
        return {}

    def provider_key(self, address: str) -> str:
        key = self.resource_config(address).get("provider_config_key")
        return key if isinstance(key, str) else "aws"

    def _provider(self, key: str) -> dict:
        found = self.providers.get(key)
        if found is None and ":" in key:
            found = self.providers.get(key.split(":", 1)[1])
        return _dict(found)

    def _mapped(self, key: str, what: str) -> str | None:
        spec = self.spec
        if spec is None:
            return None
        entry = _dict((spec.providers or {}).get(key.split(":", 1)[-1]))
        if isinstance(entry.get(what), str):
            return entry[what]
        value = getattr(spec, what, None) if key.split(":", 1)[-1] == "aws" else None
        return value if isinstance(value, str) else None

    def _settle(self, key: str, what: str) -> Unknown:
        name = key.split(":", 1)[-1]
        via = f'{what} = "..."' if name == "aws" else f'providers = {{"{name}" = {{{what} = "..."}}}}'
        source = "aws_caller_identity" if what == "account" else "aws_region"
        return Unknown(f"the {what} of provider {name} in plan {self.file} is not known: give it in the deployment "
                       f"map ([[stacks]] template = \"{self.file}\", {via}), or read data \"{source}\" with that "
                       "provider")

    def provider_account(self, key: str) -> Any:
        if ("account", key) not in self._provider_cache:
            self._provider_cache[("account", key)] = self._account(key)
        return self._provider_cache[("account", key)]

    def _account(self, key: str) -> Any:
        identity = self.data_sources.get(key, {}).get("aws_caller_identity")
        if isinstance(identity, dict) and arns.ACCOUNT_RE.match(str(identity.get("account_id"))):
            return identity["account_id"]
        expressions = _dict(self._provider(key).get("expressions"))
        roles = _list(expressions.get("assume_role"))
        if roles:
            role = _dict(_dict(roles[-1]).get("role_arn")).get("constant_value")
            if arns.account_of(role):
                return arns.account_of(role)
        allowed = _dict(expressions.get("allowed_account_ids")).get("constant_value")
        if isinstance(allowed, list) and len(allowed) == 1 and isinstance(allowed[0], str):
            return allowed[0]
        return self._mapped(key, "account") or self._settle(key, "account")

    def provider_region(self, key: str) -> Any:
        region = self.data_sources.get(key, {}).get("aws_region")
        if isinstance(region, dict) and isinstance(region.get("name") or region.get("region"), str):
            return region.get("name") or region.get("region")
        constant = _dict(_dict(self._provider(key).get("expressions")).get("region")).get("constant_value")
        if isinstance(constant, str):
            return constant
        return self._mapped(key, "region") or self._settle(key, "region")

    def references(self, address: str, name: str) -> list:
        expression = _dict(self.resource_config(address).get("expressions")).get(name)
        refs = expression.get("references") if isinstance(expression, dict) else None
        return [r for r in refs if isinstance(r, str)] if isinstance(refs, list) else []


def _mark_unknown(values: Any, unknown: Any, address: str, path: tuple, plan: Plan) -> Any:
    """``values`` with every leaf ``after_unknown`` marks replaced by an Unknown that names it."""
    if unknown is True:
        dotted = ".".join(str(p) for p in path)
        refs = plan.references(address, str(path[0])) if path else []
        reason = f"{address}.{dotted} is known only after apply"
        if refs:
            reason += f" (it comes from {', '.join(refs[:3])}; lint the .tf configuration to follow them)"
        elif address in plan.created:
            reason += (" (this plan creates the resource: lint the .tf configuration, or a plan made once it "
                       "exists)")
        return Unknown(reason)
    if isinstance(unknown, dict):
        base = dict(values) if isinstance(values, dict) else {}
        for key, mark in unknown.items():
            base[key] = _mark_unknown(base.get(key), mark, address, path + (key,), plan)
        return base
    if isinstance(unknown, list):
        base = list(values) if isinstance(values, list) else []
        while len(base) < len(unknown):
            base.append(None)
        return [_mark_unknown(base[i], mark, address, path + (i,), plan) for i, mark in enumerate(unknown)]
    return values


def _unset(value: Any) -> Any:
    """The AWS provider reports an argument that is not set as "" (``permissions_boundary``, ``policy``)."""
    if isinstance(value, dict):
        return {k: _unset(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unset(v) for v in value]
    return None if value == "" else value


class PlanRecord:
    """A resource of a plan as :class:`.resources.Record`."""

    def __init__(self, plan: Plan, resource: dict, json_path: tuple):
        self.plan = plan
        self.type = resource.get("type")
        self.address = resource.get("address")
        self.key = self.address
        self.json_path = json_path
        values = resource.get("values") if isinstance(resource.get("values"), dict) else {}
        self.values = _mark_unknown(_unset(values), plan.unknown.get(self.address), self.address, (), plan)
        self.provider = plan.provider_key(self.address)
        if self.type == "aws_codepipeline":
            self._unset_regions()

    def _unset_regions(self) -> None:
        """An action ``region`` the configuration does not set is computed by the provider, and CodePipeline
        runs such an action in the pipeline's region (CodePipeline API reference, ActionDeclaration): not an
        unknown. Only where the configuration shows the action block (a dynamic block it does not)."""
        stages_config = _dict(self.plan.resource_config(self.address).get("expressions")).get("stage")
        for si, stage in enumerate(self.values.get("stage") if isinstance(self.values.get("stage"), list) else []):
            config = stages_config[si] if isinstance(stages_config, list) and si < len(stages_config) else None
            actions_config = config.get("action") if isinstance(config, dict) else None
            for ai, action in enumerate(stage.get("action") if isinstance(stage, dict) and isinstance(
                    stage.get("action"), list) else []):
                declared = actions_config[ai] if isinstance(actions_config, list) and ai < len(actions_config) else None
                if isinstance(action, dict) and isinstance(action.get("region"), Unknown) and \
                        isinstance(declared, dict) and "region" not in declared:
                    action["region"] = None

    @property
    def account(self) -> Any:
        account = arns.account_of(self.values.get("arn"))
        return account or self.plan.provider_account(self.provider)

    @property
    def region(self) -> Any:
        own = self.values.get("region")
        if isinstance(own, str) and own:
            return own
        region = arns.region_of(self.values.get("arn"))
        return region or self.plan.provider_region(self.provider)

    def attr(self, name: str) -> Any:
        value = self.values.get(name)
        if value is None or value == "":
            if name in ("id", "arn", "name", "key_id", "url", "bucket"):
                return Unknown(f"{self.address}.{name} is not in the plan")
            return None
        return value

    def source(self, sub: tuple = (), value: Any = None) -> Source:
        inner = ("values", *sub) if sub else ("address",)  # the resource at its address
        position = self.plan.document.locate(self.json_path + inner)
        line, column = position or (None, None)
        return Source(self.plan.file, (self.address, *sub), line, column)

    def origin(self, name: str) -> None:
        return None


def declared(data: dict):
    """What a plan offers the deployment map: no variables (the plan has resolved them) and its resource
    addresses (for physical-ids, which a plan of existing resources does not need)."""
    from pipelint.loaders.deployment_map import Declared

    addresses = []
    planned = data.get("planned_values") if isinstance(data.get("planned_values"), dict) else {}
    for module, _ in _modules(planned.get("root_module"), ()):
        addresses += [r["address"] for r in _list(module.get("resources"))
                      if isinstance(r, dict) and isinstance(r.get("address"), str)]
    return Declared("the plan (Terraform has resolved its variables)", (), tuple(addresses))


def load(document: Document, world: World, pending: list, spec: Any = None) -> None:
    data = document.data
    plan = Plan(document, spec)
    planned = data.get("planned_values") if isinstance(data.get("planned_values"), dict) else {}
    prior = data.get("prior_state") if isinstance(data.get("prior_state"), dict) else {}
    prior_values = prior.get("values") if isinstance(prior.get("values"), dict) else {}
    # data sources read while planning: the caller identity and region of each provider configuration
    for base, module_key in ((prior_values, ("prior_state", "values", "root_module")),
                             (planned, ("planned_values", "root_module"))):
        for module, _ in _modules(base.get("root_module"), module_key):
            for resource in _list(module.get("resources")):
                if not isinstance(resource, dict) or resource.get("mode") != "data":
                    continue
                if resource.get("type") in ("aws_caller_identity", "aws_region") and \
                        isinstance(resource.get("values"), dict) and isinstance(resource.get("address"), str):
                    key = plan.provider_key(str(resource.get("address")))
                    plan.data_sources.setdefault(key, {}).setdefault(resource["type"], resource["values"])
    root = planned.get("root_module")
    if root is not None and not isinstance(root, dict):
        raise InputError(document.path, "planned_values.root_module of a Terraform plan must be an object",
                         *(document.locate(("planned_values", "root_module")) or (None, None)))
    for module, path in _modules(root, ("planned_values", "root_module")):
        for i, resource in enumerate(_list(module.get("resources"))):
            if not isinstance(resource, dict) or resource.get("mode") != "managed":
                continue
            kind = resource.get("type")
            if not isinstance(resource.get("address"), str) or not isinstance(kind, str) or kind not in resources.HANDLED:
                continue
            resources.load(PlanRecord(plan, resource, path + ("resources", i)), world, pending)
