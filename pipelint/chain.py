"""The access chain of a setup: every request a pipeline's actions, its trigger and CloudFormation make at
run time, as links ``caller -> resource`` that each hold one :class:`~pipelint.grants.Check`.

The one definition of the chain: the grant rules (PL301-PL307) judge these links and word the findings,
``pipelint graph`` draws them and ``pipelint trace`` lists them, so a picture and a finding cannot
disagree. A link the inputs cannot build (an unknown role, a role no input defines) carries ``unknown``
(what would settle it); a link that fails whatever the policies say (PassRole across accounts, a target
without a role) carries ``broken``.

| kind | caller -> resource | rule |
|---|---|---|
| read / write | artifact principal -> artifact bucket (``s3:GetObject`` / ``s3:PutObject``, across accounts) | PL301 |
| decrypt / encrypt | artifact principal -> artifact key (``kms:Decrypt`` / ``kms:GenerateDataKey`` through S3) | PL302 |
| assume | pipeline role -> action role | PL303 |
| pass role, assume | action role -> stack execution role; ``cloudformation.amazonaws.com`` -> execution role | PL304 |
| report result | Lambda function role -> pipeline (``PutJobSuccessResult`` / ``PutJobFailureResult``) | PL305 |
| start pipeline, assume, send to DLQ | trigger role -> pipeline; ``events.amazonaws.com`` -> trigger role, DLQ | PL306 |
| use connection | source role, cloning CodeBuild roles -> connection | PL307 |
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pipelint import arns, grants, queries, request_context
from pipelint.artifacts import Access, accesses
from pipelint.model import Action, EventRule, Pipeline, Project, Queue, Source, Target, World
from pipelint.policy import Result
from pipelint.records import record
from pipelint.values import Unknown, display

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

ASSUME, READ, WRITE, DECRYPT, ENCRYPT = "assume", "read", "write", "decrypt", "encrypt"
PASS_ROLE, USE_CONNECTION, REPORT_RESULT = "pass role", "use connection", "report result"
START_PIPELINE, SEND_TO_DLQ = "start pipeline", "send to DLQ"
# the order an action makes its requests in at run time (trace lists them so)
KINDS = (ASSUME, USE_CONNECTION, READ, DECRYPT, WRITE, ENCRYPT, PASS_ROLE, REPORT_RESULT, START_PIPELINE, SEND_TO_DLQ)

HOLDS, FAILS, UNVERIFIED = "holds", "fails", "unverified"

CLOUDFORMATION = "cloudformation.amazonaws.com"
EVENTS = "events.amazonaws.com"
CONNECTION_SOURCE = "CodeStarSourceConnection"
CONNECTION_SERVICES = ("codestar-connections", "codeconnections")
# condition keys of UseConnection whose values the action's configuration gives (Service Authorization
# Reference, AWS CodeConnections: codeconnections:FullRepositoryId / :BranchName)
CONNECTION_CONFIG_KEYS = {"FullRepositoryId": "FullRepositoryId", "BranchName": "BranchName"}
CALLBACKS = ["codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult"]


@record
class Link:
    """One request of the chain: ``caller`` (node ``frm``) asks ``check.action`` on a resource (node ``to``)."""

    kind: str  # one of KINDS
    rule: str  # the rule that judges it
    source: Source  # where the link is declared: the action, the trigger's target
    frm: str  # node id of the caller
    to: str  # node id of the resource
    check: grants.Check | None = None
    # checks that satisfy the link as well when ``check`` is denied (the two UseConnection prefixes)
    alternatives: tuple = ()
    unknown: str | None = None  # the link cannot be built: the input that would settle it
    broken: str | None = None  # fails whatever the policies say: why
    who: str = ""  # the caller in words: "action role", "pipeline role", "CodeBuild service role of project X"
    caller: Any = None  # the calling role's ARN (or an Unknown), or the service principal
    # one finding per group: after a link of a group that does not hold, the finding covers the others
    group: Any = None
    pipeline: Pipeline | None = None
    action: Action | None = None
    # what the owning rule words its finding with
    access: Access | None = None  # PL301/PL302
    artifact: str | None = None  # PL301: the artifact read or written
    event_rule: EventRule | None = None  # PL306
    target: Target | None = None  # PL306
    queue: Queue | None = None  # PL306
    function: Any = None  # PL305: the Lambda function
    connection: str | None = None  # PL307: the connection's ARN
    project: Project | None = None  # PL307: the CodeBuild project that clones through the connection
    via: Action | None = None  # PL307: the source action whose connection a CodeBuild action clones through


# -- node ids ---------------------------------------------------------------------------------------

def _unknown_node(what: str, value: Any) -> str:
    reason = value.reason if isinstance(value, Unknown) else str(value)
    return f"unknown:{what}:{reason}"


def role_node(arn: Any, what: str = "role") -> str:
    """A role's node; a role the inputs cannot name is a node per ``what`` it is ("action role", ...) and
    reason, so an unknown passer and an unknown execution role stay two nodes."""
    return f"role:{arn}" if isinstance(arn, str) else _unknown_node(what, arn or "no role")


def pipeline_node(pipeline: Pipeline) -> str:
    return f"pipeline:{pipeline.key}"


def action_node(pipeline: Pipeline, action: Action) -> str:
    return f"action:{pipeline.key}:{action.label}"


def bucket_node(name: Any) -> str:
    return f"bucket:{name}" if isinstance(name, str) else _unknown_node("bucket", name)


def key_node(ref: Any) -> str:
    return f"key:{ref}" if isinstance(ref, str) else _unknown_node("key", ref)


def service_node(service: str, account: Any) -> str:
    """A service principal acting in ``account`` (drawn there, beside what it reaches)."""
    return f"service:{service}:{account if isinstance(account, str) else '?'}"


def queue_node(arn: Any) -> str:
    return f"queue:{arn}" if isinstance(arn, str) else _unknown_node("queue", arn)


def connection_node(arn: Any) -> str:
    return f"connection:{arn}" if isinstance(arn, str) else _unknown_node("connection", arn)


def rule_node(rule: EventRule) -> str:
    return f"rule:{rule.key}"


# -- the chain --------------------------------------------------------------------------------------

def links(world: World, rule: str | None = None) -> Iterator[Link]:
    """Every link of the chain (or only those ``rule`` judges), in the order the rules judge them."""
    for rule_id, build in BUILDERS.items():
        if rule is None or rule == rule_id:
            yield from build(world)


def of_pipeline(world: World, pipeline: Pipeline) -> list[Link]:
    """The links of one pipeline: its actions' and those of the triggers that start it."""
    return [link for link in links(world) if link.pipeline is pipeline]


