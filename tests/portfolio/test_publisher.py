"""The Confluence publisher against recorded Confluence Cloud answers: create, update,
conflicts (stop, nothing written), the kill switch (no request at all)."""

from __future__ import annotations

from typing import Any

import pytest
import vcr.errors

from governance.errors import KillSwitchEngaged
from publishers.base import PublishError
from publishers.confluence import (
    Attachment,
    ConfluencePublisher,
    LastPublished,
    PageContent,
    PageTarget,
    build_client,
    publish_settings,
)
from render.portfolio.storage import render_storage
from tests.portfolio.sample import ADVISOR_ACCOUNT, SITE, TITLE, FakeConfluence, summary
from tests.replay import replayer

TARGET = PageTarget(space="ENG", parent="Portfolio summaries", title=TITLE)
OURS = LastPublished(page_id="131200", version=3, by=ADVISOR_ACCOUNT, content_hash="old")
ENV = {"CONFLUENCE_URL": "https://acme.atlassian.net", "CONFLUENCE_EMAIL": "bot@acme.test",
       "CONFLUENCE_API_TOKEN": "not-a-real-token"}

CREATE_REQUESTS = [
    "GET /rest/api/content?title=Portfolio+summary+%E2%80%94+2024-06-01&spaceKey=ENG"
    "&expand=version",
    "GET /rest/api/content?title=Portfolio+summaries&spaceKey=ENG&expand=version",
    "POST /rest/api/content",
    "POST /rest/api/content/131200/label",
    "POST /rest/api/content/131200/child/attachment",
    "POST /rest/api/content/131200/child/attachment",
]


class Gate:
    def __init__(self, engaged: bool = False) -> None:
        self.engaged = engaged
        self.asked: list[str] = []

    def ensure_allowed(self, agent: str | None = None, action: str = "run") -> None:
        self.asked.append(action)
        if self.engaged:
            raise KillSwitchEngaged("publishing", "incident review")


def publisher(gate: Gate | None = None) -> ConfluencePublisher:
    settings = publish_settings(ENV)
    return ConfluencePublisher(build_client(settings), gate or Gate(), site=settings.base_url)


def content() -> PageContent:
    body, charts = render_storage(summary())
    return PageContent(body=body, attachments=tuple(
        Attachment(c.filename, c.standalone()) for c in charts))


class Replay:
    """The recorded answers, and every request the publisher actually sent."""

    def __init__(self) -> None:
        self.vcr = replayer("confluence_publish")
        self.sent: list[Any] = []

    def use_cassette(self, name: str) -> Any:
        return self.vcr.use_cassette(name)

    def publisher(self, gate: Gate | None = None) -> ConfluencePublisher:
        made = publisher(gate)
        made.client._session.hooks["response"].append(
            lambda response, *args, **kwargs: self.sent.append(response.request))
        return made

    def body(self, index: int) -> str:
        body = self.sent[index].body
        return body.decode() if isinstance(body, bytes) else str(body)


@pytest.fixture
def replay() -> Replay:
    return Replay()


def test_create_makes_the_page_under_its_parent_with_labels_and_charts(replay: Replay) -> None:
    with replay.use_cassette("create.yaml") as cassette:
        outcome = replay.publisher().publish_page(TARGET, content(), None)
    assert cassette.all_played
    assert outcome.outcome == "created" and outcome.page_id == "131200"
    assert outcome.version == 1 and outcome.by == ADVISOR_ACCOUNT
    assert outcome.url == f"{SITE}/spaces/ENG/pages/131200/Portfolio+summary+%E2%80%94+2024-06-01"
    assert outcome.requests == CREATE_REQUESTS
    sent = replay.body(2)
    assert '"ancestors": [{"id": "98400"}]' in sent and '"representation": "storage"' in sent
    assert 'ac:name=\\"info\\"' in sent, "the approved page opens with the info panel"
    assert '"advisory"' in replay.body(3) and '"portfolio-summary"' in replay.body(3)
    for upload in replay.sent[4:]:
        assert upload.headers["X-Atlassian-Token"] == "no-check"
        assert b'filename="portfolio-' in upload.body and b"image/svg+xml" in upload.body


