"""Read-only GitHub connector: releases and pull requests as normalized, immutable models."""

from typing import TYPE_CHECKING

from connectors.github.models import (
    ChangedFile,
    CheckRun,
    CodeOwnerRule,
    Commit,
    CommitStatus,
    Deployment,
    DeploymentStatus,
    GitHubRelease,
    PullRequest,
    Repository,
    Review,
)
from connectors.github.settings import GitHubSettings
from connectors.lazy import lazy_attributes

if TYPE_CHECKING:  # the client library loads with its first use (connectors/lazy.py)
    from connectors.github.connector import GitHubConnector

__all__ = [
    "ChangedFile",
    "CheckRun",
    "CodeOwnerRule",
    "Commit",
    "CommitStatus",
    "Deployment",
    "DeploymentStatus",
    "GitHubConnector",
    "GitHubRelease",
    "GitHubSettings",
    "PullRequest",
    "Repository",
    "Review",
]

__getattr__ = lazy_attributes(__name__, {
    "GitHubConnector": "connectors.github.connector",
})
