"""The agents by name, imported lazily so one broken agent cannot stop the others."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from agents.base import Agent
from connectors.github.models import GitHubRelease
from connectors.osv.models import PackageRef

if TYPE_CHECKING:  # the redactor loads detect-secrets' plugins: only when an agent runs
    from agents.config import AgentConfig
    from governance.redact import Redactor

AGENT_CLASSES = {
    "delivery": "agents.delivery:DeliveryAgent",
    "platform": "agents.platform:PlatformAgent",
    "security": "agents.security:SecurityAgent",
    "portfolio": "agents.portfolio:PortfolioAgent",
}


def agent_factory(
    name: str, config: AgentConfig, redactor: Redactor | None = None
) -> Callable[[], Agent]:
    """A factory that imports and builds the agent when the node runs.

    ``config``: what the shell loaded for this run. ``redactor``: the one the settings
    configure (phone regions, entropy), so evidence is masked as the audit log and the
    rendered reports are; None means the default.
    """
    try:
        target = AGENT_CLASSES[name]
    except KeyError:
        raise ValueError(f"unknown agent {name!r}; known: {', '.join(AGENT_CLASSES)}") from None

    def build() -> Agent:
        module_name, _, class_name = target.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        agent: Agent = cls.configured(config, redactor)
        return agent

    return build


def release_dependency_packages(release: GitHubRelease) -> list[PackageRef]:
    """Dependency versions a release adds or changes: what the snapshot asks OSV about."""
    from agents.security.dependencies.changes import dependency_changes, packages_to_query

    return packages_to_query(dependency_changes(release.pull_requests))
