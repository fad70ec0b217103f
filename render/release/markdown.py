"""GitHub-flavoured Markdown: the full report as a file, or a size-limited comment body.

The file (``render_markdown(report)``) carries everything: every finding, whole text.
Only a comment body is size-limited (``max_chars``; GitHub refuses comments over 65,536
characters): it shrinks step by step (fewer findings and rows per section, shorter text
cut at word boundaries), every cut says what it left out, and it links to the full
report. The only HTML is ``<details>`` around the per-agent sections.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from agents.aggregate import AgentContribution, ReleaseReport
from agents.models import AgentReport, Evidence, Finding
from governance.redact import Redactor
from render.common import (
    LLM_SOURCE,
    USAGE_HEADER,
    band,
    check_rows,
    clip,
    decision_lines,
    finding_flags,
    finite,
    format_timestamp,
    is_assessed,
    location,
    number,
    safe_url,
    score_formula,
    shown_line,
    signoff_command,
    signoff_text,
    status_label,
    usage_table,
    verdict_line,
)
from render.redaction import redact_report

GITHUB_COMMENT_LIMIT = 65_536
T = TypeVar("T")


@dataclass(frozen=True)
class _Limits:
    findings: int | None  # per list: top risks, each agent's findings (None: all)
    rows: int | None  # per table: factors, coverage, gaps
    text: int | None  # characters per free-text field


_FULL = _Limits(None, None, None)
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
    max_chars: int | None = None,
    full_report: str | None = None,
    redactor: Redactor | None = None,
) -> str:
    """The whole report; with ``max_chars``, a comment body that fits and says where the
    full report is (``full_report``: a link or a place, e.g. the run's artifact)."""
    report = redact_report(report, redactor)
    footer = _footer(report)
    if max_chars is None:
        return _body(report, _FULL) + footer
    where = _where_full(full_report)
    for limits in _STEPS:
        body = _body(report, limits, where)
        if len(body) + len(footer) <= max_chars:
            return body + footer
    return _cut(body, footer, max_chars, where)


def _where_full(full_report: str | None) -> str:
    if full_report and safe_url(full_report):
        return _link("the full report", full_report)
    if full_report:
        return f"the full report ({_md(full_report, 200)})"
    return "the full report (the HTML, JSON or Markdown file of this report)"


def _body(report: ReleaseReport, limits: _Limits, where: str = "") -> str:
    sections = [
        _header(report, limits),
        _summary(report, limits),
        _contributions(report.contributions, report.overall_score, limits),
        _top_risks(report, limits, where),
        _agents(report.agents, limits, where),
        _coverage(report, limits, where),
        _notes(report, limits),
        _trends(report, limits),
    ]
    if where and limits != _STEPS[0]:
        sections.insert(1, f"> This comment is shortened to fit; {where} has everything.")
    return "\n\n".join(s for s in sections if s) + "\n"


# --- escaping -------------------------------------------------------------------------


def _md(text: str, limit: int | None = None) -> str:
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
    return f"[{_md(label)}]({target.replace('|', '%7C')})"


def _evidence(items: Sequence[Evidence]) -> str:
    parts = []
    for item in items:
        url = safe_url(item.url)
        where = location(item)
        text = _link(item.ref, url) if url else _code(item.ref)
        parts.append(f"{text} ({_code(where)})" if where else text)
    return ", ".join(parts)


def _more(hidden: int, noun: str, where: str = "") -> str:
    what = noun if hidden != 1 else noun.rstrip("s")
    return f"_{hidden} more {what} not shown" + (f": see {where}._" if where else "._")


def _take(items: Sequence[T], limit: int | None) -> list[T]:
    return list(items if limit is None else items[:limit])


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
    banner += [f"> {_md(line)}" for line in decision_lines(report)]
    if command := signoff_command(report):
        banner += [">", f"> To decide: {_code(command, table=False)}"]
    level = band(report.overall_score, verdict=report.verdict)
    lines = [
        f"# Release risk report: {_md(report.subject)}",
        "\n".join(banner),
        f"**Verdict:** {_md(report.verdict)} · **Overall risk score:** "
        f"{report.overall_score:g}/100 ({level})",
    ]
    if rule := verdict_line(report):
        lines.append(_md(rule, limits.text))
    return "\n\n".join(lines)


def _summary(report: ReleaseReport, limits: _Limits) -> str:
    """The ten-second summary, then the advice and the totals; gaps live elsewhere."""
    lines = ["## Summary"]
    if report.headline:
        lines.append(" ".join(_md(sentence, limits.text) for sentence in report.headline))
    lines += [_md(report.recommendation, limits.text), f"**Findings:** {_md(shown_line(report))}"]
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
            f"{c.contribution:.2f}",
            _md(c.explanation, limits.text),
        ])
    weights = sum(c.weight for c in contributions)
    total = sum(c.contribution for c in contributions)
    table = _table(["Agent", "Status", "Score", "Weight", "Contribution", "Why"], rows,
                   "llrrrl")
    note = f"Overall = Σ contribution ÷ Σ weight = {total:.2f} ÷ {weights:g} = {overall:g}."
    return f"## Score by agent\n\n{table}\n\n{note}"


