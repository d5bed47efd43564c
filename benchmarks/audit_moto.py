"""`pipelint audit` of N pipelines over M accounts and 2 regions, on moto in server mode (127.0.0.1).

The tooling account 111111111111 runs the pipelines, half in us-east-1 and half in eu-west-1; each has
its own role, S3 source bucket, CodeBuild project (and build role), EventBridge rule with DLQ and trigger
role; every fifth one also a Lambda invoke action; they deploy with CloudFormation into the M - 1
workload accounts in turn, through a deploy role and an execution role shared in each workload account,
with one artifact store (bucket + KMS key) per region whose policies admit every workload account. The
audit reads the tooling account and, following the pipelines' roles, every workload account: M accounts
and 2 regions, read concurrently.

Reports the wall time of the collection and of the whole audit (collection + lint), the API calls per
pipeline (counted with botocore event hooks: ``before-call`` for calls, ``before-send`` for HTTP
attempts, so retries would show), and how much of the collection's wall time a request was in flight
(from ``before-call`` to ``after-call`` of each call, over all threads: the union of those intervals,
and their sum, which divided by the wall time is the mean number of requests in flight).

    python3 benchmarks/audit_moto.py [--pipelines 50] [--accounts 3] [--workers 16] [--runs 3] [--latency-ms 0]
    python3 benchmarks/audit_moto.py --pipelines 500 --accounts 20 --runs 1

moto serves from this process; the audit runs in a child process (``--child``), so the two do not share
a GIL and the child's CPU time is pipelint's own: the collection's wall time minus its CPU time is the
time the collector spent waiting for answers (the network and AWS, here moto). ``--latency-ms N`` adds
N ms of sleep to every HTTP attempt (a ``before-send`` hook), standing in for the round trip to AWS,
which is what the concurrent reads are for.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from test_live_support import (AUDITOR, EU, OTHER, TARGET, TOOLING, US, MotoServer, World, allow,  # noqa: E402
                               aws_environment, doc, login_tooling, project_key)


def workload_accounts(accounts: int) -> list[str]:
    """The M - 1 workload accounts (the first two are the test suite's own)."""
    extra = [f"{444444444400 + i:012d}" for i in range(max(0, accounts - 3))]
    return ([TARGET, OTHER] + extra)[:max(1, accounts - 1)]


def build(pipelines: int, accounts: int = 3) -> World:
    world = World()
    targets = workload_accounts(accounts)
    from test_live_support import Defects

    for region in (US, EU):
        world.artifact_store(region, Defects(), targets)
    for account in targets:
        world.target_roles(account, f"arn:aws:iam::{TOOLING}:root")
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return None\n")
    for i in range(pipelines):
        region = US if i % 2 == 0 else EU
        target = targets[(i // 2) % len(targets)]
        name = f"app{i:02d}"
        bucket = f"{name}-source-{TOOLING}"
        world.source_bucket(bucket, region)
        role = world.role(TOOLING, f"{name}-pipeline", {"Service": "codepipeline.amazonaws.com"}, {"pipeline": doc(
            allow(["s3:GetObject*", "s3:PutObject"], [f"arn:aws:s3:::release-artifacts-{TOOLING}-{region}/*",
                                                      f"arn:aws:s3:::{bucket}/*"]),
            allow(["kms:Decrypt", "kms:GenerateDataKey*"], world.keys[region]),
            allow("sts:AssumeRole", f"arn:aws:iam::{target}:role/pipeline-deploy"),
            allow(["codebuild:StartBuild", "codebuild:BatchGetBuilds", "lambda:InvokeFunction"], "*"))})
        build_role = world.role(TOOLING, f"{name}-build", {"Service": "codebuild.amazonaws.com"}, {"build": doc(
            allow(["s3:GetObject*", "s3:PutObject"], f"arn:aws:s3:::release-artifacts-{TOOLING}-{region}/*"),
            allow(["kms:Decrypt", "kms:GenerateDataKey*"], world.keys[region]))})
        world.c(TOOLING, region, "codebuild").create_project(
            name=f"{name}-build", serviceRole=build_role, source={"type": "CODEPIPELINE", "location": "pipeline"},
            artifacts={"type": "CODEPIPELINE", "location": "pipeline"},
            environment={"type": "LINUX_CONTAINER", "computeType": "BUILD_GENERAL1_SMALL",
                         "image": "aws/codebuild/standard:7.0"})
        project_key(TOOLING, region, f"{name}-build", world.keys[region])
        stages = [
            {"name": "Source", "actions": [{"name": "Source", "actionTypeId": {
                "category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
                "configuration": {"S3Bucket": bucket, "S3ObjectKey": "app.zip"},
                "outputArtifacts": [{"name": "Src"}], "runOrder": 1}]},
            {"name": "Build", "actions": [{"name": "Build", "actionTypeId": {
                "category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
                "configuration": {"ProjectName": f"{name}-build"}, "inputArtifacts": [{"name": "Src"}],
                "outputArtifacts": [{"name": "Out"}], "runOrder": 1}]}]
        if i % 5 == 0:
            function_role = world.role(TOOLING, f"{name}-check", {"Service": "lambda.amazonaws.com"}, {"cb": doc(
                allow(["codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult"], "*"))})
            world.c(TOOLING, region, "lambda").create_function(
                FunctionName=f"{name}-check", Runtime="python3.12", Role=function_role, Handler="index.handler",
                Code={"ZipFile": zipped.getvalue()})
            stages.append({"name": "Check", "actions": [{"name": "Check", "actionTypeId": {
                "category": "Invoke", "owner": "AWS", "provider": "Lambda", "version": "1"},
                "configuration": {"FunctionName": f"{name}-check"}, "runOrder": 1}]})
        stages.append({"name": "Deploy", "actions": [{"name": "Deploy", "actionTypeId": {
            "category": "Deploy", "owner": "AWS", "provider": "CloudFormation", "version": "1"},
            "roleArn": f"arn:aws:iam::{target}:role/pipeline-deploy",
            "configuration": {"ActionMode": "CREATE_UPDATE", "StackName": name, "TemplatePath": "Out::t.yaml",
                              "RoleArn": f"arn:aws:iam::{target}:role/cloudformation-execution"},
            "inputArtifacts": [{"name": "Out"}], "runOrder": 1}]})
        world.c(TOOLING, region, "codepipeline").create_pipeline(pipeline={
            "name": name, "pipelineType": "V2", "roleArn": role,
            "artifactStore": {"type": "S3", "location": f"release-artifacts-{TOOLING}-{region}",
                              "encryptionKey": {"id": world.keys[region], "type": "KMS"}},
            "stages": stages})
        world.trigger(region, name, f"{name}-source-changed", f"{name}-trigger", True, "pipeline")
    return world


def _union(spans: list) -> float:
    """Total length of the union of (start, end) intervals."""
    total, current_start, current_end = 0.0, None, None
    for start, end in sorted(spans):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += current_end - current_start
    return total


def measure(args) -> dict:
    """The child: log in as CI would, audit ``args.runs`` times with the call hooks; the figures as a dict."""
    from pipelint import live
    from pipelint.config import Config

    login_tooling()
    collect_cpu = [0.0]
    collect = live.collect

    def timed_collect(*a, **k):  # the collection's CPU time (all threads of this process)
        begin = time.process_time()
        try:
            return collect(*a, **k)
        finally:
            collect_cpu[0] = time.process_time() - begin

    live.collect = timed_collect
    runs = []
    for _ in range(args.runs):
        calls: Counter = Counter()
        attempts = [0]
        lock = threading.Lock()
        local = threading.local()
        spans: list = []  # (start, end) of every API call, all threads

        def on_call(model=None, **_):
            local.start = time.perf_counter()
            with lock:
                calls[f"{model.service_model.service_name}:{model.name}"] += 1

        def on_done(**_):
            end = time.perf_counter()
            with lock:
                spans.append((getattr(local, "start", end), end))

        def on_send(**_):
            with lock:
                attempts[0] += 1
            if args.latency_ms:
                time.sleep(args.latency_ms / 1000)

        options = live.AuditOptions(regions=[US, EU], assume_role=AUDITOR, workers=args.workers)
        begin, cpu_begin = time.perf_counter(), time.process_time()
        outcome, snapshot = live.audit(options, Config(), hooks=[("before-call", on_call), ("after-call", on_done),
                                                                 ("after-call-error", on_done),
                                                                 ("before-send", on_send)])
        runs.append({"audit": time.perf_counter() - begin, "audit_cpu": time.process_time() - cpu_begin,
                     "collect": snapshot.seconds, "collect_cpu": collect_cpu[0],
                     "in_flight": _union(spans) / snapshot.seconds,
                     "busy": sum(end - start for start, end in spans) / snapshot.seconds,
                     "calls": dict(calls), "attempts": attempts[0], "pipelines": len(snapshot.pipelines()),
                     "accounts": sorted({a for a, _ in snapshot.files}),
                     "verdicts": Counter(f.verdict for f in outcome.findings).most_common(),
                     "unreadable": len(snapshot.unreadable())})
    return {"runs": runs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipelines", type=int, default=50)
    parser.add_argument("--accounts", type=int, default=3, help="accounts: the tooling account and M - 1 workload accounts")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="sleep added to every HTTP attempt")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # the audit's own process
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args)))
        return 0

    server = MotoServer()
    try:
        with aws_environment(server.endpoint):
            start = time.perf_counter()
            build(args.pipelines, args.accounts)
            built = time.perf_counter() - start
            child = subprocess.run([sys.executable, __file__, "--child", "--workers", str(args.workers),
                                    "--runs", str(args.runs), "--latency-ms", str(args.latency_ms)],
                                   capture_output=True, text=True, env=dict(os.environ))
            if child.returncode != 0:
                sys.exit(f"the audit process failed:\n{child.stderr}")
            runs = json.loads(child.stdout.strip().splitlines()[-1])["runs"]
    finally:
        server.stop()

    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    last = runs[-1]
    audited, calls = last["pipelines"], Counter(last["calls"])
    total = sum(calls.values())
    accounts = last["accounts"]
    collect, collect_cpu = median("collect"), median("collect_cpu")
    print(f"moto world: {args.pipelines} pipelines built in {built:.1f} s")
    shown = ", ".join(accounts[:3]) + (", ..." if len(accounts) > 3 else "")
    print(f"audited {audited} pipelines, {len(accounts)} accounts ({shown}), regions {US} and "
          f"{EU}, {args.workers} workers, {args.runs} run(s), {args.latency_ms:g} ms added per call")
    print(f"  collection wall time: median {collect:.2f} s (min {min(r['collect'] for r in runs):.2f}, "
          f"max {max(r['collect'] for r in runs):.2f})")
    print(f"  collection CPU time (pipelint's own, all threads): {collect_cpu:.2f} s; waiting for answers: "
          f"{100 * max(0.0, 1 - collect_cpu / collect):.0f}% of the collection's wall time")
    print(f"  audit wall time (collect + write + lint): median {median('audit'):.2f} s, CPU {median('audit_cpu'):.2f} s")
    print(f"  API calls: {total} ({total / audited:.1f} per pipeline), HTTP attempts: {last['attempts']}")
    print(f"  a request in flight {100 * median('in_flight'):.0f}% of the collection's wall time; "
          f"requests in flight on average: {median('busy'):.1f}")
    print(f"  findings: {sum(n for _, n in last['verdicts'])} ({last['verdicts']}); unreadable: {last['unreadable']}")
    print("  calls by operation:")
    for operation, count in sorted(calls.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"    {count:5d}  {operation}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
