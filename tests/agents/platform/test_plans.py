"""Terraform plans: reading, destructive changes, protection, security rules, drift hints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.models import Confidence, EvidenceKind, Severity
from agents.platform.plan_model import PlanError, action_of, load_plan
from tests.agents.platform.factories import FIXTURES, changed, of, pr, run, snapshot

RELEASE = FIXTURES / "plan_release.json"
QUIET = FIXTURES / "plan_quiet.json"

# A .tf diff that touches every resource the release plan changes, so no drift hint.
TOUCHING = changed("infra/main.tf", """@@ -1,4 +1,4 @@ resource "aws_db_instance" "main" {
   identifier = "payments-prod"
-  engine     = "postgres"
+  engine     = "aurora-postgresql"
   instance_class = "db.r6g.large"
@@ -20,3 +20,3 @@ resource "aws_instance" "web" {
-  ami = "ami-0a1b2c3d4e5f60718"
+  ami = "ami-0fedcba9876543210"
   instance_type = "m6i.large"
@@ -40,3 +40,8 @@ resource "aws_security_group" "api" {
   name = "payments-api"
+  ingress {
+    from_port   = 22
+    to_port     = 22
+    cidr_blocks = ["0.0.0.0/0"]
+  }
@@ -60,2 +65,3 @@ resource "aws_lambda_function" "worker" {
   function_name = "payments-worker"
+  memory_size   = 512
@@ -70,2 +76,3 @@ module "queue" {
   source = "./modules/queue"
+  visibility_timeout_seconds = 120
@@ -80,3 +87,0 @@ resource "aws_s3_bucket" "audit_logs" {
-resource "aws_s3_bucket" "audit_logs" {
-  bucket = "payments-audit-logs"
-}
""")


def test_reads_the_documented_format() -> None:
    plan = load_plan(RELEASE)
    assert plan.format_version == "1.2" and plan.terraform_version == "1.9.5"
    actions = {c.address: c.action for c in plan.changes}
    assert actions["aws_db_instance.main"] == "replace"
    assert actions["aws_instance.web[0]"] == "create-before-destroy"
    assert actions["aws_s3_bucket.audit_logs"] == "delete"
    assert actions["data.aws_caller_identity.current"] == "read"
    db = next(c for c in plan.changes if c.address == "aws_db_instance.main")
    assert db.replace_paths == ("engine",) and db.action_reason == "replace_because_cannot_update"
    assert [d.address for d in plan.drift] == ["aws_autoscaling_group.web"]


@pytest.mark.parametrize(("actions", "expected"), [
    (("delete", "create"), "replace"), (("create", "delete"), "create-before-destroy"),
    (("forget",), "forget"), (("create", "forget"), "replace-forget"),
    (("delete", "frobnicate"), "delete"), (("frobnicate",), "unknown"),
])
def test_action_names(actions: tuple[str, ...], expected: str) -> None:
    assert action_of(actions) == expected


def test_destructive_changes_weighted_by_state_and_protection() -> None:
    report = run(snapshot([pr(1, [TOUCHING])]), plans=[RELEASE])
    found = {f.evidence[0].ref: f for f in of(report, "destructive-change")}
    db = found["plan_release.json: aws_db_instance.main"]
    assert db.severity is Severity.CRITICAL  # stateful, and deletion_protection true -> false
    assert "deletion_protection from true to false" in db.explanation
    assert "replacement forced by: engine" in db.explanation
    assert db.evidence[0].kind is EvidenceKind.PLAN and db.confidence is Confidence.HIGH
    bucket = found["plan_release.json: aws_s3_bucket.audit_logs"]
    assert bucket.severity is Severity.HIGH
    assert "no longer in the configuration" in bucket.explanation
    web = found["plan_release.json: aws_instance.web[0]"]
    assert web.severity is Severity.LOW  # stateless, create-before-destroy
    assert "snapshot" in db.recommendation and "moved block" in bucket.recommendation


def test_no_destructive_change_in_a_quiet_plan() -> None:
    report = run(snapshot([]), plans=[QUIET])
    assert not of(report, "destructive-change") and not of(report, "protection-removed")


def test_stateful_types_are_configurable() -> None:
    report = run(snapshot([pr(1, [TOUCHING])]), {"plans": {"stateful_types": ["aws_instance"]}},
                 plans=[RELEASE])
    web = next(f for f in of(report, "destructive-change") if "aws_instance" in f.title)
    assert web.severity is Severity.HIGH


def test_plan_counts_by_action_in_metrics() -> None:
    report = run(snapshot([]), plans=[RELEASE])
    metrics = report.metrics
    assert metrics["plans_read"] == 1
    assert (metrics["plan_replace"], metrics["plan_create_before_destroy"],
            metrics["plan_delete"], metrics["plan_update"], metrics["plan_create"],
            metrics["plan_no_op"], metrics["plan_read"]) == (1, 1, 1, 2, 1, 1, 1)


def test_protection_turned_off_without_a_destroy(tmp_path: Path) -> None:
    doc = json.loads(QUIET.read_text())
    db = doc["resource_changes"][1]["change"]
    db["actions"], db["after"]["deletion_protection"] = ["update"], False
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(doc))
    found = of(run(snapshot([]), plans=[plan]), "protection-removed")
    assert [f.severity for f in found] == [Severity.HIGH]
    assert "deletion_protection" in found[0].evidence[0].detail  # type: ignore[operator]


def test_security_rules_run_on_the_planned_state() -> None:
    report = run(snapshot([pr(1, [TOUCHING])]), plans=[RELEASE])
    [sg] = of(report, "security-relevant-change")  # the SSH rule
    assert "aws_security_group.api" in sg.title and "22-22" in sg.explanation
    assert sg.cwe == ["CWE-284"] and sg.severity is Severity.HIGH
    # The replaced database's deletion protection is off: one planned change, one finding
    # with both reasons (agents/rootcause.py).
    [db] = [f for f in report.findings if "aws_db_instance.main" in f.title]
    assert "security-relevant-change" in db.categories
    assert "deletion_protection" in db.explanation


def test_security_rules_skip_what_was_already_there(tmp_path: Path) -> None:
    doc = json.loads(RELEASE.read_text())
    sg = next(c for c in doc["resource_changes"] if c["address"] == "aws_security_group.api")
    sg["change"]["after"]["ingress"] = sg["change"]["before"]["ingress"]  # 443 only, as before
    db = next(c for c in doc["resource_changes"] if c["address"] == "aws_db_instance.main")
    db["change"]["after"]["deletion_protection"] = True  # kept, as before
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(doc))
    assert not of(run(snapshot([]), plans=[plan]), "security-relevant-change")


def test_sensitive_values_never_reach_the_report() -> None:
    report = run(snapshot([pr(1, [TOUCHING])]), plans=[RELEASE])
    assert "plan-secret-Vx93kQ2mZp" not in report.model_dump_json()


@pytest.mark.parametrize(("name", "reason"), [
    ("plan_format2.json", "unsupported format_version 2.0"),
    ("plan_truncated.json", "not JSON"),
    ("state.json", "a state, not a plan"),
    ("missing.json", "file not found"),
])
def test_unreadable_plans_are_findings_not_crashes(name: str, reason: str) -> None:
    report = run(snapshot([]), plans=[FIXTURES / name])
    found = of(report, "input-unreadable")
    assert len(found) == 1 and name in found[0].title and reason in found[0].explanation
    assert found[0].evidence[0].path == name  # the input's name, never this machine's path
    assert str(FIXTURES) not in found[0].model_dump_json()


def test_plan_error_messages_hold_no_values(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"format_version": "1.2", "resource_changes": [
        {"address": "x.y", "change": {"actions": "delete", "before": {"password": "s3cr3t"}}}]}))
    with pytest.raises(PlanError) as caught:
        load_plan(plan)
    assert "s3cr3t" not in str(caught.value) and "actions" in str(caught.value)


def test_errored_plan_is_a_gap(tmp_path: Path) -> None:
    doc = json.loads(QUIET.read_text())
    doc["errored"] = True
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(doc))
    report = run(snapshot([]), plans=[plan])
    assert any(g.source == "terraform-plan" and "errors" in g.why for g in report.gaps)


def test_drift_outside_terraform_is_a_hint() -> None:
    found = of(run(snapshot([pr(1, [TOUCHING])]), plans=[RELEASE]), "drift-hint")
    assert [f.title for f in found] == [
        "1 resource(s) changed outside Terraform (plan_release.json)"]
    assert found[0].evidence[0].ref == "plan_release.json: aws_autoscaling_group.web"


def test_changes_the_diff_does_not_touch_are_a_hint() -> None:
    other = changed("infra/dns.tf", '@@ -1,2 +1,2 @@ resource "aws_route53_record" "api" {\n'
                                    '-  ttl = 60\n+  ttl = 300\n')
    found = of(run(snapshot([pr(1, [other])]), plans=[RELEASE]), "drift-hint")
    unexplained = next(f for f in found if "not touched" in f.title)
    refs = {e.ref for e in unexplained.evidence}
    assert "plan_release.json: aws_db_instance.main" in refs
    assert "plan_release.json: module.queue.aws_sqs_queue.jobs" in refs
    assert unexplained.severity is Severity.MEDIUM  # a destroy is among them
    assert unexplained.confidence is Confidence.MEDIUM


def test_without_github_the_comparison_is_a_gap() -> None:
    report = run(snapshot(github=False), plans=[RELEASE])
    assert not any("not touched" in f.title for f in of(report, "drift-hint"))
    assert any(g.what == "drift hints for plan_release.json" for g in report.gaps)
