"""The Markdown the bot posts: the summary comment, inline comments, the check run text.

Repository text (titles, paths, evidence) is escaped so it can neither format the
comment nor forge the bot's hidden markers, and ``@`` is broken so nobody is pinged.
GitHub refuses comments over 65,536 characters; the summary shrinks until it fits, cuts
text only at word boundaries, and says where every finding is (the check run, the SARIF
file, ``advisor reports export``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.models import Finding, Severity
from agents.security.review_report import SecurityReviewReport
from render.common import clip
from render.review.markers import SUMMARY_MARKER, finding_marker

COMMENT_LIMIT = 65_536
CHECK_TEXT_LIMIT = 65_535
BANNER = ("> **Advisory only.** This bot never approves or blocks a pull request: findings "
          "come from deterministic checks, the LLM only explains them, and a named human "
          "signs the review off.")
SIGNOFF_HOW = ("To decide, a security reviewer or a repository maintainer who did not author "
               "this PR comments `/advisor sign-off approve <reason>` or "
               "`/advisor sign-off reject <reason>`.")
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#])")
_ROW_STEPS = (200, 60, 25, 10, 3)
_TEXT_STEPS = (240, 160, 100, 80, 60)


def md(text: str, limit: int = 300) -> str:
    """One escaped line of repository text, at most ``limit`` characters, shortened at a
    word boundary with "…(more in the full report)"."""
    return _SPECIAL.sub(r"\\\1", clip(text, limit)).replace("@", "@\u200b")


def code(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())[:limit].replace("`", "'")
    return f"`{flat}`" if flat else ""


def signoff_line(report: SecurityReviewReport) -> str:
    status = report.signoff_status
    if status == "pending_signoff":
        return "**Sign-off:** pending — nothing is approved until a named human signs off."
    if status in ("approved", "rejected") and report.signed_off_by:
        why = f": {md(report.decision_comment, 200)}" if report.decision_comment else ""
        return (f"**Sign-off:** {status} by {md(report.signed_off_by, 60)} "
                f"on {report.signed_off_at or 'an unknown date'}{why}")
    return f"**Sign-off:** {md(status, 40)} — nothing is approved until a named human signs off."


def _where(finding: Finding) -> str:
    for evidence in finding.evidence:
        if evidence.path:
            return code(f"{evidence.path}:{evidence.line}" if evidence.line else evidence.path)
    return md(finding.evidence[0].ref, 80)


def _counts(report: SecurityReviewReport) -> str:
    parts = [f"{n} {s.value}" for s, n in report.counts().items()]
    return " · ".join(parts)


def _table(findings: Sequence[Finding], rows: int, text: int, report_id: str | None) -> list[str]:
    if not findings:
        return ["No findings from the deterministic checks."]
    lines = ["| Severity | Category | Finding | Where | CWE |", "|---|---|---|---|---|"]
    for finding in findings[:rows]:
        title = md(finding.title, text) + (" *(LLM)*" if finding.source == "llm" else "")
        lines.append(f"| {finding.severity.value} | {md(finding.category, 40)} | {title} | "
                     f"{_where(finding)} | {md(', '.join(finding.cwe), 40)} |")
    if len(findings) > rows:
        lines.append(f"\n…and {len(findings) - rows} more finding(s): {_full(report_id)}.")
    return lines


def _full(report_id: str | None) -> str:
    """Where every finding is when this comment had to leave some out."""
    export = f", and {code(f'advisor reports export {report_id}')}" if report_id else ""
    return f"the check run on this commit and the SARIF file list every finding{export}"


def _listed(title: str, items: Sequence[str], rows: int) -> list[str]:
    if not items:
        return []
    shown = [f"- {item}" for item in items[:rows]]
    if len(items) > rows:
        shown.append(f"- …and {len(items) - rows} more")
    return ["", f"### {title}", *shown]


def _body(report: SecurityReviewReport, moved: Sequence[Finding], rows: int,
          text: int) -> str:
    visible = [f for f in report.findings if not f.llm_rejected_reason]
    lines = [SUMMARY_MARKER, f"## Security review — {md(report.subject, 120)}", "", BANNER, "",
             signoff_line(report)]
    if report.signoff_status == "pending_signoff":
        lines += ["", SIGNOFF_HOW]
    head = f" · head {code(report.head_sha[:12])}" if report.head_sha else ""
    rid = f" · report {code(report.report_id)}" if report.report_id else ""
    lines += ["", f"**Findings:** {_counts(report)} · risk score "
              f"{report.score.value:.0f}/100{head}{rid}", "",
              *_table(visible, rows, text, report.report_id)]
    lines += _listed("Not placed inline (outside the diff)",
                     [f"{_where(f)} — [{f.severity.value}] {md(f.title, text)}" for f in moved],
                     rows)
    lines += _listed("Checklist", [
        f"[{'x' if i.done else ' '}] [{i.severity.value}] {md(i.topic, text)}: "
        f"{md(i.action, text)}" for i in report.checklist.items], rows)
    lines += _listed("Not reviewed", [f"{code(u.path)} — {md(u.why, text)}"
                                      for u in report.unreviewed], rows)
    lines += _listed("Coverage gaps", [f"{md(g.source, 30)}: {md(g.what, text)} — "
                                       f"{md(g.why, text)}" for g in report.gaps], rows)
    lines += _listed("Notices", [md(n, text) for n in report.notices], rows)
    if report.advisory_summary:
        lines += ["", "<details><summary>Advisory summary</summary>", "",
                  md(report.advisory_summary, 4 * text), "", "</details>"]
    lines += ["", f"<sub>Release Risk Advisor · generated {md(report.generated_at, 40)}</sub>"]
    return "\n".join(lines)


def summary_comment(report: SecurityReviewReport, moved: Sequence[Finding] = ()) -> str:
    """The one summary comment; shrinks step by step until GitHub accepts its size."""
    body = ""
    for rows, text in zip(_ROW_STEPS, _TEXT_STEPS, strict=True):
        body = _body(report, moved, rows, text)
        if len(body) <= COMMENT_LIMIT:
            return body
    tail = f"\n\n…(more in the full report: {_full(report.report_id)})"
    head = body[: COMMENT_LIMIT - len(tail)]
    return head[: head.rfind("\n")] + tail  # whole lines only


def inline_comment(finding: Finding) -> str:
    tags = " · ".join([*finding.cwe, *finding.owasp])
    return "\n".join([
        finding_marker(finding.fingerprint),
        f"**[{finding.severity.value}] {md(finding.category, 40)}: {md(finding.title, 300)}**",
        "", md(finding.explanation, 1500), "",
        f"**Recommendation:** {md(finding.recommendation, 800)}", "",
        f"<sub>{md(tags, 200)} · advisory only: a named human signs this review off</sub>",
    ])


def review_body(count: int) -> str:
    return (f"Release Risk Advisor: {count} inline note(s) on high and critical findings. "
            "Advisory only — the summary comment has the full list and the sign-off status.")


def check_title(report: SecurityReviewReport) -> str:
    counts = report.counts()
    serious = counts[Severity.CRITICAL] + counts[Severity.HIGH]
    return f"{len(report.findings)} finding(s), {serious} high or critical (advisory)"


def check_summary(report: SecurityReviewReport) -> str:
    lines = [BANNER, "", signoff_line(report), "", f"**Findings:** {_counts(report)}"]
    if report.unreviewed:
        lines.append(f"**Not reviewed:** {len(report.unreviewed)} file(s), listed in the "
                     "summary comment.")
    return "\n".join(lines)[:CHECK_TEXT_LIMIT]
