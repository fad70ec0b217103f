"""The report for the person who ran the command: the verdict and the ten-second summary,
the top risks, then every finding on one line each, the checks that lacked data and the
gaps; the files hold each finding's full detail.

Data is wrapped in ``Text`` so a finding titled ``[red]…`` prints as written instead of
being read as rich markup. Off a terminal (CI logs) tables use ASCII boxes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from agents.aggregate import ReleaseReport
from agents.models import Finding
from governance.redact import Redactor
from render.common import (
    band,
    check_rows,
    decision_lines,
    is_assessed,
    shown_line,
    signoff_command,
    signoff_text,
    status_label,
    usage_line,
    verdict_line,
)
from render.redaction import redact_report

TOP_RISKS = 10
_STYLE = {"low": "green", "elevated": "yellow", "high": "bold red", "unassessed": "bold magenta"}
_SEVERITY_STYLE = {"critical": "bold white on red", "high": "bold red", "medium": "yellow",
                   "low": "cyan", "info": "dim"}


def render_terminal(
    report: ReleaseReport,
    console: Console,
    *,
    written: Mapping[str, Path] | None = None,
    redactor: Redactor | None = None,
    who_decides: str | None = None,
) -> None:
    """``who_decides``: the role a decision needs and who holds it (the caller knows the
    roles file; the report does not), shown under the sign-off command."""
    report = redact_report(report, redactor)
    frame = box.ROUNDED if console.is_terminal else box.ASCII
    console.print(_banner(report, frame, who_decides))
    console.print(_verdict(report))
    console.print(_scores(report, frame))
    console.print(_risks(report, frame))
    if report.counts.total:
        console.print(_all_findings(report), soft_wrap=True)  # one line each: grep-able
    if blind := _unchecked(report, frame):
        console.print(blind)
    if report.gaps:
        console.print(_gaps(report, frame))
    console.print(_provenance(report))
    if written:
        console.print(_written(written))


def _banner(report: ReleaseReport, frame: box.Box, who_decides: str | None) -> Panel:
    lines = [Text(report.advisory_banner, style="bold"),
             Text("Sign-off: " + signoff_text(report))]
    lines += [Text(line) for line in decision_lines(report)]
    if command := signoff_command(report):
        lines.append(Text("To decide: " + command, style="cyan"))
        if who_decides:
            lines.append(Text(who_decides))
    elif report.signoff_status == "pending_signoff":
        lines.append(Text("Not registered yet: there is no report id to sign off."))
    title = Text("ADVISORY — " + report.subject)
    return Panel(Group(*lines), title=title, box=frame, border_style="red")


def _verdict(report: ReleaseReport) -> Text:
    level = band(report.overall_score, verdict=report.verdict)
    text = Text("Verdict: ", style="bold")
    text.append(report.verdict, style=_STYLE[level])
    text.append(f"  ·  overall risk {report.overall_score:g}/100 ({level})\n")
    if rule := verdict_line(report):
        text.append(rule + "\n")
    if report.headline:
        text.append(" ".join(report.headline) + "\n", style="bold")
    text.append(report.recommendation + "\n")
    text.append("Findings: " + shown_line(report))
    return text


def _scores(report: ReleaseReport, frame: box.Box) -> Table:
    table = Table("agent", "status", "score", "weight", "contribution", box=frame,
                  title="Score by agent", title_justify="left")
    for c in report.contributions:
        style = _STYLE[band(c.score, c.status)]
        score = f"{c.score:g}" if is_assessed(c.status) else f"{c.score:g} (worst case)"
        table.add_row(Text(c.agent), Text(status_label(c.status), style=style),
                      Text(score, style=style), f"{c.weight:g}", f"{c.contribution:.2f}")
    return table


def _risks(report: ReleaseReport, frame: box.Box) -> Table | Text:
    if not report.top_risks:
        return Text("Top risks: none found.")
    shown = report.top_risks[:TOP_RISKS]
    table = Table("#", "severity", "agent", "title", "evidence", box=frame,
                  title=f"Top risks ({len(shown)} of {report.counts.total})",
                  title_justify="left")
    for i, finding in enumerate(shown, 1):
        severity = finding.severity.value
        table.add_row(str(i), Text(severity, style=_SEVERITY_STYLE[severity]),
                      Text(finding.agent), _title(finding), Text(finding.evidence[0].ref))
    return table


def _all_findings(report: ReleaseReport) -> Text:
    """Every finding on one line, by agent: severity, types, title, first evidence. The
    files hold each one's explanation, evidence and recommendation."""
    text = Text(f"All findings ({report.counts.total})", style="bold")
    index = 0
    for agent in report.agents:
        for finding in agent.findings:
            index += 1
            severity = finding.severity.value
            text.append(f"\n{index:>4}. ")
            text.append(f"[{severity}]", style=_SEVERITY_STYLE[severity])
            text.append(f" {agent.agent} · {', '.join(finding.categories)} · ")
            text.append_text(_title(finding))
            text.append(f" — {finding.evidence[0].ref}", style="dim")
    return text


def _unchecked(report: ReleaseReport, frame: box.Box) -> Table | None:
    rows = [row for row in check_rows(report) if row[2] != "complete"]
    if not rows:
        return None
    table = Table("agent", "check", "data", "detail", box=frame, title_justify="left",
                  title="Checks without complete data")
    for agent, check, data, _, detail in rows:
        table.add_row(Text(agent), Text(check), Text(data), Text(detail))
    return table


def _title(finding: Finding) -> Text:
    text = Text(finding.title)
    if finding.source == "llm":
        text.append(" [LLM]", style="cyan")
    if finding.annotation and finding.annotation.likely_false_positive:
        text.append(" [likely false positive]", style="yellow")
    return text


def _gaps(report: ReleaseReport, frame: box.Box) -> Table:
    table = Table("source", "what is missing", "why", box=frame, title_justify="left",
                  title=f"Data gaps ({len(report.gaps)}, each once)",
                  caption="Missing data never lowers a score.")
    for gap in report.gaps:
        table.add_row(Text(gap.source), Text(gap.what), Text(gap.why))
    return table


def _provenance(report: ReleaseReport) -> Text:
    text = Text(f"Report id: {report.report_id or 'not registered'}  ·  "
                f"snapshot: {report.snapshot_hash or 'none'}\n", style="dim")
    prompts = ", ".join(f"{k} {v}" for k, v in sorted(report.prompt_versions.items()))
    text.append(f"Prompt versions: {prompts or 'none'}\n", style="dim")
    text.append(f"LLM usage: {usage_line(report.llm)}", style="dim")
    for agent in report.agents:
        if agent.llm.calls:
            text.append(f"\n  {agent.agent}: {usage_line(agent.llm)}", style="dim")
    return text


def _written(written: Mapping[str, Path]) -> Text:
    text = Text("Written:", style="bold")
    for fmt, path in written.items():
        text.append(f"\n  {fmt:<5} {path}")
    return text
