"""Settings: ``ADVISOR_*`` environment variables over ``config/advisor.yaml`` defaults.

Every key is documented in docs/configuration.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from advisor import paths
from connectors.limits import ReadLimits
from governance.configfile import read_yaml_mapping
from governance.db import sqlite_url_for
from governance.errors import ConfigError


def config_file(name: str) -> Path:
    """A file from ``ADVISOR_CONFIG_DIR`` if present there, else the shipped default."""
    chosen = paths.config_dir() / name
    return chosen if chosen.exists() else paths.default_config_dir() / name


class RedactionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone_regions: list[str] = Field(default_factory=lambda: ["US", "GB", "DE", "FR"])
    entropy: bool = False


class LimitSettings(BaseModel):
    """Bounds on what the advisor reads: a file or body past them is refused, never
    half-read."""

    model_config = ConfigDict(extra="forbid")

    snapshot_max_bytes: int = Field(default=512 * 1024 * 1024, ge=1024)  # inflated
    json_max_depth: int = Field(default=256, ge=8, le=10_000)

    def reading(self) -> ReadLimits:
        """What the snapshot and diff readers are given."""
        return ReadLimits(max_bytes=self.snapshot_max_bytes, max_depth=self.json_max_depth)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ADVISOR_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    home: Path = Field(default_factory=paths.data_dir)
    database_url: str | None = None
    roles_file: Path | None = None
    kill_switch: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    redaction: RedactionSettings = Field(default_factory=RedactionSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    # Create the store's schema on first use, while nothing records an earlier
    # initialisation; false (production, PostgreSQL): only `advisor db init` creates it.
    db_auto_init: bool = True

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or sqlite_url_for(self.home)

    @property
    def resolved_roles_file(self) -> Path:
        return self.roles_file or config_file("roles.yaml")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _YamlDefaults(settings_cls))


class _YamlDefaults(PydanticBaseSettingsSource):
    """``config/advisor.yaml``; a malformed file is one clear error, not a traceback."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self.path = config_file("advisor.yaml")
        self.data = read_yaml_mapping(self.path) if self.path.exists() else {}

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self.data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.data)


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "settings"
        raise ConfigError(f"invalid setting {where}: {error['msg']}") from None
    except SettingsError as exc:  # e.g. ADVISOR_REDACTION__PHONE_REGIONS='[US' (not JSON)
        raise ConfigError(f"invalid setting: {exc}") from None
