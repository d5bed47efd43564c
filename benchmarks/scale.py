"""Scale: cold ``pipelint check`` on synthetic worlds of N pipelines across M accounts and R regions.

The worlds are pipelint snapshot folders (the offline format ``pipelint audit --save`` writes, see
pipelint/loaders/snapshot.py): one JSON file per account and region, plus one "global" file per account
for its IAM roles, as the live collector writes them. Generating snapshots is quicker than a
CloudFormation deployment map of 10,000 stacks, and it is the shape a large live audit produces.

The world copies the structure of fixtures/example/ with renamed resources. A tenth of the accounts
(at least one) are tooling accounts, the rest workload (target) accounts. Pipeline ``i`` lives in
tooling account ``i mod T``, home region ``i mod R``, and deploys into target account ``i mod (M - T)``
in every region:

- per pipeline: pipeline role (trust codepipeline, inline policy for artifacts, keys, AssumeRole of its
  deploy role, CodeBuild), CodeBuild project + build role (encrypting with the artifact key), a deploy
  role in the target account trusting the pipeline role (artifacts, keys, iam:PassRole), an EventBridge
  rule with a role and a DLQ; the pipeline: S3 source -> CodeBuild -> one CloudFormation deploy action
  per region (cross-account ``roleArn``, execution ``RoleArn``), ``artifactStores`` in every region;
- per tooling account and region: versioned artifact bucket (SSE-KMS) + bucket policy naming the target
  account roots, customer-managed key + key policy, versioned source bucket, DLQ + queue policy,
  the trigger role;
- per target account: the CloudFormation execution role (trusts cloudformation.amazonaws.com).

Usage::

    python3 benchmarks/scale.py                      # N = 100, 1,000, 10,000; M = 100; R = 2
    python3 benchmarks/scale.py --pipelines 1000 --accounts 20 --regions 3 --keep /tmp/world
    python3 benchmarks/scale.py --profile 10000      # cProfile of one in-process check, top 25
    python3 benchmarks/scale.py --runs 3 --python /tmp/before/bin/python /tmp/after/bin/python   # side by side

With several ``--python`` interpreters (each with its own pipelint installed), every size is measured
with each, runs interleaved so they see the same machine load; CPU time (user + system) is reported
next to the wall time, as it moves less with the load of a shared machine.

Targets (issue 15): 10,000 pipelines in at most 5 s and 250 MiB, t(10k)/t(1k) <= 10.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1"]


def account_id(i: int) -> str:
    return f"{100000000000 + i:012d}"


def generate(folder: Path, pipelines: int, accounts: int, regions: int, defects: bool = False) -> dict:
    """Write the snapshot files of one world into ``folder``; return counts.

    ``defects``: break one pipeline in ten, each tenth in its own way (see :func:`_defect`), and one
    artifact key and one source bucket, so that the world has findings of most rules, failing and
    unverified, for comparing two versions of pipelint (``benchmarks/compare.py``)."""
    assert accounts >= 2 and 1 <= regions <= len(REGIONS)
    tooling_count = max(1, accounts // 10)
    tooling = [account_id(i) for i in range(tooling_count)]
    targets = [account_id(i) for i in range(tooling_count, accounts)]
    region_names = REGIONS[:regions]
    files: dict[tuple[str, str], dict] = defaultdict(dict)

    def add(account: str, region: str, table: str, entry: dict) -> None:
        doc = files[(account, region)]
        if not doc:
            doc.update({"pipelint-snapshot": 1, "account": account, "region": region})
        doc.setdefault(table, []).append(entry)

    def bucket(t: str, r: str) -> str:
        return f"artifacts-{t}-{r}"

    def key(t: str, r: str) -> str:
        return f"arn:aws:kms:{r}:{t}:key/{int(t) % 10**8:08d}-0000-4000-8000-{region_names.index(r):012d}"

    # which target accounts each tooling account deploys into
    served: dict[str, set[str]] = defaultdict(set)
    for i in range(pipelines):
        served[tooling[i % len(tooling)]].add(targets[i % len(targets)])

    for t in tooling:
        roots = [f"arn:aws:iam::{a}:root" for a in sorted(served[t])] or [f"arn:aws:iam::{t}:root"]
        for r in region_names:
            add(t, r, "buckets", {
                "name": bucket(t, r), "account": t, "region": r, "versioning": "Enabled",
                "encryption_key": key(t, r),
                "policy": {"Version": "2012-10-17", "Statement": [
                    {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                     "Resource": [f"arn:aws:s3:::{bucket(t, r)}", f"arn:aws:s3:::{bucket(t, r)}/*"],
                     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
                    {"Sid": "WorkloadAccountArtifacts", "Effect": "Allow", "Principal": {"AWS": roots},
                     "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
                     "Resource": f"arn:aws:s3:::{bucket(t, r)}/*"}]}})
            add(t, r, "buckets", {"name": f"source-{t}-{r}", "account": t, "region": r,
                                  "versioning": "Suspended" if defects and t == tooling[0] else "Enabled",
                                  "encryption_key": None, "policy": None})
            add(t, r, "keys", {
                "arn": key(t, r), "region": r, "aliases": ["alias/pipeline-artifacts"], "aws_managed": False,
                **({"state": "Disabled"} if defects and t == tooling[-1] and r == region_names[-1] else {}),
                "policy": {"Version": "2012-10-17", "Statement": [
                    {"Sid": "KeyAdministration", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{t}:root"},
                     "Action": "kms:*", "Resource": "*"},
                    {"Sid": "WorkloadAccountUse", "Effect": "Allow", "Principal": {"AWS": roots},
                     "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:ReEncrypt*",
                                "kms:GenerateDataKey*"], "Resource": "*"}]}})
            dlq = f"arn:aws:sqs:{r}:{t}:trigger-dlq"
            add(t, r, "queues", {"arn": dlq, "url": f"https://sqs.{r}.amazonaws.com/{t}/trigger-dlq", "policy": {
                "Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                     "Action": "sqs:SendMessage", "Resource": dlq,
                     "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:events:{r}:{t}:rule/trigger-*"}}}]}})
        add(t, "global", "roles", {
            "arn": f"arn:aws:iam::{t}:role/pipeline-trigger",
            "trust": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "inline_policies": {"start": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "codepipeline:StartPipelineExecution",
                 "Resource": f"arn:aws:codepipeline:*:{t}:*"}]}},
            "managed_policy_arns": [], "permissions_boundary": None})

    for a in sorted({targets[i % len(targets)] for i in range(pipelines)}):
        add(a, "global", "roles", {
            "arn": f"arn:aws:iam::{a}:role/cloudformation-execution",
            "trust": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"},
                 "Action": "sts:AssumeRole"}]},
            "inline_policies": {}, "managed_policy_arns": ["arn:aws:iam::aws:policy/PowerUserAccess"], "permissions_boundary": None})

    for i in range(pipelines):
        t, home, target = tooling[i % len(tooling)], region_names[i % len(region_names)], targets[i % len(targets)]
        name = f"release-{i:05d}"
        mine: list = []

        def put(account: str, region: str, table: str, entry: dict) -> None:
            mine.append((account, region, table, entry))

        pipeline_role = f"arn:aws:iam::{t}:role/{name}-pipeline"
        build_role = f"arn:aws:iam::{t}:role/{name}-build"
        deploy_role = f"arn:aws:iam::{target}:role/{name}-deploy"
        exec_role = f"arn:aws:iam::{target}:role/cloudformation-execution"
        project = f"arn:aws:codebuild:{home}:{t}:project/{name}-build"
        pipeline_arn = f"arn:aws:codepipeline:{home}:{t}:{name}"
        keys = [key(t, r) for r in region_names]
        put(t, "global", "roles", {
            "arn": pipeline_role,
            "trust": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "inline_policies": {"pipeline": {"Version": "2012-10-17", "Statement": [
                {"Sid": "Artifacts", "Effect": "Allow",
                 "Action": ["s3:GetObject*", "s3:PutObject", "s3:GetBucket*", "s3:ListBucket"],
                 "Resource": [f"arn:aws:s3:::artifacts-{t}-*", f"arn:aws:s3:::source-{t}-*"]},
                {"Sid": "ArtifactKeys", "Effect": "Allow",
                 "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*",
                            "kms:ReEncrypt*"], "Resource": keys},
                {"Sid": "AssumeDeployRole", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": deploy_role},
                {"Sid": "Build", "Effect": "Allow", "Action": ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
                 "Resource": project}]}},
            "managed_policy_arns": [], "permissions_boundary": None})
        put(t, "global", "roles", {
            "arn": build_role,
            "trust": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "inline_policies": {"build": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObject*", "s3:PutObject"],
                 "Resource": f"arn:aws:s3:::{bucket(t, home)}/*"},
                {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
                 "Resource": key(t, home)},
                {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                 "Resource": "*"}]}},
            "managed_policy_arns": [], "permissions_boundary": None})
        put(target, "global", "roles", {
            "arn": deploy_role,
            "trust": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": pipeline_role}, "Action": "sts:AssumeRole"}]},
            "inline_policies": {"deploy": {"Version": "2012-10-17", "Statement": [
                {"Sid": "ReadWriteArtifacts", "Effect": "Allow", "Action": ["s3:GetObject*", "s3:PutObject"],
                 "Resource": f"arn:aws:s3:::artifacts-{t}-*/*"},
                {"Sid": "UseArtifactKeys", "Effect": "Allow",
                 "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"],
                 "Resource": f"arn:aws:kms:*:{t}:key/*"},
                {"Sid": "DeployStacks", "Effect": "Allow", "Action": "cloudformation:*", "Resource": "*"},
                {"Sid": "PassExecutionRole", "Effect": "Allow", "Action": "iam:PassRole", "Resource": exec_role}]}},
            "managed_policy_arns": [], "permissions_boundary": None})
        put(t, home, "projects", {"arn": project, "name": f"{name}-build", "service_role": build_role,
                                  "encryption_key": key(t, home)})
        put(t, home, "event_rules", {"arn": f"arn:aws:events:{home}:{t}:rule/trigger-{name}", "targets": [
            {"id": "pipeline", "arn": pipeline_arn, "role_arn": f"arn:aws:iam::{t}:role/pipeline-trigger",
             "dlq_arn": f"arn:aws:sqs:{home}:{t}:trigger-dlq"}]})
        deploys = [{
            "name": f"Deploy-{r}", "region": r, "roleArn": deploy_role, "runOrder": 1,
            "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CloudFormation", "version": "1"},
            "configuration": {"ActionMode": "CREATE_UPDATE", "StackName": "app", "Capabilities": "CAPABILITY_IAM",
                              "TemplatePath": "BuildOutput::template.yaml", "RoleArn": exec_role},
            "inputArtifacts": [{"name": "BuildOutput"}], "outputArtifacts": []} for r in region_names]
        put(t, home, "pipelines", {"arn": pipeline_arn, "pipeline": {
            "name": name, "roleArn": pipeline_role, "pipelineType": "V2", "version": 1,
            "artifactStores": {r: {"type": "S3", "location": bucket(t, r),
                                   "encryptionKey": {"id": key(t, r), "type": "KMS"}} for r in region_names},
            "stages": [
                {"name": "Source", "actions": [{
                    "name": "Source", "runOrder": 1,
                    "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
                    "configuration": {"S3Bucket": f"source-{t}-{home}", "S3ObjectKey": f"{name}.zip",
                                      "PollForSourceChanges": "false"},
                    "inputArtifacts": [], "outputArtifacts": [{"name": "SourceOutput"}]}]},
                {"name": "Build", "actions": [{
                    "name": "Build", "runOrder": 1,
                    "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
                    "configuration": {"ProjectName": f"{name}-build"},
                    "inputArtifacts": [{"name": "SourceOutput"}], "outputArtifacts": [{"name": "BuildOutput"}]}]},
                {"name": "Deploy", "actions": deploys}]}})

        if defects:
            mine = _defect(i % 10, mine, t, home, target, name)
        for entry in mine:
            add(*entry)

    folder.mkdir(parents=True, exist_ok=True)
    for (account, region), doc in files.items():
        (folder / f"{account}-{region}.json").write_text(json.dumps(doc, indent=1))
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in folder.glob("*.json"))}


def _defect(kind: int, entries: list, t: str, home: str, target: str, name: str) -> list:
    """Break pipeline ``name`` in way ``kind`` (0: not at all); return its snapshot entries."""
    def role(suffix: str) -> dict:
        return next(e for _, _, table, e in entries if table == "roles" and e["arn"].endswith(f"{name}-{suffix}"))

    def statements(entry: dict) -> list:
        return next(iter(entry["inline_policies"].values()))["Statement"]

    if kind == 1:  # the deploy role trusts another pipeline's role: PL303 fails
        role("deploy")["trust"]["Statement"][0]["Principal"] = {"AWS": f"arn:aws:iam::{t}:role/{name}-other"}
    elif kind == 2:  # the build role may not use the artifact key: PL302 fails
        del statements(role("build"))[1]
    elif kind == 3:  # the deploy role has a boundary no input holds: unverified
        role("deploy")["permissions_boundary"] = f"arn:aws:iam::{target}:policy/boundary"
    elif kind == 4:  # the pipeline role may assume the deploy role only from a network: unverified
        statements(role("pipeline"))[2]["Condition"] = {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    elif kind == 5:  # the deploy role is not among the inputs: unverified
        entries = [e for e in entries if not (e[2] == "roles" and e[3]["arn"].endswith(f"{name}-deploy"))]
    elif kind == 6:  # the deploy role denies itself reads: PL301 fails on an explicit Deny
        statements(role("deploy")).append({"Sid": "NoReads", "Effect": "Deny", "Action": "s3:GetObject*",
                                           "Resource": "*"})
    elif kind == 7:  # the trigger has no dead-letter queue: PL202
        next(e for _, _, table, e in entries if table == "event_rules")["targets"][0]["dlq_arn"] = None
    elif kind == 8:  # a misspelt action: PL402 warns, and the deploy role cannot decrypt (PL302)
        statements(role("deploy"))[1]["Action"] = ["kms:Decrpyt", "kms:DescribeKey", "kms:Encrypt",
                                                   "kms:GenerateDataKey*"]
    elif kind == 9:  # a condition on the role's tags that its tags settle: still allowed
        deploy = role("deploy")
        deploy["tags"] = {"team": "release"}
        statements(deploy)[0]["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": "release"}}
    return entries


def timed(cmd: list[str], cwd: Path) -> tuple[float, int, int, str, float]:
    """(wall seconds, exit code, peak RSS of the child in KiB, last line of stdout, CPU seconds)."""
    start = time.perf_counter()
    out_r, out_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.chdir(cwd)
        os.dup2(out_w, 1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(out_r)
        os.execvp(cmd[0], cmd)
    os.close(out_w)
    chunks = []
    while chunk := os.read(out_r, 1 << 16):
        chunks.append(chunk)
    os.close(out_r)
    _, status, usage = os.wait4(pid, 0)
    text = b"".join(chunks).decode("utf-8", "replace").strip().splitlines()
    return (time.perf_counter() - start, os.waitstatus_to_exitcode(status), usage.ru_maxrss, (text or [""])[-1],
            usage.ru_utime + usage.ru_stime)


def profile(folder: Path) -> None:
    import cProfile
    import pstats

    sys.path.insert(0, str(ROOT))
    from pipelint import runner

    os.chdir(folder.parent)
    cfg = runner.find_config(None, [folder])
    profiler = cProfile.Profile()
    profiler.enable()
    outcome = runner.check([folder], cfg, baseline=False)
    runner.render(outcome, "text")
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pipelines", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--regions", type=int, default=2)
    parser.add_argument("--runs", type=int, default=1, help="runs per size (the median is reported)")
    parser.add_argument("--keep", type=Path, help="write the worlds under this folder and keep them")
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile one in-process check of N pipelines")
    parser.add_argument("--defects", action="store_true", help="break one pipeline in ten (see _defect)")
    parser.add_argument("--python", nargs="+", help="interpreters to compare (default: this one)")
    args = parser.parse_args()

    base = args.keep or Path(tempfile.mkdtemp(prefix="pipelint-scale-"))
    try:
        if args.profile:
            folder = base / f"world-{args.profile}"
            generate(folder, args.profile, args.accounts, args.regions, args.defects)
            profile(folder)
            return
        pythons = args.python or [sys.executable]
        times: dict[tuple[int, int], float] = {}
        print(f"M = {args.accounts} accounts, R = {args.regions} regions; cold `python -m pipelint check` "
              f"(snapshot folders), median of {args.runs} run(s)")
        for i, python in enumerate(pythons, start=1):
            print(f"  [{i}] {python}")
        print(f"{'N':>7} {'py':>3} {'files':>6} {'MiB in':>7} {'wall s':>7} {'CPU s':>7} {'peak RSS MiB':>13} {'exit':>5}"
              "  summary")
        for n in args.pipelines:
            folder = base / f"world-{n}"
            if folder.exists():
                shutil.rmtree(folder)
            counts = generate(folder, n, args.accounts, args.regions, args.defects)
            runs: dict[int, list] = {i: [] for i in range(len(pythons))}
            for _ in range(args.runs):
                for i, python in enumerate(pythons):
                    runs[i].append(timed([python, "-m", "pipelint", "check", folder.name], cwd=base))
            for i in range(len(pythons)):
                ordered = sorted(runs[i])
                wall, code, rss, last, _ = ordered[len(ordered) // 2]
                cpu = sorted(r[4] for r in runs[i])[len(ordered) // 2]
                times[(i, n)] = wall
                print(f"{n:>7} {i + 1:>3} {counts['files']:>6} {counts['bytes'] / 2**20:>7.1f} {wall:>7.2f} {cpu:>7.2f} "
                      f"{rss / 1024:>13.1f} {code:>5}  {last}", flush=True)
            if not args.keep:
                shutil.rmtree(folder)
        for i in range(len(pythons)):
            if (i, 1000) in times and (i, 10000) in times:
                ratio = times[(i, 10000)] / times[(i, 1000)]
                print(f"[{i + 1}] t(10k)/t(1k) = {ratio:.2f} (target <= 10); t(10k) = {times[(i, 10000)]:.1f} s "
                      "(target <= 5 s)")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
