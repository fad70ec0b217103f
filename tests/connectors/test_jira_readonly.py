"""The `jira.JIRA` client inside a JiraConnector cannot write, whatever method is called."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from connectors.errors import ReadOnlyViolation
from connectors.jira import JiraConnector, JiraSettings, read_only_policy
from connectors.transport import GuardedAdapter
from tests.connectors.test_jira import CLOUD, SERVER, play

# Arguments chosen so the library sends the write directly (no lookup GET first).
WRITES: dict[str, Callable[[Any], Any]] = {
    "create_issue": lambda client: client.create_issue(
        fields={"project": {"id": "10000"}, "issuetype": {"id": "10001"}, "summary": "x"}
    ),
    "transition_issue": lambda client: client.transition_issue("ACME-1", "31"),
    "add_comment": lambda client: client.add_comment("ACME-1", "Looks risky to me."),
}


@pytest.mark.parametrize("settings", [CLOUD, SERVER], ids=["cloud", "server"])
@pytest.mark.parametrize("write", list(WRITES))
def test_library_writes_are_refused_before_a_byte_is_sent(
    settings: JiraSettings, write: str
) -> None:
    jira = JiraConnector(settings)
    with play("read_only") as cassette, pytest.raises(ReadOnlyViolation) as refused:
        WRITES[write](jira.client)
    assert cassette.play_count == 0  # nothing reached the (replayed) wire
    assert jira.stats.requests == 0
    assert refused.value.source == "jira"
    assert refused.value.operation.startswith("POST ")


def test_the_guard_is_the_only_adapter_and_library_retries_are_off() -> None:
    jira = JiraConnector(CLOUD.model_copy(update={"deployment": "cloud"}))
    session = jira.client._session
    assert isinstance(session.get_adapter("https://acme.atlassian.net"), GuardedAdapter)
    assert set(session.adapters) == {"https://", "http://"}
    assert session.max_retries == 0  # ResilientSession never sleeps on its own
    assert jira.client._is_cloud  # so the library's own search_issues would use /search/jql


CLOUD_SITE = CLOUD.model_copy(update={"deployment": "cloud"})
SERVER_SITE = SERVER.model_copy(update={"deployment": "server"})  # context path /jira
GATEWAY_SITE = JiraSettings(url="https://api.atlassian.com/ex/jira/7a3f2e14", email="a@b.c",
                            api_token="t", deployment="cloud")


@pytest.mark.parametrize(
    ("settings", "path", "allowed"),
    [
        (CLOUD_SITE, "/rest/api/3/search/jql", True),
        (CLOUD_SITE, "/rest/api/3/search", False),  # retired on Cloud, and not ours to call
        (CLOUD_SITE, "/rest/api/2/search", False),
        (CLOUD_SITE, "/rest/api/3/search/approximate-count", False),
        (CLOUD_SITE, "/rest/api/3/issue", False),
        (CLOUD_SITE, "/evil/rest/api/3/search/jql", False),  # anchored at the start
        (SERVER_SITE, "/jira/rest/api/2/search", True),
        (SERVER_SITE, "/rest/api/2/search", False),  # not this site's context path
        (SERVER_SITE, "/other/jira/rest/api/2/search", False),
        (SERVER_SITE, "/jira/rest/api/2/search/jql", False),
        (SERVER_SITE, "/jira/rest/api/2/issue/OPS-1/comment", False),
        (GATEWAY_SITE, "/ex/jira/7a3f2e14/rest/api/3/search/jql", True),
        (GATEWAY_SITE, "/rest/api/3/search/jql", False),
        (GATEWAY_SITE, "/ex/jira/other-site/rest/api/3/search/jql", False),
        (CLOUD, "/rest/api/3/search/jql", False),  # before serverInfo: no POST at all
    ],
)
def test_only_the_deployments_jql_search_may_be_posted(
    settings: JiraSettings, path: str, allowed: bool
) -> None:
    policy = read_only_policy(settings)
    policy.check("GET", f"https://host{path}")  # reads are always fine
    if allowed:
        policy.check("POST", f"https://host{path}")
    else:
        with pytest.raises(ReadOnlyViolation):
            policy.check("POST", f"https://host{path}")
    for method in ("PUT", "DELETE", "PATCH"):
        with pytest.raises(ReadOnlyViolation):
            policy.check(method, f"https://host{path}")
