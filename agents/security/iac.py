"""Terraform findings for changed ``.tf`` files, and findings from a checkov report.

With the post-change file, our rules (``agents.iac.terraform_rules``) run on every
resource the PR touches (a resource whose block holds an added line). Without it, or
when it does not parse, the narrower line rules run on the added lines, and the
findings say so. Removed ``kms_key_id``-style lines are checked from the diff in both
cases: only the diff shows what was taken away.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field

from agents.iac.checkov import CheckovFailure
from agents.iac.hcl import HclError, parse_terraform
from agents.iac.resources import TerraformResource
from agents.iac.terraform_lines import LineHit, removed_key_hits, scan_lines
from agents.iac.terraform_rules import RuleHit, RuleSettings, evaluate, rule
from agents.models import Confidence, Finding, Severity
from agents.security.content import PostChange
from agents.security.diff import FileDiff
from agents.security.findings import FindingFactory, PrRef
from agents.security.taxonomy import A05, Category

__all__ = ["TerraformOutcome", "checkov_findings", "sarif_id", "terraform_findings"]

_DOCS = "docs/agents/security.md"


@dataclass
class TerraformOutcome:
    findings: list[Finding] = field(default_factory=list)
    fallback: str | None = None  # why only the line rules ran


def _detail(hit_rule: str, attribute: str, text: str | None) -> str | None:
    if hit_rule == "hardcoded-credential":
        return f"{attribute} = [REDACTED:password]"  # never the literal, even redacted
    return text


def _resource_finding(factory: FindingFactory, pr: PrRef, diff: FileDiff,
                      resource: TerraformResource, hit: RuleHit) -> Finding:
    spec = rule(hit.rule_id)
    line = resource.locate(hit.attribute, hit.needle)
    text = diff.new_lines.get(line) if line else None
    return factory.finding(
        Category.IAC, pr, (diff.path, hit.rule_id, resource.address, hit.attribute),
        severity=hit.severity, confidence=Confidence.HIGH if hit.certain else Confidence.MEDIUM,
        title=f"{spec.title}: {resource.address} ({diff.path})",
        explanation=(f"{hit.message} in {resource.address}, a resource this PR changes "
                     f"(rule {spec.id}, {_DOCS})."),
        evidence=[factory.at(pr, diff.path, line, _detail(spec.id, hit.attribute, text))],
        recommendation=spec.recommendation, cwe=spec.cwe, owasp=spec.owasp,
        rule_id=sarif_id(spec.id))


def sarif_id(rule_id: str) -> str:
    """``s3-public-acl`` -> ``RRA-TF-S3-PUBLIC-ACL``: the id code scanning shows."""
    return "RRA-TF-" + rule_id.upper()


def _line_finding(factory: FindingFactory, pr: PrRef, diff: FileDiff, hit: LineHit,
                  ordinal: int, why: str) -> Finding:
    spec = rule(hit.rule.rule_id)
    removed = spec.id == "kms-key-removed"
    attribute = hit.text.split("=", 1)[0].strip()
    return factory.finding(
        Category.IAC, pr, (diff.path, spec.id, "line", ordinal),
        severity=hit.rule.severity,
        confidence=Confidence.MEDIUM if hit.rule.certain else Confidence.LOW,
        title=f"{spec.title} ({diff.path})",
        explanation=(f"A{' removed' if removed else 'n added'} line holds {hit.rule.message} "
                     f"(rule {spec.id}, {_DOCS}). {why}"),
        evidence=[factory.at(pr, diff.path, hit.line,
                             ("removed (old line number): " if removed else "")
                             + (_detail(spec.id, attribute, hit.text) or ""))],
        recommendation=spec.recommendation, cwe=spec.cwe, owasp=spec.owasp,
        rule_id=sarif_id(spec.id))


def _touched(resources: Sequence[TerraformResource], diff: FileDiff) -> list[TerraformResource]:
    if diff.status == "added":
        return list(resources)
    added = sorted(diff.added_numbers)

    def touched(resource: TerraformResource) -> bool:
        if resource.start_line is None:
            return False
        i = bisect_left(added, resource.start_line)
        return i < len(added) and resource.covers(added[i])

    return [r for r in resources if touched(r)]


def terraform_findings(factory: FindingFactory, pr: PrRef, diff: FileDiff, post: PostChange,
                       settings: RuleSettings) -> TerraformOutcome:
    outcome = TerraformOutcome()
    resources: list[TerraformResource] | None = None
    if post.text is not None:
        try:
            resources = parse_terraform(post.text, diff.path)
        except HclError as exc:
            outcome.findings.append(factory.unreadable(pr, diff.path, "HCL", str(exc)))
            outcome.fallback = "the post-change file does not parse as HCL"
    else:
        outcome.fallback = post.why or "post-change content not available"
    if resources is not None:
        for resource in _touched(resources, diff):
            for rule_hit in evaluate(resource.type, resource.attributes, settings):
                outcome.findings.append(_resource_finding(factory, pr, diff, resource, rule_hit))
        line_hits = []
    else:
        why = f"Read from the diff lines only: {outcome.fallback}."
        line_hits = [(hit, why) for hit in scan_lines(((a.number, a.text) for a in diff.added),
                                                      diff.new_lines)
                     if hit.rule.rule_id not in settings.disabled]
    if "kms-key-removed" not in settings.disabled:
        removed = removed_key_hits(((r.number, r.text) for r in diff.removed),
                                   ((a.number, a.text) for a in diff.added))
        line_hits += [(hit, "") for hit in removed]
    for ordinal, (hit, why) in enumerate(line_hits, start=1):
        outcome.findings.append(_line_finding(factory, pr, diff, hit, ordinal, why))
    return outcome


_CHECKOV_SEVERITY = {"CRITICAL": Severity.CRITICAL, "HIGH": Severity.HIGH,
                     "MEDIUM": Severity.MEDIUM, "LOW": Severity.LOW, "INFO": Severity.INFO}


def checkov_findings(factory: FindingFactory, pr: PrRef, path: str,
                     failures: Sequence[CheckovFailure]) -> list[Finding]:
    """checkov's failed checks on one file this PR changed; the source is named."""
    return [
        factory.finding(
            Category.IAC, pr, ("checkov", path, f.check_id, f.resource or "", f.line or 0),
            severity=_CHECKOV_SEVERITY.get(str(f.severity).upper(), Severity.MEDIUM),
            confidence=Confidence.MEDIUM,
            title=f"checkov {f.check_id}: {f.name} ({path})",
            explanation=(f"Reported by checkov (imported {f.report_format} report), not by "
                         f"our rules" + (f", on {f.resource}" if f.resource else "")
                         + ". The report may have been made on another commit than this PR's "
                         "head."),
            evidence=[factory.at(pr, path, f.line, f"checkov {f.check_id}")],
            recommendation=(f"Follow {f.guideline}" if f.guideline
                            else f"See checkov's documentation for {f.check_id}")
            + ", or suppress it in the checkov configuration with a reason.",
            owasp=[A05], rule_id=f"checkov/{f.check_id}")
        for f in failures
    ]
