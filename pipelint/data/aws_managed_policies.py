"""pipelint's copy of every AWS-managed policy (default version), so their grants are evaluated offline.

The documents live in ``aws_managed_policies.zip`` next to this file, one deflated member per policy,
named by its path and name as in the ARN (``AdministratorAccess.json``,
``service-role/AWSLambdaBasicExecutionRole.json``), each ``{"version": "v12", "source": 0,
"document": {...}}``. The archive comment records where and when the data was captured (``sources``,
newest first: name, version, capture date, how that date was found, how many policies came from it).
``python -m pipelint.data.rebuild_managed_policies`` rebuilds it and says which sources it reads.

Nothing is imported or opened until a run meets an AWS-managed policy ARN (pipelint.grants imports this
module only then): a check whose roles name none pays nothing. The first look-up reads the archive's
directory (~0.2 ms); each policy is then read and decoded once.

AWS-managed policies have the same path and name in every partition (``arn:aws:``, ``arn:aws-cn:``,
``arn:aws-us-gov:``, ...), so a look-up goes by path and name. The copy is of the ``aws`` partition:
where a document names ``arn:aws:...`` resources, another partition's version names its own
(``arn:aws-cn:...``), so for another partition each such ARN becomes unknown (a statement that decides
without it still decides; one that needs it leaves the decision unknown). No guess either way.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

ARCHIVE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "aws_managed_policies.zip")
_TAIL = 22 + 65535  # a zip ends with a 22-byte record and a comment of at most 64 KiB

_lock = threading.Lock()  # the live audit looks policies up from worker threads
_directory: bytes | None = None  # the archive's central directory, read once
_sources: list | None = None
_cache: dict = {}


class Copy:
    """One AWS-managed policy as pipelint ships it (a plain class: a dataclass costs ~1 ms to import)."""

    __slots__ = ("arn", "path", "name", "version", "document", "captured", "source")

    def __init__(self, arn: str, path: str, name: str, version: str, document: dict, captured: str,
                 source: str) -> None:
        self.arn = arn
        self.path = path  # "/" or "/service-role/" ...
        self.name = name
        self.version = version  # its default version id when captured
        self.document = document
        self.captured = captured  # the capture date of the source it came from (YYYY-MM-DD)
        self.source = source  # "moto 5.2.5", ...


def split(arn: Any) -> tuple[str, str, str] | None:
    """(partition, path, name) of an AWS-managed policy ARN, or None when ``arn`` is not one."""
    if not isinstance(arn, str):
        return None
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not (parts[1] == "aws" or parts[1].startswith("aws-")) \
            or parts[2:5] != ["iam", "", "aws"] or not parts[5].startswith("policy/"):
        return None
    path, _, name = parts[5][len("policy"):].rpartition("/")
    return (parts[1], path + "/", name) if name else None


def _load() -> bytes:
    """The zip's central directory (and, from its comment, the sources), read on first use.

    zipfile.ZipFile parses all ~1,600 directory entries into objects (10-15 ms here, plus importing
    zipfile); the archive is ours (deflate, no zip64, no encryption), so a member is found with one
    bytes.find in the directory instead (well under a millisecond)."""
    global _directory, _sources
    if _directory is None:
        import struct

        with open(ARCHIVE, "rb") as f:
            size = f.seek(0, 2)
            f.seek(max(0, size - _TAIL))
            tail = f.read()
            end = tail.rfind(b"PK\x05\x06")
            if end < 0:
                raise ValueError(f"{ARCHIVE} is not a zip archive")
            cd_size, cd_offset, comment_size = struct.unpack_from("<IIH", tail, end + 12)
            _sources = json.loads(tail[end + 22:end + 22 + comment_size])["sources"]
            f.seek(cd_offset)
            _directory = f.read(cd_size)
    return _directory


def _read(member: str) -> bytes | None:
    """The content of ``member``; None when the archive has no such member."""
    import struct
    import zlib

    directory, wanted = _load(), member.encode("utf-8")
    at = directory.find(wanted)
    while at >= 0:
        head = at - 46  # a directory entry is 46 fixed bytes, then the name
        if head >= 0 and directory[head:head + 4] == b"PK\x01\x02" \
                and struct.unpack_from("<H", directory, head + 28)[0] == len(wanted):
            (method,) = struct.unpack_from("<H", directory, head + 10)
            (compressed,) = struct.unpack_from("<I", directory, head + 20)
            (offset,) = struct.unpack_from("<I", directory, head + 42)
            with open(ARCHIVE, "rb") as f:
                f.seek(offset)
                local = f.read(30)
                name_size, extra_size = struct.unpack_from("<HH", local, 26)
                f.seek(offset + 30 + name_size + extra_size)
                data = f.read(compressed)
            return zlib.decompress(data, -15) if method == 8 else data
        at = directory.find(wanted, at + 1)
    return None


def members() -> list[str]:
    """Every member name (for hints when a look-up misses; not on the look-up path)."""
    import struct

    directory, names, at = _load(), [], 0
    while at + 46 <= len(directory) and directory[at:at + 4] == b"PK\x01\x02":
        name_size, extra_size, comment_size = struct.unpack_from("<HHH", directory, at + 28)
        names.append(directory[at + 46:at + 46 + name_size].decode("utf-8"))
        at += 46 + name_size + extra_size + comment_size
    return names


def sources() -> list[dict]:
    """Where the data comes from: ``[{"name", "version", "captured", "how", "policies"}]``, newest first."""
    with _lock:
        _load()
        return list(_sources or [])


def captured() -> str:
    """The capture date of the data (of its newest source)."""
    return sources()[0]["captured"]


def summary() -> str:
    """What ``pipelint --version`` says about the data."""
    found = sources()
    total = sum(s["policies"] for s in found)
    parts = [f"{s['policies']:,} from {s['name']} {s['version']} (captured {s['captured']}, {s['how']})"
             for s in found]
    return f"AWS-managed policies: {total:,} default versions; " + "; ".join(parts)


def lookup(arn: Any) -> Copy | None:
    """The shipped copy of the AWS-managed policy ``arn`` names; None when ``arn`` is not an AWS-managed
    policy ARN or the copy does not hold it."""
    parsed = split(arn)
    if parsed is None:
        return None
    partition, path, name = parsed
    member = path[1:] + name + ".json"
    with _lock:
        if member not in _cache:
            raw = _read(member)
            if raw is None:
                _cache[member] = None
            else:
                entry = json.loads(raw)
                source = (_sources or [])[entry["source"]]
                _cache[member] = (entry["version"], entry["document"], source["captured"],
                                  f"{source['name']} {source['version']}", b'"arn:aws:' in raw)
        found = _cache[member]
    if found is None:
        return None
    version, document, date, source, names_aws_arns = found
    if partition != "aws" and names_aws_arns:
        document = _other_partition(document, partition)
    return Copy(arn, path, name, version, document, date, source)


def _other_partition(value: Any, partition: str) -> Any:
    """``value`` with every aws-partition ARN made unknown: ``partition``'s version names its own ARNs."""
    if isinstance(value, dict):
        return {k: _other_partition(v, partition) for k, v in value.items()}
    if isinstance(value, list):
        return [_other_partition(v, partition) for v in value]
    if isinstance(value, str) and value.startswith("arn:aws:"):
        from pipelint.values import Unknown

        return Unknown(f"{value} as the {partition} version of this AWS managed policy names it (pipelint's "
                       "copy is of the aws partition)")
    return value