def evaluate(world: World, link: Link) -> Result | None:
    """The evaluator's answer for the link (None when it has no check: see ``unknown``/``broken``)."""
    if link.check is None:
        return None
    result = grants.run(world, link.check)
    if result.denied:
        for other in link.alternatives:
            answer = grants.run(world, other)
            if answer.allowed:
                return answer
    return result


def verdict(world: World, link: Link) -> tuple[str, Result | None]:
    """(holds / fails / unverified, the evaluator's result): what the owning rule reports for the link."""
    if link.broken is not None:
        return FAILS, None
    if link.unknown is not None or link.check is None:
        return UNVERIFIED, None
    result = evaluate(world, link)
    if result.allowed:
        return HOLDS, result
    return (FAILS if result.denied else UNVERIFIED), result


def judged(world: World, report: Any, chain: Iterator[Link],
           judge: Callable[[World, Any, Link], Result | None]) -> Iterator[tuple[Link, list, Link]]:
    """Judge each link the way every grant rule does: ``judge`` reports on one link (and returns the
    evaluator's result, or None when the link has no check); once a link of a group does not hold, its
    finding stands for the rest of the group. Yields (link, the findings it produced, the link whose
    finding covers it), so callers can tell which finding belongs to which link."""
    stopped: dict = {}
    for link in chain:
        if link.group is not None and link.group in stopped:
            yield link, [], stopped[link.group]
            continue
        before = len(report.findings)
        result = judge(world, report, link)
        yield link, report.findings[before:], link
        if link.group is not None and (result is None or not result.allowed):
            stopped[link.group] = link


def walk(world: World, report: Any, chain: Iterator[Link],
         judge: Callable[[World, Any, Link], Result | None]) -> None:
    """What a grant rule runs: :func:`judged` without keeping the links (PL302 has 50,000 of them at
    10,000 pipelines; keeping them was a fifth of that run's peak memory)."""
    for _ in judged(world, report, chain, judge):
        pass


# -- PL301, PL302: artifacts ---------------------------------------------------------------------------

