"""Pipeline JSON as the CodePipeline API emits and accepts it.

Shapes: ``get-pipeline`` output ``{"pipeline": ..., "metadata": {"pipelineArn": ...}}``,
``create-pipeline``/``update-pipeline`` input ``{"pipeline": ...}``, and a bare pipeline object.
Account and region come from ``metadata.pipelineArn``, else from the config's ``[[pipelines]]`` entry
for the file, else the account of the pipeline's service role (CodePipeline requires the service
role to be in the pipeline's own account); what none of these settle stays unknown.
"""

from __future__ import annotations

from typing import Any

from pipelint import arns
from pipelint.errors import InputError
from pipelint.loaders.documents import Document
from pipelint.loaders.pipeline_shape import build_pipeline
from pipelint.model import Source, World
from pipelint.values import Unknown


def is_pipeline(data: Any) -> bool:
    body = data.get("pipeline") if isinstance(data, dict) else None
    if isinstance(body, dict):
        return True
    return isinstance(data, dict) and "stages" in data and ("roleArn" in data or "artifactStore" in data
                                                             or "artifactStores" in data)


def load(document: Document, world: World, binding: dict | None = None) -> None:
    data = document.data
    wrapped = isinstance(data.get("pipeline"), dict)
    body = data["pipeline"] if wrapped else data
    base = ("pipeline",) if wrapped else ()

    def locate(path: tuple) -> Source:
        pos = document.locate(path)
        return Source(document.path, tuple(path), *(pos or (None, None)))

    for required in ("name", "roleArn", "stages"):
        if required not in body:
            pos = document.locate(base) or (None, None)
            raise InputError(document.path, f"pipeline JSON has no '{required}' field", *pos)
    if not isinstance(body["stages"], list):
        pos = document.locate(base + ("stages",)) or (None, None)
        raise InputError(document.path, "pipeline JSON 'stages' is not a list", *pos)
    if "artifactStore" not in body and "artifactStores" not in body:
        pos = document.locate(base) or (None, None)
        raise InputError(document.path, "pipeline JSON has neither 'artifactStore' nor 'artifactStores'", *pos)
    metadata = data.get("metadata") if wrapped else None
    arn = metadata.get("pipelineArn") if isinstance(metadata, dict) else None
    binding = binding or {}
    account: Any = arns.account_of(arn) or binding.get("account") or arns.account_of(body.get("roleArn"))
    region: Any = arns.region_of(arn) or binding.get("region")
    if account is None:
        account = Unknown(f"the account of pipeline {body['name']} ({document.path}) is not known; "
                          "add [[tool.pipelint.pipelines]] file/account/region")
    if region is None:
        region = Unknown(f"the region of pipeline {body['name']} ({document.path}) is not known; "
                         "add [[tool.pipelint.pipelines]] file/account/region")
    name = body["name"]
    if arn is None and isinstance(account, str) and isinstance(region, str):
        arn = f"arn:{arns.partition_for_region(region)}:codepipeline:{region}:{account}:{name}"
    world.pipelines.append(build_pipeline(
        body, key=arn or f"{document.path}#{name}", name=name, account=account, region=region, base=base,
        locate=locate, ))
