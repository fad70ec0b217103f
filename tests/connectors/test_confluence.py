"""ConfluenceConnector against recorded CQL content searches (cassettes/confluence)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from connectors.confluence import ConfluenceConnector, ConfluenceSettings, build_cql
from connectors.errors import ConnectorError
from connectors.transport import RetryPolicy
from tests.replay import replayer

CLOUD = ConfluenceSettings(
    url="https://acme.atlassian.net", email="advisor@acme.example", api_token="t"
)
SERVER = ConfluenceSettings(url="https://wiki.acme.example/confluence", pat="p")


@contextmanager
def play(name: str) -> Iterator[Any]:
    with replayer("confluence").use_cassette(f"{name}.yaml") as cassette:
        yield cassette


def connector(
    settings: ConfluenceSettings = CLOUD, sleeps: list[float] | None = None
) -> ConfluenceConnector:
    record = sleeps.append if sleeps is not None else (lambda _: None)
    return ConfluenceConnector(settings, retry=RetryPolicy(sleep=record))


@pytest.fixture(scope="module")
def cloud_space() -> tuple[Any, Any, Any]:
    confluence = connector()
    with play("cloud_pages") as cassette:
        space, provenance = confluence.fetch_pages(space="ENG")
        assert cassette.all_played
        # Matching includes the full query, so what was played is what was sent.
        sent = [urlsplit(r.uri) for r in cassette.requests]
    return space, provenance, sent


def test_settings_add_wiki_on_cloud_only() -> None:
    assert (CLOUD.deployment, CLOUD.base_url) == ("cloud", "https://acme.atlassian.net/wiki")
    assert (SERVER.deployment, SERVER.base_url) == (
        "server",
        "https://wiki.acme.example/confluence",
    )


def test_two_pages_at_the_maximum_page_size(cloud_space: tuple[Any, Any, Any]) -> None:
    space, provenance, sent = cloud_space
    assert provenance.requests == 2  # 53 pages at 50 per page (the cap with body expanded)
    assert provenance.gaps == []
    first = parse_qs(sent[0].query)
    assert first["limit"] == ["50"]
    assert first["expand"] == ["body.storage,version,metadata.labels,ancestors,space"]
    assert sent[1].path == "/wiki/rest/api/content/search"  # _links.next joined to base (…/wiki)
    assert "cursor" in parse_qs(sent[1].query)
    assert len(space.pages) == 53
    assert (space.space, space.cql, space.schema_version) == (
        "ENG",
        'type = page AND space = "ENG"',
        "1.0",
    )
    assert provenance.asked == {
        "url": "https://acme.atlassian.net/wiki",
        "cql": 'type = page AND space = "ENG"',
        "limit": 500,
    }


def test_every_page_field(cloud_space: tuple[Any, Any, Any]) -> None:
    page = {p.id: p for p in cloud_space[0].pages}["98305"]
    when = datetime.fromisoformat("2024-05-28T14:03:11.512+00:00")
    assert page.model_dump(exclude={"body_text"}) == {
        "id": "98305",
        "title": "Release 4.2 runbook",
        "space_key": "ENG",
        "version": {"number": 7, "when": when, "by": "Mia Krystof"},
        "last_modified": when,
        "labels": ["release-4-2", "runbook"],
        "ancestors": ["Engineering Home", "Releases"],
        "url": "https://acme.atlassian.net/wiki/spaces/ENG/pages/98305/Release+4.2+runbook",
    }


def test_body_keeps_headings_lists_tables_and_code(cloud_space: tuple[Any, Any, Any]) -> None:
    page = {p.id: p for p in cloud_space[0].pages}["98305"]
    assert page.body_text == (
        "# Release 4.2 runbook\n"
        "\n"
        "Deploy in this order — the schema change must land first.\n"
        "\n"
        "- Migrate the cards table\n"
        "  - backfill `vault_token` in batches\n"
        "- Enable `saved_cards` for 5% of traffic\n"
        "\n"
        "1. Watch checkout error rate\n"
        "2. Ramp to 100%\n"
        "\n"
        "| Step | Owner | Rollback |\n"
        "|---|---|---|\n"
        "| Migration | Mia | Drop column |\n"
        "| Flag ramp | Ravi | Flag off |\n"
        "\n"
        "```sql\n"
        "ALTER TABLE cards ADD COLUMN vault_token text;\n"
        "UPDATE cards SET vault_token = NULL WHERE created_at > now() - interval '1 day';\n"
        "```\n"
        "\n"
        "The backfill cannot be undone after 24 h.\n"
        "\n"
        "See Checkout rollback."
    )  # the toc and jira macros are gone; the warning panel's own words stay


def test_empty_body_is_empty_text(cloud_space: tuple[Any, Any, Any]) -> None:
    assert {p.id: p for p in cloud_space[0].pages}["65540"].body_text == ""


def test_limit_stops_early_and_says_so() -> None:
    confluence = connector()
    with play("cloud_pages"):
        space, provenance = confluence.fetch_pages(space="ENG", limit=50)
    assert provenance.requests == 1
    assert len(space.pages) == 50
    assert [(g.what, g.why) for g in provenance.gaps] == [
        ("pages beyond 50", "stopped at limit=50; more pages match")
    ]


def test_server_page_with_context_path() -> None:
    confluence = connector(SERVER)
    with play("server_pages") as cassette:
        space, provenance = confluence.fetch_pages(space="OPS", label="runbook", ancestor=65601)
        assert cassette.all_played
    (page,) = space.pages
    assert provenance.requests == 1
    assert (
        page.url == "https://wiki.acme.example/confluence/spaces/OPS/pages/131090/Blue/green+switch"
    )
    assert (page.version.number, page.version.by, page.ancestors) == (4, "Ravi Patel", ["Runbooks"])
    assert (
        page.body_text
        == "## Switch\n\n1. Drain blue\n2. Flip DNS\n   wait 5 min\n\n- [x] Tell support"
    )


def test_bad_credentials_are_fatal_with_one_line() -> None:
    confluence = connector()
    with play("cloud_unauthorized"), pytest.raises(ConnectorError) as raised:
        confluence.fetch_pages(space="ENG")
    assert "credentials rejected" in str(raised.value)
    assert "HTTP 401: This request requires authentication." in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_failed_later_page_is_a_gap() -> None:
    sleeps: list[float] = []
    confluence = connector(sleeps=sleeps)
    with play("cloud_page_two_rate_limited") as cassette:
        space, provenance = confluence.fetch_pages(space="ENG")
        assert cassette.all_played
    assert sleeps == []  # Retry-After 600 s exceeds the budget: report, don't wait
    assert [p.id for p in space.pages] == ["65537", "65602"]
    assert [(g.what, g.why) for g in provenance.gaps] == [
        (
            "pages after the first page(s)",
            "HTTP 429: rate limited beyond the retry budget (Retry-After: 600s)",
        )
    ]


@pytest.mark.parametrize(
    ("kwargs", "cql"),
    [
        ({}, "type = page"),
        (
            {"space": "ENG", "label": "runbook"},
            'type = page AND space = "ENG" AND label = "runbook"',
        ),
        ({"title": 'Say "hi" \\ bye'}, 'type = page AND title = "Say \\"hi\\" \\\\ bye"'),
        ({"ancestor": "65601"}, "type = page AND ancestor = 65601"),
    ],
)
def test_cql(kwargs: dict[str, Any], cql: str) -> None:
    assert build_cql(**kwargs) == cql


def test_ancestor_must_be_an_id() -> None:
    with pytest.raises(ConnectorError, match="page id"):
        build_cql(ancestor="Runbooks OR space = HR")


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLUENCE_URL", "https://acme.atlassian.net/wiki/")
    monkeypatch.setenv("CONFLUENCE_EMAIL", "advisor@acme.example")
    monkeypatch.setenv("CONFLUENCE_API_TOKEN", "secret")
    settings = ConfluenceSettings.from_env()
    assert (settings.deployment, settings.base_url) == ("cloud", "https://acme.atlassian.net/wiki")
    assert "secret" not in repr(settings)


def test_settings_from_env_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConnectorError, match="CONFLUENCE_URL is not set"):
        ConfluenceSettings.from_env()
    monkeypatch.setenv("CONFLUENCE_URL", "https://wiki.acme.example")
    with pytest.raises(ConnectorError, match="CONFLUENCE_PAT"):
        ConfluenceSettings.from_env()


def test_pagination_stays_on_the_configured_host() -> None:
    """The server's base URL setting names another host: its ``_links.base`` must never
    receive our next request (and our Authorization header); an absolute ``next`` to
    another host is a gap, not a request."""
    confluence = connector(SERVER.model_copy(update={"page_size": 1}))
    with play("server_base_elsewhere") as cassette:
        space, provenance = confluence.fetch_pages(space="OPS")
        assert cassette.all_played
        hosts = {urlsplit(r.uri).netloc for r in cassette.requests}
    assert hosts == {"wiki.acme.example"}
    assert provenance.requests == 2
    assert [p.id for p in space.pages] == ["131090", "131091"]
    assert space.pages[0].url is not None
    assert space.pages[0].url.startswith("https://wiki.acme.example/confluence/")
    assert [(g.what, g.why) for g in provenance.gaps] == [
        ("pages after the first page(s)", "the next page's link leaves wiki.acme.example for "
         "https://attacker.example; not followed")
    ]