def _flags(finding: Finding) -> str:
    flags = finding_flags(finding)
    return f" ({', '.join(flags)})" if flags else ""


def _top_risks(report: ReleaseReport, limits: _Limits, where: str) -> str:
    findings = report.top_risks
    if not findings:
        return "## Top risks\n\nNo findings."
    shown = _take(findings, limits.findings)
    rows = [
        [str(i), f"**{f.severity.value}**", _md(f.agent, 80),
         _md(f.title, limits.text) + _flags(f), _evidence(f.evidence[:3])]
        for i, f in enumerate(shown, 1)
    ]
    head = f"## Top risks ({len(findings)} of {report.counts.total})"
    text = head + "\n\n" + _table(["#", "Severity", "Agent", "Title", "Evidence"], rows, "r")
    if hidden := len(findings) - len(shown):
        text += "\n\n" + _more(hidden, "top risks", where)
    return text


def _agents(agents: Sequence[AgentReport], limits: _Limits, where: str) -> str:
    if not agents:
        return ""
    return "## Agents\n\n" + "\n\n".join(_agent(a, limits, where) for a in agents)


def _agent(agent: AgentReport, limits: _Limits, where: str) -> str:
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
    parts += [_factors(agent, limits), _findings(agent.findings, limits, where), "</details>"]
    return "\n\n".join(p for p in parts if p)


def _factors(agent: AgentReport, limits: _Limits) -> str:
    factors = agent.score.factors
    if not factors and not agent.score.uncertainty:
        return ""
    text = f"**Why the score is {agent.score.value:g}/100:** {_md(score_formula(agent.score))}"
    if factors:
        shown = _take(factors, limits.rows)
        rows = [[_md(f.name, 80), _md(str(f.value), limits.text), f"{f.weight:g}",
                 f"{f.contribution:+g}", _md(f.explanation, limits.text)] for f in shown]
        text += "\n\n" + _table(["Factor", "Value", "Weight", "Points", "Explanation"], rows,
                                "llrrl")
        if hidden := len(factors) - len(shown):
            text += "\n\n" + _more(hidden, "factors")
    if agent.score.uncertainty:
        text += "\n\nMay be too low because:\n" + "\n".join(
            f"- {_md(u, limits.text)}" for u in _take(agent.score.uncertainty, limits.rows))
    return text


def _findings(findings: Sequence[Finding], limits: _Limits, where: str) -> str:
    if not findings:
        return "No findings."
    shown = _take(findings, limits.findings)
    text = "\n\n".join(_finding(i, f, limits) for i, f in enumerate(shown, 1))
    if hidden := len(findings) - len(shown):
        text = (text + "\n\n" if text else "") + _more(hidden, "findings", where)
    return f"**Findings ({len(findings)})**\n\n{text}"


