"""Portfolio insight per set of Jira projects or epics, over a period.

See docs/agents/portfolio.md.
"""

from agents.portfolio.agent import PortfolioAgent
from agents.portfolio.context import ScopeChange
from agents.portfolio.findings import GROUPS, KINDS
from agents.portfolio.masking import Masking, mask_output, masking_for
from agents.portfolio.policy import PortfolioPolicy
from agents.portfolio.view import EpicRow, Forecast, PortfolioResult, PortfolioView, TeamRow

__all__ = [
    "GROUPS",
    "KINDS",
    "EpicRow",
    "Forecast",
    "Masking",
    "PortfolioAgent",
    "PortfolioPolicy",
    "PortfolioResult",
    "PortfolioView",
    "ScopeChange",
    "TeamRow",
    "mask_output",
    "masking_for",
]
