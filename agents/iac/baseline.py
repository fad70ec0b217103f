"""Secure settings a resource must have, from ``baseline.yaml``: absent counts as insecure.

Many providers default to the insecure choice (key rotation off, IMDSv1 allowed, TLS 1.0
accepted, public network access on): a rule that only looks for ``= false`` never sees
a resource that simply does not set the argument. Each entry of ``baseline.yaml`` names
the resource types, the attribute and the values accepted; a resource without it, or
with another value, is a hit on its header line (or the attribute's line).

A value that is a reference (``${var.x}``, ``var.x``) cannot be judged here and passes.
On plans, ``present`` entries are skipped: values known only after apply read as absent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from agents.iac.attributes import RuleHit, RuleSettings, blocks
from agents.models import Severity

__all__ = ["BASELINE_FILE", "BaselineRule", "baseline_hits", "baseline_rules"]

BASELINE_FILE = Path(__file__).resolve().parent / "baseline.yaml"
_MISSING = object()
_SEVERITY = {"critical": Severity.CRITICAL, "high": Severity.HIGH, "medium": Severity.MEDIUM,
             "low": Severity.LOW}
_OWASP = {"A01": "A01:2021-Broken Access Control", "A02": "A02:2021-Cryptographic Failures",
          "A05": "A05:2021-Security Misconfiguration",
          "A06": "A06:2021-Vulnerable and Outdated Components",
          "A07": "A07:2021-Identification and Authentication Failures",
          "A08": "A08:2021-Software and Data Integrity Failures",
          "A09": "A09:2021-Security Logging and Monitoring Failures",
          "A10": "A10:2021-Server-Side Request Forgery"}


@dataclass(frozen=True)
class BaselineRule:
    id: str
    types: frozenset[str]
    path: tuple[str, ...]
    accepted: tuple[Any, ...] | None  # None: any value, as long as it is present
    when: Mapping[str, tuple[Any, ...]]
    title: str
    severity: Severity
    cwe: tuple[str, ...]
    owasp: tuple[str, ...]
    recommendation: str
    kind: str  # "default" or "network"


def _rule(raw: Mapping[str, Any]) -> BaselineRule:
    if "expect" in raw:
        accepted: tuple[Any, ...] | None = (raw["expect"],)
    elif "one_of" in raw:
        accepted = tuple(raw["one_of"])
    elif raw.get("present"):
        accepted = None
    else:
        raise ValueError(f"baseline rule {raw.get('id')}: needs expect, one_of or present")
    return BaselineRule(
        id=str(raw["id"]), types=frozenset(raw["types"]), path=tuple(str(raw["path"]).split(".")),
        accepted=accepted, when={k: tuple(v) for k, v in (raw.get("when") or {}).items()},
        title=str(raw["title"]), severity=_SEVERITY[str(raw["severity"])],
        cwe=tuple(raw.get("cwe") or ()), owasp=(_OWASP[str(raw["owasp"])],),
        recommendation=str(raw["recommendation"]), kind=str(raw.get("class", "default")))


@lru_cache(maxsize=2)
def baseline_rules(path: Path = BASELINE_FILE) -> tuple[BaselineRule, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(_rule(raw) for raw in data.get("rules") or [])


@lru_cache(maxsize=2)
def _by_type(path: Path = BASELINE_FILE) -> Mapping[str, tuple[BaselineRule, ...]]:
    found: dict[str, list[BaselineRule]] = {}
    for rule in baseline_rules(path):
        for rtype in rule.types:
            found.setdefault(rtype, []).append(rule)
    return {k: tuple(v) for k, v in found.items()}


def _value(attrs: Mapping[str, Any], path: Sequence[str]) -> Any:
    node: Any = attrs
    for step in path:
        if isinstance(node, list):
            found = blocks(node)
            node = found[0] if found else None
        if not isinstance(node, Mapping) or step not in node:
            return _MISSING
        node = node[step]
    if isinstance(node, list) and node and all(isinstance(b, Mapping) for b in node):
        return node[0]
    return node


def _reference(value: Any) -> bool:
    return isinstance(value, str) and ("${" in value or value.startswith(
        ("var.", "local.", "module.", "data.")))


def _same(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, bool):
        return value is wanted or (isinstance(value, str) and value.lower() == str(wanted).lower())
    if wanted is None:
        return value is None or value is _MISSING
    return str(value) == str(wanted)


def _applies(rule: BaselineRule, attrs: Mapping[str, Any]) -> bool:
    for key, values in rule.when.items():
        value = attrs.get(key, _MISSING)
        if not any(_same(value, v) for v in values):
            return False
    return True


def _absent(value: Any) -> bool:
    return value is _MISSING or value is None or value in ("", [], {})


def _nearest(attrs: Mapping[str, Any], path: Sequence[str]) -> str:
    """The deepest block on ``path`` that is there: where the missing setting belongs."""
    found = ""
    for depth in range(1, len(path)):
        if _value(attrs, path[:depth]) is _MISSING:
            break
        found = ".".join(path[:depth])
    return found


def baseline_hits(rtype: str, attrs: Mapping[str, Any], settings: RuleSettings,
                  taken: frozenset[str] = frozenset()) -> Iterator[RuleHit]:
    """Hits for missing or wrong settings; ``taken``: attributes another rule already
    reported (a flag set to false explicitly), not reported twice."""
    for rule in _by_type().get(rtype, ()):
        if rule.id in settings.disabled or not _applies(rule, attrs):
            continue
        if rule.accepted is None and settings.origin == "plan":
            continue
        value = _value(attrs, rule.path)
        if _reference(value):
            continue
        attribute = ".".join(rule.path)
        if rule.accepted is None:
            if _absent(value):
                yield RuleHit(rule.id, attribute, f"{attribute} is not set", rule.severity)
            continue
        if any(_same(value, wanted) for wanted in rule.accepted) or attribute in taken:
            continue
        shown = "not set (the provider's default is insecure)" if _absent(value) else (
            f"{value!r}".replace("'", "") if not isinstance(value, Mapping) else "set otherwise")
        yield RuleHit(rule.id, attribute if not _absent(value) else _nearest(attrs, rule.path),
                      f"{attribute} is {shown}", rule.severity,
                      needle=None if _absent(value) else str(value).lower())
