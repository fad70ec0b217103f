""".tf diffs without a plan: removed resource blocks, protection turned off, touched blocks."""

from __future__ import annotations

from agents.models import Confidence, Severity
from agents.platform.changes import changed_iac
from agents.platform.terraform_diff import read_terraform_changes
from tests.agents.platform.factories import FIXTURES, changed, of, pr, run, snapshot

REMOVE_DB = changed("infra/db.tf", """@@ -1,9 +1,0 @@
-resource "aws_db_instance" "legacy" {
-  identifier          = "payments-legacy"
-  engine              = "postgres"
-  deletion_protection = true
-
-  lifecycle {
-    prevent_destroy = true
-  }
-}
""")

REMOVE_QUEUE = changed("infra/queue.tf", """@@ -3,4 +3,0 @@ provider "aws" {
-resource "aws_sns_topic" "alerts" {
-  name = "payments-alerts"
-}
-
""")


def _changes(*files):  # type: ignore[no-untyped-def]
    iac = changed_iac([pr(1, files)], None, ("values*.yaml",), 2_000_000)
    return read_terraform_changes(iac, ("deletion_protection",))


def test_removed_resource_block_is_destructive() -> None:
    found = of(run(snapshot([pr(1, [REMOVE_DB, REMOVE_QUEUE])])), "destructive-change")
    by_title = {f.title: f for f in found}
    db = by_title["Resource block removed: aws_db_instance.legacy (infra/db.tf)"]
    assert db.severity is Severity.CRITICAL  # stateful, and its protection went with it
    assert db.confidence is Confidence.MEDIUM  # a plan would confirm it
    assert db.evidence[0].ref == "infra/db.tf:1 (removed, acme/payments-api#1)"
    assert db.evidence[0].url == "https://github.com/acme/payments-api/pull/1/files"
    topic = by_title["Resource block removed: aws_sns_topic.alerts (infra/queue.tf)"]
    assert topic.severity is Severity.MEDIUM
    # The removed protection lines belong to the removed block: no separate finding.
    assert not of(run(snapshot([pr(1, [REMOVE_DB])])), "protection-removed")


def test_moves_and_forgets_are_not_removals() -> None:
    moved = changed("infra/moved.tf", """@@ -0,0 +1,8 @@
+moved {
+  from = aws_db_instance.legacy
+  to   = aws_db_instance.main
+}
+resource "aws_sns_topic" "alerts_v2" {
+  name = "payments-alerts"
+}
+
""")
    forgotten = changed("infra/forget.tf", """@@ -0,0 +1,6 @@
+removed {
+  from = aws_sns_topic.alerts
+  lifecycle {
+    destroy = false
+  }
+}
""")
    tf = _changes(REMOVE_DB, REMOVE_QUEUE, moved, forgotten)
    assert tf.removed == []


def test_a_block_moved_to_another_file_is_not_removed() -> None:
    readded = changed("infra/messaging.tf", """@@ -0,0 +1,3 @@
+resource "aws_sns_topic" "alerts" {
+  name = "payments-alerts"
+}
""")
    assert _changes(REMOVE_QUEUE, readded).removed == []


def test_prevent_destroy_removed_from_a_kept_block() -> None:
    patch = changed("infra/db.tf", """@@ -10,6 +10,3 @@ resource "aws_db_instance" "main" {
   engine = "postgres"
-  lifecycle {
-    prevent_destroy = true
-  }
 }
""")
    found = of(run(snapshot([pr(1, [patch])])), "protection-removed")
    assert len(found) == 1
    assert found[0].title == "prevent_destroy turned off: aws_db_instance.main (infra/db.tf)"
    assert found[0].severity is Severity.HIGH and "plans never show it" in found[0].explanation


def test_deletion_protection_set_to_false() -> None:
    patch = changed("infra/cache.tf", """@@ -4,3 +4,3 @@ resource "aws_lb" "public" {
   internal = false
-  enable_deletion_protection = true
+  enable_deletion_protection = false
""")
    found = of(run(snapshot([pr(1, [patch])]),
                   {"plans": {"protection_keys": ["enable_deletion_protection"]}}),
               "protection-removed")
    assert [f.severity for f in found] == [Severity.MEDIUM]  # aws_lb is not stateful
    assert found[0].evidence[0].ref == "infra/cache.tf:5 (acme/payments-api#1)"
    assert found[0].evidence[0].url == ("https://github.com/acme/payments-api/blob/"
                                        f"{1:040x}/infra/cache.tf#L5")


def test_protection_kept_is_not_a_finding() -> None:
    patch = changed("infra/db.tf", """@@ -4,3 +4,3 @@ resource "aws_db_instance" "main" {
-  deletion_protection = true # old comment
+  deletion_protection = true
   engine = "postgres"
""")
    assert not of(run(snapshot([pr(1, [patch])])), "protection-removed")


def test_touched_blocks_come_from_hunk_context_and_headers() -> None:
    patch = changed("infra/main.tf", """@@ -10,3 +10,3 @@ resource "aws_instance" "web" {
-  ami = "a"
+  ami = "b"
 }
+resource "aws_eip" "web" {
+}
@@ -30,2 +32,2 @@ module "network" {
-  cidr = "10.0.0.0/16"
+  cidr = "10.1.0.0/16"
@@ -50,2 +52,2 @@ locals {
-  env = "prod"
+  env = "production"
""")
    tf = _changes(patch)
    assert tf.touched == {("aws_instance", "web"), ("aws_eip", "web")}
    assert tf.modules == {"network"}
    assert tf.indirect and "locals" in tf.indirect[0]


def test_a_plan_of_the_same_resource_wins_over_the_diff() -> None:
    patch = changed("infra/main.tf", """@@ -80,3 +80,0 @@
-resource "aws_s3_bucket" "audit_logs" {
-  bucket = "payments-audit-logs"
-}
""")
    report = run(snapshot([pr(1, [patch])]), plans=[FIXTURES / "plan_release.json"])
    titles = [f.title for f in of(report, "destructive-change")]
    assert "Plan destroys aws_s3_bucket.audit_logs" in titles
    assert not any(t.startswith("Resource block removed") for t in titles)
