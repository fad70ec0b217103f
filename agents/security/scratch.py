"""Scratch folders for the files an external scanner reads (the engine, ruff).

A release writes thousands of small files for one scan; on a container's overlay
filesystem each create costs most of a millisecond, on tmpfs a few microseconds. So the
folder goes to ``/dev/shm`` when the machine has a writable one, else the usual temp dir.
The folder is private (mode 0700) and removed afterwards either way.
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache

__all__ = ["scratch_dir"]

_SHM = "/dev/shm"  # noqa: S108 (a private mkdtemp folder inside it, not a fixed path)


@lru_cache(maxsize=1)
def _base() -> str | None:
    return _SHM if os.path.isdir(_SHM) and os.access(_SHM, os.W_OK | os.X_OK) else None


def scratch_dir(prefix: str) -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix=prefix, dir=_base())
