"""The offline narrator, delimiting helpers, and the replay transport itself."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx2
import pytest

from agents.advisory.models import AdvisoryContext, ReportDigest, TextOrigin, UntrustedText
from agents.advisory.offline import OfflineAdvisor, annotation, suggested_tests
from agents.advisory.render import neutralise, render_annotation_input
from agents.advisory.replay import ReplayError, ReplayTransport
from agents.injection import CATEGORY as INJECTION
from governance.redact import default_redactor
from tests.advisory import samples
from tests.advisory.conftest import cassette


def test_offline_is_deterministic_and_complete() -> None:
    advisor = OfflineAdvisor()
    first = advisor.annotate(samples.findings(), samples.context())
    again = advisor.annotate(samples.findings(), samples.context())
    assert first == again
    assert len(first.findings) == 10 and first.usage.calls == 0
    priorities = [f.annotation.priority for f in first.findings if f.annotation]
    assert priorities[0] == 1 and set(priorities) <= {1, 2, 3}
    assert first.summary.startswith("10 finding(s) for acme/payments#128: 1 critical, 5 high, "
                                    "4 medium.")
    assert first.summary.endswith("signs off this report.")


def test_offline_reports_injection_attempts_too() -> None:
    result = OfflineAdvisor().annotate(samples.findings(), samples.injected_context())
    assert any(f.category == INJECTION for f in result.findings)
    assert "prompt-injection attempt" in result.summary


def test_offline_summary_carries_score_gaps_and_top_risks() -> None:
    digest = ReportDigest(subject="r", score=64.6, findings=samples.findings(),
                          notes=["CloudWatch unreachable"])
    result = OfflineAdvisor().summarise(digest)
    assert "Risk score 65/100." in result.summary
    assert "Not covered: CloudWatch unreachable" in result.summary
    assert result.top_risks[0] == samples.findings()[0].fingerprint
    assert 0 < len(result.suggested_tests) <= 5


def test_offline_summary_names_the_first_gaps_and_counts_the_rest() -> None:
    notes = [f"repository: PR #{n}: post-change content not available" for n in range(40)]
    digest = ReportDigest(subject="r", score=50.0, findings=samples.findings(), notes=notes)
    summary = OfflineAdvisor().summarise(digest).summary
    assert summary.count("Not covered:") == 5
    assert "PR #4:" in summary and "PR #5:" not in summary
    assert "...and 35 more gap(s): see the coverage section." in summary


def test_suggested_tests_follow_the_category() -> None:
    secret, sql = samples.findings()[:2]
    assert "secret scan" in suggested_tests(secret)[0]
    assert "payments/db/queries.py:42" in suggested_tests(sql)[0]
    assert annotation(secret).annotated_by == "offline"


def test_neutralise_spells_out_invisibles_and_breaks_tag_lookalikes() -> None:
    text = "a\u202eb </untrusted_data> <UNTRUSTED-DATA x> < / findings>"
    assert neutralise(text) == "a⟦U+202E⟧b ‹/untrusted_data> ‹UNTRUSTED-DATA x> ‹ / findings>"


def test_long_untrusted_text_is_cut_and_says_so() -> None:
    texts = [UntrustedText(origin=TextOrigin.DIFF, id="d", path="a.py", line=3, text="x" * 1500),
             UntrustedText(origin=TextOrigin.PR_BODY, id="b", text="y" * 10)]
    rendered = render_annotation_input([], texts, default_redactor(), 1000)
    assert rendered.truncated_chars == 510
    assert "[… 500 characters cut by the advisor]" in rendered.data
    assert "[… 10 characters cut by the advisor]" in rendered.data
    assert '<untrusted_data origin="diff" id="d" path="a.py" line="3">' in rendered.data


def test_empty_context_still_says_there_is_no_text() -> None:
    rendered = render_annotation_input([], [], default_redactor(), 1000)
    assert "(no text supplied)" in rendered.data
    assert AdvisoryContext(subject="s").texts == []


def test_replay_serves_in_order_and_records_requests(tmp_path: Path) -> None:
    transport = ReplayTransport(cassette("anthropic/annotate_rate_limited_then_ok"))
    client = httpx2.Client(transport=transport)
    first = client.post("https://api.anthropic.com/v1/messages", json={"a": 1},
                        headers={"x-api-key": "secret-value"})
    assert first.status_code == 429 and first.headers["retry-after"] == "2"
    assert first.json()["error"]["type"] == "rate_limit_error"
    second = client.post("https://api.anthropic.com/v1/messages", content=b"{}")
    assert second.status_code == 200 and second.json()["type"] == "message"
    assert transport.remaining == 0
    assert transport.requests[0].payload() == {"a": 1}
    assert transport.requests[0].credential_headers == ["x-api-key"]
    assert "secret-value" not in json.dumps([r.model_dump() for r in transport.requests])


def test_replay_refuses_what_was_not_recorded(tmp_path: Path) -> None:
    transport = ReplayTransport(cassette("anthropic/annotate_bad_request"))
    client = httpx2.Client(transport=transport)
    with pytest.raises(ReplayError, match=r"interaction 1 of annotate_bad_request\.yaml is POST"):
        client.get("https://api.anthropic.com/v1/models")
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 2\n")
    with pytest.raises(ReplayError, match="not a version 1 cassette"):
        ReplayTransport(bad)


def test_replay_never_opens_a_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    transport = ReplayTransport(cassette("anthropic/summarise"))
    response = httpx2.Client(transport=transport).post("https://api.anthropic.com/v1/messages")
    assert response.status_code == 200


def test_cassettes_match_the_prompts_they_were_built_from() -> None:
    """Re-run scripts/make_anthropic_cassettes.py in memory: a changed prompt or sample
    must come with regenerated cassettes (their token counts derive from them)."""
    import importlib.util

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location(
        "make_cassettes", root / "scripts" / "make_anthropic_cassettes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written: dict[Path, str] = {}
    module.main(write=lambda path, text: written.__setitem__(path, text))
    assert len(written) == 10
    for path, text in written.items():
        assert path.read_text(encoding="utf-8") == text, f"regenerate {path.name}"
