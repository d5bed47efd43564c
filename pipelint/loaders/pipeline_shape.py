"""Builds a model Pipeline from a pipeline declaration in either spelling.

CloudFormation writes ``ArtifactStore``/``Stages``/``ActionTypeId``; the CodePipeline API writes
``artifactStore``/``stages``/``actionTypeId``. Action ``configuration`` keys are the same in both.
"""

from __future__ import annotations

from collections.abc import Callable

from pipelint.loaders.intrinsics import raw_path
from pipelint.model import Action, ArtifactStore, Pipeline, Source
from pipelint.values import Unknown

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

Locate = Callable[[tuple], Source]


def field(data: Any, name: str, default: Any = None) -> Any:
    """``data[Name]`` or ``data[name]``; ``default`` when ``data`` is not a mapping or has neither."""
    if not isinstance(data, dict):
        return default
    if name in data:
        return data[name]
    lower = name[0].lower() + name[1:]
    return data.get(lower, default)


def key_name(data: Any, name: str) -> str:
    """The spelling of ``name`` actually used in ``data`` (for logical paths)."""
    lower = name[0].lower() + name[1:]
    return lower if isinstance(data, dict) and lower in data and name not in data else name


def text(value: Any, what: str, label: Any = None) -> Any:
    """``value`` when it is what the model allows for a name or ARN (a string, an Unknown or None),
    else an Unknown saying so: rules can trust the model's types whatever the input held (found by
    fuzzing: a mapping where an ARN belongs reached the rules). ``what`` may leave ``{}`` for ``label``,
    filled in only then (a pipeline's actions have six such fields each)."""
    if value is None or isinstance(value, (str, Unknown)):
        return value
    return Unknown(f"{what.format(label) if label is not None else what} is not a string")


def _configuration(value: Any, label: str) -> dict:
    """Action configuration: values are strings (or a boolean/number such as PollForSourceChanges)."""
    if not isinstance(value, dict):
        return {}
    return {key: item if item is None or isinstance(item, (str, Unknown, bool, int, float))
            else Unknown(f"configuration {key} of action {label} is not a string")
            for key, item in value.items() if isinstance(key, str)}


def artifact_names(value: Any) -> list:
    names = []
    for item in value if isinstance(value, list) else []:
        names.append(text(field(item, "Name") if isinstance(item, dict) else item, "an artifact name"))
    return names


def build_store(store: Any, region: Any, path: tuple, locate: Locate) -> ArtifactStore:
    key = field(store, "EncryptionKey")
    return ArtifactStore(
        region=text(region, "the region of an artifact store"),
        bucket=text(field(store, "Location"), "the artifact store location"),
        key_id=text(field(key, "Id"), "the artifact store encryptionKey.id") if isinstance(key, dict) else (
            key if isinstance(key, Unknown) else None),
        key_type=text(field(key, "Type"), "the artifact store encryptionKey.type") if isinstance(key, dict) else None,
        source=locate(path),
    )


def build_pipeline(data: dict, *, key: str, name: Any, account: Any, region: Any, base: tuple,
                   locate: Locate) -> Pipeline:
    """``data`` is the pipeline declaration (CFN Properties or API ``pipeline`` object); ``base`` its path."""
    store = None
    stores = None
    store_sources = {}
    removed_stores: dict = {}
    single = field(data, "ArtifactStore")
    if single is not None:
        path = base + (key_name(data, "ArtifactStore"),)
        store = build_store(single, None, path, locate)
        store_sources["single"] = locate(path)
    many = field(data, "ArtifactStores")
    if many is not None:
        path = base + (key_name(data, "ArtifactStores"),)
        store_sources["map"] = locate(path)
        stores = {}
        if isinstance(many, dict):  # API shape: {region: store}
            for store_region, value in many.items():
                stores[store_region] = build_store(value, store_region, path + (store_region,), locate)
        elif isinstance(many, list):  # CFN shape: [{Region, ArtifactStore}]
            for i, item in enumerate(many):
                store_region = field(item, "Region")
                inner = field(item, "ArtifactStore")
                entry_path = raw_path(many, (i,), path) + (key_name(item, "ArtifactStore"),)
                built = build_store(inner, store_region, entry_path, locate)
                stores[store_region if isinstance(store_region, str) else f"#{i}"] = built
            for raw, why, would_be in getattr(many, "removed", ()):
                store_region = field(would_be, "Region")
                if isinstance(store_region, str):
                    removed_stores[store_region] = (locate(raw), why)
    actions = []
    stages_key = key_name(data, "Stages")
    stages = field(data, "Stages", [])
    for si, stage in enumerate(stages if isinstance(stages, list) else []):
        stage_name = field(stage, "Name", f"#{si}")
        actions_key = key_name(stage, "Actions")
        stage_actions = field(stage, "Actions", [])
        stage_source = locate(raw_path(data, (stages_key, si), base))
        for ai, action in enumerate(stage_actions if isinstance(stage_actions, list) else []):
            if not isinstance(action, dict):
                continue
            type_id = field(action, "ActionTypeId", {})
            config = field(action, "Configuration", {})
            action_name = field(action, "Name", f"#{ai}")
            action_name = action_name if isinstance(action_name, str) else f"#{ai}"
            label = f"{stage_name if isinstance(stage_name, str) else f'#{si}'}/{action_name}"
            actions.append(Action(
                stage=stage_name if isinstance(stage_name, str) else f"#{si}",
                name=action_name,
                category=text(field(type_id, "Category"), "the category of action {}", label),
                owner=text(field(type_id, "Owner"), "the owner of action {}", label),
                provider=text(field(type_id, "Provider"), "the provider of action {}", label),
                region=text(field(action, "Region"), "the region of action {}", label),
                role_arn=text(field(action, "RoleArn"), "the roleArn of action {}", label),
                configuration=_configuration(config, label),
                input_artifacts=artifact_names(field(action, "InputArtifacts", [])),
                output_artifacts=artifact_names(field(action, "OutputArtifacts", [])),
                # where the action is written, also when a condition removed stages or actions before it
                source=locate(raw_path(data, (stages_key, si, actions_key, ai), base)),
                stage_source=stage_source,
            ))
    return Pipeline(
        key=key, name=text(name, "the pipeline name"), account=text(account, "the pipeline's account"),
        region=text(region, "the pipeline's region"), role_arn=text(field(data, "RoleArn"), "the pipeline roleArn"),
        artifact_store=store, artifact_stores=stores, actions=actions, source=locate(base),
        pipeline_type=text(field(data, "PipelineType"), "the pipeline type"), store_sources=store_sources,
        removed_stores=removed_stores,
    )
