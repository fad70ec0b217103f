"""What every Terraform rule shares: its settings and hits, and readers of attribute dicts.

The attributes are what python-hcl2 returns for a block or what ``terraform show -json``
puts in a resource's ``values``: nested blocks are lists of dicts, references are
``${...}`` strings (source) or resolved values (plan).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from agents.iac.hcl import HclError, parse_expression
from agents.models import Severity

__all__ = [
    "DEFAULT_SETTINGS",
    "RuleHit",
    "RuleSettings",
    "allows",
    "blocks",
    "document",
    "is_false",
    "policy_document_statements",
    "present",
    "public_principal",
    "statements",
    "strings",
    "walk",
]

@dataclass(frozen=True)
class RuleSettings:
    web_ports: frozenset[int] = frozenset({80, 443})
    disabled: frozenset[str] = frozenset()
    # Plans hold resolved values: a password from a variable looks hard-coded there.
    origin: Literal["source", "plan"] = "source"


DEFAULT_SETTINGS = RuleSettings()


@dataclass(frozen=True)
class RuleHit:
    rule_id: str
    attribute: str  # dotted path in the resource, e.g. "ingress[0].cidr_blocks"
    message: str  # never holds an attribute's value when that value may be a secret
    severity: Severity
    needle: str | None = None  # text that helps locate the line in source
    certain: bool = True  # False: read from an expression we could only partly evaluate


# -- attribute helpers -------------------------------------------------------------------


def is_false(value: object) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def present(value: object) -> bool:
    return value not in (None, "", [], {})


def blocks(value: object) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, Mapping)]
    return []


def strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def walk(attrs: Mapping[str, Any], path: str = "",
          parent: str = "") -> Iterator[tuple[str, str, str, Any]]:
    """(dotted path, enclosing block name, key, value) for every key at every depth."""
    for key, value in attrs.items():
        here = f"{path}.{key}" if path else key
        yield here, parent, key, value
        if isinstance(value, Mapping):
            yield from walk(value, here, key)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, Mapping):
                    yield from walk(item, f"{here}[{i}]", key)


# -- policy documents ---------------------------------------------------------------------


def document(value: object) -> Any:
    """A policy document from JSON text, a ``jsonencode(...)`` expression, or a mapping.

    None for what cannot be read statically (``templatefile``, a data source's json).
    """
    if isinstance(value, Mapping):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    for text in (value, value.replace('\\"', '"')):  # python-hcl2 escapes quotes in <<- heredocs
        try:
            return json.loads(text)
        except ValueError:
            pass
    try:
        return parse_expression(value)
    except HclError:
        return None


def statements(value: object) -> Iterator[Mapping[str, Any]]:
    parsed = document(value)
    if not isinstance(parsed, Mapping):
        return
    yield from blocks(parsed.get("Statement"))


def policy_document_statements(attrs: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """``data "aws_iam_policy_document"`` statement blocks, in policy-JSON spelling."""
    for block in blocks(attrs.get("statement")):
        yield {"Effect": block.get("effect", "Allow"), "Action": block.get("actions"),
               "Resource": block.get("resources"), "Condition": block.get("condition"),
               "Principal": principals(block.get("principals"))}


def principals(value: object) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for block in blocks(value):
        found.setdefault(str(block.get("type", "")), []).extend(strings(block.get("identifiers")))
    return found


def allows(statement: Mapping[str, Any]) -> bool:
    return str(statement.get("Effect", "Allow")).lower() == "allow"


def public_principal(principal: object) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        return any("*" in strings(v) for v in principal.values())
    return False
