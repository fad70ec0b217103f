"""Delivery quality of a release: scope, process, test gaps, change risk.

See docs/agents/delivery.md.
"""

from agents.delivery.agent import DeliveryAgent
from agents.delivery.findings import GROUPS, KINDS
from agents.delivery.policy import DeliveryPolicy

__all__ = ["GROUPS", "KINDS", "DeliveryAgent", "DeliveryPolicy"]
