"""Dependency changes in a PR's manifests and lockfiles, and their OSV advisories."""

from agents.security.dependencies.advisories import OsvIndex, advisory_findings
from agents.security.dependencies.changes import (
    DependencyChange,
    DependencyScan,
    dependency_changes,
    packages_to_query,
    read_manifest,
)

__all__ = [
    "DependencyChange",
    "DependencyScan",
    "OsvIndex",
    "advisory_findings",
    "dependency_changes",
    "packages_to_query",
    "read_manifest",
]
