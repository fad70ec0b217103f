"""One finding per root cause: what several checks saw becomes one finding with every reason.

An agent says which findings share a cause by giving each finding its *keys* (an issue
key, a plan address, a line of a file in a PR…); findings that share a key, directly
or through others, are one problem. The merged finding takes the most severe reason's
category, severity and fingerprint, lists every reason, and carries their evidence
once. A finding seen by one check keeps its own fingerprint, so ids survive re-runs (and
the PR bot's markers stay valid); a merged one keeps its leading reason's.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence

from agents.models import Finding, Reason, distinct_evidence

Key = tuple[Hashable, ...]
KeysOf = Callable[[Finding], Iterable[Key]]


def merge_root_causes(findings: Sequence[Finding], keys_of: KeysOf) -> list[Finding]:
    """The findings with every group that shares a cause merged into one, in first-seen
    order. Findings without keys (and the advisory layer's) pass through unchanged."""
    return [merge([findings[i] for i in group]) for group in _groups(findings, keys_of)]


def merge(group: Sequence[Finding]) -> Finding:
    """One finding for a cause; the most severe reason leads (the first seen on a tie)."""
    primary = max(group, key=lambda f: f.severity.rank)  # max keeps the first on ties
    if len(group) == 1:
        return primary
    ordered = sorted(group, key=lambda f: -f.severity.rank)
    reasons = [Reason(category=f.category, severity=f.severity, title=f.title,
                      fingerprint=f.fingerprint, rule_id=f.rule_id) for f in ordered]
    return primary.model_copy(update={
        "explanation": " ".join(_distinct(f.explanation for f in ordered)),
        "evidence": distinct_evidence([e for f in ordered for e in f.evidence]),
        "recommendation": " ".join(_distinct(f.recommendation for f in ordered)),
        "cwe": _distinct(c for f in ordered for c in f.cwe),
        "owasp": _distinct(o for f in ordered for o in f.owasp),
        "suggested_tests": _distinct(t for f in ordered for t in f.suggested_tests),
        "reasons": reasons,
    })


def _distinct(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _groups(findings: Sequence[Finding], keys_of: KeysOf) -> list[list[int]]:
    """Indexes of findings connected by shared keys (union-find), in first-seen order."""
    parent = list(range(len(findings)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[Key, int] = {}
    for index, finding in enumerate(findings):
        if finding.source != "deterministic":
            continue
        for key in keys_of(finding):
            if key in owner:
                parent[root(index)] = root(owner[key])
            else:
                owner[key] = index
    members: dict[int, list[int]] = {}
    for index in range(len(findings)):
        members.setdefault(root(index), []).append(index)
    return sorted(members.values(), key=lambda m: m[0])
