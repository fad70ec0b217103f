"""Builds the governance controls and the graph context from settings, once per command."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.settings import Settings
from governance.controls import Controls

if TYPE_CHECKING:  # LangGraph, the agents and the redactor load only when a command needs them
    from governance.redact import Redactor
    from graphs.context import GraphContext


def configured_redactor(settings: Settings) -> Redactor:
    """The redactor the settings configure: for the audit log, reports and crash reports."""
    from governance.errors import ConfigError
    from governance.redact import Redactor

    try:
        return Redactor(phone_regions=tuple(settings.redaction.phone_regions),
                        entropy=settings.redaction.entropy)
    except ValueError as exc:  # an unknown phone region: before anything is redacted
        raise ConfigError(f"invalid setting redaction.phone_regions: {exc}") from None


def open_controls(settings: Settings) -> Controls:
    return Controls.open(
        settings.resolved_database_url,
        settings.resolved_roles_file,
        kill_switch_env=settings.kill_switch,
        redactor=lambda: configured_redactor(settings),
        auto_init=settings.db_auto_init,
    )


def graph_context(settings: Settings, controls: Controls) -> GraphContext:
    """Everything the graphs' nodes need, with every configuration file read once."""
    from advisor import paths
    from advisor.configuration import llm_config_path, load_agent_config, load_bot
    from advisor.settings import config_file
    from agents.advisory import build_advisor, load_advisory_settings
    from agents.advisory.budget import USAGE_FILE
    from agents.registry import AGENT_CLASSES, agent_factory
    from graphs.bodies import SnapshotBodies
    from graphs.context import GraphContext

    config = load_agent_config()
    return GraphContext(
        home=settings.home,
        database_url=settings.resolved_database_url,
        controls=controls,
        config=config,
        advisor=build_advisor(
            load_advisory_settings(llm_config_path()),
            prompts_dir=paths.prompts_dir(),
            usage_file=settings.home / USAGE_FILE,
            gate=controls.kill_switch,
            audit=controls.audit,
            redactor=controls.redactor,
        ),
        agents={name: agent_factory(name, config, controls.redactor) for name in AGENT_CLASSES},
        metrics_file=config_file("metrics.yaml"),
        limits=settings.limits.reading(),
        bot=load_bot(),
        demo_snapshot=_demo_snapshot(),
        snapshots=SnapshotBodies(limits=settings.limits.reading()),
    )


def _demo_snapshot() -> str | None:
    try:
        from advisor.demo import demo_snapshot_path
    except ImportError:
        return None
    path = demo_snapshot_path()
    return str(path) if path.exists() else None
