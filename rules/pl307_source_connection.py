"""
## What it does
For every `CodeStarSourceConnection` source action (GitHub, GitLab, Bitbucket through a
CodeConnections connection), checks that the role running it — the action's `roleArn`, else the
pipeline's role — may `UseConnection` on the connection in `ConnectionArn`, and, where the account's
state is known (a live audit or its snapshot), that the connection exists and is `AVAILABLE`. When the
action's `OutputArtifactFormat` is `CODEBUILD_CLONE_REF`, the service role of every CodeBuild project
that reads that artifact needs `UseConnection` too: CodeBuild clones the repository itself.

AWS renamed CodeStar Connections to CodeConnections in 2024: a connection's ARN starts
`arn:aws:codestar-connections:` or (created since) `arn:aws:codeconnections:`, and the actions of both
prefixes remain available (Developer Tools console UG, "Connections rename - Summary of changes"), so
`codestar-connections:UseConnection` or `codeconnections:UseConnection` will do — aws-cdk grants the
former for connections of either prefix. What must match is the ARN the policy names: "when specifying a
resource in the IAM policy, the service prefix needs to match that of the resource", so a statement on
`arn:aws:codestar-connections:...:connection/ID` does not cover `arn:aws:codeconnections:...:connection/ID`.
Connections have no resource policy: a role in another account than the connection cannot use it.

## Why is this bad?
Without `UseConnection` the source action fails on every run ("Insufficient permissions ... unable to
use the connection"). A connection created by CloudFormation, the CLI or an SDK starts `PENDING`
(CloudFormation template reference, `AWS::CodeConnections::Connection`) and stays so until someone
completes the handshake with the provider in the console; until then, and when it is in `ERROR`,
every run of the pipeline fails at its first stage.

## Example
```yaml
Connection:
  Type: AWS::CodeConnections::Connection
  Properties: {ConnectionName: github, ProviderType: GitHub}
PipelineRole:
  Properties:
    Policies:
      - PolicyDocument:
          Statement:
            - Effect: Allow
              Action: codeconnections:UseConnection
              # the old prefix: names no connection created as AWS::CodeConnections::Connection
              Resource: !Sub "arn:${AWS::Partition}:codestar-connections:${AWS::Region}:${AWS::AccountId}:connection/*"
```

## Fix
Allow the matching action on the connection in the role's policy:
```json
{"Effect": "Allow", "Action": "codeconnections:UseConnection",
 "Resource": "arn:aws:codeconnections:us-east-1:111111111111:connection/..."}
```
and complete a `PENDING` connection in the console (Developer Tools > Settings > Connections >
Update pending connection).
"""

from __future__ import annotations

from pipelint import arns, grants, queries
from pipelint.model import Action, Pipeline, World
from pipelint.rule import Report, Rule
from pipelint.values import Unknown, display

RULE = Rule(id="PL307", name="source-connection", severity="error",
            summary="Source actions may use their CodeConnections connection, and it is AVAILABLE")

PROVIDER = "CodeStarSourceConnection"
SERVICES = ("codestar-connections", "codeconnections")
# condition keys of UseConnection whose values the action's configuration gives (Service Authorization
# Reference, AWS CodeConnections: codeconnections:FullRepositoryId / :BranchName)
CONFIG_KEYS = {"FullRepositoryId": "FullRepositoryId", "BranchName": "BranchName"}


def check(world: World, report: Report) -> None:
    for pipeline in world.pipelines:
        for action in pipeline.actions:
            if action.provider == PROVIDER:
                _action(world, report, pipeline, action)


