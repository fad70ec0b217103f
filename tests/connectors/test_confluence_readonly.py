"""The `atlassian.Confluence` client inside a ConfluenceConnector cannot write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from connectors.confluence import ConfluenceConnector, read_only_policy
from connectors.errors import ReadOnlyViolation
from connectors.transport import GuardedAdapter
from tests.connectors.test_confluence import CLOUD, SERVER, play

# The page-level helpers exist on the Server/DC client (atlassian-python-api 5's legacy
# Cloud client has none); they send their write straight away.
DIRECT_WRITES: dict[str, Callable[[Any], Any]] = {
    "create_page": lambda client: client.create_page("OPS", "Advisor notes", "<p>x</p>"),
    "set_page_label": lambda client: client.set_page_label("131090", "risky"),
}
# Generic verbs, which both clients have.
RAW_WRITES: dict[str, Callable[[Any], Any]] = {
    "post": lambda client: client.post("rest/api/content", data={"type": "page", "title": "x"}),
    "put": lambda client: client.put("rest/api/content/98305", data={"title": "x"}),
    "delete": lambda client: client.delete("rest/api/content/98305"),
}


@pytest.mark.parametrize("write", list(DIRECT_WRITES))
def test_server_page_writes_are_refused_before_a_byte_is_sent(write: str) -> None:
    confluence = ConfluenceConnector(SERVER)
    with play("read_only") as cassette, pytest.raises(ReadOnlyViolation) as refused:
        DIRECT_WRITES[write](confluence.client)
    assert cassette.play_count == 0
    assert confluence.stats.requests == 0
    assert refused.value.operation.startswith("POST /confluence/rest/api/content")


def test_update_page_may_read_but_its_put_is_refused() -> None:
    """update_page first GETs the page history (for the next version number): a read,
    which the guard allows; the PUT that would follow never leaves the process."""
    confluence = ConfluenceConnector(SERVER)
    with (
        play("server_update_page_prefetch") as cassette,
        pytest.raises(ReadOnlyViolation) as refused,
    ):
        confluence.client.update_page(
            "131090", "Blue/green switch", "<p>rewritten</p>", always_update=True
        )
    assert cassette.play_count == 1  # the one recorded interaction is a GET
    assert confluence.stats.requests == 1  # the history read; the PUT was never counted
    assert refused.value.operation == "PUT /confluence/rest/api/content/131090"


@pytest.mark.parametrize("settings", [CLOUD, SERVER], ids=["cloud", "server"])
@pytest.mark.parametrize("write", list(RAW_WRITES))
def test_generic_writes_are_refused(settings: Any, write: str) -> None:
    confluence = ConfluenceConnector(settings)
    with play("read_only") as cassette, pytest.raises(ReadOnlyViolation):
        RAW_WRITES[write](confluence.client)
    assert cassette.play_count == 0


@pytest.mark.parametrize("settings", [CLOUD, SERVER], ids=["cloud", "server"])
def test_guard_is_mounted_and_library_retries_are_off(settings: Any) -> None:
    client = ConfluenceConnector(settings).client
    assert isinstance(client._session.get_adapter(settings.base_url), GuardedAdapter)
    assert client.retry_with_header is False  # it would sleep on 429 outside our budget
    assert client.backoff_and_retry is False


def test_policy_allows_no_post_at_all() -> None:
    policy = read_only_policy()
    policy.check("GET", "https://acme.atlassian.net/wiki/rest/api/content/search")
    with pytest.raises(ReadOnlyViolation):
        policy.check("POST", "https://acme.atlassian.net/wiki/rest/api/content/search")
