"""The portfolio summary as JSON, for archives and scripts."""

from __future__ import annotations

import json

from agents.portfolio.report import PortfolioSummary
from governance.redact import Redactor
from render.portfolio.common import redact_summary


def render_json(summary: PortfolioSummary, *, redactor: Redactor | None = None) -> str:
    data = redact_summary(summary, redactor).model_dump(mode="json")
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
