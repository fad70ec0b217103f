"""Line rules for Terraform diff hunks, when the whole file cannot be parsed.

A hunk shows single lines out of context: a port range or the enclosing resource type
may be elsewhere. So these rules are narrower than ``terraform_rules`` and each says
whether its hit is ``certain``; they share the rule ids (and so docs and mappings).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from agents.iac.terraform_rules import CREDENTIAL_KEYS, PROTECTIVE_KEYS
from agents.models import Severity

__all__ = ["LINE_RULES", "LineHit", "LineRule", "removed_key_hits", "scan_lines"]


@dataclass(frozen=True)
class LineRule:
    rule_id: str
    pattern: re.Pattern[str]
    message: str
    severity: Severity
    certain: bool


@dataclass(frozen=True)
class LineHit:
    rule: LineRule
    line: int
    text: str


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_FALSE = r"\s*=\s*\"?false\"?\s*(?:#.*|//.*)?$"
_CREDENTIALS = "|".join(sorted(CREDENTIAL_KEYS, key=len, reverse=True))

LINE_RULES: tuple[LineRule, ...] = (
    LineRule("s3-public-acl",
             _rx(r"^\s*acl\s*=\s*\"(?:public-read(?:-write)?|authenticated-read)\""),
             "a public canned ACL", Severity.HIGH, True),
    LineRule("s3-public-access-block",
             _rx(r"^\s*(?:block_public_acls|block_public_policy|ignore_public_acls"
                 r"|restrict_public_buckets)" + _FALSE),
             "an S3 public access block flag set to false", Severity.HIGH, True),
    # The port range is usually on another line: the hit is a prompt to look.
    LineRule("sg-open-ingress",
             _rx(r"^\s*(?:cidr_blocks|ipv6_cidr_blocks|cidr_ipv4|cidr_ipv6)\s*=.*"
                 r"\"(?:0\.0\.0\.0/0|::/0)\""),
             "a rule open to the whole internet (ports not visible in the hunk)",
             Severity.MEDIUM, False),
    LineRule("iam-wildcard",
             _rx(r"^\s*\"?(?:Action|actions)\"?\s*[=:]\s*\[?\s*\"\*\""),
             "a policy statement allowing every action", Severity.HIGH, False),
    LineRule("iam-wildcard",
             _rx(r"^\s*\"?(?:Resource|resources)\"?\s*[=:]\s*\[?\s*\"\*\"\s*\]?\s*,?\s*$"),
             "a policy statement on every resource", Severity.MEDIUM, False),
    LineRule("encryption-disabled",
             _rx(r"^\s*(?:storage_encrypted|encrypted|at_rest_encryption_enabled"
                 r"|transit_encryption_enabled|encryption_enabled|enable_encryption"
                 r"|sqs_managed_sse_enabled|kms_encrypted|encrypt_at_rest)" + _FALSE),
             "encryption set to false", Severity.HIGH, True),
    LineRule("logging-disabled",
             _rx(r"^\s*(?:enable_logging|logging_enabled|enable_log_file_validation|logging)"
                 + _FALSE),
             "logging set to false", Severity.MEDIUM, True),
    LineRule("kms-rotation-disabled", _rx(r"^\s*enable_key_rotation" + _FALSE),
             "key rotation set to false", Severity.MEDIUM, True),
    LineRule("hardcoded-credential",
             _rx(rf"^\s*(?:{_CREDENTIALS})\s*=\s*\"(?!\$\{{)[^\"]+\""),
             "a literal credential", Severity.HIGH, True),
)

_PROTECTIVE = _rx(rf"^\s*({'|'.join(PROTECTIVE_KEYS)})\s*[={{]")


_EFFECT = re.compile(r"""["']?effect["']?\s*[=:]\s*["']?(allow|deny)""", re.IGNORECASE)


def _effect(number: int, context: Mapping[int, str]) -> str | None:
    """The Effect of the policy statement around line ``number``, if the hunk shows it.

    Walks up to the statement's opening brace and down to its closing one.
    """
    for step, stop in ((-1, "{"), (1, "}")):
        line = number
        while (text := context.get(line)) is not None:
            if (found := _EFFECT.search(text)) is not None:
                return found.group(1).lower()
            if line != number and stop in text:
                break
            line += step
    return None


def scan_lines(lines: Iterable[tuple[int, str]],
               context: Mapping[int, str] | None = None) -> list[LineHit]:
    """Hits in added lines, given as (new-file line number, text).

    ``context``: every new-side line the hunks show, by number; a wildcard in a ``Deny``
    statement is a guard rail, not a grant, and is not reported.
    """
    shown = context or {}
    return [LineHit(rule, number, text) for number, text in lines
            for rule in LINE_RULES if rule.pattern.search(text)
            and not (rule.rule_id == "iam-wildcard" and _effect(number, shown) == "deny")]


_REMOVED_RULE = LineRule("kms-key-removed", _PROTECTIVE, "a KMS key or encryption "
                         "configuration removed", Severity.HIGH, False)


def removed_key_hits(removed: Iterable[tuple[int, str]],
                     added: Iterable[tuple[int, str]]) -> list[LineHit]:
    """Protective keys on removed lines that no added line of the file sets again.

    ``removed`` carries old-file line numbers; the hit reports them as such.
    """
    readded = {m.group(1).lower() for _, text in added if (m := _PROTECTIVE.search(text))}
    return [LineHit(_REMOVED_RULE, number, text) for number, text in removed
            if (m := _PROTECTIVE.search(text)) and m.group(1).lower() not in readded]
