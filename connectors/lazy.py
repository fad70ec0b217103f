"""Package attributes that load their module on first use.

A connector's package exports its client class beside its models; the client pulls in its
service library (PyGithub, jira, atlassian-python-api, boto3), which costs far more to
import than everything else a command needs. Reading a snapshot only needs the models.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_attributes(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__``: ``name`` from module ``where[name]``, imported when asked."""

    def attribute(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(where[name]), name)

    return attribute
