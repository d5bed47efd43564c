"""Writes an audit's :class:`~pipelint.live.collector.Snapshot` as the offline snapshot format.

One ``ACCOUNT-REGION.json`` per account and region (``ACCOUNT-global.json`` for IAM roles and managed
policies), in the format :mod:`pipelint.loaders.snapshot` reads. Entries are sorted, so two audits of
an unchanged setup write identical files.

Secrets never reach a snapshot: credentials are never part of what the collector keeps; Lambda
environments, CodeBuild environments and EventBridge target inputs are not read into it; in pipeline
declarations, action configuration values that may hold secrets (``OAuthToken``, anything named like
a token, secret, password or credential, Lambda ``UserParameters``, plaintext CodeBuild
``EnvironmentVariables``) and pipeline variable defaults are replaced by ``****`` — the mask AWS itself
uses for ``OAuthToken`` — before the declaration is kept.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from pipelint.loaders.snapshot import MARKER

MASK = "****"
SECRET_NAME = re.compile(r"token|secret|password|passwd|credential|private|apikey|api_key", re.IGNORECASE)
ALWAYS_MASKED = {"UserParameters"}
ORDER = ("pipelint-snapshot", "account", "region", "pipelines", "buckets", "keys", "roles", "managed_policies",
         "queues", "functions", "projects", "connections", "event_rules", "organization", "unreadable")


def redact_pipeline(body: dict) -> dict:
    """A copy of a get-pipeline ``pipeline`` object with possible secrets masked."""
    body = copy.deepcopy(body)
    for stage in body.get("stages") or []:
        for action in stage.get("actions") or []:
            config = action.get("configuration")
            if isinstance(config, dict):
                for name, value in list(config.items()):
                    if name in ALWAYS_MASKED or SECRET_NAME.search(name):
                        config[name] = MASK
                    elif name == "EnvironmentVariables":
                        config[name] = _mask_environment(value)
    for variable in body.get("variables") or []:
        if isinstance(variable, dict) and "defaultValue" in variable:
            variable["defaultValue"] = MASK
    return body


def _mask_environment(value: Any) -> Any:
    """CodeBuild action ``EnvironmentVariables`` (a JSON list as text): plaintext values masked; the names
    of Parameter Store and Secrets Manager references are kept (they are references, not secrets)."""
    try:
        variables = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return MASK
    if not isinstance(variables, list):
        return MASK
    for variable in variables:
        if isinstance(variable, dict) and variable.get("type", "PLAINTEXT") == "PLAINTEXT" and "value" in variable:
            variable["value"] = MASK
    return json.dumps(variables)


def file_name(account: str, region: str) -> str:
    return f"{account}-{region}.json"


def render(document: dict) -> str:
    ordered = {key: document[key] for key in ORDER if key in document}
    ordered.update({k: v for k, v in document.items() if k not in ordered})
    return json.dumps(ordered, indent=2, default=str) + "\n"


def write(snapshot: Any, folder: Path) -> list[Path]:
    """Write every document into ``folder``; snapshot files of an earlier audit there are replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        try:
            data = json.loads(old.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not ours: left alone
        if isinstance(data, dict) and MARKER in data:
            old.unlink()
    written = []
    for (account, region), document in sorted(snapshot.files.items()):
        path = folder / file_name(account, region)
        path.write_text(render(document), encoding="utf-8")
        written.append(path)
    return written
