"""Which of the organization's SCPs and RCPs bear on a request, read from the organization's tree.

The evaluator (:mod:`pipelint.policy.guardrails`) evaluates the levels it is given; this module decides
the levels and who is exempt, from what the inputs say of the organization (:class:`~pipelint.model.Organization`).
AWS rules, from the AWS Organizations User Guide:

- "Service control policies (SCPs)", orgs_manage_policies_scps.html: SCPs restrict the IAM users and
  roles of *member* accounts, the member account's root user included. They do not restrict the
  management account ("Tasks and entities not restricted by SCPs": any action performed by the
  management account; any action performed using permissions attached to a service-linked role),
  principals of accounts outside the organization, or service principals (which are not IAM users or
  roles of a member account).
- "Resource control policies (RCPs)", orgs_manage_policies_rcps.html: RCPs restrict access to the
  resources of member accounts, whoever the caller (root users and principals from other organizations
  included, and AWS service principals: the page lists no exemption for them), for the services of its
  "List of AWS services that support RCPs" (:data:`RCP_SERVICES`). Not restricted: resources of the
  management account, calls made by service-linked roles, AWS managed KMS keys, and ``kms:RetireGrant``.
- "SCP evaluation" / "RCP evaluation": the policies attached to the root, to each OU on the path to the
  account and to the account itself; every level must allow. Every root, OU and account has at least
  one SCP (``FullAWSAccess`` is attached by default, "Attaching and detaching SCPs"), and
  ``RCPFullAWSAccess`` is attached everywhere and cannot be detached ("RCP syntax"). So a level whose
  policies the inputs do not list is not "no policies": it is unknown, and the check is unverified.

A principal or resource in an account the inputs neither place in the tree nor exclude from the
organization is treated as "not known whether SCPs/RCPs apply": the check is unverified only when the
guardrails would decide it.
"""

from __future__ import annotations


from pipelint import arns
from pipelint.model import RCP, SCP, Organization, World
from pipelint.policy import ABSENT, AbsentOr, OrgPolicies, Policy
from pipelint.values import Unknown

TYPE_CHECKING = False  # for annotations only: typing costs 3 ms to import
if TYPE_CHECKING:
    from typing import Any

# AWS-managed organization policies: their ids and documents are fixed ("Managing SCPs", "RCP syntax").
FULL_AWS_ACCESS = "p-FullAWSAccess"
RCP_FULL_AWS_ACCESS = "p-RCPFullAWSAccess"
AWS_MANAGED = {
    FULL_AWS_ACCESS: (SCP, "FullAWSAccess", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    RCP_FULL_AWS_ACCESS: (RCP, "RCPFullAWSAccess", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}),
}
AWS_MANAGED_BY_NAME = {name: pid for pid, (_, name, _) in AWS_MANAGED.items()}

# "List of AWS services that support RCPs" (orgs_manage_policies_rcps.html, as of September 2026): the
# service prefixes of the actions RCPs apply to.
RCP_SERVICES = frozenset({
    "appstream", "dsql", "clouddirectory", "cloudfront", "cloudsearch", "logs", "networkmonitor",
    "cognito-identity", "cognito-idp", "comprehend", "comprehendmedical", "firehose", "dynamodb", "dax",
    "autoscaling", "ecr", "ecr-public", "gamelift", "inspector-scan", "kendra", "kinesisvideo", "memorydb",
    "aoss", "personalize", "polly", "s3", "swf", "sqs", "textract", "timestream-influxdb", "transcribe",
    "translate", "workspaces", "appconfig", "autoscaling-plans", "budgets", "servicediscovery",
    "cloudtrail-data", "codeartifact", "codebuild", "codecommit", "codepipeline", "compute-optimizer",
    "cost-optimization-hub", "events", "fms", "fis", "health", "rolesanywhere", "kms", "opensearch",
    "pricing", "pca-connector-ad", "resource-groups", "secretsmanager", "sts", "signin", "support",
    "transfer", "notifications", "wafv2", "xray",
})
WORD = {SCP: "SCPs", RCP: "RCPs"}
FILTER = {SCP: "SERVICE_CONTROL_POLICY", RCP: "RESOURCE_CONTROL_POLICY"}


