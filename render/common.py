"""Wording and small facts every format shares, so the formats never disagree."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urlsplit

from agents.aggregate import AggregationPolicy, ReleaseReport
from agents.models import AgentStatus, Evidence, Finding, LlmUsage, RiskScore, Severity

NOT_ASSESSED = "not assessed (counted as worst case)"
PENDING = "Pending sign-off — nothing is approved until a named human signs off"
SIGNOFF_COMMAND = 'advisor signoff {report_id} --approve|--reject --comment "why"'
SEVERITIES = tuple(reversed(Severity))  # critical first
LLM_SOURCE = "suggested by the LLM, not by a deterministic check"

Band = Literal["low", "elevated", "high", "unassessed"]
_POLICY = AggregationPolicy()


def is_assessed(status: AgentStatus) -> bool:
    return status in (AgentStatus.COMPLETE, AgentStatus.PARTIAL)


def status_label(status: AgentStatus) -> str:
    return status.value if is_assessed(status) else f"{status.value}: {NOT_ASSESSED}"


def band(score: float, status: AgentStatus = AgentStatus.COMPLETE, *,
         verdict: str | None = None) -> Band:
    """The same thresholds as the verdict (AggregationPolicy defaults)."""
    if not is_assessed(status) or verdict == "cannot assess":
        return "unassessed"
    if score >= _POLICY.high_risk_score:
        return "high"
    return "elevated" if score >= _POLICY.care_score else "low"


def signoff_text(report: ReleaseReport) -> str:
    status = report.signoff_status
    if status == "pending_signoff":
        return PENDING
    if status in ("approved", "rejected"):
        if not report.signed_off_by:  # a decision without a name is no decision
            return f"Marked {status} but no signer is recorded — treat it as pending sign-off"
        when = format_timestamp(report.signed_off_at) if report.signed_off_at else "unknown date"
        return f"{status.capitalize()} by {report.signed_off_by} on {when}"
    if status == "superseded":
        return "Superseded by a newer report — nothing was approved"
    return f"Sign-off status: {status} — nothing is approved until a named human signs off"


def decision_lines(report: ReleaseReport) -> list[str]:
    """What makes a decision checkable: the signer's comment, the audit entry that
    recorded it (``advisor audit show SEQ`` prints its hash) and the stored content's hash."""
    if report.signoff_status not in ("approved", "rejected") or not report.signed_off_by:
        return []
    lines = []
    if report.decision_comment:
        lines.append(f"Comment: {report.decision_comment}")
    if report.decision_audit_seq is not None:
        lines.append(f"Audit entry #{report.decision_audit_seq}, entry hash "
                     f"{report.decision_audit_hash or 'unknown'}")
    if report.content_hash:
        lines.append(f"Stored report content sha256 {report.content_hash}")
    return lines


def verdict_line(report: ReleaseReport) -> str | None:
    """The rule that decided the verdict and what made it apply, when the headline (which
    says both) is missing: a report stored before schema 1.1."""
    if report.headline:
        return None
    return f"Rule: {report.verdict_rule}" + (f" ({report.verdict_detail})"
                                              if report.verdict_detail else "")


def shown_line(report: ReleaseReport) -> str:
    """Totals over every finding, with how many the top risks show, said separately."""
    shown = len(report.top_risks)
    total = report.counts.total
    if not total:
        return "No findings."
    return (f"{report.counts.text()}. Top risks: the {shown} most severe of {total}; every "
            "finding is listed under its agent.")


def check_rows(report: ReleaseReport) -> list[list[str]]:
    """Agent, check, data it ran on, sources, detail: every check of every agent."""
    return [[a.agent, c.check, c.data.value, ", ".join(c.sources) or "none", c.detail]
            for a in report.agents for c in a.checks]


def score_formula(score: RiskScore) -> str:
    """How the agent's points became its score."""
    if score.worst_case:
        return "a check had no data: the score is the worst case, 100"
    return (f"score = 100 × R ÷ (R + {score.half_risk_points:g}) with R = {score.points:g} "
            f"points = {score.value:g}")


def signoff_command(report: ReleaseReport) -> str | None:
    if report.signoff_status != "pending_signoff" or not report.report_id:
        return None
    return SIGNOFF_COMMAND.format(report_id=report.report_id)


def format_timestamp(value: str | datetime) -> str:
    """'2025-03-01 14:05 UTC'; text that does not parse is shown as it is."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        return format_timestamp(parsed)
    when = value if value.tzinfo else value.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def number(value: float) -> str:
    return f"{value:,.4g}" if abs(value) >= 1e4 else f"{value:.4g}"


def all_findings(report: ReleaseReport) -> list[Finding]:
    return [f for agent in report.agents for f in agent.findings]


def severity_counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    counts = Counter(f.severity for f in findings)
    return {s: counts.get(s, 0) for s in SEVERITIES}


def finding_flags(finding: Finding) -> list[str]:
    """What a reader must know about where a finding came from and how sure it is."""
    flags = []
    if finding.source == "llm":
        flags.append("LLM")
    if finding.annotation and finding.annotation.likely_false_positive:
        flags.append("likely false positive")
    if finding.llm_rejected_reason:
        flags.append("failed re-check")
    return flags


def safe_url(url: str | None) -> str | None:
    """Only web links are rendered as links (never javascript:, data:, file:)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def location(evidence: Evidence) -> str | None:
    """path:line when the ref does not already say it."""
    if not evidence.path:
        return None
    where = f"{evidence.path}:{evidence.line}" if evidence.line else evidence.path
    return None if where == evidence.ref else where


MORE = "…(more in the full report)"


def clip(text: str, limit: int | None) -> str:
    """One line of at most ``limit`` characters (no limit: all of it). Shortened text ends
    at a word boundary and says so: never a word cut in half, never a silent cut."""
    flat = " ".join(text.split())
    if limit is None or len(flat) <= limit:
        return flat
    room = max(limit - len(MORE), 0)
    head = flat[: room + 1]
    cut = head.rfind(" ")
    head = head[:cut] if cut > 0 else ""
    return head.rstrip(" ,;:.-–—") + MORE


USAGE_HEADER = ("Scope", "Provider", "Model", "Calls", "Input tokens", "Output tokens",
                "Cache write tokens", "Cache read tokens", "Cost (USD)")


def usage_cells(usage: LlmUsage) -> list[str]:
    return [usage.provider, usage.model or "none", f"{usage.calls:,}",
            f"{usage.input_tokens:,}", f"{usage.output_tokens:,}",
            f"{usage.cache_creation_input_tokens:,}", f"{usage.cache_read_input_tokens:,}",
            f"${usage.cost_usd:,.4f}"]


def usage_table(report: ReleaseReport) -> list[list[str]]:
    """The report total, then each agent that called a model (who spent what, on which)."""
    rows = [["total", *usage_cells(report.llm)]]
    return rows + [[a.agent, *usage_cells(a.llm)] for a in report.agents if a.llm.calls]


def usage_line(usage: LlmUsage) -> str:
    return " · ".join(f"{label.lower()} {value}"
                      for label, value in zip(USAGE_HEADER[1:], usage_cells(usage), strict=True))


def finite(values: Iterable[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]
