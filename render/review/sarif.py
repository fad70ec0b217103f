"""SARIF 2.1.0 for GitHub code scanning, from a security-review report.

One ``rules[]`` entry per rule id (``B602``, ``RRA-PY-SQLI``, ``RRA-TF-S3-PUBLIC-ACL``;
the category for findings that carry none), so code scanning groups and filters alerts
by rule: its title, help (the recommendation), ``properties.tags`` with ``security``,
the category, the CWEs (also in GitHub's ``external/cwe/cwe-N`` form) and OWASP, other
names of the rule (ruff's ``S602``) and ``security-severity``, the number GitHub sorts
alerts by. One result per finding with a file location.
``partialFingerprints.primaryLocationLineHash`` comes from our own stable fingerprint,
so an alert survives re-runs and unrelated edits. A finding on a file but no line is an
alert on line 1; one without any file (a PR-level finding) cannot be an alert, so it is
named in a run-level notification, never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import metadata
from typing import Any

from agents.models import Finding, Severity
from agents.security.review_report import SecurityReviewReport

_VERSION = metadata.version("release-risk-advisor")  # pyproject.toml's, as installed

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL = "release-risk-advisor"
INFO_URI = "https://github.com/release-risk-advisor/release-risk-advisor"
# GitHub: critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9.
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                     Severity.LOW: "3.0", Severity.INFO: "0.0"}
_PRECISION = {"high": 3, "medium": 2, "low": 1}  # SARIF's precision, from our confidence
LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
         Severity.LOW: "note", Severity.INFO: "note"}


def _located(finding: Finding) -> tuple[str, int | None] | None:
    for evidence in finding.evidence:
        if evidence.path:
            return evidence.path, evidence.line
    return None


# A finding's title names its place: " (RULE) in path:line", ": address (path)", " (path)".
_PLACE = re.compile(r"(?:\s+\([A-Z][\w.-]*\))?(?:\s+in\s+\S+:\d+|:\s+\S+\s+\([^)]*\)"
                    r"|\s+\([^)]*\))$")


def rule_id_of(finding: Finding) -> str:
    return finding.rule_id or finding.category


def _title(finding: Finding) -> str:
    return _PLACE.sub("", finding.title).strip() or rule_id_of(finding)


def _cwe_tag(cwe: str) -> str:
    return "external/cwe/cwe-" + cwe.removeprefix("CWE-")


def _rule(rule_id: str, findings: Sequence[Finding]) -> dict[str, Any]:
    worst = max(f.severity for f in findings)
    first = findings[0]
    cwes = sorted({c for f in findings for c in f.cwe})
    owasp = sorted({o for f in findings for o in f.owasp})
    aliases = sorted({a for f in findings for a in f.rule_aliases})
    title = _title(first)
    refs = ", ".join(cwes + owasp)
    rule: dict[str, Any] = {
        "id": rule_id,
        "name": "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", rule_id)),
        "shortDescription": {"text": title},
        "fullDescription": {"text": f"{title} ({first.category} check of the security review"
                                    + (f"; {refs}" if refs else "") + ")."},
        "defaultConfiguration": {"level": LEVEL[worst]},
        "help": {"text": first.recommendation,
                 "markdown": f"**{title}**\n\n{first.recommendation}"
                             + "".join(f"\n\n[{c}](https://cwe.mitre.org/data/definitions/"
                                       f"{c.removeprefix('CWE-')}.html)" for c in cwes)},
        "properties": {"tags": ["security", first.category, *cwes, *map(_cwe_tag, cwes),
                                *owasp],
                       "security-severity": SECURITY_SEVERITY[worst],
                       "precision": max((f.confidence.value for f in findings),
                                        key=_PRECISION.__getitem__)},
    }
    if aliases:
        rule["properties"]["aliases"] = aliases
    return rule


def _result(finding: Finding, index: int, where: tuple[str, int | None]) -> dict[str, Any]:
    path, line = where
    region = {"startLine": max(1, line or 1)}
    return {
        "ruleId": rule_id_of(finding),
        "ruleIndex": index,
        "level": LEVEL[finding.severity],
        "message": {"text": f"{finding.title}. {finding.recommendation}"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}, "region": region}}],
        "partialFingerprints": {"primaryLocationLineHash": f"{finding.fingerprint}:1"},
        "properties": {"severity": finding.severity.value, "confidence": finding.confidence.value,
                       "source": finding.source, "fingerprint": finding.fingerprint},
    }


def _notification(finding: Finding) -> dict[str, Any]:
    return {"level": "note", "descriptor": {"id": rule_id_of(finding)},
            "message": {"text": f"Not an alert (no file location): [{finding.severity.value}] "
                                f"{finding.title} — {finding.evidence[0].ref}"}}


def to_sarif(report: SecurityReviewReport) -> dict[str, Any]:
    findings = [f for f in report.findings if not f.llm_rejected_reason]
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(rule_id_of(finding), []).append(finding)
    rule_ids = sorted(by_rule)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    results, unlocated = [], []
    for finding in findings:
        where = _located(finding)
        if where is None:
            unlocated.append(_notification(finding))
        else:
            results.append(_result(finding, index[rule_id_of(finding)], where))
    run: dict[str, Any] = {
        "tool": {"driver": {"name": TOOL, "version": _VERSION, "semanticVersion": _VERSION,
                            "informationUri": INFO_URI,
                            "rules": [_rule(r, by_rule[r]) for r in rule_ids]}},
        "automationDetails": {"id": f"{TOOL}/security-review/"},
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "repository root"}}},
        "results": results,
        "invocations": [{"executionSuccessful": True,
                         "toolExecutionNotifications": unlocated}],
        "properties": {"report_id": report.report_id, "subject": report.subject,
                       "signoff_status": report.signoff_status,
                       "not_reviewed": [u.path for u in report.unreviewed]},
    }
    if report.head_sha and report.url and "/pull/" in report.url:
        run["versionControlProvenance"] = [{
            "repositoryUri": report.url.rsplit("/pull/", 1)[0], "revisionId": report.head_sha}]
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
