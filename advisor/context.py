"""Builds the governance controls from settings, once per command."""

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
    )