def is_service_linked_role(arn: Any) -> bool:
    """IAM UG, "Using service-linked roles": they live under the path /aws-service-role/."""
    return isinstance(arn, str) and ":role/aws-service-role/" in arn


def label(target: str) -> str:
    if target.startswith("r-"):
        return f"root {target}"
    if target.startswith("ou-"):
        return f"OU {target}"
    return f"account {target}"


def membership(world: World, org: Organization, account: str) -> bool | None:
    """Whether ``account`` is a member of the organization; None when the inputs cannot say."""
    if account in org.members or account in org.parents or account == org.management_account:
        return True
    if org.members_complete:
        return False
    if world.org_id and account in world.our_accounts:
        return True  # the configuration says it is one of the organization's accounts
    return None


def path(org: Organization, account: str) -> list[str] | Unknown:
    """The targets whose policies apply to ``account``: root, each OU down the path, the account."""
    chain = [account]
    seen = {account}
    while True:
        parent = org.parents.get(chain[-1])
        if parent is None:
            break
        if parent in seen:
            return Unknown(f"where account {account} sits in the organization (its parents form a loop)")
        chain.append(parent)
        seen.add(parent)
    if chain[-1].startswith("r-"):
        return list(reversed(chain))
    return Unknown(f"where account {account} sits in the organization: the inputs do not lead from it to the "
                   f"root (`aws organizations list-parents --child-id {chain[-1]}`, or "
                   "[organization] children in the configuration)")


def _level(org: Organization, kind: str, target: str) -> tuple:
    name = label(target)
    keys = org.attached.get((kind, target))
    if isinstance(keys, Unknown) or keys is None:
        # an unknown level: the policy's name is what would settle it (the evaluator then says only that)
        why = (f"the {WORD[kind]} attached to {label(target)} ({keys.reason})" if isinstance(keys, Unknown) else
               f"the {WORD[kind]} attached to {label(target)}: `aws organizations list-policies-for-target "
               f"--target-id {target} --filter {FILTER[kind]}` (with `describe-policy` of each), or "
               f"[[policies]] kind = \"{'service' if kind == SCP else 'resource'}-control-policy\" with "
               f"targets = [\"{target}\"]")
        return name, (Policy(Unknown(why), why),)
    policies = []
    for key in keys:
        found = org.policies.get(key)
        what = f"{WORD[kind][:-1]} {found.name if found else key}" + (
            f" ({key})" if found is not None and found.name != key and key.startswith("p-") else "")
        title = f"{what} attached to {label(target)}"
        if found is None:
            why = f"the content of {what} (attached to {label(target)}): `aws organizations describe-policy " \
                  f"--policy-id {key}`"
            policies.append(Policy(Unknown(why), why))
        else:
            policies.append(Policy(found.document.document, title, found.document))
    return name, tuple(policies)


def _applies(world: World, org: Organization, account: Any, kind: str, whose: str) -> tuple[bool | None, str | None]:
    """Whether the organization's ``kind`` policies bear on ``account`` (the principal's for SCPs, the
    resource owner's for RCPs), and when not known, what would settle it."""
    if not isinstance(account, str):
        return None, f"the account of {whose}, to know whether the organization's {WORD[kind]} apply"
    member = membership(world, org, account)
    if member is False:
        return False, None
    if account == org.management_account:
        return False, None  # "... don't affect the management account"
    if member is None:
        return None, (f"whether account {account} is a member of the organization (its {WORD[kind]} would apply): "
                      "`aws organizations list-accounts` output, or [organization] children in the configuration")
    if org.management_account is None:
        return None, (f"whether account {account} is the organization's management account, which {WORD[kind]} do "
                      "not restrict: `aws organizations describe-organization` output, or management-account in "
                      "[organization]")
    return True, None


