"""Jira connector: releases (fix versions) with changelogs, epics and remote links."""

from connectors.jira.connector import JiraConnector, read_only_policy
from connectors.jira.models import (
    IssueLink,
    JiraIssue,
    JiraRelease,
    RemoteLink,
    StatusTransition,
)
from connectors.jira.settings import JiraSettings

__all__ = [
    "IssueLink",
    "JiraConnector",
    "JiraIssue",
    "JiraRelease",
    "JiraSettings",
    "RemoteLink",
    "StatusTransition",
    "read_only_policy",
]