def document(arn: Any) -> dict | None:
    """The document of an AWS-managed policy ARN when pipelint's copy holds it."""
    found = lookup(arn)
    return found.document if found is not None else None


def label(found: Copy) -> str:
    """How findings name a policy that comes from this copy: its ARN and the date of the copy."""
    return f"AWS managed policy {found.arn} (pipelint's copy of {found.captured})"


def missing(arn: str) -> str:
    """Why an AWS-managed ARN that the copy cannot give stays unknown, and what would settle it; worded
    to follow "document of AWS managed policy <ARN>" (how the evaluator quotes an unknown policy)."""
    date = captured()
    settle = ("add its document among the inputs (an `aws iam get-policy-version` output, bound by a "
              "[[policies]] entry with this resource and kind = \"managed-policy\") or run pipelint audit")
    parsed = split(arn)
    if parsed is None:
        return f"not an AWS-managed policy ARN; {settle}"
    partition, _, name = parsed
    elsewhere = [m for m in members() if m.rpartition("/")[2] == name + ".json"]
    hint = (f"; the copy has arn:{partition}:iam::aws:policy/{elsewhere[0][:-5]}: is the path right?"
            if elsewhere else "")
    return (f"not in pipelint's copy of the AWS-managed policies (captured {date}){hint}; if AWS published it "
            f"later, {settle}")