def _policies(world: World, kind: str, account: Any, whose: str) -> OrgPolicies | None:
    org = world.organization
    applies, why = _applies(world, org, account, kind, whose)
    if applies is False:
        return None
    where = path(org, account) if isinstance(account, str) else Unknown(why or "the account")
    if isinstance(where, Unknown):
        levels = ((f"{WORD[kind]} above account {account}", (Policy(Unknown(where.reason), where.reason),)),)
    else:
        levels = tuple(_level(org, kind, target) for target in where)
    return OrgPolicies(levels, applies, why)


def scps(world: World, principal: Any, service: str | None = None) -> OrgPolicies | None:
    """The SCP levels that bear on requests of ``principal`` (a role ARN); None when none do."""
    org = world.organization
    if org is None or org.types.get(SCP) is not True or service or not isinstance(principal, str):
        return None  # service principals are not IAM principals of a member account
    if is_service_linked_role(principal):
        return None
    return _policies(world, SCP, arns.account_of(principal), f"principal {principal}")


def rcps(world: World, action: str, resource: Any, resource_account: Any, principal: Any) -> OrgPolicies | None:
    """The RCP levels that bear on ``action`` on ``resource``; None when none do."""
    org = world.organization
    if org is None or org.types.get(RCP) is not True or not isinstance(action, str) or ":" not in action:
        return None
    if action.split(":", 1)[0].lower() not in RCP_SERVICES or action.lower() == "kms:retiregrant":
        return None
    if is_service_linked_role(principal) or not isinstance(resource, str) or not resource.startswith("arn:"):
        return None  # an action on "*" authorizes no resource, so no resource's RCPs apply
    key = world.key(resource)
    if key is not None and key.aws_managed:
        return None  # RCPs do not apply to AWS managed KMS keys
    account = resource_account if isinstance(resource_account, str) else arns.account_of(resource)
    return _policies(world, RCP, account, f"resource {resource}")


def layers(world: World, check: Any) -> dict:
    """``scps``/``rcps`` keyword arguments of the evaluator for a :class:`pipelint.grants.Check`."""
    if world.organization is None:
        return {}
    found = {"scps": scps(world, check.principal, check.service),
             "rcps": rcps(world, check.action, check.resource, check.resource_account,
                          None if check.service else check.principal)}
    return {name: value for name, value in found.items() if value is not None}


# -- request context the model knows --------------------------------------------------------------

GLOBAL_REGION = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


def requested_region(world: World, resource: Any) -> str | None:
    """``aws:RequestedRegion`` of a request on ``resource``: the region its ARN names; a bucket's region
    for S3; us-east-1 for IAM, whose endpoint is there (IAM UG, global condition context keys,
    aws:RequestedRegion). None when the inputs cannot say (STS, for one, is called in a region
    CodePipeline chooses)."""
    parts = arns.split(resource)
    if parts is None:
        return None
    service, region = parts[2], parts[3]
    if service == "iam":
        return GLOBAL_REGION.get(parts[1])
    if service == "s3":
        bucket = world.bucket(parts[5].split("/", 1)[0])
        return bucket.region if bucket is not None and isinstance(bucket.region, str) else None
    return region or None


def context(world: World, check: Any) -> dict:
    """Request context keys the model settles for ``check`` (the rule's own context overrides them)."""
    found: dict = {}
    region = requested_region(world, check.resource)
    if region:
        found["aws:RequestedRegion"] = region
    if check.service or not isinstance(check.principal, str):
        return found
    role = world.role(check.principal)
    if role is not None and isinstance(role.tags, dict):
        # CodePipeline assumes the role without session tags, so the session's principal tags are the
        # role's tags; a tag the role does not have is absent once every tag is known
        for tag, value in role.tags.items():
            if value is not None:
                found[f"aws:PrincipalTag/{tag}"] = value
        if role.tags_complete:
            found["aws:PrincipalTag/*"] = ABSENT
    org = world.organization
    account = arns.account_of(check.principal)
    if org is not None and org.id and org.members_complete and account and account not in org.members \
            and account != org.management_account:
        found["aws:PrincipalOrgID"] = AbsentOr([org.id])  # not of this organization; of another, or none
    return found