def _action(world: World, report: Report, pipeline: Pipeline, action: Action) -> None:
    arn = action.configuration.get("ConnectionArn")
    role = action.role_arn if action.role_arn is not None else pipeline.role_arn
    res = [pipeline.key, str(arn) if isinstance(arn, str) else None]
    if not isinstance(arn, str):
        report.unverified(action.source, f"which connection source action {action.label} of pipeline "
                          f"{pipeline.label} uses is not known", resources=res,
                          settle=arn.reason if isinstance(arn, Unknown) else "the action's ConnectionArn")
        return
    service = arns.service_of(arn)
    if service not in SERVICES or not (arns.resource_of(arn) or "").startswith("connection/"):
        report.fail(action.source, f"ConnectionArn of source action {action.label} ({display(arn)}) is not the ARN of "
                    "a CodeConnections connection", resources=res,
                    fix="Set ConnectionArn to arn:aws:codeconnections:REGION:ACCOUNT:connection/ID (or the "
                        "arn:aws:codestar-connections:... ARN of an older connection).")
        return
    _state(world, report, action, arn, res)
    context = {f"{service}:{key}": action.configuration[name] for name, key in CONFIG_KEYS.items()
               if isinstance(action.configuration.get(name), str)}
    connection = world.connections.get(arn)
    if connection is not None and isinstance(connection.provider_type, str):
        context[f"{service}:ProviderType"] = connection.provider_type
    who = "action role" if action.role_arn is not None else "pipeline role"
    _grant(world, report, action, role, who, service, arn, context, res)
    if action.configuration.get("OutputArtifactFormat") == "CODEBUILD_CLONE_REF":
        for consumer, project in _clone_builds(world, pipeline, action):
            if project is None:
                name = queries.project_name(consumer)
                report.unverified(consumer.source, f"whether CodeBuild project {display(name)} (action {consumer.label}) "
                                  f"may {service}:UseConnection to clone the repository is not known", resources=res,
                                  settle=name.reason if isinstance(name, Unknown) else
                                  f"the template or snapshot that defines CodeBuild project {name} and its service role")
                continue
            _grant(world, report, consumer, project.service_role, f"service role of CodeBuild project "
                   f"{display(project.name)}", service, arn, context,
                   [*res, str(project.arn) if isinstance(project.arn, str) else None],
                   why=" (the source's OutputArtifactFormat is CODEBUILD_CLONE_REF: CodeBuild clones the repository "
                       "through the connection)")


def _state(world: World, report: Report, action: Action, arn: str, res: list) -> None:
    """What the account holds now, when a live audit (or its snapshot) read the connection."""
    connection = world.connections.get(arn)
    if connection is None:
        return  # named only (a parameter, a pipeline JSON): its state is not known offline
    if connection.exists is False:
        report.fail(action.source, f"source action {action.label} uses connection {arn}, which does not exist in "
                    f"account {display(connection.account)}: every run fails at the source stage", resources=res,
                    fix="Create the connection (or point ConnectionArn at an existing one) and complete it in the "
                        "console.")
    elif isinstance(connection.status, Unknown):
        report.unverified(action.source, f"whether connection {arn} of source action {action.label} is "
                          "AVAILABLE is not known", resources=res, settle=connection.status.reason)
    elif isinstance(connection.status, str) and connection.status != "AVAILABLE":
        pending = connection.status == "PENDING"
        report.fail(action.source, f"connection {arn} of source action {action.label} is {connection.status}"
                    + (": nobody has completed the handshake with the provider" if pending else "")
                    + ", so every run of the pipeline fails at the source stage", resources=res,
                    fix="Complete the connection in the console (Developer Tools > Settings > Connections > "
                        "Update pending connection)" if pending else
                        "Fix the connection in the console (Developer Tools > Settings > Connections), or "
                        "create a new one and point ConnectionArn at it.")


def _grant(world: World, report: Report, action: Action, role, who: str, service: str, arn: str, context: dict,
           res: list, why: str = "") -> None:
    needed = f"{service}:UseConnection"
    resources = [*res, str(role) if isinstance(role, str) else None]
    if not isinstance(role, str):
        report.unverified(action.source, f"whether the {who} of {action.label} may {needed} on {arn} is not known",
                          resources=resources, settle=role.reason if isinstance(role, Unknown) else
                          "the role that runs the action (the pipeline's roleArn)")
        return
    check = grants.Check(principal=role, action=needed, resource=arn, resource_account=arns.account_of(arn),
                         resource_policy=None, context=context)
    what = f"{who} {role} ({action.label}) to {needed} on {arn}{why}"
    fix = f"policy of role {role}: " + grants.statement("UseSourceConnection", [needed], arn)
    if grants.run(world, check).denied:
        # AWS renamed the service (codestar-connections -> codeconnections, 2024) and keeps the actions of
        # both prefixes available (DTConsole UG, "Connections rename"); aws-cdk grants
        # codestar-connections:UseConnection on connections of either prefix. What must match the
        # connection is the ARN the policy names, which the resource match below already requires.
        other = next(s for s in SERVICES if s != service)
        renamed = {key.replace(f"{service}:", f"{other}:"): value for key, value in context.items()}
        if grants.run(world, grants.Check(**{**vars(check), "action": f"{other}:UseConnection",
                                             "context": renamed})).allowed:
            return
    grants.judge(world, report, check, what=what, at=action.source, resources=resources,
                 resource_word="resource policy (connections have none: the role must be in the connection's account)",
                 identity_fix=fix)


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