def _access_unknown(pipeline: Pipeline, action: Action, reason: str, rule: str) -> Link:
    kind = (READ if action.input_artifacts else WRITE) if rule == "PL301" else (
        DECRYPT if action.input_artifacts else ENCRYPT)
    return Link(kind, rule, action.source, action_node(pipeline, action), _unknown_node("artifacts", reason),
                unknown=reason, pipeline=pipeline, action=action)


def _bucket_links(world: World) -> Iterator[Link]:
    """PL301: across accounts, each principal reads its first input artifact and writes its first output
    artifact in the store's bucket (one read and one write settle the folder grants for the action)."""
    for pipeline in world.pipelines:
        for action, access in accesses(world, pipeline):
            if isinstance(access, Unknown):
                yield _access_unknown(pipeline, action, access.reason, "PL301")
                continue
            needs = [(READ, "s3:GetObject", artifact, False) for artifact in access.reads[:1]]
            needs += [(WRITE, "s3:PutObject", artifact, True) for artifact in access.writes[:1]]
            for kind, s3_action, artifact, write in needs:
                policy = access.bucket.policy if access.bucket is not None else grants.missing(
                    f"the policy of bucket {access.bucket_name} (the bucket is not among the inputs)")
                yield Link(kind, "PL301", action.source, role_node(access.role_arn), bucket_node(access.bucket_name),
                           grants.Check(principal=access.role_arn, action=s3_action,
                                        resource=access.object_arn(artifact), resource_account=access.bucket_account,
                                        resource_policy=policy,
                                        context=request_context.artifact_object(world, access.bucket_account, write,
                                                                                access.store.key_id)),
                           who=access.who, caller=access.role_arn, pipeline=pipeline, action=action, access=access,
                           artifact=artifact)


def _key_links(world: World) -> Iterator[Link]:
    """PL302: every principal that touches an action's artifacts decrypts (reads) and generates data keys
    (writes) with the region's artifact key, through S3, in its own account too."""
    for pipeline in world.pipelines:
        for action, access in accesses(world, pipeline, same_account=True):
            if isinstance(access, Unknown):
                yield _access_unknown(pipeline, action, access.reason, "PL302")
                continue
            if access.store.key_id is None:
                continue  # no key: PL101 reports it
            frm = role_node(access.role_arn)
            common = dict(who=access.who, caller=access.role_arn, pipeline=pipeline, action=action, access=access)
            key = access.key
            if key is None or not isinstance(key.arn, str):
                yield Link(DECRYPT if access.reads else ENCRYPT, "PL302", action.source, frm,
                           key_node(access.store.key_id), unknown=queries.settle_key(world, access.store.key_id),
                           **common)
                continue
            needs = ([(DECRYPT, "kms:Decrypt")] if access.reads else []) + (
                [(ENCRYPT, "kms:GenerateDataKey")] if access.writes else [])
            for kind, kms_action in needs:
                policy = key.policy or grants.missing(f"the key policy of {key.arn} (not among the inputs)")
                yield Link(kind, "PL302", action.source, frm, key_node(key.arn), grants.Check(
                    principal=access.role_arn, action=kms_action, resource=key.arn, resource_account=key.account,
                    resource_policy=policy, kind="kms",
                    context=request_context.artifact_key(world, key.account, access.region)),
                    group=("PL302", pipeline.key, action.label, access.who, access.role_arn), **common)


# -- PL303: the pipeline role assumes action roles ----------------------------------------------------

def _assume_links(world: World) -> Iterator[Link]:
    for pipeline in world.pipelines:
        for action in pipeline.actions:
            target = action.role_arn
            # the pipeline's own role needs no assuming; two unknown ARNs that share a reason (a template
            # not in the map) may still be two roles, so only a known ARN is skipped
            if target is None or (isinstance(target, str) and target == pipeline.role_arn):
                continue
            frm, to = role_node(pipeline.role_arn, "pipeline role"), role_node(target, "action role")
            common = dict(who="pipeline role", caller=pipeline.role_arn, pipeline=pipeline, action=action)
            unknown = next((v for v in (target, pipeline.role_arn) if isinstance(v, Unknown)), None)
            if unknown is not None or pipeline.role_arn is None:
                yield Link(ASSUME, "PL303", action.source, frm, to,
                           unknown=unknown.reason if unknown else "the pipeline's roleArn", **common)
                continue
            role = world.role(target)
            trust = role.trust if role is not None and role.trust is not None else grants.missing(
                queries.settle_role(world, target) if queries.is_cdk_bootstrap_role(target)
                else f"the trust policy of role {target}: {queries.settle_role(world, target)}")
            yield Link(ASSUME, "PL303", action.source, frm, to, grants.Check(
                principal=pipeline.role_arn, action="sts:AssumeRole", resource=target,
                resource_account=arns.account_of(target), resource_policy=trust, kind="trust",
                context=request_context.assume_action_role(world, arns.account_of(target))), **common)


