"""GitHub-flavoured Markdown for a pull-request comment or a Confluence page.

GitHub refuses comments over 65,536 characters, so the report shrinks step by step
(fewer findings and rows per section, shorter text) until it fits, and every cut says
what it left out. The only HTML is ``<details>`` around the per-agent sections.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from agents.aggregate import AgentContribution, ReleaseReport
from agents.models import AgentReport, Evidence, Finding
from governance.redact import Redactor
from render.common import (
    LLM_SOURCE,
    USAGE_HEADER,
    band,
    clip,
    finite,
    format_timestamp,
    is_assessed,
    location,
    number,
    safe_url,
    signoff_command,
    signoff_text,
    status_label,
    usage_table,
)
from render.redaction import redact_report

GITHUB_COMMENT_LIMIT = 65_536


@dataclass(frozen=True)
class _Limits:
    findings: int  # per list: top risks, each agent's findings
    rows: int  # per table: factors, coverage, gaps
    text: int  # characters per free-text field


_STEPS = (
    _Limits(500, 500, 2000),
    _Limits(50, 100, 600),
    _Limits(20, 50, 300),
    _Limits(10, 25, 200),
    _Limits(5, 10, 140),
    _Limits(2, 5, 100),
    _Limits(0, 3, 80),
)
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
# What would open a heading or a list at the start of a line ('>' is already escaped).
_LINE_START = re.compile(r"^(?:#{1,6}(?=\s|$)|[-+*](?=\s)|\d{1,9}(?=[.)](?:\s|$)))")


def render_markdown(
    report: ReleaseReport,
    *,
    max_chars: int = GITHUB_COMMENT_LIMIT,
    redactor: Redactor | None = None,
) -> str:
    report = redact_report(report, redactor)
    for limits in _STEPS:
        body, footer = _body(report, limits), _footer(report)
        if len(body) + len(footer) <= max_chars:
            return body + footer
    return _cut(body, footer, max_chars)


def _body(report: ReleaseReport, limits: _Limits) -> str:
    sections = [
        _header(report, limits),
        _contributions(report.contributions, report.overall_score, limits),
        _top_risks(report.top_risks, limits),
        _agents(report.agents, limits),
        _coverage(report, limits),
        _trends(report, limits),
    ]
    return "\n\n".join(s for s in sections if s) + "\n"


# --- escaping -------------------------------------------------------------------------


def _md(text: str, limit: int = 2000) -> str:
    """One line of literal text: no emphasis, links, HTML or table breaks from data."""
    return _LINE_START.sub(_escape_start, _SPECIAL.sub(r"\\\1", clip(text, limit)), count=1)


def _escape_start(match: re.Match[str]) -> str:
    mark = match.group(0)
    return mark + "\\" if mark[0].isdigit() else "\\" + mark  # "1\." or "\#"


def _code(text: str, *, table: bool = True) -> str:
    """A code span; inside a table a '|' must be escaped even there (a GFM rule)."""
    flat = " ".join(text.split()).replace("`", "'")
    return "`" + (flat.replace("|", "\\|") if table else flat) + "`"


def _link(label: str, url: str) -> str:
    target = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{_md(label, 120)}]({target.replace('|', '%7C')})"


def _evidence(items: Sequence[Evidence]) -> str:
    parts = []
    for item in items:
        url = safe_url(item.url)
        where = location(item)
        text = _link(item.ref, url) if url else _code(item.ref)
        parts.append(f"{text} ({_code(where)})" if where else text)
    return ", ".join(parts)


def _more(hidden: int, noun: str) -> str:
    return f"_{hidden} more {noun if hidden != 1 else noun.rstrip('s')} not shown._"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    marks = [("---:" if a == "r" else "---") for a in align.ljust(len(header), "l")]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# --- sections -------------------------------------------------------------------------


def _header(report: ReleaseReport, limits: _Limits) -> str:
    banner = [
        f"> **ADVISORY** — {_md(report.advisory_banner)}",
        ">",
        f"> **Sign-off:** {_md(signoff_text(report))}",
    ]
    if command := signoff_command(report):
        banner += [">", f"> To decide: {_code(command, table=False)}"]
    lines = [
        f"# Release risk report: {_md(report.subject, 200)}",
        "\n".join(banner),
        f"**Verdict:** {_md(report.verdict)} · **Overall risk score:** "
        f"{report.overall_score:g}/100 ({band(report.overall_score)})",
        _md(report.recommendation, limits.text),
    ]
    if report.summary:
        lines.append(_md(report.summary, limits.text))
    return "\n\n".join(lines)


def _contributions(
    contributions: Sequence[AgentContribution], overall: float, limits: _Limits
) -> str:
    rows = []
    for c in contributions:
        status = status_label(c.status)
        rows.append([
            _md(c.agent, 80),
            _md(status) if is_assessed(c.status) else f"**{_md(status)}**",
            f"{c.score:g}" + ("" if is_assessed(c.status) else " (worst case)"),
            f"{c.weight:g}",
            f"{c.contribution:g}",
            _md(c.explanation, limits.text),
        ])
    weights = sum(c.weight for c in contributions)
    total = sum(c.contribution for c in contributions)
    table = _table(["Agent", "Status", "Score", "Weight", "Contribution", "Why"], rows,
                   "llrrrl")
    note = f"Overall = Σ contribution ÷ Σ weight = {total:g} ÷ {weights:g} = {overall:g}."
    return f"## Score by agent\n\n{table}\n\n{note}"


def _flags(finding: Finding) -> str:
    flags = []
    if finding.source == "llm":
        flags.append("LLM")
    if finding.annotation and finding.annotation.likely_false_positive:
        flags.append("likely false positive")
    if finding.llm_rejected_reason:
        flags.append("failed re-check")
    return f" ({', '.join(flags)})" if flags else ""


def _top_risks(findings: Sequence[Finding], limits: _Limits) -> str:
    if not findings:
        return "## Top risks\n\nNo findings."
    shown = findings[: limits.findings]
    rows = [
        [str(i), f"**{f.severity.value}**", _md(f.agent, 80),
         _md(f.title, limits.text) + _flags(f), _evidence(f.evidence[:3])]
        for i, f in enumerate(shown, 1)
    ]
    text = "## Top risks\n\n" + _table(["#", "Severity", "Agent", "Title", "Evidence"], rows,
                                         "r")
    if hidden := len(findings) - len(shown):
        text += "\n\n" + _more(hidden, "findings")
    return text


def _agents(agents: Sequence[AgentReport], limits: _Limits) -> str:
    if not agents:
        return ""
    return "## Agents\n\n" + "\n\n".join(_agent(a, limits) for a in agents)


def _agent(agent: AgentReport, limits: _Limits) -> str:
    state = status_label(agent.status)
    score = f"score {agent.score.value:g}/100" if is_assessed(agent.status) else "no score"
    count = len(agent.findings)
    summary = html.escape(f"{agent.agent} — {state} · {score} · {count} findings")
    parts = [f"<details>\n<summary><b>{summary}</b></summary>"]
    if not is_assessed(agent.status):
        parts.append(f"**Not assessed** ({_md(agent.status.value)}): its weight counts as the "
                     "worst case (100) until a human looks.")
    if agent.summary:
        parts.append(_md(agent.summary, limits.text))
    parts += [_factors(agent, limits), _findings(agent.findings, limits), "</details>"]
    return "\n\n".join(p for p in parts if p)


def _factors(agent: AgentReport, limits: _Limits) -> str:
    factors = agent.score.factors
    if not factors and not agent.score.uncertainty:
        return ""
    text = f"**Why the score is {agent.score.value:g}/100**"
    if factors:
        shown = factors[: limits.rows]
        rows = [[_md(f.name, 80), _md(str(f.value), 80), f"{f.weight:g}",
                 f"{f.contribution:+g}", _md(f.explanation, limits.text)] for f in shown]
        text += "\n\n" + _table(["Factor", "Value", "Weight", "Points", "Explanation"], rows,
                                "llrrl")
        if hidden := len(factors) - len(shown):
            text += "\n\n" + _more(hidden, "factors")
    if agent.score.uncertainty:
        text += "\n\nMay be too low because:\n" + "\n".join(
            f"- {_md(u, limits.text)}" for u in agent.score.uncertainty[: limits.rows])
    return text


def _findings(findings: Sequence[Finding], limits: _Limits) -> str:
    if not findings:
        return "No findings."
    shown = findings[: limits.findings]
    text = "\n\n".join(_finding(i, f, limits) for i, f in enumerate(shown, 1))
    if hidden := len(findings) - len(shown):
        text = (text + "\n\n" if text else "") + _more(hidden, "findings")
    return f"**Findings ({len(findings)})**\n\n{text}"


def _finding(index: int, finding: Finding, limits: _Limits) -> str:
    facts = [f"severity **{finding.severity.value}**", f"confidence {finding.confidence.value}",
             "source: " + (LLM_SOURCE if finding.source == "llm" else "deterministic check")]
    facts += [_md(c, 40) for c in finding.cwe] + [_md(o, 60) for o in finding.owasp]
    lines = [
        f"**{index}. {_md(finding.title, limits.text)}**{_flags(finding)}",
        "- " + " · ".join(facts),
        f"- **Why:** {_md(finding.explanation, limits.text)}",
        f"- **Evidence:** {_evidence(finding.evidence[: limits.rows])}",
        f"- **Recommendation:** {_md(finding.recommendation, limits.text)}",
    ]
    if finding.llm_rejected_reason:
        lines.append(f"- **LLM finding failed re-checking** (kept visible): "
                     f"{_md(finding.llm_rejected_reason, limits.text)}")
    return "\n".join(lines + _annotation(finding, limits))


def _annotation(finding: Finding, limits: _Limits) -> list[str]:
    note = finding.annotation
    if note is None:
        return []
    lines = []
    head = f"- **Annotation** (by {_md(note.annotated_by, 40)})"
    if note.priority is not None:
        head += f": priority {note.priority} (1 = look first)"
    if note.rationale:
        head += f" — {_md(note.rationale, limits.text)}"
    lines.append(head)
    if note.likely_false_positive:
        reason = _md(note.false_positive_reason or "no reason given", limits.text)
        lines.append(f"- **Likely false positive** (still listed; a human decides): {reason}")
    if note.suggested_tests:
        tests = "; ".join(_md(t, limits.text) for t in note.suggested_tests[: limits.rows])
        lines.append(f"- **Suggested tests:** {tests}")
    return lines


def _coverage(report: ReleaseReport, limits: _Limits) -> str:
    rows = [[_md(a.agent, 80), _md(c.source, 80), _md(c.status.value), _md(c.detail, limits.text)]
            for a in report.agents for c in a.coverage]
    text = "## Data coverage and gaps"
    if rows:
        text += "\n\n" + _table(["Agent", "Source", "Coverage", "Detail"], rows[: limits.rows])
        if (hidden := len(rows) - limits.rows) > 0:
            text += "\n\n" + _more(hidden, "coverage rows")
    if not report.gaps:
        return text + "\n\nNo data gaps reported."
    gaps = [[_md(g.source, 80), _md(g.what, limits.text), _md(g.why, limits.text)]
            for g in report.gaps[: limits.rows]]
    text += "\n\nMissing data never lowers a score.\n\n"
    text += _table(["Source", "What is missing", "Why"], gaps)
    if (hidden := len(report.gaps) - limits.rows) > 0:
        text += "\n\n" + _more(hidden, "gaps")
    return text


def _trends(report: ReleaseReport, limits: _Limits) -> str:
    rows = []
    for trend in report.trends[: limits.rows]:
        values = finite(trend.values)
        if not values:
            rows.append([_md(trend.label, 120), "0", "–", "–", "–"])
            continue
        unit = f" {trend.unit}" if trend.unit else ""
        rows.append([_md(trend.label, 120), str(len(values)), _md(number(min(values)) + unit),
                     _md(number(max(values)) + unit), _md(number(values[-1]) + unit)])
    if not rows:
        return ""
    text = "## Metric trends\n\n" + _table(["Metric", "Points", "Min", "Max", "Latest"], rows,
                                           "lrrrr")
    if (hidden := len(report.trends) - limits.rows) > 0:
        text += "\n\n" + _more(hidden, "trends")
    return text


def _footer(report: ReleaseReport) -> str:
    ids = [
        f"**Report id:** {_code(report.report_id or 'not registered')}",
        f"**Generated:** {format_timestamp(report.generated_at)}",
        f"**Snapshot hash:** {_code(report.snapshot_hash or 'none')}",
        f"**Schema:** {_md(report.schema_version, 20)}",
    ]
    prompts = ", ".join(f"{_code(name)} {_md(version, 40)}"
                        for name, version in sorted(report.prompt_versions.items()))
    usage = _table(USAGE_HEADER, [[_md(cell, 80) for cell in row] for row in usage_table(report)],
                   "lllrrrrrr")
    lines = ["---", " · ".join(ids), f"**Prompt versions:** {prompts or 'none'}",
             f"**LLM usage**\n\n{usage}"]
    lines += [f"**LLM notice:** {_md(n, 300)}" for n in report.llm.notices[:5]]
    lines.append("_Advisory only: the LLM explains; deterministic checks score; "
                 "a named human decides._")
    return "\n\n" + "\n\n".join(lines) + "\n"


def _cut(body: str, footer: str, max_chars: int) -> str:
    """Last resort: cut the body between blocks, close an open <details>, keep the footer."""
    notice = "\n\n_Report cut to fit: {n} characters not shown. The HTML and JSON reports " \
             "are complete._\n"
    room = max(max_chars - len(footer) - len(notice) - 20, 0)
    head = body[:room]
    head = head[: head.rfind("\n\n") + 1] if "\n\n" in head else ""  # whole blocks only
    if head.count("<details>") > head.count("</details>"):
        head += "\n</details>\n"
    return (head + notice.format(n=len(body) - len(head)) + footer)[:max_chars]