def _finding(index: int, finding: Finding, limits: _Limits) -> str:
    facts = [f"severity **{finding.severity.value}**", f"confidence {finding.confidence.value}",
             "source: " + (LLM_SOURCE if finding.source == "llm" else "deterministic check"),
             f"id {_code(finding.fingerprint, table=False)}"]
    facts += [_md(c, 40) for c in finding.cwe] + [_md(o, 60) for o in finding.owasp]
    lines = [
        f"**{index}. {_md(finding.title, limits.text)}**{_flags(finding)}",
        "- " + " · ".join(facts),
    ]
    if finding.reasons:
        reasons = "; ".join(f"{_md(r.severity.value)} {_code(r.category, table=False)}: "
                            f"{_md(r.title, limits.text)}" for r in finding.reasons)
        lines.append(f"- **Reasons ({len(finding.reasons)}, one root cause):** {reasons}")
    lines += [
        f"- **Why:** {_md(finding.explanation, limits.text)}",
        f"- **Evidence:** {_evidence(_take(finding.evidence, limits.rows))}",
        f"- **Recommendation:** {_md(finding.recommendation, limits.text)}",
    ]
    if finding.suggested_tests:
        tests = "; ".join(_md(t, limits.text) for t in _take(finding.suggested_tests,
                                                              limits.rows))
        lines.append(f"- **Suggested tests (from the change):** {tests}")
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
        tests = "; ".join(_md(t, limits.text) for t in _take(note.suggested_tests, limits.rows))
        lines.append(f"- **Suggested tests:** {tests}")
    return lines


def _coverage(report: ReleaseReport, limits: _Limits, where: str) -> str:
    text = "## Data coverage and gaps"
    checks = check_rows(report)
    if checks:
        rows = [[_md(cell, limits.text) for cell in row] for row in _take(checks, limits.rows)]
        text += ("\n\nWhat each check ran on: complete data, partial data (gaps) or none "
                 "(a source it reads is missing: counted as its worst case).\n\n")
        text += _table(["Agent", "Check", "Data", "Sources", "Detail"], rows)
        if hidden := len(checks) - len(rows):
            text += "\n\n" + _more(hidden, "checks", where)
    sources = [[_md(a.agent, 80), _md(c.source, 80), _md(c.status.value)]
               for a in report.agents for c in a.coverage]
    if sources:
        text += "\n\n" + _table(["Agent", "Source", "Coverage"], _take(sources, limits.rows))
    if not report.gaps:
        return text + "\n\nNo data gaps reported."
    gaps = [[_md(g.source, 80), _md(g.what, limits.text), _md(g.why, limits.text)]
            for g in _take(report.gaps, limits.rows)]
    text += f"\n\n{len(report.gaps)} data gap(s), each once. Missing data never lowers a score."
    text += "\n\n" + _table(["Source", "What is missing", "Why"], gaps)
    if hidden := len(report.gaps) - len(gaps):
        text += "\n\n" + _more(hidden, "gaps", where)
    return text


def _notes(report: ReleaseReport, limits: _Limits) -> str:
    if not report.summary:
        return ""
    return f"## Advisory notes ({_md(report.llm.provider)})\n\n{_md(report.summary, limits.text)}"


def _trends(report: ReleaseReport, limits: _Limits) -> str:
    rows = []
    for trend in _take(report.trends, limits.rows):
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
    if hidden := len(report.trends) - len(rows):
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
    lines += [f"**LLM notice:** {_md(n)}" for n in dict.fromkeys(report.llm.notices)]
    lines.append("_Advisory only: the LLM explains; deterministic checks score; "
                 "a named human decides._")
    return "\n\n" + "\n\n".join(lines) + "\n"


def _cut(body: str, footer: str, max_chars: int, where: str) -> str:
    """Last resort: cut the body between blocks, close an open <details>, keep the footer."""
    notice = ("\n\n_Comment cut to fit: {n} characters not shown; " + where + " has "
              "everything._\n")
    room = max(max_chars - len(footer) - len(notice) - 20, 0)
    head = body[:room]
    head = head[: head.rfind("\n\n") + 1] if "\n\n" in head else ""  # whole blocks only
    if head.count("<details>") > head.count("</details>"):
        head += "\n</details>\n"
    return (head + notice.format(n=len(body) - len(head)) + footer)[:max_chars]
