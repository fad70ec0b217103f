"""Who is acting: the OS login locally, the workflow's actor inside GitHub Actions.

The CLI guards against mistakes, not against a local user who can edit the database;
authenticated identities come with the server mode (see docs/security.md).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping

AGENT_PREFIX = "agent:"


def current_identity(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    if env.get("GITHUB_ACTIONS") == "true" and env.get("GITHUB_ACTOR"):
        return env["GITHUB_ACTOR"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return f"uid:{os.getuid()}"


def agent_identity(name: str) -> str:
    """The identity an agent acts under; it can never sign off anything."""
    return f"{AGENT_PREFIX}{name}"
