"""Jira sites as they really are (#18): custom field ids only ``/field`` names, Cloud behind
the API gateway. Each test ends in correct data or a named gap."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from connectors.jira import JiraConnector, JiraSettings
from connectors.jira.fields import FieldMap, discover
from connectors.provenance import Gap
from tests.connectors.test_jira import connector, play

BILL = JiraSettings(url="https://jira.example.org", pat="p", workers=1)
GATEWAY = JiraSettings(
    url="https://api.atlassian.com/ex/jira/7a3f2e14-1b5c-4e8a-9d2f-6c1b0e9a4d21",
    email="advisor@acme.example", api_token="scoped-token", workers=1,
)


@pytest.fixture(scope="module")
def bill() -> tuple[Any, Any]:
    jira = connector(BILL)
    with play("server_custom_fields") as cassette:
        result = jira.fetch_release("BILL", "3.2")
        assert cassette.all_played
    return result


def test_story_points_and_epics_in_site_specific_fields_are_found(bill: tuple[Any, Any]) -> None:
    """customfield_10105 and customfield_10700: with the old defaults, None and no gap."""
    release, provenance = bill
    story = {i.key: i for i in release.issues}["BILL-7"]
    assert (story.story_points, story.epic_key) == (5.0, "BILL-1")
    assert release.epics == {"BILL-1": ["BILL-7", "BILL-8"]}
    assert provenance.asked["fields"] == {
        "story_points": ["customfield_10105"], "epic_link": "customfield_10700",
        "sprint": "customfield_10104", "team": None, "due_date": "duedate"}


def test_sprints_and_due_dates_are_read(bill: tuple[Any, Any]) -> None:
    story = {i.key: i for i in bill[0].issues}["BILL-7"]
    assert story.due_date == date(2024, 6, 21)
    [sprint] = story.sprints  # Server's Java toString, parsed
    assert (sprint.id, sprint.name, sprint.state, sprint.start) == (
        41, "BILL Sprint 14", "future", None)


def test_a_field_the_site_lacks_is_a_named_gap(bill: tuple[Any, Any]) -> None:
    _, provenance = bill
    assert provenance.gaps == [Gap(source="jira", what="teams", why=(
        "no Team field (Atlassian teams or Advanced Roadmaps) on this site"))]


def test_a_configured_field_the_site_lacks_is_a_gap_not_silence() -> None:
    fields = [{"id": "customfield_10105", "name": "Story Points", "schema": {
        "type": "number", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float"}},
        {"id": "duedate", "name": "Due date", "schema": {"type": "date", "system": "duedate"}}]
    settings = BILL.model_copy(update={"deployment": "server",
                                       "story_points_field": "customfield_10016"})
    found, gaps = discover(fields, settings)
    assert found.story_points == ()
    assert Gap(source="jira", what="story points", why="JIRA_STORY_POINTS_FIELD "
               "customfield_10016 is not a field of this site; not read") in gaps
    assert {g.what for g in gaps} == {"story points", "epic links", "sprints", "teams"}


def test_both_story_point_fields_are_read_and_named_points_win() -> None:
    float_type = "com.atlassian.jira.plugin.system.customfieldtypes:float"
    estimate = "com.pyxis.greenhopper.jira:jsw-story-points"
    fields = [
        {"id": "customfield_10016", "name": "Story point estimate",
         "schema": {"type": "number", "custom": estimate}},
        {"id": "customfield_10028", "name": "Story Points",
         "schema": {"type": "number", "custom": float_type}},
        {"id": "customfield_10002", "name": "Business Value",
         "schema": {"type": "number", "custom": float_type}},
    ]
    settings = GATEWAY.model_copy(update={"deployment": "cloud"})
    found, _ = discover(fields, settings)
    assert found.story_points == ("customfield_10028", "customfield_10016")
    assert found.epic_link is None  # Cloud: epics are parents


# -- Jira Cloud through the API gateway ------------------------------------------------------


@pytest.fixture(scope="module")
def gateway() -> tuple[Any, Any, JiraConnector]:
    jira = connector(GATEWAY)
    with play("cloud_gateway") as cassette:
        release, provenance = jira.fetch_release("ACME", "4.2.0")
        assert cassette.all_played
        posted = [r.path for r in cassette.requests if r.method == "POST"]
    assert posted == ["/ex/jira/7a3f2e14-1b5c-4e8a-9d2f-6c1b0e9a4d21/rest/api/3/search/jql"]
    return release, provenance, jira


def test_the_api_gateway_is_recognised_as_cloud_by_server_info(gateway: Any) -> None:
    release, provenance, jira = gateway
    assert provenance.asked["deployment"] == "cloud"
    assert jira.settings.is_cloud and jira.client._is_cloud
    assert [i.key for i in release.issues] == ["ACME-5"]
    issue = release.issues[0]
    assert (issue.story_points, issue.epic_key) == (2.0, "ACME-9")  # v3: ADF, parent epics
    assert provenance.gaps == []


def test_the_gateway_sites_guard_allows_only_its_own_search(gateway: Any) -> None:
    from connectors.errors import ReadOnlyViolation
    from connectors.jira.connector import read_only_policy

    _, _, jira = gateway
    policy = read_only_policy(jira.settings)
    site = "https://api.atlassian.com/ex/jira/7a3f2e14-1b5c-4e8a-9d2f-6c1b0e9a4d21"
    policy.check("POST", f"{site}/rest/api/3/search/jql")
    with pytest.raises(ReadOnlyViolation):
        policy.check("POST", "https://api.atlassian.com/rest/api/3/search/jql")


def test_a_configured_deployment_skips_the_question() -> None:
    jira = JiraConnector(GATEWAY.model_copy(update={"deployment": "cloud"}),
                         clock=lambda: datetime(2024, 6, 1, tzinfo=UTC))
    assert jira.client._is_cloud and jira.stats.requests == 0


def test_without_discovery_only_the_due_date_is_read_beyond_the_system_fields() -> None:
    assert FieldMap().ids() == ["duedate"]
