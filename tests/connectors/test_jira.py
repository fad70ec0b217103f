"""JiraConnector against recorded Cloud and Server/DC responses (cassettes/jira)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import pytest

from connectors.errors import ConnectorError
from connectors.jira import IssueLink, JiraConnector, JiraSettings, RemoteLink, StatusTransition
from connectors.transport import RetryPolicy
from tests.replay import replayer

NOW = datetime(2024, 6, 1, tzinfo=UTC)
# One worker under replay: vcrpy builds each real connection inside a process-wide
# unpatch (force_reset), so a second thread opening one at that moment escapes the
# cassette. Concurrency itself is tested without VCR in test_jira_parse.py.
CLOUD = JiraSettings(
    url="https://acme.atlassian.net", email="advisor@acme.example", api_token="t", workers=1
)
SERVER = JiraSettings(
    url="https://jira.acme.example/jira/",
    pat="p",
    story_points_field="customfield_10106",
    epic_link_field="customfield_10101",
    max_results=2,  # the fixture instance pages by 2 to show startAt paging
    workers=1,
)
HOTFIX_JQL = 'project = ACME AND labels = "hotfix" ORDER BY key ASC'
# Match the JSON body too, so each page must carry the right nextPageToken / startAt.
MATCH = ("method", "scheme", "host", "port", "path", "query", "body")


def connector(settings: JiraSettings = CLOUD, sleeps: list[float] | None = None) -> JiraConnector:
    record = sleeps.append if sleeps is not None else (lambda _: None)
    return JiraConnector(settings, retry=RetryPolicy(sleep=record), clock=lambda: NOW)


@contextmanager
def play(name: str) -> Iterator[Any]:
    with replayer("jira").use_cassette(f"{name}.yaml", match_on=MATCH) as cassette:
        yield cassette


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- Cloud release: two token pages, remote links, epics --------------------------------


@pytest.fixture(scope="module")
def cloud_release() -> tuple[Any, Any, Any]:
    jira = connector()
    with play("cloud_release") as cassette:
        release, provenance = jira.fetch_release("ACME", "4.2.0")
        assert cassette.all_played
    return release, provenance, jira


def test_cloud_release_costs_the_minimum_requests(cloud_release: tuple[Any, Any, Any]) -> None:
    _, provenance, jira = cloud_release
    # serverInfo + /field (once per connector) + 1 version list + 2 search pages (the
    # token said so) + 1 remote-link list per issue.
    assert provenance.requests == jira.stats.requests == 2 + 1 + 2 + 5
    assert provenance.retries == 0
    assert provenance.gaps == []


def test_cloud_release_header(cloud_release: tuple[Any, Any, Any]) -> None:
    release, provenance, _ = cloud_release
    assert release.schema_version == "1.2"
    assert (release.project, release.fix_version, release.fix_version_id) == (
        "ACME",
        "4.2.0",
        "10042",
    )
    assert (release.release_date, release.released) == (date(2024, 6, 18), False)
    assert release.jql == 'project = "ACME" AND fixVersion = 10042 ORDER BY key ASC'
    assert [i.key for i in release.issues] == ["ACME-1", "ACME-2", "ACME-3", "ACME-4", "ACME-5"]
    assert provenance.source == "jira"
    assert provenance.fetched_at == NOW
    assert provenance.asked == {
        "url": "https://acme.atlassian.net",
        "deployment": "cloud",
        "project": "ACME",
        "fix_version": "4.2.0",
        "jql": None,
        "remote_links": True,
        "fields": {"story_points": ["customfield_10016"], "epic_link": None,
                   "sprint": "customfield_10020", "team": "customfield_10001",
                   "due_date": "duedate"},
    }


def test_cloud_issue_every_field(cloud_release: tuple[Any, Any, Any]) -> None:
    issue = {i.key: i for i in cloud_release[0].issues}["ACME-2"]
    assert issue.model_dump(exclude={"description", "time_in_status"}) == {
        "key": "ACME-2",
        "id": "10002",
        "summary": "Pay with saved card",
        "issue_type": "Story",
        "status": "In Review",
        "status_category": "indeterminate",
        "priority": "High",
        "resolution": None,
        "story_points": 5.0,
        "due_date": date(2024, 6, 14),
        "sprints": [
            {"id": 36, "name": "ACME Sprint 6", "state": "closed",
             "start": at("2024-05-13T08:00:00+00:00"), "end": at("2024-05-27T08:00:00+00:00"),
             "completed": at("2024-05-27T09:12:44.310000+00:00")},
            {"id": 37, "name": "ACME Sprint 7", "state": "active",
             "start": at("2024-05-27T08:00:00+00:00"), "end": at("2024-06-10T08:00:00+00:00"),
             "completed": None},
        ],
        "team": "Payments",
        "epic_key": "ACME-1",
        "parent_key": "ACME-1",
        "labels": ["payments", "pci"],
        "components": ["checkout"],
        "assignee": "Mia Krystof",
        "reporter": "Ravi Patel",
        "created": at("2024-04-03T10:00:00+00:00"),
        "updated": at("2024-05-10T16:30:00+00:00"),
        "resolved": None,
        "fix_versions": ["4.2.0"],
        "status_history": [
            StatusTransition(
                from_status="To Do",
                to_status="In Progress",
                at=at("2024-05-06T09:00:00+00:00"),
                by="Mia Krystof",
            ).model_dump(),
            StatusTransition(
                from_status="In Progress",
                to_status="In Review",
                at=at("2024-05-10T16:30:00+00:00"),
                by="Mia Krystof",
            ).model_dump(),
        ],
        "reopen_count": 0,
        "links": [
            IssueLink(
                type="Blocks",
                direction="inward",
                relation="is blocked by",
                key="OPS-12",
                project="OPS",
                status="In Progress",
            ).model_dump()
        ],
        "remote_links": [
            RemoteLink(
                url="https://github.com/acme/checkout/pull/812",
                title="PR #812: pay with saved card",
                application="GitHub",
                relationship="mentioned in",
            ).model_dump()
        ],
        "is_epic": False,
    }


def test_cloud_description_is_flattened_from_adf(cloud_release: tuple[Any, Any, Any]) -> None:
    issue = {i.key: i for i in cloud_release[0].issues}["ACME-2"]
    assert issue.description == (
        "## Acceptance criteria\n"
        "\n"
        "Customers can pay with a card saved in their wallet (https://acme.example/wallet)."
        " Owner: @Ravi Patel\n"
        "\n"
        "- 3-D Secure challenge still applies\n"
        "- Tokens never leave the vault\n"
        "\n"
        "```sql\n"
        "ALTER TABLE cards ADD COLUMN vault_token text;\n"
        "```\n"
        "\n"
        "| Flag | Default |\n"
        "|---|---|\n"
        "| `saved_cards` | off |"
    )


def test_cloud_reopened_issue_and_time_in_status(cloud_release: tuple[Any, Any, Any]) -> None:
    issue = {i.key: i for i in cloud_release[0].issues}["ACME-3"]
    assert issue.reopen_count == 1  # Done -> In Progress on 13 May
    assert [(t.from_status, t.to_status) for t in issue.status_history] == [
        ("To Do", "In Progress"),
        ("In Progress", "In Review"),
        ("In Review", "Done"),
        ("Done", "In Progress"),
        ("In Progress", "Done"),
    ]
    day = 86_400.0
    assert issue.time_in_status == {
        "To Do": 28 * day,  # created 5 Apr, started 3 May
        "In Progress": 3 * day + 2 * day + 4 * 3600,  # 3-6 May, then 13 May 08:00 - 15 May 12:00
        "In Review": 2 * day,
        "Done": 5 * day + 16 * day + 12 * 3600,  # 8-13 May, then until NOW
    }
    assert (issue.status, issue.status_category, issue.resolution) == ("Done", "done", "Done")
    assert issue.resolved == at("2024-05-15T12:00:00+00:00")
    assert issue.links[0].model_dump() == {
        "type": "Blocks",
        "direction": "outward",
        "relation": "blocks",
        "key": "ACME-5",
        "project": "ACME",
        "status": "To Do",
    }
    assert [link.url for link in issue.remote_links] == [
        "https://github.com/acme/checkout/pull/790",
        "https://github.com/acme/checkout/pull/805",
    ]


def test_cloud_epics_use_parent_and_roll_up_subtasks(cloud_release: tuple[Any, Any, Any]) -> None:
    release = cloud_release[0]
    by_key = {i.key: i for i in release.issues}
    assert by_key["ACME-1"].is_epic
    assert by_key["ACME-4"].parent_key == "ACME-3"
    assert by_key["ACME-4"].epic_key == "ACME-1"  # via its parent story
    assert by_key["ACME-5"].epic_key == "ACME-9"  # an epic outside the release
    assert release.epics == {"ACME-1": ["ACME-2", "ACME-3", "ACME-4"], "ACME-9": ["ACME-5"]}
    assert by_key["ACME-5"].description == ""
    assert by_key["ACME-5"].time_in_status == {
        "To Do": 11 * 86_400.0 + 16 * 3600
    }  # 20 May 08:00 on


def test_without_a_version_the_next_unreleased_one_is_used() -> None:
    with play("cloud_release"):
        release, _ = connector().fetch_release("ACME")
    assert release.fix_version == "4.2.0"  # earliest unreleased; 4.3.0 is later, Someday archived


def test_remote_links_are_optional() -> None:
    jira = connector()
    with play("cloud_release"):
        release, provenance = jira.fetch_release("ACME", "4.2.0", remote_links=False)
    assert provenance.requests == 2 + 3
    assert all(issue.remote_links is None for issue in release.issues)  # not read, not []


def test_remote_links_only_for_done_issues_the_code_does_not_name() -> None:
    # The release's code names ACME-3 (done) and ACME-2 (in review): only ACME-4, done
    # and named by nothing, can still need a remote link to show its code.
    jira, asked = connector(), []

    def named_by_code() -> frozenset[str]:
        asked.append(True)
        return frozenset({"ACME-2", "ACME-3", "OTHER-1"})

    with play("cloud_release"):
        release, provenance = jira.fetch_release("ACME", "4.2.0", named_by_code=named_by_code)
    assert asked == [True]
    assert provenance.requests == 2 + 1 + 2 + 1
    assert provenance.gaps == []
    links = {i.key: i.remote_links for i in release.issues}
    assert links == {"ACME-1": None, "ACME-2": None, "ACME-3": None, "ACME-4": [],
                     "ACME-5": None}
    assert provenance.asked["remote_links_skipped"] == {
        "not done": 3, "named by the release's code": 1}


def test_unknown_code_keys_read_every_issue_s_remote_links() -> None:
    jira = connector()
    with play("cloud_release") as cassette:
        release, provenance = jira.fetch_release("ACME", "4.2.0", named_by_code=lambda: None)
        assert cassette.all_played
    assert provenance.requests == 2 + 1 + 2 + 5
    assert all(issue.remote_links is not None for issue in release.issues)
    assert provenance.asked["remote_links_skipped"] == {}


# --- a changelog longer than the search embeds ---------------------------------------------


def test_truncated_changelog_is_completed_with_one_changelog_page() -> None:
    jira = connector()
    with play("cloud_truncated_changelog") as cassette:
        release, provenance = jira.fetch_release("ACME", "4.3.0", remote_links=False)
        assert cassette.all_played
    (issue,) = release.issues
    # The search held the newest 100 of 130; one page of the changelog endpoint (oldest
    # first) supplies the rest, and the union is complete, so no second page is asked for.
    # The issue is Done and alone, so the other statuses' categories need one /status.
    assert provenance.requests == 2 + 1 + 1 + 1 + 1
    assert provenance.gaps == []
    assert len(issue.status_history) == 130
    assert issue.status_history[0].from_status == "To Do"
    assert issue.status_history[0].at == at("2024-03-01T09:00:00+00:00")
    assert sum(t.to_status == "In Review" for t in issue.status_history) == 63
    assert issue.reopen_count == 1
    assert issue.story_points == 8.0


# --- Server / Data Center ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def server_release() -> tuple[Any, Any]:
    jira = connector(SERVER)
    with play("server_release") as cassette:
        result = jira.fetch_release("OPS", "2024.06")
        assert cassette.all_played
    return result


def test_server_is_learnt_from_server_info(server_release: tuple[Any, Any]) -> None:
    assert SERVER.deployment is None  # not guessed from the host: asked of the site
    assert SERVER.url == "https://jira.acme.example/jira"
    _, provenance = server_release
    assert provenance.asked["deployment"] == "server"


def test_server_release_pages_by_start_at(server_release: tuple[Any, Any]) -> None:
    release, provenance = server_release
    # serverInfo + /field + versions + 3 search pages (5 issues, 2 per page) + /status
    # (Closed and Reopened appear only in history) + 5 remote-link lists.
    assert provenance.requests == 2 + 1 + 3 + 1 + 5
    assert [(g.what, g.why) for g in provenance.gaps] == [
        ("teams", "no Team field (Atlassian teams or Advanced Roadmaps) on this site")]
    assert [i.key for i in release.issues] == ["OPS-1", "OPS-2", "OPS-3", "OPS-4", "OPS-5"]
    assert release.epics == {"OPS-1": ["OPS-2", "OPS-3", "OPS-4"]}


def test_server_issue_fields(server_release: tuple[Any, Any]) -> None:
    by_key = {i.key: i for i in server_release[0].issues}
    story = by_key["OPS-2"]
    assert (story.epic_key, story.parent_key, story.story_points) == ("OPS-1", None, 8.0)
    assert story.description == (  # Server/DC wiki markup, kept as written
        "h2. Rollout\n* drain the *blue* pool\n* switch DNS\n\n"
        "{code:sql}UPDATE flags SET on = 1;{code}"
    )
    assert story.remote_links[0].url == "https://github.com/acme/infra/pull/77"
    assert (story.assignee, story.components, story.labels) == (
        "Mia Krystof",
        ["deploy"],
        ["infra"],
    )
    bug = by_key["OPS-3"]
    assert bug.reopen_count == 1  # Closed -> Reopened; categories from /status
    assert bug.status_history[3].model_dump() == {
        "from_status": "Closed",
        "to_status": "Reopened",
        "at": at("2024-05-14T07:00:00+00:00"),
        "by": "Ravi Patel",
    }
    assert by_key["OPS-4"].epic_key == "OPS-1"  # sub-task of OPS-3
    assert by_key["OPS-1"].is_epic
    assert by_key["OPS-5"].status_category == "new"


# --- failures: fatal ones raise, the rest are gaps ---------------------------------------------


def test_bad_credentials_are_fatal_with_one_line() -> None:
    jira = connector()
    with play("cloud_unauthorized"), pytest.raises(ConnectorError) as raised:
        jira.fetch_release("ACME", "4.2.0")
    message = str(raised.value)
    assert "\n" not in message
    assert "credentials rejected" in message
    assert "HTTP 401" in message
    assert jira.stats.requests == 1  # serverInfo said so


def test_unknown_fix_version_is_fatal() -> None:
    with (
        play("cloud_fix_version_not_found"),
        pytest.raises(ConnectorError, match=r"'9\.9\.9' not found"),
    ):
        connector().fetch_release("ACME", "9.9.9")


def test_unknown_project_is_fatal() -> None:
    with (
        play("cloud_unknown_project"),
        pytest.raises(ConnectorError, match="project NOPE not found"),
    ):
        connector().fetch_release("NOPE", "1.0")


def test_bad_project_key_never_reaches_jql() -> None:
    with pytest.raises(ConnectorError, match="not a project key"):
        connector().fetch_release('ACME" OR project = "HR')


def test_rate_limit_is_waited_out_as_told() -> None:
    sleeps: list[float] = []
    jira = connector(sleeps=sleeps)
    with play("cloud_rate_limited") as cassette:
        release, provenance = jira.fetch_release("ACME", "4.2.0", remote_links=False)
        assert cassette.all_played
    assert sleeps == [7.0]  # the Retry-After value, not a guess
    assert (provenance.requests, provenance.retries, provenance.rate_limit_wait_s) == (5, 1, 7.0)
    assert provenance.gaps == []
    assert [i.key for i in release.issues] == ["ACME-5"]


def test_faults_become_gaps_not_crashes() -> None:
    sleeps: list[float] = []
    jira = connector(sleeps=sleeps)
    with play("cloud_faults") as cassette:
        release, provenance = jira.fetch_release("ACME", jql=HOTFIX_JQL)
        assert cassette.all_played
    assert sleeps == []  # Retry-After 3600 s is past the 120 s budget: report, don't wait
    assert provenance.requests == 2 + 6
    assert release.jql == HOTFIX_JQL
    assert release.fix_version is None
    assert [i.key for i in release.issues] == ["ACME-20", "ACME-21", "ACME-22"]
    assert len({i.key: i for i in release.issues}["ACME-21"].status_history) == 40  # kept
    gaps = {gap.what: gap.why for gap in provenance.gaps}
    assert gaps == {
        "issues after the first 3": (
            "HTTP 429: rate limited beyond the retry budget (Retry-After: 3600s)"
        ),
        "changelog of ACME-21 beyond the 40 histories searched": (
            "HTTP 404 not found: Issue does not exist or you do not have permission to see it."
        ),
        "remote links of ACME-20": "malformed response: not JSON (text/html;charset=UTF-8)",
        "remote links of ACME-21": (
            "HTTP 403 forbidden: You do not have the permission to see the specified issue."
        ),
        "remote links of ACME-22": (  # after a success, a 401 is a gap, not "bad credentials"
            "HTTP 401 unauthorized: You are not authenticated."
            " Authentication required to perform this operation."
        ),
    }
    assert all(gap.source == "jira" for gap in provenance.gaps)


# --- settings -------------------------------------------------------------------------------------


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRA_URL", "https://acme.atlassian.net/")
    monkeypatch.setenv("JIRA_EMAIL", "advisor@acme.example")
    monkeypatch.setenv("JIRA_API_TOKEN", "secret")
    settings = JiraSettings.from_env()
    assert settings.deployment is None  # asked of the site (serverInfo) on the first fetch
    assert settings.api_token is not None and settings.api_token.get_secret_value() == "secret"
    assert "secret" not in repr(settings)


def test_settings_from_env_server_pat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRA_URL", "https://jira.acme.example")
    monkeypatch.setenv("JIRA_PAT", "pat")
    monkeypatch.setenv("JIRA_DEPLOYMENT", "server")  # given: no serverInfo needed
    assert JiraSettings.from_env().deployment == "server"



def test_settings_from_env_reads_the_custom_fields_and_the_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JIRA_URL", "https://jira.acme.example")
    monkeypatch.setenv("JIRA_PAT", "pat")
    monkeypatch.setenv("JIRA_STORY_POINTS_FIELD", "customfield_10002")
    monkeypatch.setenv("JIRA_WORKERS", "16")
    settings = JiraSettings.from_env()
    assert (settings.story_points_field, settings.workers) == ("customfield_10002", 16)

@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "JIRA_URL is not set"),
        ({"JIRA_URL": "https://acme.atlassian.net"}, "needs JIRA_EMAIL + JIRA_API_TOKEN"),
        ({"JIRA_URL": "ftp://x", "JIRA_PAT": "p"}, "http(s) URL"),
        ({"JIRA_URL": "https://jira.acme.example", "JIRA_PAT": "p", "JIRA_WORKERS": "0"},
         "JIRA_WORKERS: Input should be greater than or equal to 1"),
    ],
)
def test_settings_errors_are_one_line(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConnectorError) as raised:
        JiraSettings.from_env()
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_an_unreadable_version_list_is_a_gap_and_an_empty_release() -> None:
    jira = JiraConnector(CLOUD, retry=RetryPolicy(max_attempts=1), clock=lambda: NOW)
    with play("cloud_rate_limited"):
        release, provenance = jira.fetch_release("ACME", "4.2.0")
    assert (release.issues, release.jql, release.fix_version) == ([], "", None)
    assert [(g.what, g.why) for g in provenance.gaps] == [
        ("fix versions of ACME", "HTTP 429: rate limited beyond the retry budget (Retry-After: 7s)")
    ]
    assert provenance.requests == 2 + 1
