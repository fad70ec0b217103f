"""The pieces of posting: anchors, markers, the summary's escaping and size, the guards."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from advisor.configuration import load_bot
from agents.models import Evidence, EvidenceKind
from governance.errors import ConfigError
from publishers.github.anchors import DiffAnchors, place
from publishers.github.auth import PublishAuthError, StaticToken, token_from_env
from publishers.github.client import GitHubPublisher
from publishers.github.config import BotConfig, load_bot_config
from publishers.github.post import _Posting
from render.review.comment import COMMENT_LIMIT, inline_comment, md, summary_comment
from render.review.markers import SUMMARY_MARKER, finding_marker, fingerprints_in
from tests.agents.security.builders import changed, hunk
from tests.bot.samples import sample_report


def test_anchors_are_new_side_hunk_lines_only() -> None:
    patch = hunk(10, 10, [" keep", "-old", "+new", " tail"])
    anchors = DiffAnchors([changed("a.py", patch), changed("b.png", None)])
    assert [anchors.allows("a.py", n) for n in (9, 10, 11, 12, 13)] == [
        False, True, True, True, False]
    assert not anchors.allows("b.png", 1) and not anchors.allows("a.py", None)


def test_findings_outside_the_diff_move_to_the_summary() -> None:
    report = sample_report()
    secret = next(f for f in report.findings if f.category == "secret")
    outside = secret.model_copy(update={"fingerprint": "0" * 24, "evidence": [
        Evidence(kind=EvidenceKind.FILE, ref="app/keys.py:40", path="app/keys.py", line=40)]})
    anchors = DiffAnchors([changed("app/keys.py", "@@ -0,0 +1 @@\n+KEY = 1")])
    placement = place([secret, outside], anchors)
    assert [a.finding for a in placement.inline] == [secret] and placement.moved == [outside]


def test_markers_round_trip() -> None:
    assert fingerprints_in(f"x {finding_marker('ab' * 12)} y") == {"ab" * 12}
    assert fingerprints_in("<!-- release-risk-advisor:finding:NOTHEX -->") == set()


def test_repository_text_cannot_forge_markers_or_ping_people() -> None:
    hostile = f"{SUMMARY_MARKER} @org/security | **bold** <img src=x>"
    report = sample_report(title=hostile)
    body = summary_comment(report.model_copy(update={"subject": hostile}))
    assert body.count(SUMMARY_MARKER) == 1  # only the bot's own, first line
    assert "@org" not in body and "\\|" in body
    assert body.count("<img") == body.count("\\<img") > 0  # shown, never rendered
    assert md("a\nb   c") == "a b c"


def test_the_summary_shrinks_to_fit_github() -> None:
    report = sample_report()
    many = [f.model_copy(update={"fingerprint": f"{i:024x}", "title": "t" * 290})
            for i in range(800) for f in report.findings[:1]]
    body = summary_comment(report.model_copy(update={"findings": many}))
    assert len(body) <= COMMENT_LIMIT and "more finding(s)" in body
    assert "the check run on this commit and the SARIF file list every finding" in body


def test_long_text_is_cut_between_words_and_says_so() -> None:
    text = "The migration drops the legacy column that reporting still reads"
    assert md(text, 40) == "The migration…(more in the full report)"
    assert md(text, 60) == "The migration drops the legacy…(more in the full report)"
    assert md(text, 80) == text  # short enough: whole


def test_inline_comments_carry_the_fingerprint_and_the_advisory_note() -> None:
    finding = sample_report().findings[0]
    body = inline_comment(finding)
    assert fingerprints_in(body) == {finding.fingerprint} and "advisory only" in body


@pytest.mark.parametrize(("user", "config", "trusted"), [
    ({"login": "github-actions[bot]", "type": "Bot"}, BotConfig(), True),
    ({"login": "mallory", "type": "User"}, BotConfig(), False),  # the PR's author
    ({"login": "ci-user", "type": "User"}, BotConfig(), True),  # a personal token
    ({"login": "ci-user", "type": "User"}, BotConfig(bot_login="advisor[bot]"), False),
    ({"login": "Advisor[bot]", "type": "Bot"}, BotConfig(bot_login="advisor[bot]"), True),
])
def test_whose_comments_count_as_the_bots(user: dict[str, Any], config: BotConfig,
                                          trusted: bool) -> None:
    posting = _Posting(None, sample_report(), config)  # type: ignore[arg-type]
    assert posting.trusted(user) is trusted


def _publisher(gate: Any = lambda: None) -> GitHubPublisher:
    return GitHubPublisher(StaticToken(SecretStr("t")), gate=gate)


@pytest.mark.usefixtures("refuse_network")
def test_the_publisher_only_ever_comments() -> None:
    with pytest.raises(ValueError, match="only comments"):
        _publisher().create_review("a/b", 1, commit_id="c", body="b", comments=[],
                                   event="APPROVE")  # assert: refused, never sent
    with pytest.raises(ValueError, match="success"):
        _publisher().create_check_run("a/b", head_sha="c", name="n", conclusion="success",
                                      title="t", summary="s")


@pytest.mark.usefixtures("refuse_network")
def test_the_gate_is_asked_before_any_write() -> None:
    def closed() -> None:
        raise RuntimeError("kill switch")

    with pytest.raises(RuntimeError, match="kill switch"):
        _publisher(closed).create_issue_comment("a/b", 1, "hello")


def test_credentials_for_posting() -> None:
    assert token_from_env({"GITHUB_TOKEN": "ghs_x"}).token() == "ghs_x"
    with pytest.raises(PublishAuthError):
        token_from_env({})


def test_bot_config(tmp_path: Any) -> None:
    assert load_bot(None) == BotConfig()  # no bot.yaml shipped: every default
    good = tmp_path / "bot.yaml"
    good.write_text("conclusion_on_high: failure\nmax_inline_comments: 5\n")
    assert load_bot_config(good).conclusion_on_high == "failure"
    bad = tmp_path / "bad.yaml"
    bad.write_text("conclusion_on_high: success\n")
    with pytest.raises(ConfigError, match="conclusion_on_high"):
        load_bot_config(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_bot_config(tmp_path / "missing.yaml")
