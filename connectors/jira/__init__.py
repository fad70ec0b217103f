"""Jira connector: releases (fix versions) with changelogs, epics and remote links."""

from typing import TYPE_CHECKING

from connectors.jira.models import (
    IssueLink,
    JiraIssue,
    JiraRelease,
    RemoteLink,
    StatusTransition,
)
from connectors.jira.settings import JiraSettings
from connectors.lazy import lazy_attributes

if TYPE_CHECKING:  # the client library loads with its first use (connectors/lazy.py)
    from connectors.jira.connector import JiraConnector, read_only_policy

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

__getattr__ = lazy_attributes(__name__, {
    "JiraConnector": "connectors.jira.connector",
    "read_only_policy": "connectors.jira.connector",
})
