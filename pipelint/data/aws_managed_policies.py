"""The few AWS-managed policies pipeline roles commonly attach, so their grants can be evaluated offline.

Documents as published in the AWS Managed Policy Reference Guide
(docs.aws.amazon.com/aws-managed-policy/latest/reference/): AdministratorAccess (v1) and
PowerUserAccess (v12, edited 2026-02-12). Any other AWS-managed policy is UNKNOWN offline; the live
audit reads the real default version.
"""

from __future__ import annotations

from typing import Any

_DOCUMENTS: dict[str, dict] = {
    "AdministratorAccess": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    },
    "PowerUserAccess": {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
            {"Effect": "Allow", "Action": [
                "account:GetAccountInformation", "account:GetGovCloudAccountInformation", "account:GetPrimaryEmail",
                "account:ListRegions", "iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles",
                "organizations:DescribeEffectivePolicy", "organizations:DescribeOrganization"], "Resource": "*"},
        ],
    },
}


def document(arn: Any) -> dict | None:
    """The document of an AWS-managed policy ARN (any partition) when shipped here."""
    if not isinstance(arn, str):
        return None
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or parts[4] != "aws" or not parts[5].startswith("policy/"):
        return None
    return _DOCUMENTS.get(parts[5].rsplit("/", 1)[-1])