# -- PL304: CloudFormation's execution role ------------------------------------------------------------

def _pass_role_links(world: World) -> Iterator[Link]:
    for pipeline in world.pipelines:
        for action in pipeline.actions:
            if action.provider != "CloudFormation" or "RoleArn" not in action.configuration:
                continue
            execution = action.configuration["RoleArn"]
            passer = action.role_arn if action.role_arn is not None else pipeline.role_arn
            who = "action role" if action.role_arn is not None else "pipeline role"
            common = dict(pipeline=pipeline, action=action)
            passing = dict(who=who, caller=passer, **common)
            unknown = next((v for v in (execution, passer) if isinstance(v, Unknown)), None)
            if unknown is not None or passer is None:
                yield Link(PASS_ROLE, "PL304", action.source, role_node(passer, who), role_node(execution, "execution role"),
                           unknown=unknown.reason if unknown else "the pipeline's roleArn", **passing)
                continue
            if arns.account_of(passer) and arns.account_of(execution) and \
                    arns.account_of(passer) != arns.account_of(execution):
                yield Link(PASS_ROLE, "PL304", action.source, role_node(passer, who), role_node(execution, "execution role"),
                           broken="iam:PassRole cannot cross accounts", **passing)
            else:
                yield Link(PASS_ROLE, "PL304", action.source, role_node(passer, who), role_node(execution, "execution role"), grants.Check(
                    principal=passer, action="iam:PassRole", resource=execution,
                    resource_account=arns.account_of(execution), resource_policy=None,
                    context=request_context.pass_role(CLOUDFORMATION)), **passing)
            role = world.role(execution)
            frm = service_node(CLOUDFORMATION, arns.account_of(execution))
            service = dict(who="CloudFormation", caller=CLOUDFORMATION, **common)
            if role is None or role.trust is None:
                yield Link(ASSUME, "PL304", action.source, frm, role_node(execution, "execution role"),
                           unknown=queries.settle_role(world, execution), **service)
                continue
            yield Link(ASSUME, "PL304", action.source, frm, role_node(execution, "execution role"), grants.Check(
                principal=None, service=CLOUDFORMATION, action="sts:AssumeRole", resource=execution,
                resource_account=arns.account_of(execution), resource_policy=role.trust, kind="trust"), **service)


# -- PL305: Lambda invoke functions report back --------------------------------------------------------

def _functions(world: World) -> dict:
    """(name or ARN, account, region) -> function; an ARN also finds it on its own (one pass, not one per action)."""
    index: dict = {}
    for function in world.functions.values():
        index[(function.name, function.account, function.region)] = function
        index[(function.arn, None, None)] = function
    return index


def _callback_links(world: World) -> Iterator[Link]:
    functions = None
    for pipeline in world.pipelines:
        for action in pipeline.actions:
            if action.category != "Invoke" or action.provider != "Lambda":
                continue
            name = action.configuration.get("FunctionName")
            region = pipeline.action_region(action)
            account = pipeline.account
            if functions is None:
                functions = _functions(world)
            function = None
            if isinstance(name, str):
                function = functions.get((name, None, None)) or functions.get((name, account, region))
            common = dict(who=f"role of function {display(name)}", pipeline=pipeline, action=action, function=function)
            if function is None or function.role_arn is None or isinstance(function.role_arn, Unknown):
                why = (name.reason if isinstance(name, Unknown) else
                       function.role_arn.reason if function is not None and isinstance(function.role_arn, Unknown)
                       else f"the template or snapshot that defines Lambda function {name} and its role")
                frm = role_node(function.role_arn, "function role") if function is not None else _unknown_node("function", why)
                yield Link(REPORT_RESULT, "PL305", action.source, frm, pipeline_node(pipeline), unknown=why,
                           caller=function.role_arn if function is not None else None, **common)
                continue
            for needed in CALLBACKS:
                yield Link(REPORT_RESULT, "PL305", action.source, role_node(function.role_arn, "function role"), pipeline_node(pipeline),
                           grants.Check(principal=function.role_arn, action=needed, resource="*",
                                        resource_account=account, resource_policy=None),
                           caller=function.role_arn, group=("PL305", pipeline.key, action.label), **common)


