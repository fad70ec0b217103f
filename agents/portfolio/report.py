"""``PortfolioSummary``: what the ``portfolio_summary`` graph records and every format renders.

The portfolio agent's tables (``PortfolioView``) and report, the executive summary, the
context other agents gave, and the sign-off.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from agents.aggregate import ADVISORY_BANNER, Verdict
from agents.models import AgentReport, LlmUsage, SignOffRecord
from agents.portfolio.view import PortfolioView
from connectors.provenance import Gap


class ContextNote(BaseModel):
    """What another agent contributed as context (or why it did not)."""

    agent: str
    origin: str = Field(description="'snapshot', 'report <id>' or 'not run'.")
    status: str
    findings: int = 0
    note: str = ""


class PortfolioSummary(SignOffRecord):
    """The recorded portfolio summary: what is signed off and what is published."""

    schema_version: str = "1.0"
    kind: Literal["portfolio"] = "portfolio"
    advisory_banner: str = ADVISORY_BANNER
    subject: str
    generated_at: datetime
    report_id: str | None = None
    snapshot_hash: str | None = None
    projects: list[str]
    epics_jql: str | None = None
    overall_score: float
    # "cannot assess" without Jira data; otherwise the release verdict's rules
    # (agents/aggregate.decide). None in summaries stored before the verdict existed.
    verdict: Verdict | None = None
    verdict_rule: str = ""
    verdict_detail: str = ""
    summary: str
    view: PortfolioView
    portfolio: AgentReport
    context: list[ContextNote] = Field(default_factory=list)
    gaps: list[Gap] = Field(default_factory=list)
    llm: LlmUsage = Field(default_factory=LlmUsage)
