"""The signed-off release report: an export shows the decision and the audit entry that
recorded it, checkable against the audit log, and the stored report never changes; whoever
wrote part of the release may not sign it off."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from advisor.context import graph_context, open_controls
from advisor.demo import demo_plan_path, demo_snapshot_path
from advisor.settings import load_settings
from connectors.snapshot import load_snapshot
from governance.audit import AuditFilter
from governance.canonical import canonical_json, sha256_hex
from governance.controls import Controls
from governance.errors import NotAuthorized
from governance.reports import Decision
from graphs.requests import RunRequest
from graphs.runner import start_run
from render.export import export_report

ROLES = """
roles:
  release-approver: [{approvers}]
{extra}
"""


def _demo_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str = "",
              approvers: str = "rita, jdiaz") -> tuple[Controls, dict[str, Any]]:
    roles = tmp_path / "roles.yaml"
    roles.write_text(ROLES.format(approvers=approvers, extra=extra))
    monkeypatch.setenv("ADVISOR_ROLES_FILE", str(roles))
    settings = load_settings()
    controls = open_controls(settings)
    ctx = graph_context(settings, controls)
    request = RunRequest(source="demo", plan_files=[str(demo_plan_path())], agents=["delivery"])
    return controls, dict(start_run("release", ctx, request, "ci"))


def test_the_export_of_an_approved_report_shows_the_decision_and_its_audit_hash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    controls, state = _demo_run(tmp_path, monkeypatch)
    report_id = state["report_id"]
    stored = controls.registry.content(report_id)
    controls.signoff.decide(report_id, "rita", Decision.APPROVE, "Risks accepted in CAB-12")
    record = controls.registry.get(report_id)
    entry = controls.registry.decision_entry(report_id)
    assert entry is not None and entry.action == "signoff.approve" and entry.actor == "rita"

    written = export_report(record, controls.registry.content(report_id), entry,
                            ["md", "html", "json"], tmp_path / "out")
    exported = json.loads(written["json"].read_text())
    assert (exported["signoff_status"], exported["signed_off_by"]) == ("approved", "rita")
    assert exported["decision_comment"] == "Risks accepted in CAB-12"
    assert exported["decision_audit_seq"] == entry.seq
    assert exported["decision_audit_hash"] == entry.entry_hash
    # Verifiable: the audit log holds that entry, its chain verifies, and it names the
    # stored content's hash, which is the hash of what the registry still holds.
    assert controls.audit.get(entry.seq).entry_hash == entry.entry_hash
    assert controls.audit.verify().ok
    assert entry.payload["content_hash"] == record.content_hash == exported["content_hash"]
    assert sha256_hex(canonical_json(controls.registry.content(report_id))) == record.content_hash
    assert controls.registry.content(report_id) == stored  # never mutated
    assert stored["signoff_status"] == "pending_signoff"
    for fmt in ("md", "html"):
        text = written[fmt].read_text()
        assert "Approved by rita on " in text and "Risks accepted in CAB-12" in text
        assert f"Audit entry #{entry.seq}, entry hash {entry.entry_hash}" in text
        assert "Pending sign-off" not in text


def test_a_release_manager_who_wrote_part_of_the_release_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    controls, state = _demo_run(tmp_path, monkeypatch)
    record = controls.registry.get(state["report_id"])
    assert {"jdiaz", "mkowalski", "kbrandt", "apatel"} <= set(record.subject_authors)
    with pytest.raises(NotAuthorized, match="jdiaz authored or merged a pull request, or "
                                            "authored a commit, in"):
        controls.signoff.decide(record.id, "jdiaz", Decision.APPROVE, "ship it")
    [refusal] = controls.audit.entries(AuditFilter(action="signoff.refused", actor="jdiaz"))
    assert refusal.subject == record.id and "separation of duties" in refusal.payload["why"]
    assert controls.registry.get(record.id).status.value == "pending_signoff"


def test_a_release_manager_who_merged_a_pull_request_of_the_release_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA merged the demo's bug fixes and wrote nothing in the release: as a merger, the
    QA lead is still one of the people the release is about."""
    controls, state = _demo_run(tmp_path, monkeypatch, approvers="rita, qa-rlopez")
    record = controls.registry.get(state["report_id"])
    body = load_snapshot(demo_snapshot_path()).body
    assert body.github is not None
    assert "qa-rlopez" not in {p.author for p in body.github.pull_requests}
    assert "qa-rlopez" not in {c.author_login for c in body.github.commits}
    assert "qa-rlopez" in record.subject_authors
    with pytest.raises(NotAuthorized, match="separation of duties"):
        controls.signoff.decide(record.id, "qa-rlopez", Decision.APPROVE, "verified")
    [refusal] = controls.audit.entries(AuditFilter(action="signoff.refused", actor="qa-rlopez"))
    assert refusal.subject == record.id and refusal.payload["requested"] == "approve"
    assert "qa-rlopez authored or merged a pull request" in refusal.payload["why"]
    assert controls.registry.get(record.id).status.value == "pending_signoff"


def test_an_approver_known_to_github_by_another_login_is_refused_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """rita signs off as her OS login; GitHub knows her as qa-rlopez, who merged PRs of
    the release. The roles file's ``identities`` joins the two."""
    controls, state = _demo_run(tmp_path, monkeypatch, extra="identities: {rita: [qa-rlopez]}")
    with pytest.raises(NotAuthorized, match=r"rita \(GitHub login qa-rlopez\) authored or "
                                            "merged"):
        controls.signoff.decide(state["report_id"], "rita", Decision.APPROVE, "fine")
    [refusal] = controls.audit.entries(AuditFilter(action="signoff.refused", actor="rita"))
    assert "separation of duties" in refusal.payload["why"]
    assert controls.registry.get(state["report_id"]).status.value == "pending_signoff"


def test_an_organisation_may_turn_separation_of_duties_off_for_releases(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    controls, state = _demo_run(tmp_path, monkeypatch,
                                extra="separation_of_duties: {release: false}")
    decided = controls.signoff.decide(state["report_id"], "jdiaz", Decision.APPROVE, "small team")
    assert decided.status.value == "approved"


def test_reports_export_on_the_command_line(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from advisor.cli import app

    controls, state = _demo_run(tmp_path, monkeypatch)
    controls.signoff.decide(state["report_id"], "rita", Decision.REJECT, "PAY-121 first")
    out = tmp_path / "export"
    result = CliRunner().invoke(app, ["reports", "export", state["report_id"], "--format",
                                      "md,json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in out.iterdir()) == [".json", ".md"]
    assert "Rejected by rita on " in (out / f"{state['report_id']}.md").read_text()


def test_a_report_stored_before_schema_1_1_still_exports() -> None:
    from agents.aggregate import ReleaseReport

    old = {"subject": "s", "overall_score": 100, "verdict": "not assessed",
           "recommendation": "r", "contributions": [], "top_risks": [], "agents": []}
    report = ReleaseReport.model_validate(old)
    assert report.verdict == "cannot assess" and report.counts.total == 0
    assert "not recorded" in report.verdict_rule
