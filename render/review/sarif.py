"""SARIF 2.1.0 for GitHub code scanning, from a security-review report.

One rule per finding category (``properties.tags`` carry ``security`` and the CWEs;
``security-severity`` is the number GitHub sorts alerts by), one result per finding
with a file location. ``partialFingerprints.primaryLocationLineHash`` comes from our
own stable fingerprint, so an alert survives re-runs and unrelated edits. A finding
on a file but no line is an alert on line 1; one without any file (a PR-level finding)
cannot be an alert, so it is named in a run-level notification, never dropped silently.
"""

from __future__ import annotations

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
LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
         Severity.LOW: "note", Severity.INFO: "note"}


def _located(finding: Finding) -> tuple[str, int | None] | None:
    for evidence in finding.evidence:
        if evidence.path:
            return evidence.path, evidence.line
    return None


def _rule(category: str, findings: Sequence[Finding]) -> dict[str, Any]:
    worst = max(f.severity for f in findings)
    cwes = sorted({c for f in findings for c in f.cwe})
    owasp = sorted({o for f in findings for o in f.owasp})
    return {
        "id": category,
        "name": "".join(part.capitalize() for part in category.split("-")),
        "shortDescription": {"text": f"Security review: {category}"},
        "fullDescription": {"text": f"Findings of the '{category}' checks of the security "
                                    "review (advisory; a named human signs the review off)."},
        "defaultConfiguration": {"level": LEVEL[worst]},
        "help": {"text": findings[0].recommendation},
        "properties": {"tags": ["security", *cwes, *owasp],
                       "security-severity": SECURITY_SEVERITY[worst]},
    }


def _result(finding: Finding, index: int, where: tuple[str, int | None]) -> dict[str, Any]:
    path, line = where
    region = {"startLine": max(1, line or 1)}
    return {
        "ruleId": finding.category,
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
    return {"level": "note", "descriptor": {"id": finding.category},
            "message": {"text": f"Not an alert (no file location): [{finding.severity.value}] "
                                f"{finding.title} — {finding.evidence[0].ref}"}}


def to_sarif(report: SecurityReviewReport) -> dict[str, Any]:
    findings = [f for f in report.findings if not f.llm_rejected_reason]
    by_category: dict[str, list[Finding]] = {}
    for finding in findings:
        by_category.setdefault(finding.category, []).append(finding)
    categories = sorted(by_category)
    index = {category: i for i, category in enumerate(categories)}
    results, unlocated = [], []
    for finding in findings:
        where = _located(finding)
        if where is None:
            unlocated.append(_notification(finding))
        else:
            results.append(_result(finding, index[finding.category], where))
    run: dict[str, Any] = {
        "tool": {"driver": {"name": TOOL, "version": _VERSION, "semanticVersion": _VERSION,
                            "informationUri": INFO_URI,
                            "rules": [_rule(c, by_category[c]) for c in categories]}},
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
