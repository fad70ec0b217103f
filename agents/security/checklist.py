"""A per-PR security checklist: what a human has to do about the findings, once each.

Findings that call for the same action (every unpinned action of a PR, every hit of one
Terraform rule) share an item; the item lists where. The action is the first sentence
of the findings' recommendation, so the checklist never says more than they do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel, Field

from agents.models import Finding, Severity

__all__ = ["ChecklistItem", "SecurityChecklist", "checklist_for"]

_RULE_TITLE = re.compile(r"^(.*?)(?::\s| \(|$)")
_SENTENCE = re.compile(r"^(.+?[.;])(?:\s|$)")
_MAX_WHERE = 10


class ChecklistItem(BaseModel):
    category: str
    topic: str
    action: str
    severity: Severity
    where: list[str] = Field(default_factory=list)
    fingerprints: list[str] = Field(default_factory=list)
    done: bool = False


class SecurityChecklist(BaseModel):
    subject: str
    items: list[ChecklistItem] = Field(default_factory=list)

    def markdown(self) -> str:
        if not self.items:
            return f"Security checklist for {self.subject}: nothing to do."
        lines = [f"Security checklist for {self.subject}:"]
        for item in self.items:
            where = ", ".join(item.where[:3]) + (" …" if len(item.where) > 3 else "")
            lines.append(f"- [{'x' if item.done else ' '}] [{item.severity.value}] "
                         f"{item.topic}: {item.action} ({where})")
        return "\n".join(lines)


def _topic(finding: Finding) -> str:
    match = _RULE_TITLE.match(finding.title)
    return (match.group(1) if match and match.group(1) else finding.title).strip()


def _action(recommendation: str) -> str:
    match = _SENTENCE.match(recommendation.strip())
    return (match.group(1) if match else recommendation.strip()).rstrip(";") or recommendation


def checklist_for(subject: str, findings: Sequence[Finding]) -> SecurityChecklist:
    items: dict[tuple[str, str, str], ChecklistItem] = {}
    for finding in findings:
        if finding.llm_rejected_reason:
            continue
        key = (finding.category, _topic(finding), _action(finding.recommendation))
        item = items.get(key)
        if item is None:
            item = items[key] = ChecklistItem(category=key[0], topic=key[1], action=key[2],
                                              severity=finding.severity)
        item.severity = max(item.severity, finding.severity, key=lambda s: s.rank)
        if len(item.where) < _MAX_WHERE:
            item.where.append(next((e.ref for e in finding.evidence if e.path),
                                   finding.evidence[0].ref))
        item.fingerprints.append(finding.fingerprint)
    ordered = sorted(items.values(), key=lambda i: (-i.severity.rank, i.category, i.topic))
    return SecurityChecklist(subject=subject, items=ordered)
