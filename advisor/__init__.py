"""Release Risk Advisor: the shell (CLI, webhook server, scheduler)."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # ``__version__`` is read from the installed metadata only when asked: reading it costs
    # more than the rest of ``advisor --help``.
    if name == "__version__":
        from importlib import metadata

        return metadata.version("release-risk-advisor")  # pyproject.toml's, as installed
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
