"""Critical paths changed without an approving review from their code owners.

Which paths are critical comes from config/critical_paths.yaml (globs with a label).
Owners come from CODEOWNERS, where the last matching rule wins, as on GitHub. An owner
counts when their latest decisive review (approve, request changes, dismissed) is an
approval. Team owners (``@org/team``) and email owners cannot be checked without
membership data: unless ``security.team_members`` lists the team, any approving
reviewer is taken to satisfy them, and an info finding says that was assumed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from agents.globs import compile_glob
from agents.models import Confidence, Finding, Severity
from agents.security.findings import FindingFactory, PrRef
from agents.security.taxonomy import Category
from connectors.github.models import CodeOwnerRule, PullRequest
from connectors.provenance import Gap
from governance.configfile import load_yaml_model

__all__ = [
    "CriticalPaths",
    "OwnerIndex",
    "approvers",
    "critical_path_findings",
    "load_critical_paths",
]


class CriticalPathSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1)
    globs: list[str] = Field(min_length=1)
    why: str = ""


class _CriticalPathsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paths: list[CriticalPathSpec] = Field(default_factory=list)


class CriticalPaths:
    def __init__(self, specs: Sequence[CriticalPathSpec]) -> None:
        self.specs = list(specs)
        self._compiled = [(spec, [compile_glob(g) for g in spec.globs]) for spec in self.specs]
        self._cache: dict[str, list[CriticalPathSpec]] = {}

    def labels(self, path: str) -> list[CriticalPathSpec]:
        if path not in self._cache:
            self._cache[path] = [spec for spec, globs in self._compiled
                                 if any(g.match(path) for g in globs)]
        return self._cache[path]


def load_critical_paths(path: Path) -> CriticalPaths:
    """``path`` is chosen by the caller (the shell resolves the policy's file name)."""
    return CriticalPaths(load_yaml_model(path, _CriticalPathsFile, "critical paths").paths)


class OwnerIndex:
    """CODEOWNERS rules; ``rule_for`` is the last rule matching a path."""

    def __init__(self, rules: Sequence[CodeOwnerRule]) -> None:
        self._rules = [(compile_glob(rule.pattern), rule) for rule in rules]
        self._cache: dict[str, CodeOwnerRule | None] = {}

    def rule_for(self, path: str) -> CodeOwnerRule | None:
        if path not in self._cache:
            self._cache[path] = next(
                (rule for glob, rule in reversed(self._rules) if glob.match(path)), None)
        return self._cache[path]


def approvers(pr: PullRequest) -> set[str]:
    """Logins (lower case) whose latest decisive review approves; never the author."""
    latest: dict[str, str] = {}
    for review in sorted(pr.reviews, key=lambda r: r.id):  # GitHub review ids only grow
        if review.reviewer and review.state in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
            latest[review.reviewer.lower()] = review.state
    author = (pr.author or "").lower()
    return {who for who, state in latest.items() if state == "APPROVED" and who != author}


@dataclass(frozen=True)
class _Verdict:
    satisfied: bool
    assumed: bool  # satisfied only by taking an approver to be in a team (or an email)
    owners: tuple[str, ...]


def _verdict(owners: tuple[str, ...], approved: set[str],
             teams: Mapping[str, frozenset[str]]) -> _Verdict:
    if not owners:
        return _Verdict(bool(approved), False, owners)
    users = {o[1:].lower() for o in owners if o.startswith("@") and "/" not in o}
    known_teams = [teams[o.lower()] for o in owners if o.lower() in teams]
    if users & approved or any(members & approved for members in known_teams):
        return _Verdict(True, False, owners)
    unknown = [o for o in owners if ("/" in o and o.lower() not in teams) or not o.startswith("@")]
    if unknown and approved:
        return _Verdict(True, True, owners)
    return _Verdict(False, False, owners)


def _finding(factory: FindingFactory, pr: PrRef, spec: CriticalPathSpec,
             verdicts: Mapping[str, _Verdict], approved: set[str]) -> Finding:
    missing = {p: v for p, v in verdicts.items() if not v.satisfied}
    who = ", ".join(sorted(approved)) or "nobody"
    evidence = [factory.on_pr(pr, f"approved by: {who}")]
    if missing:
        evidence += [factory.at(pr, p, None, "code owners: " + (" ".join(v.owners) or
                                                                  "none (no CODEOWNERS rule)"))
                     for p, v in sorted(missing.items())]
        return factory.finding(
            Category.CRITICAL_PATH_UNREVIEWED, pr, (spec.label,),
            severity=Severity.MEDIUM if approved else Severity.HIGH,
            confidence=Confidence.HIGH,
            title=f"{spec.label} paths changed without code-owner approval ({pr.label})",
            explanation=(f"{len(missing)} {spec.label} path(s) changed"
                         + (f" ({spec.why})" if spec.why else "")
                         + f"; approved by {who}, but not by an owner of "
                           f"{'these paths' if len(missing) > 1 else 'this path'}."),
            evidence=evidence,
            recommendation=("Get an approving review from a listed code owner before merging "
                            "(or, once merged, a post-merge review); consider branch protection "
                            "with 'Require review from Code Owners'."))
    evidence += [factory.at(pr, p, None, "code owners: " + " ".join(v.owners))
                 for p, v in sorted(verdicts.items()) if v.assumed]
    return factory.finding(
        Category.CRITICAL_PATH_UNREVIEWED, pr, (spec.label, "assumed"),
        severity=Severity.INFO, confidence=Confidence.MEDIUM,
        title=f"Owner approval of {spec.label} paths assumed ({pr.label})",
        explanation=(f"The owners of these {spec.label} paths are teams or email addresses "
                     f"whose members are not known here; the approval by {who} was counted "
                     f"as theirs. List the team in security.team_members to check it."),
        evidence=evidence,
        recommendation="Confirm that an approver belongs to the owning team.")


def critical_path_findings(factory: FindingFactory, pr: PullRequest, ref: PrRef,
                           critical: CriticalPaths, owners: OwnerIndex,
                           teams: Mapping[str, frozenset[str]]) -> tuple[list[Finding], list[Gap]]:
    touched: dict[str, tuple[CriticalPathSpec, list[str]]] = {}
    for changed in pr.files:
        for spec in critical.labels(changed.path):
            touched.setdefault(spec.label, (spec, []))[1].append(changed.path)
    if not touched:
        return [], []
    if "reviews" in pr.missing:
        return [], [Gap(source="github", what=f"{ref.label}: reviews",
                        why="not read, so code-owner approval of critical paths is unknown")]
    approved = approvers(pr)
    findings = []
    for spec, paths in touched.values():
        verdicts = {}
        for path in paths:
            rule = owners.rule_for(path)
            verdicts[path] = _verdict(rule.owners if rule else (), approved, teams)
        if any(not v.satisfied or v.assumed for v in verdicts.values()):
            findings.append(_finding(factory, ref, spec, verdicts, approved))
    return findings, []
