"""Read-only GitHub connector: releases and pull requests as normalized, immutable models."""

from connectors.github.connector import GitHubConnector
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