# -- PL306: EventBridge triggers ----------------------------------------------------------------------

def _trigger_links(world: World) -> Iterator[Link]:
    by_key = {p.key: p for p in world.pipelines if isinstance(p.key, str)}  # odd inputs give odd keys
    for rule in world.event_rules:
        for target in rule.targets:
            if queries.is_pipeline_arn(target.arn) is not True:
                continue
            pipeline = by_key.get(target.arn) if isinstance(target.arn, str) else None
            source_ctx = request_context.event_rule(world, rule.arn, rule.account)
            common = dict(pipeline=pipeline, event_rule=rule, target=target)
            yield from _trigger_role(world, rule, target, source_ctx, common)
            yield from _trigger_dlq(world, rule, target, source_ctx, common)


def _started_node(pipeline: Pipeline | None, target: Target) -> str:
    return pipeline_node(pipeline) if pipeline is not None else (
        f"pipeline:{target.arn}" if isinstance(target.arn, str) else _unknown_node("pipeline", target.arn))


def _trigger_role(world: World, rule: EventRule, target: Target, source_ctx: dict, common: dict) -> Iterator[Link]:
    role_arn = target.role_arn
    to = _started_node(common["pipeline"], target)
    starting = dict(who="trigger role", caller=role_arn, **common)
    if role_arn is None:
        yield Link(START_PIPELINE, "PL306", target.source, rule_node(rule), to,
                   broken="EventBridge needs a role to call StartPipelineExecution", **starting)
        return
    if isinstance(role_arn, Unknown) or isinstance(target.arn, Unknown):
        yield Link(START_PIPELINE, "PL306", target.source, role_node(role_arn, "trigger role"), to,
                   unknown=(role_arn if isinstance(role_arn, Unknown) else target.arn).reason, **starting)
        return
    yield Link(START_PIPELINE, "PL306", target.source, role_node(role_arn, "trigger role"), to, grants.Check(
        principal=role_arn, action="codepipeline:StartPipelineExecution", resource=target.arn,
        resource_account=arns.account_of(target.arn), resource_policy=None), **starting)
    role = world.role(role_arn)
    frm = rule_node(rule)  # EventBridge, acting for the rule (aws:SourceArn)
    service = dict(who="EventBridge", caller=EVENTS, **common)
    if role is None or role.trust is None:
        yield Link(ASSUME, "PL306", target.source, frm, role_node(role_arn, "trigger role"),
                   unknown=queries.settle_role(world, role_arn), **service)
        return
    yield Link(ASSUME, "PL306", target.source, frm, role_node(role_arn, "trigger role"), grants.Check(
        principal=None, service=EVENTS, action="sts:AssumeRole", resource=role_arn,
        resource_account=arns.account_of(role_arn), resource_policy=role.trust, kind="trust", context=source_ctx),
        **service)


def _trigger_dlq(world: World, rule: EventRule, target: Target, source_ctx: dict, common: dict) -> Iterator[Link]:
    dlq = target.dlq_arn
    if dlq is None:
        return  # PL202 reports a missing DLQ
    queue = world.queues.get(dlq) if isinstance(dlq, str) else None
    frm = rule_node(rule)  # EventBridge, acting for the rule (aws:SourceArn)
    service = dict(who="EventBridge", caller=EVENTS, **common)
    if queue is None:
        yield Link(SEND_TO_DLQ, "PL306", target.source, frm, queue_node(dlq),
                   unknown=dlq.reason if isinstance(dlq, Unknown) else f"the template or snapshot of queue {dlq}",
                   **service)
        return
    yield Link(SEND_TO_DLQ, "PL306", target.source, frm, queue_node(dlq), grants.Check(
        principal=None, service=EVENTS, action="sqs:SendMessage", resource=dlq, resource_account=queue.account,
        resource_policy=queue.policy, context=source_ctx), queue=queue, **service)


# -- PL307: source connections ------------------------------------------------------------------------

def connection_service(arn: str) -> str | None:
    """The service prefix of a connection ARN, when ``arn`` is one (None otherwise)."""
    service = arns.service_of(arn)
    if service not in CONNECTION_SERVICES or not (arns.resource_of(arn) or "").startswith("connection/"):
        return None
    return service


def _connection_links(world: World) -> Iterator[Link]:
    for pipeline in world.pipelines:
        for action in pipeline.actions:
            if action.provider == CONNECTION_SOURCE:
                yield from _source_connection(world, pipeline, action)


