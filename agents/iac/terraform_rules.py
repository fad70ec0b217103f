"""Our Terraform security rules: pure functions over a plain dict of resource attributes.

A rule sees ``(resource_type, attributes, settings)`` and yields ``RuleHit``s. The
attributes are what python-hcl2 returns for a block or what ``terraform show -json``
puts in a resource's ``values``: nested blocks are lists of dicts, references are
``${...}`` strings (source) or resolved values (plan). Each rule is documented in
docs/agents/security.md; ids are stable, so a team can disable one by id.

``removed_protections`` is the one change rule: it needs the state before and after
(a plan's ``resource_changes``, or the removed lines of a diff).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from agents.iac.attributes import (
    DEFAULT_SETTINGS,
    RuleHit,
    RuleSettings,
    allows,
    blocks,
    is_false,
    policy_document_statements,
    present,
    public_principal,
    statements,
    strings,
    walk,
)
from agents.iac.baseline import baseline_hits, baseline_rules
from agents.iac.network import exposes_internet, network_exposure, public_address
from agents.iac.principals import public_principals
from agents.models import Severity

__all__ = [
    "DEFAULT_SETTINGS",
    "PROTECTIVE_KEYS",
    "RULES",
    "RuleHit",
    "RuleSettings",
    "TerraformRule",
    "evaluate",
    "removed_protections",
    "rule",
]

A01 = "A01:2021-Broken Access Control"
A02 = "A02:2021-Cryptographic Failures"
A05 = "A05:2021-Security Misconfiguration"
A07 = "A07:2021-Identification and Authentication Failures"
A09 = "A09:2021-Security Logging and Monitoring Failures"


Check = Callable[[str, Mapping[str, Any], RuleSettings], Iterator[RuleHit]]


@dataclass(frozen=True)
class TerraformRule:
    id: str
    title: str
    cwe: tuple[str, ...]
    owasp: tuple[str, ...]
    recommendation: str
    check: Check | None  # None: a change rule (see removed_protections)
    source_only: bool = False


# -- rules --------------------------------------------------------------------------------

_PUBLIC_ACLS = {"public-read": Severity.HIGH, "public-read-write": Severity.CRITICAL,
                "authenticated-read": Severity.HIGH}
_ACL_TYPES = frozenset({"aws_s3_bucket", "aws_s3_bucket_acl", "aws_s3_object",
                        "aws_s3_bucket_object"})
_PUBLIC_GROUPS = ("/global/AllUsers", "/global/AuthenticatedUsers")


def _s3_public_acl(rtype: str, attrs: Mapping[str, Any], _: RuleSettings) -> Iterator[RuleHit]:
    if rtype not in _ACL_TYPES:
        return
    acl = attrs.get("acl")
    if isinstance(acl, str) and acl in _PUBLIC_ACLS:
        yield RuleHit("s3-public-acl", "acl", f"canned ACL '{acl}' opens the objects to anyone",
                      _PUBLIC_ACLS[acl], needle=acl)
    for path, _parent, key, value in walk(attrs):
        if key == "uri" and isinstance(value, str) and value.endswith(_PUBLIC_GROUPS):
            yield RuleHit("s3-public-acl", path, "an ACL grant names a public group",
                          Severity.HIGH, needle=value)


_BLOCK_FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls",
                "restrict_public_buckets")


def _s3_access_block(rtype: str, attrs: Mapping[str, Any], _: RuleSettings) -> Iterator[RuleHit]:
    if rtype not in ("aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"):
        return
    for flag in _BLOCK_FLAGS:
        if is_false(attrs.get(flag)):
            yield RuleHit("s3-public-access-block", flag, f"{flag} is false", Severity.HIGH,
                          needle="false")


def _s3_public_policy(rtype: str, attrs: Mapping[str, Any], _: RuleSettings) -> Iterator[RuleHit]:
    if rtype not in ("aws_s3_bucket_policy", "aws_s3_bucket") or "policy" not in attrs:
        return
    for statement in statements(attrs["policy"]):
        if (allows(statement) and public_principal(statement.get("Principal"))
                and not statement.get("Condition")):
            yield RuleHit("s3-public-policy", "policy",
                          "the bucket policy allows any principal without a condition",
                          Severity.HIGH, needle="*")


_ALL_PROTOCOLS = frozenset({"-1", "all"})


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _only_web(rule: Mapping[str, Any], web: frozenset[int]) -> bool | None:
    """True when every port the rule opens is a web port; None when ports are unknown."""
    protocol = str(rule.get("protocol", rule.get("ip_protocol", ""))).lower()
    if protocol in _ALL_PROTOCOLS:
        return False
    low, high = _int(rule.get("from_port")), _int(rule.get("to_port"))
    if low is None or high is None:
        return None
    if high - low + 1 > len(web) or low > high:
        return False
    return all(port in web for port in range(low, high + 1))


def _ingress_rules(rtype: str, attrs: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    if rtype == "aws_security_group":
        return [(f"ingress[{i}]", b) for i, b in enumerate(blocks(attrs.get("ingress")))]
    if rtype == "aws_security_group_rule" and attrs.get("type") == "ingress":
        return [("", attrs)]
    if rtype == "aws_vpc_security_group_ingress_rule":
        return [("", attrs)]
    return []


def _sg_open_ingress(rtype: str, attrs: Mapping[str, Any], settings: RuleSettings
                     ) -> Iterator[RuleHit]:
    for prefix, rule_attrs in _ingress_rules(rtype, attrs):
        cidrs = [c for key in ("cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6")
                 for c in strings(rule_attrs.get(key))]
        open_to = sorted({c for c in cidrs if exposes_internet(c)})
        if not open_to:
            continue
        web = _only_web(rule_attrs, settings.web_ports)
        if web:
            continue
        protocol = str(rule_attrs.get("protocol", rule_attrs.get("ip_protocol", ""))).lower()
        every_port = protocol in _ALL_PROTOCOLS
        ports = ("all ports" if every_port else
                 f"ports {rule_attrs.get('from_port')}-{rule_attrs.get('to_port')}")
        attribute = f"{prefix}.cidr_blocks" if prefix else "cidr_blocks"
        yield RuleHit("sg-open-ingress", attribute,
                      f"ingress from {', '.join(open_to)} on {ports} (web ports: "
                      f"{', '.join(map(str, sorted(settings.web_ports)))})",
                      Severity.CRITICAL if every_port else Severity.HIGH,
                      needle=open_to[0], certain=web is not None)


_IAM_POLICY_TYPES = frozenset({"aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy",
                               "aws_iam_group_policy"})


def _iamstatements(rtype: str, attrs: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    if rtype in _IAM_POLICY_TYPES:
        yield from statements(attrs.get("policy"))
    elif rtype == "aws_iam_role":
        for block in blocks(attrs.get("inline_policy")):
            yield from statements(block.get("policy"))
    elif rtype == "aws_iam_policy_document":
        yield from policy_document_statements(attrs)


def _iam_wildcard(rtype: str, attrs: Mapping[str, Any], _: RuleSettings) -> Iterator[RuleHit]:
    for statement in _iamstatements(rtype, attrs):
        if not allows(statement):
            continue
        actions = strings(statement.get("Action"))
        resources = strings(statement.get("Resource"))
        any_action = "*" in actions
        any_resource = "*" in resources
        service_wide = [a for a in actions if a.endswith(":*")]
        if any_action and any_resource:
            yield RuleHit("iam-wildcard", "policy", "allows every action on every resource",
                          Severity.CRITICAL, needle="*")
        elif any_action:
            yield RuleHit("iam-wildcard", "policy", "allows every action ('*')", Severity.HIGH,
                          needle="*")
        elif any_resource or service_wide:
            services = ", ".join(sorted(set(service_wide)))
            what = [f"every action of {services}"] if service_wide else []
            what += ["on every resource ('*')"] if any_resource else []
            yield RuleHit("iam-wildcard", "policy", "allows " + " ".join(what), Severity.MEDIUM,
                          needle="*")


_ENCRYPTION_FLAGS = frozenset({
    "storage_encrypted", "encrypted", "at_rest_encryption_enabled",
    "transit_encryption_enabled", "encryption_enabled", "enable_encryption",
    "sqs_managed_sse_enabled", "kms_encrypted", "encrypt_at_rest",
})


def _encryption_off(rtype: str, attrs: Mapping[str, Any], _: RuleSettings) -> Iterator[RuleHit]:
    for path, _parent, key, value in walk(attrs):
        if key in _ENCRYPTION_FLAGS and is_false(value):
            yield RuleHit("encryption-disabled", path, f"{key} is false", Severity.HIGH,
                          needle="false")


_LOGGING_FLAGS = frozenset({"enable_logging", "logging_enabled", "enable_log_file_validation",
                            "logging"})
_LOGGING_BLOCKS = frozenset({"logging", "access_logs", "logging_config",
                             "logging_configuration", "log_publishing_options"})


def _logging_off(rtype: str, attrs: Mapping[str, Any], _: RuleSettings) -> Iterator[RuleHit]:
    for path, parent, key, value in walk(attrs):
        flag = key in _LOGGING_FLAGS or (key == "enabled" and parent in _LOGGING_BLOCKS)
        if flag and is_false(value):
            yield RuleHit("logging-disabled", path, f"{path} is false", Severity.MEDIUM,
                          needle="false")


def _rotation_off(rtype: str, attrs: Mapping[str, Any], _: RuleSettings) -> Iterator[RuleHit]:
    if is_false(attrs.get("enable_key_rotation")):
        yield RuleHit("kms-rotation-disabled", "enable_key_rotation",
                      "enable_key_rotation is false", Severity.MEDIUM, needle="false")


CREDENTIAL_KEYS = frozenset({
    "password", "master_password", "admin_password", "db_password", "access_key",
    "secret_key", "secret_access_key", "api_key", "client_secret", "private_key", "token",
})
_REFERENCE_PREFIXES = ("var.", "data.", "local.", "module.")  # python-hcl2 < 5 left them bare


def _literal(value: object) -> bool:
    return (isinstance(value, str) and bool(value.strip()) and "${" not in value
            and not value.startswith(_REFERENCE_PREFIXES))


def _hardcoded_credential(rtype: str, attrs: Mapping[str, Any], _: RuleSettings
                          ) -> Iterator[RuleHit]:
    for path, _parent, key, value in walk(attrs):
        if key in CREDENTIAL_KEYS and _literal(value):
            yield RuleHit("hardcoded-credential", path,
                          f"{key} is a literal string in the source", Severity.HIGH)


RULES: tuple[TerraformRule, ...] = (
    TerraformRule(
        "s3-public-acl", "S3 bucket or object with a public ACL", ("CWE-732",), (A01,),
        "Use a private ACL (or BucketOwnerEnforced object ownership) and serve public "
        "content through CloudFront with origin access control.", _s3_public_acl),
    TerraformRule(
        "s3-public-access-block", "S3 public access block turned off", ("CWE-284",), (A01, A05),
        "Set all four block_public_* / *_public_* flags to true; grant the few principals "
        "that need access explicitly.", _s3_access_block),
    TerraformRule(
        "s3-public-policy", "S3 bucket policy open to any principal", ("CWE-284",), (A01,),
        "Name the principals in the bucket policy, or add a condition (aws:SourceVpce, "
        "aws:PrincipalOrgID…) that limits who can use it.", _s3_public_policy),
    TerraformRule(
        "sg-open-ingress", "Security group open to the internet beyond web ports",
        ("CWE-284",), (A05,),
        "Restrict the source CIDR to known ranges, or put the service behind a load "
        "balancer, VPN or SSM Session Manager instead of opening the port.", _sg_open_ingress),
    TerraformRule(
        "iam-wildcard", "IAM policy with wildcard actions or resources", ("CWE-269",), (A01,),
        "List the actions the workload needs and scope resources to ARNs; use IAM Access "
        "Analyzer policy generation from CloudTrail activity.", _iam_wildcard),
    TerraformRule(
        "encryption-disabled", "Encryption turned off", ("CWE-311",), (A02,),
        "Enable encryption at rest (and in transit where offered), with a customer-managed "
        "KMS key where the data warrants it.", _encryption_off),
    TerraformRule(
        "kms-key-removed", "KMS key removed from an encrypted resource", ("CWE-311",), (A02,),
        "Keep the customer-managed key (kms_key_id); removing it falls back to the AWS-"
        "managed key or, for some resources, forces replacement without encryption.", None),
    TerraformRule(
        "logging-disabled", "Logging turned off", ("CWE-778",), (A09,),
        "Keep access and audit logging on and ship it to the central log account.",
        _logging_off),
    TerraformRule(
        "kms-rotation-disabled", "KMS key rotation turned off", ("CWE-324",), (A02,),
        "Set enable_key_rotation = true on symmetric customer-managed keys.", _rotation_off),
    TerraformRule(
        "hardcoded-credential", "Credential hard-coded in Terraform", ("CWE-798",), (A07,),
        "Read the value from a secret store (aws_secretsmanager_secret_version, Vault) or a "
        "sensitive variable; rotate the value that was committed.", _hardcoded_credential,
        source_only=True),
    TerraformRule(
        "network-exposure", "Network rule open to the internet beyond web ports",
        ("CWE-284",), (A05,),
        "Admit only known source ranges (or a load balancer's security group); reach "
        "admin ports through a VPN, a bastion with SSO, or SSM/IAP tunnels.", network_exposure),
    TerraformRule(
        "public-address", "Resource given a public address", ("CWE-284",), (A05,),
        "Keep instances and databases in private subnets behind a load balancer or NAT; "
        "set the public-address flag to false.", public_address),
    TerraformRule(
        "public-resource-policy", "Resource policy open to anyone", ("CWE-284", "CWE-732"),
        (A01,),
        "Name the principals (accounts, roles, services) or add a condition "
        "(aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID); never allUsers on GCP.",
        public_principals),
)
_BY_ID = {r.id: r for r in RULES}


def _baseline_rule(rule_id: str) -> TerraformRule | None:
    for entry in baseline_rules():
        if entry.id == rule_id:
            return TerraformRule(entry.id, entry.title, entry.cwe, entry.owasp,
                                 entry.recommendation, None)
    return None


def rule(rule_id: str) -> TerraformRule:
    """A rule by id: ours in code, or a secure-setting entry of baseline.yaml."""
    found = _BY_ID.get(rule_id) or _baseline_rule(rule_id)
    if found is None:
        raise KeyError(rule_id)
    return found


def evaluate(resource_type: str, attributes: Mapping[str, Any],
             settings: RuleSettings = DEFAULT_SETTINGS) -> list[RuleHit]:
    """Every rule hit for one resource (``aws_iam_policy_document`` for that data source)."""
    hits: list[RuleHit] = []
    for candidate in RULES:
        if (candidate.check is None or candidate.id in settings.disabled
                or (candidate.source_only and settings.origin != "source")):
            continue
        hits.extend(candidate.check(resource_type, attributes, settings))
    # A setting turned off explicitly is already a hit of a rule above: one finding.
    hits.extend(baseline_hits(resource_type, attributes, settings,
                              taken=frozenset(hit.attribute for hit in hits)))
    return hits


PROTECTIVE_KEYS = ("kms_key_id", "kms_master_key_id", "kms_key_arn",
                   "server_side_encryption_configuration")


def removed_protections(resource_type: str, before: Mapping[str, Any] | None,
                        after: Mapping[str, Any] | None,
                        after_unknown: Mapping[str, Any] | None = None,
                        settings: RuleSettings = DEFAULT_SETTINGS) -> list[RuleHit]:
    """A key or encryption configuration present before and gone after (a plan's change)."""
    if "kms-key-removed" in settings.disabled or not before or after is None:
        return []
    unknown = after_unknown or {}
    return [
        RuleHit("kms-key-removed", key, f"{key} was set and is removed", Severity.HIGH)
        for key in PROTECTIVE_KEYS
        if present(before.get(key)) and not present(after.get(key)) and not unknown.get(key)
    ]
