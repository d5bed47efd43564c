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

from pipelint import chain, grants
from pipelint.chain import Link
from pipelint.model import Action, World
from pipelint.policy import Result
from pipelint.rule import Report, Rule
from pipelint.values import Unknown, display

RULE = Rule(id="PL307", name="source-connection", severity="error",
            summary="Source actions may use their CodeConnections connection, and it is AVAILABLE")

PROVIDER = chain.CONNECTION_SOURCE
SERVICES = chain.CONNECTION_SERVICES


def check(world: World, report: Report) -> None:
    chain.walk(world, report, chain.links(world, RULE.id), judge)


def judge(world: World, report: Report, link: Link) -> Result | None:
    """The finding of one link of the chain (see pipelint.chain): a role using the source's connection; the
    source action's own link also reports the connection's state."""
    pipeline, action = link.pipeline, link.action
    source = link.via or action
    arn = source.configuration.get("ConnectionArn")
    res = [pipeline.key, str(arn) if isinstance(arn, str) else None]
    if not isinstance(arn, str):
        report.unverified(action.source, f"which connection source action {action.label} of pipeline "
                          f"{pipeline.label} uses is not known", resources=res,
                          settle=link.unknown)
        return None
    if link.broken is not None:
        report.fail(action.source, f"ConnectionArn of source action {action.label} ({display(arn)}) is not the ARN of "
                    "a CodeConnections connection", resources=res,
                    fix="Set ConnectionArn to arn:aws:codeconnections:REGION:ACCOUNT:connection/ID (or the "
                        "arn:aws:codestar-connections:... ARN of an older connection).")
        return None
    service = chain.connection_service(arn)
    if link.via is None:
        _state(world, report, action, arn, res)
        return _grant(world, report, link, action, link.who, service, arn, res)
    project = link.project
    if project is None:
        name = action.configuration.get("ProjectName")
        report.unverified(action.source, f"whether CodeBuild project {display(name)} (action {action.label}) "
                          f"may {service}:UseConnection to clone the repository is not known", resources=res,
                          settle=link.unknown)
        return None
    return _grant(world, report, link, action, link.who, service, arn,
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


def _grant(world: World, report: Report, link: Link, action: Action, who: str, service: str, arn: str,
           res: list, why: str = "") -> Result | None:
    role = link.caller
    needed = f"{service}:UseConnection"
    resources = [*res, str(role) if isinstance(role, str) else None]
    if link.check is None:
        report.unverified(action.source, f"whether the {who} of {action.label} may {needed} on {arn} is not known",
                          resources=resources, settle=link.unknown)
        return None
    what = f"{who} {role} ({action.label}) to {needed} on {arn}{why}"
    fix = grants.Fix(f"policy of role {role}", "UseSourceConnection", [needed], arn)
    result = chain.evaluate(world, link)  # either prefix's UseConnection will do (see pipelint.chain)
    if result.allowed:
        return result
    return grants.judge(world, report, link.check, what=what, at=action.source, resources=resources,
                 resource_word="resource policy (connections have none: the role must be in the connection's account)",
                 identity_fix=fix)