def test_update_puts_the_next_version_and_adds_only_new_charts(replay: Replay) -> None:
    with replay.use_cassette("update.yaml") as cassette:
        outcome = replay.publisher().publish_page(TARGET, content(), OURS)
    assert cassette.all_played
    assert outcome.outcome == "updated" and outcome.version == 4
    assert replay.sent[1].method == "PUT" and '"version": {"number": 4' in replay.body(1)
    assert [r.split("?")[0] for r in outcome.requests] == [
        "GET /rest/api/content", "PUT /rest/api/content/131200",
        "POST /rest/api/content/131200/label", "GET /rest/api/content/131200/child/attachment",
        "POST /rest/api/content/131200/child/attachment",
        "POST /rest/api/content/131200/child/attachment"]


def test_a_newer_human_edit_stops_the_update_before_any_write(replay: Replay) -> None:
    with replay.use_cassette("conflict.yaml") as cassette:
        outcome = replay.publisher().publish_page(TARGET, content(), OURS)
    assert cassette.play_count == 1 and [r.method for r in replay.sent] == ["GET"]
    assert outcome.outcome == "conflict" and outcome.version == 4
    assert outcome.by == "5b10a2844c20165700ede21g"
    assert "edited by 5b10a2844c20165700ede21g after our version 3" in outcome.reason


def test_a_page_we_never_published_is_never_overwritten(replay: Replay) -> None:
    with replay.use_cassette("conflict.yaml") as cassette:
        outcome = replay.publisher().publish_page(TARGET, content(), None)
    assert cassette.play_count == 1
    assert outcome.outcome == "conflict" and "no record of publishing it" in outcome.reason


def test_an_edit_between_our_read_and_our_write_is_a_conflict_too(replay: Replay) -> None:
    with replay.use_cassette("update_race.yaml") as cassette:
        outcome = replay.publisher().publish_page(TARGET, content(), OURS)
    assert cassette.all_played and outcome.outcome == "conflict"
    assert "HTTP 409" in outcome.reason


def test_the_same_content_again_writes_nothing(replay: Replay) -> None:
    page = content()
    same = OURS.model_copy(update={"content_hash": page.content_hash})
    with replay.use_cassette("unchanged.yaml") as cassette:
        outcome = replay.publisher().publish_page(TARGET, page, same)
    assert cassette.all_played and outcome.outcome == "unchanged"


def test_the_kill_switch_blocks_publishing_before_any_request(replay: Replay) -> None:
    gate = Gate(engaged=True)
    with replay.use_cassette("kill_switch.yaml") as cassette, pytest.raises(KillSwitchEngaged):
        replay.publisher(gate).publish_page(TARGET, content(), None)
    assert cassette.play_count == 0 and replay.sent == []
    assert gate.asked == ["publish"]


def test_the_kill_switch_is_asked_before_every_write() -> None:
    gate = Gate()
    fake = FakeConfluence()
    outcome = ConfluencePublisher(fake, gate, site=SITE).publish_page(TARGET, content(), None)
    assert outcome.outcome == "created"
    assert gate.asked.count("publish") == 1 + len(fake.writes())


def test_an_unrecorded_request_is_refused_by_the_replayer(replay: Replay) -> None:
    """The cassettes are exact: a publisher that asked for more would fail here."""
    refused = vcr.errors.CannotOverwriteExistingCassetteException
    with replay.use_cassette("conflict.yaml"), pytest.raises(refused):
        publisher().publish_page(PageTarget("ENG", "Portfolio summaries", "Other"), content(), None)


def test_a_missing_parent_page_is_one_clear_error() -> None:
    fake = FakeConfluence()
    target = PageTarget(space="ENG", parent="No such page", title=TITLE)
    with pytest.raises(PublishError, match="no page titled 'No such page' in space ENG"):
        ConfluencePublisher(fake, Gate(), site=SITE).publish_page(target, content(), None)
    assert fake.writes() == []


def test_publishing_credentials_may_differ_from_the_readers() -> None:
    settings = publish_settings({**ENV, "CONFLUENCE_PUBLISH_URL": "https://wiki.acme.test",
                                 "CONFLUENCE_PUBLISH_PAT": "write-pat"})
    assert settings.base_url == "https://wiki.acme.test" and settings.pat is not None
    with pytest.raises(Exception, match="CONFLUENCE_URL"):
        publish_settings({})
