"""The picture of a setup: boxes (accounts, regions inside them, pipelines and their stages), nodes, and
edges — each access link of the chain with its verdict, links of the same kind between the same two
nodes collapsed into one edge (six actions reading one bucket with one role: one edge, ``read ×6``), and
a few structural edges (an action runs as a role, a store's bucket is encrypted with its key).

Nodes are placed by what the inputs say: a role in its account (IAM is global, so outside the region
boxes), a bucket, key, queue or rule in its account and region, anything whose account is not known in a
box of its own. Node ids are those of :mod:`pipelint.chain`.
"""

from __future__ import annotations

import re
from typing import Any

from pipelint import arns, chain, queries, verdicts
from pipelint.artifacts import principals
from pipelint.errors import UsageError
from pipelint.model import Pipeline, World
from pipelint.records import field, record
from pipelint.values import display

GENERATED = re.compile(r"⟨(?:[^⟩]*\.)?([^⟩.]*)⟩")  # a generated-name placeholder ⟨stack.LogicalId⟩
UNKNOWN_ACCOUNT = "?"  # the box of nodes whose account the inputs do not say
GLOBAL = ""  # the "region" of IAM roles and other global things: directly in the account box

# structural edges: what the setup is made of, not a request with a verdict
RUNS_AS, SERVICE_ROLE, SOURCE, ENCRYPTS = "runs as", "service role", "source", "SSE-KMS"


@record
class Node:
    id: str
    kind: str  # pipeline, action, role, bucket, key, queue, rule, connection, service, unknown
    label: str  # first line: a name
    detail: str  # second line: what it is
    title: str  # the full identity (an ARN, the reason it is not known)
    account: str  # account id, or UNKNOWN_ACCOUNT
    region: str  # region, or GLOBAL
    parent: str | None = None  # the stage box of an action; the pipeline box of a pipeline node


@record
class Box:
    id: str
    kind: str  # account, region, pipeline, stage
    label: str
    parent: str | None


@record
class Edge:
    id: str
    frm: str
    to: str
    kind: str  # a chain kind, or a structural one (RUNS_AS, ...)
    verdict: str | None  # chain.HOLDS / FAILS / UNVERIFIED; None for a structural edge
    judged: list = field(default_factory=list)  # verdicts.Judged, the links collapsed into this edge

    @property
    def count(self) -> int:
        return len(self.judged)

    @property
    def label(self) -> str:
        return f"{self.kind} ×{self.count}" if self.count > 1 else self.kind

    @property
    def rules(self) -> list[str]:
        return sorted({j.link.rule for j in self.judged})


@record
class Graph:
    title: str
    nodes: dict = field(default_factory=dict)  # id -> Node, in the order first met
    boxes: dict = field(default_factory=dict)  # id -> Box
    edges: list = field(default_factory=list)
    pipelines: list = field(default_factory=list)
    every: bool = True  # every pipeline of the inputs is drawn (no --pipeline)

    def failing(self) -> list[Edge]:
        return [e for e in self.edges if e.verdict == chain.FAILS]


def select(world: World, name: str | None) -> list[Pipeline]:
    """The pipelines to draw: all, or the one named ``name`` (its name, label or ARN)."""
    if name is None:
        return list(world.pipelines)
    found = [p for p in world.pipelines if name in (p.name, p.label, p.key)]
    if not found:
        names = ", ".join(sorted({p.label for p in world.pipelines})) or "none"
        raise UsageError(f"no pipeline named {name!r} among the inputs (pipelines: {names})")
    return found


def build(world: World, pipelines: list[Pipeline], findings=(), every: bool = True) -> Graph:
    """The picture of ``pipelines`` and their chain. ``every``: also the links no pipeline of the inputs
    owns (a trigger that starts a pipeline the inputs do not hold)."""
    chosen = {id(p) for p in pipelines}
    links = [link for link in chain.links(world)
             if (link.pipeline is not None and id(link.pipeline) in chosen) or (every and link.pipeline is None)]
    judged = verdicts.judge(world, links, findings)
    title = pipelines[0].label if len(pipelines) == 1 else f"{len(pipelines)} pipelines"
    graph = Graph(title=f"pipelint graph: {title}", pipelines=pipelines,
                  every=every and len(pipelines) == len(world.pipelines))
    draw = _Drawer(world, graph)
    for pipeline in pipelines:
        draw.pipeline(pipeline)
    for item in judged:
        draw.link(item)
    return graph