def _source_connection(world: World, pipeline: Pipeline, action: Action) -> Iterator[Link]:
    arn = action.configuration.get("ConnectionArn")
    role = action.role_arn if action.role_arn is not None else pipeline.role_arn
    who = "action role" if action.role_arn is not None else "pipeline role"
    common = dict(pipeline=pipeline, action=action)
    if not isinstance(arn, str):
        yield Link(USE_CONNECTION, "PL307", action.source, role_node(role, who), connection_node(arn), who=who,
                   caller=role, unknown=arn.reason if isinstance(arn, Unknown) else "the action's ConnectionArn",
                   **common)
        return
    service = connection_service(arn)
    if service is None:
        yield Link(USE_CONNECTION, "PL307", action.source, role_node(role, who), connection_node(arn), who=who,
                   caller=role, broken="not the ARN of a CodeConnections connection", **common)
        return
    context = {f"{service}:{key}": action.configuration[name] for name, key in CONNECTION_CONFIG_KEYS.items()
               if isinstance(action.configuration.get(name), str)}
    connection = world.connections.get(arn)
    if connection is not None and isinstance(connection.provider_type, str):
        context[f"{service}:ProviderType"] = connection.provider_type
    yield _use_connection(world, action, role, who, service, arn, context, common)
    if action.configuration.get("OutputArtifactFormat") == "CODEBUILD_CLONE_REF":
        for consumer, project in _clone_builds(world, pipeline, action):
            clone = dict(pipeline=pipeline, action=consumer, via=action)
            if project is None:
                name = queries.project_name(consumer)
                yield Link(USE_CONNECTION, "PL307", consumer.source, _unknown_node("project", name),
                           connection_node(arn), who=f"service role of CodeBuild project {display(name)}",
                           unknown=name.reason if isinstance(name, Unknown) else
                           f"the template or snapshot that defines CodeBuild project {name} and its service role",
                           connection=arn, **clone)
                continue
            yield _use_connection(world, consumer, project.service_role,
                                  f"service role of CodeBuild project {display(project.name)}", service, arn, context,
                                  dict(clone, project=project))


def _use_connection(world: World, action: Action, role: Any, who: str, service: str, arn: str, context: dict,
                    common: dict) -> Link:
    needed = f"{service}:UseConnection"
    link = dict(who=who, caller=role, connection=arn, **common)
    if not isinstance(role, str):
        return Link(USE_CONNECTION, "PL307", action.source, role_node(role, who), connection_node(arn),
                    unknown=role.reason if isinstance(role, Unknown) else
                    "the role that runs the action (the pipeline's roleArn)", **link)
    check = grants.Check(principal=role, action=needed, resource=arn, resource_account=arns.account_of(arn),
                         resource_policy=None, context=context)
    # AWS renamed the service (codestar-connections -> codeconnections, 2024) and keeps the actions of
    # both prefixes available (DTConsole UG, "Connections rename"); aws-cdk grants
    # codestar-connections:UseConnection on connections of either prefix. What must match the
    # connection is the ARN the policy names, which the resource match already requires.
    other = next(s for s in CONNECTION_SERVICES if s != service)
    renamed = {key.replace(f"{service}:", f"{other}:"): value for key, value in context.items()}
    alternative = grants.Check(**{**vars(check), "action": f"{other}:UseConnection", "context": renamed})
    return Link(USE_CONNECTION, "PL307", action.source, role_node(role, who), connection_node(arn), check,
                alternatives=(alternative,), **link)


def _clone_builds(world: World, pipeline: Pipeline, source: Action):
    """The CodeBuild actions that read ``source``'s output artifact, with their projects."""
    outputs = {a for a in source.output_artifacts if isinstance(a, str)}
    for action in pipeline.actions:
        if action.provider != "CodeBuild" or not outputs.intersection(a for a in action.input_artifacts
                                                                       if isinstance(a, str)):
            continue
        account = queries.action_account(pipeline, action)
        yield action, queries.find_project(world, queries.project_name(action), account,
                                           pipeline.action_region(action))


BUILDERS: dict[str, Callable[[World], Iterator[Link]]] = {
    "PL301": _bucket_links,
    "PL302": _key_links,
    "PL303": _assume_links,
    "PL304": _pass_role_links,
    "PL305": _callback_links,
    "PL306": _trigger_links,
    "PL307": _connection_links,
}
