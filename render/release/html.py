"""One self-contained HTML file: inline CSS and SVG, no script, nothing loaded from anywhere.

A Content-Security-Policy meta tag forbids every fetch and every script, so even text
that slipped past escaping could not run or phone home. All data goes through
``html.escape``; links are rendered only for http(s) evidence URLs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from agents.aggregate import ReleaseReport
from agents.models import AgentReport, Evidence, Finding
from governance.redact import Redactor
from render.charts import Bar, bar_chart, line_chart, nice_ticks
from render.common import (
    LLM_SOURCE,
    NOT_ASSESSED,
    USAGE_HEADER,
    all_findings,
    band,
    check_rows,
    decision_lines,
    finding_flags,
    format_timestamp,
    is_assessed,
    location,
    safe_url,
    score_formula,
    severity_counts,
    shown_line,
    signoff_command,
    signoff_text,
    status_label,
    usage_table,
    verdict_line,
)
from render.redaction import redact_report

_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'")
_CSS = """
:root{--ink:#1d1d1f;--muted:#5f6368;--line:#d0d4d9;--low:#2e7d32;--elevated:#b26a00;
--high:#c62828;--unassessed:#757575;--critical:#7f0000;--medium:#b26a00;--info:#546e7a;
--lowsev:#1565c0}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
margin:0 auto;max-width:1100px;padding:0 1.5rem 2rem}
h1{font-size:1.6rem;margin:1rem 0 .5rem}h2{border-bottom:1px solid var(--line);
padding-bottom:.2rem;margin-top:2rem}h3{margin:1.2rem 0 .4rem}
.banner{border:3px solid var(--high);background:#fff4f4;padding:.8rem 1rem;margin-top:1rem}
.banner p{margin:.25rem 0}.banner .advisory{font-size:1.1rem}
.signoff-pending{font-weight:700;color:var(--high)}.signoff-approved{color:var(--low);
font-weight:700}.signoff-rejected{color:var(--high);font-weight:700}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.92rem}
th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f4f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
code{font:.88em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
.badge{display:inline-block;padding:0 .4rem;border-radius:3px;color:#fff;font-size:.8rem;
font-weight:700;text-transform:uppercase}
.unassessed-row td{background:#f5f5f5;font-weight:600}
.flag{display:inline-block;border:1px solid var(--elevated);color:var(--elevated);
padding:0 .3rem;border-radius:3px;font-size:.8rem;margin-left:.3rem}
article.agent{border:1px solid var(--line);padding:.2rem 1rem .8rem;margin:1rem 0}
.finding{border-left:4px solid var(--line);padding:.1rem .8rem;margin:.8rem 0}
.finding.likely-fp{background:#fffaf0}.finding dl{margin:.3rem 0}
.finding dt{font-weight:600;float:left;clear:left;width:9.5rem}
.finding dd{margin:0 0 .2rem 10rem}.muted{color:var(--muted)}
.charts{display:flex;flex-wrap:wrap;gap:1rem}svg{max-width:100%;height:auto;overflow:visible}
svg text{font:11px system-ui,sans-serif;fill:var(--ink)}svg .tick{fill:var(--muted)}
svg .inside{fill:#fff;font-weight:700}svg .grid{stroke:#e5e7eb}svg .axis{stroke:var(--muted)}
svg .line{stroke:#1565c0;stroke-width:1.5}svg .dot{fill:#1565c0}svg .mark{font-size:10px}
.band-low{fill:var(--low);background:var(--low)}
.band-elevated{fill:var(--elevated);background:var(--elevated)}
.band-high{fill:var(--high);background:var(--high)}
.band-unassessed{fill:var(--unassessed);background:var(--unassessed);stroke:#000;
stroke-dasharray:4 3}
.sev-critical{fill:var(--critical);background:var(--critical)}
.sev-high{fill:var(--high);background:var(--high)}
.sev-medium{fill:var(--medium);background:var(--medium)}
.sev-low{fill:var(--lowsev);background:var(--lowsev)}
.sev-info{fill:var(--info);background:var(--info)}
footer{margin-top:2rem;border-top:2px solid var(--line);font-size:.9rem}
@media print{body{max-width:none;font-size:11pt;padding:0}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
article.agent,.finding,figure,table{break-inside:avoid}h2{break-after:avoid}
a.ev::after{content:" (" attr(href) ")";font-size:.8em;color:var(--muted)}}
"""


def render_html(report: ReleaseReport, *, redactor: Redactor | None = None) -> str:
    report = redact_report(report, redactor)
    title = escape(f"Release risk report: {report.subject}")
    body = "\n".join([
        _banner(report), f"<main>\n<h1>{title}</h1>", _verdict(report), _scores(report),
        _risks(report), _agents(report.agents), _coverage(report), _notes(report),
        _trends(report), "</main>", _footer(report),
    ])
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{body}\n"
        "</body>\n</html>\n"
    )


# --- building blocks ------------------------------------------------------------------


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], numeric: str = "",
           row_class: Sequence[str] = ()) -> str:
    """Cells arrive escaped; ``numeric`` marks right-aligned columns with 'r'."""
    kinds = numeric.ljust(len(header), "l")
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    lines = []
    for i, row in enumerate(rows):
        cls = f' class="{row_class[i]}"' if i < len(row_class) and row_class[i] else ""
        cells = "".join(f'<td class="num">{c}</td>' if kinds[j] == "r" else f"<td>{c}</td>"
                        for j, c in enumerate(row))
        lines.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"


def _evidence(items: Sequence[Evidence]) -> str:
    parts = []
    for item in items:
        url = safe_url(item.url)
        text = (f'<a class="ev" href="{escape(url)}" rel="noopener noreferrer">'
                f"{escape(item.ref)}</a>" if url else f"<code>{escape(item.ref)}</code>")
        if where := location(item):
            text += f" <code>{escape(where)}</code>"
        parts.append(text)
    return ", ".join(parts)


def _severity(finding: Finding) -> str:
    return _badge(finding.severity.value)


def _badge(severity: str) -> str:
    return f'<span class="badge sev-{escape(severity)}">{escape(severity)}</span>'


def _flags(finding: Finding) -> str:
    return "".join(f'<span class="flag">{escape(f)}</span>' for f in finding_flags(finding))


# --- sections -------------------------------------------------------------------------


def _banner(report: ReleaseReport) -> str:
    status = report.signoff_status
    css = status if status in ("approved", "rejected") else "pending"
    lines = [
        '<header class="banner" role="note" aria-label="Advisory notice">',
        f'<p class="advisory"><strong>ADVISORY</strong> — {escape(report.advisory_banner)}</p>',
        f'<p class="signoff signoff-{css}">Sign-off: {escape(signoff_text(report))}</p>',
    ]
    lines += [f'<p class="decision">{escape(line)}</p>' for line in decision_lines(report)]
    if command := signoff_command(report):
        lines.append(f"<p>To decide: <code>{escape(command)}</code></p>")
    return "\n".join([*lines, "</header>"])


def _verdict(report: ReleaseReport) -> str:
    level = band(report.overall_score, verdict=report.verdict)
    parts = [
        '<section id="verdict"><h2>Verdict</h2>',
        f"<p><strong>{escape(report.verdict)}</strong> — overall risk score "
        f'<span class="badge band-{level}">{report.overall_score:g}/100</span> ({level})</p>',
    ]
    if rule := verdict_line(report):
        parts.append(f'<p class="rule">{escape(rule)}</p>')
    parts.append('<h3 id="summary">Summary</h3>')
    if report.headline:
        parts.append(f'<p class="headline">{escape(" ".join(report.headline))}</p>')
    parts += [f"<p>{escape(report.recommendation)}</p>",
              f'<p class="counts"><strong>Findings:</strong> {escape(shown_line(report))}</p>']
    return "\n".join([*parts, "</section>"])


def _scores(report: ReleaseReport) -> str:
    bars = [
        Bar(c.agent, c.score, f"{c.score:g}" if is_assessed(c.status) else NOT_ASSESSED,
            f"band-{band(c.score, c.status)}")
        for c in report.contributions
    ]
    chart = bar_chart("chart-agent-scores", "agent-scores", "Risk score per agent (0–100)",
                      bars, [0, 25, 50, 75, 100])
    rows = [[escape(c.agent), escape(status_label(c.status)),
             f"{c.score:g}" + ("" if is_assessed(c.status) else " (worst case)"),
             f"{c.weight:g}", f"{c.contribution:.2f}", escape(c.explanation)]
            for c in report.contributions]
    marks = ["" if is_assessed(c.status) else "unassessed-row" for c in report.contributions]
    table = _table(["Agent", "Status", "Score", "Weight", "Contribution", "Why"], rows,
                   "llrrr", marks)
    caption = "<figcaption>Risk score per agent, 0–100 (higher is riskier)</figcaption>"
    return (f'<section id="scores"><h2>Score by agent</h2>\n<figure>{chart}{caption}</figure>\n'
            f"{table}"
            "\n<p class=\"muted\">An agent that could not run counts as the worst case (100) "
            "for its weight until a human looks.</p></section>")


def _risks(report: ReleaseReport) -> str:
    counts = severity_counts(all_findings(report))
    bars = [Bar(s.value, n, str(n), f"sev-{s.value}") for s, n in counts.items()]
    chart = bar_chart("chart-findings-by-severity", "findings-by-severity",
                      "Findings by severity (all agents)", bars,
                      nice_ticks(max(counts.values(), default=0), whole=True))
    rows = [[str(i), _severity(f), escape(f.agent), escape(f.title) + _flags(f),
             _evidence(f.evidence)] for i, f in enumerate(report.top_risks, 1)]
    table = (_table(["#", "Severity", "Agent", "Title", "Evidence"], rows, "r") if rows
             else "<p>No findings.</p>")
    caption = "<figcaption>Findings by severity, all agents</figcaption>"
    head = f"Top risks ({len(report.top_risks)} of {report.counts.total})"
    return (f'<section id="top-risks"><h2>{head}</h2>\n<figure>{chart}{caption}</figure>\n'
            f"{table}</section>")


def _agents(agents: Sequence[AgentReport]) -> str:
    return ('<section id="agents"><h2>Agents</h2>\n'
            + "\n".join(_agent(a) for a in agents) + "</section>")


def _agent(agent: AgentReport) -> str:
    score = (f"score {agent.score.value:g}/100" if is_assessed(agent.status)
             else "no score")
    parts = [f'<article class="agent" id="agent-{escape(agent.agent)}">',
             f"<h3>{escape(agent.agent)} — {escape(status_label(agent.status))} · {score}</h3>"]
    if not is_assessed(agent.status):
        parts.append(f"<p><strong>Not assessed</strong> ({escape(agent.status.value)}): its "
                     "weight counts as the worst case (100) until a human looks.</p>")
    if agent.summary:
        parts.append(f"<p>{escape(agent.summary)}</p>")
    parts += [_factors(agent), _findings(agent.findings), "</article>"]
    return "\n".join(p for p in parts if p)


def _factors(agent: AgentReport) -> str:
    factors, uncertainty = agent.score.factors, agent.score.uncertainty
    if not factors and not uncertainty:
        return ""
    text = (f"<h4>Why the score is {agent.score.value:g}/100</h4>"
            f'<p class="muted">{escape(score_formula(agent.score))}</p>')
    if factors:
        rows = [[escape(f.name), escape(str(f.value)), f"{f.weight:g}", f"{f.contribution:+g}",
                 escape(f.explanation)] for f in factors]
        text += _table(["Factor", "Value", "Weight", "Points", "Explanation"], rows, "llrr")
    if uncertainty:
        items = "".join(f"<li>{escape(u)}</li>" for u in uncertainty)
        text += f"<p>May be too low because:</p><ul>{items}</ul>"
    return text


def _findings(findings: Sequence[Finding]) -> str:
    if not findings:
        return "<p>No findings.</p>"
    return f"<h4>Findings ({len(findings)})</h4>" + "\n".join(_finding(f) for f in findings)


def _finding(finding: Finding) -> str:
    note = finding.annotation
    fp = note is not None and note.likely_false_positive
    source = LLM_SOURCE if finding.source == "llm" else "deterministic check"
    facts = [f"confidence {finding.confidence.value}", f"source: {source}",
             f"id {finding.fingerprint}", *finding.cwe, *finding.owasp]
    rows = []
    if finding.reasons:
        items = "".join(f"<li>{_badge(r.severity.value)} <code>{escape(r.category)}</code>: "
                        f"{escape(r.title)}</li>" for r in finding.reasons)
        rows.append((f"Reasons ({len(finding.reasons)}, one root cause)", f"<ul>{items}</ul>"))
    rows += [("Why", escape(finding.explanation)), ("Evidence", _evidence(finding.evidence)),
             ("Recommendation", escape(finding.recommendation))]
    if finding.suggested_tests:
        tests = "".join(f"<li>{escape(t)}</li>" for t in finding.suggested_tests)
        rows.append(("Suggested tests (from the change)", f"<ul>{tests}</ul>"))
    if finding.llm_rejected_reason:
        rows.append(("Failed re-check", escape(finding.llm_rejected_reason) + " (kept visible)"))
    rows += _annotation(finding)
    details = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in rows)
    return (f'<div class="finding{" likely-fp" if fp else ""}">'
            f"<p>{_severity(finding)} <strong>{escape(finding.title)}</strong>{_flags(finding)}"
            f'<br><span class="muted">{escape(" · ".join(facts))}</span></p>'
            f"<dl>{details}</dl></div>")


def _annotation(finding: Finding) -> list[tuple[str, str]]:
    note = finding.annotation
    if note is None:
        return []
    rows = []
    if note.priority is not None:
        rows.append(("Priority", f"{note.priority} (1 = look first)"))
    if note.rationale:
        rows.append(("Rationale", escape(note.rationale)))
    if note.likely_false_positive:
        reason = escape(note.false_positive_reason or "no reason given")
        rows.append(("Likely false positive", f"{reason} <em>(still listed; a human decides)</em>"))
    if note.suggested_tests:
        items = "".join(f"<li>{escape(t)}</li>" for t in note.suggested_tests)
        rows.append(("Suggested tests", f"<ul>{items}</ul>"))
    rows.append(("Annotated by", escape(note.annotated_by)))
    return rows


def _coverage(report: ReleaseReport) -> str:
    parts = ['<section id="coverage"><h2>Data coverage and gaps</h2>']
    checks = [[escape(cell) for cell in row] for row in check_rows(report)]
    if checks:
        parts += ["<p>What each check ran on: complete data, partial data (gaps) or none (a "
                  "source it reads is missing: counted as its worst case).</p>",
                  _table(["Agent", "Check", "Data", "Sources", "Detail"], checks)]
    sources = [[escape(a.agent), escape(c.source), escape(c.status.value)]
               for a in report.agents for c in a.coverage]
    if sources:
        parts.append(_table(["Agent", "Source", "Coverage"], sources))
    if report.gaps:
        gaps = [[escape(g.source), escape(g.what), escape(g.why)] for g in report.gaps]
        parts += [f"<p>{len(report.gaps)} data gap(s), each once. Missing data never lowers a "
                  "score.</p>", _table(["Source", "What is missing", "Why"], gaps)]
    else:
        parts.append("<p>No data gaps reported.</p>")
    return "\n".join([*parts, "</section>"])


def _notes(report: ReleaseReport) -> str:
    if not report.summary:
        return ""
    return (f'<section id="advisory-notes"><h2>Advisory notes ({escape(report.llm.provider)})'
            f"</h2><p>{escape(report.summary)}</p></section>")


def _trends(report: ReleaseReport) -> str:
    if not report.trends:
        return ""
    charts = [
        "<figure>" + line_chart(f"chart-trend-{i}", t.label, t.unit, t.timestamps, t.values)
        + f"<figcaption>{escape(t.label)}</figcaption></figure>"
        for i, t in enumerate(report.trends, 1)
    ]
    return ('<section id="trends"><h2>Metric trends</h2>\n<div class="charts">'
            + "\n".join(charts) + "</div></section>")


def _footer(report: ReleaseReport) -> str:
    ids = [("Report id", report.report_id or "not registered"),
           ("Generated", format_timestamp(report.generated_at)),
           ("Snapshot hash", report.snapshot_hash or "none"),
           ("Schema version", report.schema_version)]
    id_rows = [[escape(k), f"<code>{escape(v)}</code>"] for k, v in ids]
    prompts = [[f"<code>{escape(k)}</code>", escape(v)]
               for k, v in sorted(report.prompt_versions.items())]
    usage = [[escape(cell) for cell in row] for row in usage_table(report)]
    notices = "".join(f"<li>{escape(n)}</li>" for n in dict.fromkeys(report.llm.notices))
    return "\n".join([
        '<footer id="provenance"><h2>Provenance</h2>', _table(["Item", "Value"], id_rows),
        "<h3>Prompt versions</h3>",
        _table(["Prompt", "Version"], prompts) if prompts else "<p>No prompts used.</p>",
        "<h3>LLM usage</h3>", _table(USAGE_HEADER, usage, "lllrrrrrr"),
        f"<ul>{notices}</ul>" if notices else "",
        "<p><em>Advisory only: deterministic checks score, the LLM explains, a named human "
        "decides.</em></p></footer>",
    ])
