"""Resource policies open to anyone: a wildcard principal in any AWS resource policy, a
public principal in a GCP IAM binding, public Azure storage.

IAM identity policies have no principal; resource policies do, and many AWS resources
take one (SQS, SNS, ECR, KMS, Lambda, Glacier, Secrets Manager, EFS, OpenSearch, API
Gateway, backup vaults, CloudWatch Logs, role trust policies...). So the rule reads
every policy-shaped attribute of every ``aws_*`` resource rather than a list that would
age: an ``Allow`` for ``*`` (or ``{"AWS": "*"}``) without a ``Condition`` is public.
Only ``Allow`` statements count: a ``Deny`` for everyone is a guard rail, not exposure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from agents.iac.attributes import (
    RuleHit,
    RuleSettings,
    allows,
    blocks,
    policy_document_statements,
    public_principal,
    statements,
    strings,
)
from agents.models import Severity

__all__ = ["public_principals"]

_POLICY_KEYS = ("policy", "access_policy", "access_policies", "assume_role_policy",
                "policy_document", "resource_policy")
# S3 has its own rule (s3-public-policy); identity policies have no principal.
_ELSEWHERE = frozenset({"aws_s3_bucket", "aws_s3_bucket_policy", "aws_iam_policy",
                        "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"})
_PERMISSION_TYPES = frozenset({"aws_lambda_permission", "aws_lambda_layer_version_permission"})
_PUBLIC_MEMBERS = frozenset({"allusers", "allauthenticatedusers"})
_PUBLIC_CONTAINER = frozenset({"blob", "container"})


def _aws(rtype: str, attrs: Mapping[str, Any]) -> Iterator[RuleHit]:
    if rtype == "aws_iam_policy_document":
        found = policy_document_statements(attrs)
        keys: list[tuple[str, Iterator[Mapping[str, Any]]]] = [("statement", found)]
    elif rtype.startswith("aws_") and rtype not in _ELSEWHERE:
        keys = [(key, statements(attrs.get(key))) for key in _POLICY_KEYS if key in attrs]
    else:
        return
    for key, found_statements in keys:
        for statement in found_statements:
            if (allows(statement) and public_principal(statement.get("Principal"))
                    and not statement.get("Condition")):
                yield RuleHit("public-resource-policy", key,
                              "a statement allows any principal ('*') without a condition",
                              Severity.CRITICAL if rtype.startswith("aws_kms") else Severity.HIGH,
                              needle="*")


def _permission(rtype: str, attrs: Mapping[str, Any]) -> Iterator[RuleHit]:
    if rtype in _PERMISSION_TYPES and str(attrs.get("principal", "")).strip() == "*" and not (
            attrs.get("source_arn") or attrs.get("source_account")
            or attrs.get("principal_org_id") or attrs.get("organization_id")):
        yield RuleHit("public-resource-policy", "principal",
                      "anyone may invoke or use it (principal '*', no source condition)",
                      Severity.HIGH, needle="*")


def _gcp_members(rtype: str, attrs: Mapping[str, Any]) -> Iterator[RuleHit]:
    if not rtype.startswith("google_") or "_iam_" not in rtype:
        return
    members = strings(attrs.get("member")) + strings(attrs.get("members"))
    policy = attrs.get("policy_data")
    if isinstance(policy, str):
        try:
            data = json.loads(policy)
        except ValueError:
            data = {}
        members += [m for binding in blocks(data.get("bindings") if isinstance(data, Mapping)
                                             else None) for m in strings(binding.get("members"))]
    public = sorted({m for m in members if m.strip().lower() in _PUBLIC_MEMBERS})
    if public:
        yield RuleHit("public-resource-policy", "member" if "member" in attrs else "members",
                      f"granted to {', '.join(public)}", Severity.HIGH, needle=public[0])


def _azure(rtype: str, attrs: Mapping[str, Any]) -> Iterator[RuleHit]:
    if (rtype == "azurerm_storage_container"
            and str(attrs.get("container_access_type", "")).lower() in _PUBLIC_CONTAINER):
        yield RuleHit("public-resource-policy", "container_access_type",
                      "anonymous read access to the container's blobs", Severity.HIGH,
                      needle=str(attrs.get("container_access_type")))


def public_principals(rtype: str, attrs: Mapping[str, Any], _: RuleSettings
                      ) -> Iterator[RuleHit]:
    yield from _aws(rtype, attrs)
    yield from _permission(rtype, attrs)
    yield from _gcp_members(rtype, attrs)
    yield from _azure(rtype, attrs)
