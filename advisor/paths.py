"""Where the advisor keeps its data and finds its bundled configuration."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "release-risk-advisor"
_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_DIR = _PACKAGE_DIR.parent


def data_dir() -> Path:
    """``ADVISOR_HOME`` if set, else the per-user data directory."""
    override = os.environ.get("ADVISOR_HOME")
    if override:
        return Path(override).expanduser()
    import platformdirs  # only without ADVISOR_HOME: a start-up cost otherwise spared

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def _bundled(name: str) -> Path:
    # A wheel carries the top-level folders under advisor/_bundled; a checkout has them beside.
    bundled = _PACKAGE_DIR / "_bundled" / name
    return bundled if bundled.is_dir() else _CHECKOUT_DIR / name


def config_dir() -> Path:
    """``ADVISOR_CONFIG_DIR`` if set, else the configuration shipped with the package."""
    override = os.environ.get("ADVISOR_CONFIG_DIR")
    return Path(override).expanduser() if override else _bundled("config")


def default_config_dir() -> Path:
    """The shipped defaults, whatever ``ADVISOR_CONFIG_DIR`` says."""
    return _bundled("config")


def prompts_dir() -> Path:
    return _bundled("prompts")


