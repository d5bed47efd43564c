"""Builds a model Pipeline from a pipeline declaration in either spelling.

CloudFormation writes ``ArtifactStore``/``Stages``/``ActionTypeId``; the CodePipeline API writes
``artifactStore``/``stages``/``actionTypeId``. Action ``configuration`` keys are the same in both.
"""

from __future__ import annotations

from typing import Any, Callable

from pipelint.model import Action, ArtifactStore, Pipeline, Source
from pipelint.values import Unknown

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


def artifact_names(value: Any) -> list:
    names = []
    for item in value if isinstance(value, list) else []:
        names.append(field(item, "Name") if isinstance(item, dict) else item)
    return names


def build_store(store: Any, region: Any, path: tuple, locate: Locate) -> ArtifactStore:
    key = field(store, "EncryptionKey")
    return ArtifactStore(
        region=region,
        bucket=field(store, "Location"),
        key_id=field(key, "Id") if isinstance(key, dict) else (key if isinstance(key, Unknown) else None),
        key_type=field(key, "Type") if isinstance(key, dict) else None,
        source=locate(path),
    )


def build_pipeline(data: dict, *, key: str, name: Any, account: Any, region: Any, base: tuple,
                   locate: Locate) -> Pipeline:
    """``data`` is the pipeline declaration (CFN Properties or API ``pipeline`` object); ``base`` its path."""
    store = None
    stores = None
    store_sources = {}
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
                entry_path = path + (i, key_name(item, "ArtifactStore"))
                built = build_store(inner, store_region, entry_path, locate)
                stores[store_region if isinstance(store_region, str) else f"#{i}"] = built
    actions = []
    stages_key = key_name(data, "Stages")
    for si, stage in enumerate(field(data, "Stages", []) or []):
        stage_name = field(stage, "Name", f"#{si}")
        actions_key = key_name(stage, "Actions")
        for ai, action in enumerate(field(stage, "Actions", []) or []):
            if not isinstance(action, dict):
                continue
            type_id = field(action, "ActionTypeId", {})
            config = field(action, "Configuration", {})
            actions.append(Action(
                stage=stage_name if isinstance(stage_name, str) else f"#{si}",
                name=field(action, "Name", f"#{ai}"),
                category=field(type_id, "Category"),
                owner=field(type_id, "Owner"),
                provider=field(type_id, "Provider"),
                region=field(action, "Region"),
                role_arn=field(action, "RoleArn"),
                configuration=config if isinstance(config, dict) else {},
                input_artifacts=artifact_names(field(action, "InputArtifacts", [])),
                output_artifacts=artifact_names(field(action, "OutputArtifacts", [])),
                source=locate(base + (stages_key, si, actions_key, ai)),
            ))
    return Pipeline(
        key=key, name=name, account=account, region=region, role_arn=field(data, "RoleArn"),
        artifact_store=store, artifact_stores=stores, actions=actions, source=locate(base),
        pipeline_type=field(data, "PipelineType"), store_sources=store_sources,
    )
