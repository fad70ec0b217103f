"""Release Risk Advisor: the shell (CLI, webhook server, scheduler)."""

from importlib import metadata

__version__ = metadata.version("release-risk-advisor")  # pyproject.toml's, as installed