class _Drawer:
    def __init__(self, world: World, graph: Graph) -> None:
        self.world, self.graph = world, graph
        self.collapsed: dict = {}

    # -- boxes and nodes ---------------------------------------------------------------------------
    def box(self, box_id: str, kind: str, label: str, parent: str | None) -> str:
        if box_id not in self.graph.boxes:
            self.graph.boxes[box_id] = Box(box_id, kind, label, parent)
        return box_id

    def place(self, account: Any, region: Any) -> tuple[str, str]:
        account = account if isinstance(account, str) else UNKNOWN_ACCOUNT
        region = region if isinstance(region, str) else GLOBAL
        self.box(f"account:{account}", "account", "account not known" if account == UNKNOWN_ACCOUNT
                 else f"account {account}", None)
        if region != GLOBAL:
            self.box(f"region:{account}:{region}", "region", region, f"account:{account}")
        return account, region

    def node(self, node_id: str, kind: str, label: str, detail: str, title: str, account: Any, region: Any,
             parent: str | None = None) -> Node:
        found = self.graph.nodes.get(node_id)
        if found is not None:
            return found
        account, region = self.place(account, region)
        if isinstance(label, str) and GENERATED.search(label):
            # a name CloudFormation generates: the logical id says which resource it is
            label, detail = GENERATED.sub(lambda m: m.group(1), label), f"{detail}, name generated"
        made = Node(node_id, kind, display(label), display(detail), display(title), account, region, parent)
        self.graph.nodes[node_id] = made
        return made

    def edge(self, frm: str, to: str, kind: str, verdict: str | None, judged=None) -> None:
        key = (frm, to, kind, verdict)
        edge = self.collapsed.get(key)
        if edge is None:
            edge = self.collapsed[key] = Edge(f"e{len(self.graph.edges) + 1}", frm, to, kind, verdict)
            self.graph.edges.append(edge)
        if judged is not None:
            edge.judged.append(judged)

    # -- what a pipeline is made of -----------------------------------------------------------------
    def pipeline(self, pipeline: Pipeline) -> None:
        account, region = self.place(pipeline.account, pipeline.region)
        container = self.box(f"box:{pipeline.key}", "pipeline", f"pipeline {display(pipeline.label)}",
                             f"region:{account}:{region}" if region != GLOBAL else f"account:{account}")
        kind = f" ({pipeline.pipeline_type})" if isinstance(pipeline.pipeline_type, str) else ""
        me = chain.pipeline_node(pipeline)
        self.node(me, "pipeline", pipeline.label, f"CodePipeline{kind}", pipeline.key, account, region, container)
        if pipeline.role_arn is not None:
            self.edge(me, self.role(pipeline.role_arn, "pipeline role"), SERVICE_ROLE, None)
        for store_region, store in queries.stores(pipeline):
            if not isinstance(store.bucket, str):
                continue
            bucket = self.bucket(store.bucket, "artifact bucket", pipeline.account, store_region)
            if isinstance(store.key_id, str):
                key = self.key(store.key_id, pipeline, store_region)
                self.edge(bucket, key, ENCRYPTS, None)
        for action in pipeline.actions:
            stage = self.box(f"stage:{pipeline.key}:{action.stage}", "stage", f"stage {display(action.stage)}",
                             container)
            action_region = pipeline.action_region(action)
            where = f" in {action_region}" if isinstance(action_region, str) and action_region != pipeline.region else ""
            node = chain.action_node(pipeline, action)
            self.node(node, "action", action.name, f"{display(action.provider)}{where}", f"action {action.label}",
                      account, region, stage)
            for what, role in principals(self.world, pipeline, action, action_region):
                self.edge(node, self.role(role, what), RUNS_AS, None)
            if action.category == "Source" and action.provider == "S3":
                name = action.configuration.get("S3Bucket")
                found = self.world.bucket(name)
                bucket = self.bucket(name, "source bucket", found.account if found else pipeline.account,
                                     found.region if found else action_region)
                self.edge(bucket, node, SOURCE, None)

    def role(self, arn: Any, what: str = "role") -> str:
        node_id = chain.role_node(arn, what)
        if isinstance(arn, str):
            role = self.world.role(arn)
            name = arns.role_name(arn) or arn
            self.node(node_id, "role", name, "IAM role" if role is not None else "IAM role (not among the inputs)",
                      arn, arns.account_of(arn), None)
        else:
            self.unknown(node_id, what)
        return node_id

    def bucket(self, name: Any, what: str, account: Any, region: Any) -> str:
        node_id = chain.bucket_node(name)
        if not isinstance(name, str):
            return self.unknown(node_id, "bucket")
        found = self.world.bucket(name)
        if found is not None:
            account, region = found.account, found.region
        self.node(node_id, "bucket", name, what if found is not None else f"{what} (not among the inputs)",
                  f"arn:aws:s3:::{name}", account, region)
        return node_id

    def key(self, ref: Any, pipeline: Pipeline | None = None, region: Any = None) -> str:
        found = None
        if pipeline is not None:
            found = self.world.key(ref, pipeline.account, region)
        found = found or self.world.key(ref)
        arn = found.arn if found is not None and isinstance(found.arn, str) else ref
        node_id = chain.key_node(arn)
        if not isinstance(arn, str):
            return self.unknown(node_id, "key")
        alias = next((a for a in (found.aliases if found else []) if isinstance(a, str)), None)
        short = alias or (f"key {(arns.key_id_of(arn) or arn)[:8]}…" if arns.key_id_of(arn) else arn)
        self.node(node_id, "key", short, "KMS key" if found is not None else "KMS key (not among the inputs)", arn,
                  arns.account_of(arn) or (pipeline.account if pipeline else None),
                  arns.region_of(arn) or region)
        return node_id

    def unknown(self, node_id: str, what: str) -> str:
        reason = node_id.split(":", 2)[2] if node_id.count(":") >= 2 else node_id
        self.node(node_id, "unknown", f"{what} not known", "add to the inputs", reason, None, None)
        return node_id

    # -- links --------------------------------------------------------------------------------------
    def link(self, judged: verdicts.Judged) -> None:
        link = judged.link
        for node_id in (link.frm, link.to):
            self.ensure(node_id, link)
        self.edge(link.frm, link.to, link.kind, judged.verdict, judged)

    def ensure(self, node_id: str, link: chain.Link) -> None:
        """A node that only a link names (a trigger, a queue, a connection, an execution role, ...)."""
        if node_id in self.graph.nodes:
            return
        kind, _, rest = node_id.partition(":")
        if kind == "unknown":
            self.unknown(node_id, rest.split(":", 1)[0])
        elif kind == "role":
            self.role(rest)
        elif kind == "bucket":
            access = link.access
            self.bucket(rest, "artifact bucket", access.bucket_account if access else None,
                        access.region if access else None)
        elif kind == "key":
            self.key(rest, link.pipeline, link.access.region if link.access else None)
        elif kind == "rule":
            rule = link.event_rule
            self.node(node_id, "rule", rule.label, "EventBridge rule", str(rule.arn if isinstance(rule.arn, str)
                                                                             else rule.key),
                      rule.account, rule.region)
        elif kind == "queue":
            self.node(node_id, "queue", (arns.resource_of(rest) or rest), "SQS queue (dead-letter)", rest,
                      arns.account_of(rest), arns.region_of(rest))
        elif kind == "connection":
            found = self.world.connections.get(rest)
            status = found.status if found is not None and isinstance(found.status, str) else None
            self.node(node_id, "connection", (arns.resource_of(rest) or rest).split("/")[-1][:12],
                      f"connection{f' ({status})' if status else ''}", rest, arns.account_of(rest),
                      arns.region_of(rest))
        elif kind == "service":
            service, _, account = rest.rpartition(":")
            self.node(node_id, "service", service.split(".")[0].capitalize().replace("Cloudformation",
                                                                                         "CloudFormation"),
                      service, service, account if account != "?" else None, None)
        elif kind == "pipeline":  # a pipeline the inputs do not hold, started by a trigger
            self.node(node_id, "pipeline", arns.resource_of(rest) or rest, "pipeline (not among the inputs)", rest,
                      arns.account_of(rest), arns.region_of(rest))
        else:
            self.node(node_id, "unknown", rest, kind, node_id, None, None)
