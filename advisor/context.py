"""Builds the governance controls and the graph context from settings, once per command."""

from __future__ import annotations

from advisor.settings import Settings
from governance.controls import Controls
from governance.redact import Redactor


def open_controls(settings: Settings) -> Controls:
    redactor = Redactor(
        phone_regions=tuple(settings.redaction.phone_regions), entropy=settings.redaction.entropy
    )
    return Controls.open(
        settings.resolved_database_url,
        settings.resolved_roles_file,
        kill_switch_env=settings.kill_switch,
        redactor=redactor,
        auto_init=settings.db_auto_init,
    )


def graph_context(settings: Settings, controls: Controls):  # type: ignore[no-untyped-def]
    """Everything the graphs' nodes need; imported lazily to keep `advisor --help` fast."""
    from agents.advisory import build_advisor
    from agents.policy import load_policy
    from agents.registry import AGENT_CLASSES, agent_factory
    from graphs.bodies import SnapshotBodies
    from graphs.context import GraphContext

    return GraphContext(
        settings=settings,
        controls=controls,
        policy=load_policy(),
        advisor=build_advisor(
            gate=controls.kill_switch, audit=controls.audit, redactor=controls.redactor
        ),
        agents={name: agent_factory(name, controls.redactor) for name in AGENT_CLASSES},
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
