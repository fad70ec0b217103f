"""Kubernetes manifests and Helm values: limits, probes, privileged, image tags, replicas."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.models import Confidence, Severity
from agents.platform.workloads import image_problem
from tests.agents.platform.factories import added_file, changed, of, pr, run, snapshot

RISKY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments-api
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/payments-api:latest
          securityContext:
            privileged: true
      initContainers:
        - name: migrate
          image: ghcr.io/acme/payments-migrate@sha256:0123456789abcdef
          resources:
            limits: {memory: 256Mi}
"""

SAFE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments-api
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/payments-api:1.4.2
          resources:
            requests: {cpu: 250m, memory: 256Mi}
            limits: {memory: 512Mi}
          readinessProbe:
            httpGet: {path: /ready, port: 8080}
          livenessProbe:
            httpGet: {path: /live, port: 8080}
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: report
              image: ghcr.io/acme/report:2.0.0
              resources:
                limits: {memory: 128Mi}
"""


def _kinds(report):  # type: ignore[no-untyped-def]
    return sorted((f.category, f.severity.value) for f in report.findings
                  if f.category not in ("rollout-strategy",))


def test_risky_deployment_is_flagged_per_container() -> None:
    report = run(snapshot([pr(1, [added_file("k8s/deployment.yaml", RISKY)])]))
    assert _kinds(report) == [
        ("missing-health-probe", "high"), ("missing-resource-limits", "medium"),
        ("privileged-container", "high"), ("unpinned-image", "medium")]
    probe = of(report, "missing-health-probe")[0]
    assert probe.title.startswith("Deployment/payments-api container api: has no readinessProbe")
    assert probe.confidence is Confidence.HIGH  # a new file: the PR adds it
    assert probe.evidence[0].ref == "k8s/deployment.yaml:10 (acme/payments-api#1)"
    image = of(report, "unpinned-image")[0]
    assert "latest" in image.title and image.evidence[0].line == 11


def test_safe_manifests_have_no_findings() -> None:
    report = run(snapshot([pr(1, [added_file("k8s/app.yaml", SAFE)])]))
    assert report.findings == []
    assert report.metrics["manifests_checked"] == 1


@pytest.mark.parametrize(("image", "problem"), [
    ("nginx", "no tag"), ("nginx:latest", "latest"), ("registry:5000/team/app", "no tag"),
    ("registry:5000/team/app:1.2", None), ("app:LATEST@sha256:abc", None), ("app:1.0", None),
])
def test_image_tags(image: str, problem: str | None) -> None:
    assert image_problem(image) == problem


def test_helm_values_are_walked() -> None:
    values = """replicaCount: 2
image:
  repository: ghcr.io/acme/payments-api
  tag: latest
resources: {}
worker:
  securityContext:
    privileged: true
  image: ghcr.io/acme/worker
"""
    report = run(snapshot([pr(1, [added_file("helm/values-prod.yaml", values)])]))
    assert _kinds(report) == [
        ("missing-resource-limits", "medium"), ("privileged-container", "high"),
        ("unpinned-image", "medium"), ("unpinned-image", "medium")]


def test_pinned_helm_values_pass() -> None:
    values = ("image:\n  repository: ghcr.io/acme/api\n  tag: 1.4.2\n"
              "resources:\n  limits:\n    memory: 512Mi\n")
    assert run(snapshot([pr(1, [added_file("helm/values.yaml", values)])])).findings == []


def test_replicas_cut_to_one_and_decreased() -> None:
    patch = changed("k8s/deployment.yaml", """@@ -5,3 +5,3 @@ metadata:
 spec:
-  replicas: 3
+  replicas: 1
   template:
""")
    values = changed("helm/values-prod.yaml",
                     "@@ -1,2 +1,2 @@\n-replicaCount: 6\n+replicaCount: 4\n image:\n")
    tf = changed("infra/ecs.tf", '@@ -3,2 +3,2 @@ resource "aws_ecs_service" "api" {\n'
                                 '-  desired_count = 4\n+  desired_count = 2 # cost\n')
    found = of(run(snapshot([pr(1, [patch, values, tf])])), "capacity-reduced")
    assert sorted((f.title, f.severity.value) for f in found) == [
        ("desired_count lowered from 4 to 2 (infra/ecs.tf)", "medium"),
        ("replicaCount lowered from 6 to 4 (helm/values-prod.yaml)", "medium"),
        ("replicas lowered from 3 to 1 (k8s/deployment.yaml)", "high"),
    ]
    assert "33 % less capacity" in next(f for f in found if "6 to 4" in f.title).explanation


def test_replicas_raised_or_ambiguous_are_not_cuts() -> None:
    raised = changed("k8s/a.yaml", "@@ -5,2 +5,2 @@\n-  replicas: 2\n+  replicas: 4\n")
    moved = changed("k8s/b.yaml", "@@ -5,4 +5,4 @@\n-  replicas: 3\n-    replicas: 3\n"
                                  "+  replicas: 3\n+    replicas: 1\n")
    ambiguous = changed("k8s/c.yaml", "@@ -5,3 +5,2 @@\n-  replicas: 3\n-  replicas: 5\n"
                                      "+  replicas: 1\n")
    # moved: same indent pairs 3 -> 3; the nested key pairs 3 -> 1 and is a cut.
    found = of(run(snapshot([pr(1, [raised, moved, ambiguous])])), "capacity-reduced")
    assert [f.title for f in found] == ["replicas lowered from 3 to 1 (k8s/b.yaml)"]


def test_malformed_values_are_unreadable_not_a_crash() -> None:
    report = run(snapshot([pr(1, [added_file("helm/values.yaml", "image:\n  tag: [1.0\n")])]))
    found = of(report, "input-unreadable")
    assert len(found) == 1
    assert found[0].title == "Could not read helm/values.yaml as Helm values (YAML)"
    assert "line" in found[0].explanation


def test_malformed_manifest_is_unreadable_but_other_yaml_is_ignored() -> None:
    broken = "apiVersion: v1\nkind: Service\nmetadata: {name: [x\n"
    other = "just: [broken\n"
    report = run(snapshot([pr(1, [added_file("k8s/svc.yaml", broken),
                                  added_file("config/other.yaml", other)])]))
    assert [f.title for f in of(report, "input-unreadable")] == [
        "Could not read k8s/svc.yaml as a Kubernetes manifest"]


def test_helm_templates_are_skipped() -> None:
    template = ("apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: "
                "{{ .Values.replicaCount }}\n")
    report = run(snapshot([pr(1, [added_file("chart/templates/deploy.yaml", template)])]))
    assert report.findings == [] and report.metrics["templates_skipped"] == 1


def test_without_post_change_text_added_lines_are_read_and_a_gap_says_so() -> None:
    patch = changed("k8s/deployment.yaml", """@@ -9,3 +9,4 @@ spec:
       containers:
         - name: api
-          image: ghcr.io/acme/payments-api:1.4.1
+          image: ghcr.io/acme/payments-api
+          securityContext: {privileged: true}
""")
    report = run(snapshot([pr(1, [patch])]))
    image = of(report, "unpinned-image")
    assert len(image) == 1 and image[0].confidence is Confidence.MEDIUM
    assert "diff lines only" in image[0].explanation
    assert not of(report, "privileged-container")  # flow style is not a line the rule reads
    assert any("limits and probes" in g.what for g in report.gaps)


def test_clone_at_the_pr_head_supplies_the_whole_file(tmp_path: Path) -> None:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "deployment.yaml").write_text(SAFE.replace("1.4.2", "1.4.3"))
    patch = changed("k8s/deployment.yaml", """@@ -11,1 +11,1 @@
-          image: ghcr.io/acme/payments-api:1.4.2
+          image: ghcr.io/acme/payments-api:1.4.3
""")
    report = run(snapshot([pr(1, [patch])]), repo_path=tmp_path)
    assert report.findings == [] and not any("limits" in g.what for g in report.gaps)


def test_preexisting_issue_in_a_changed_file_has_medium_confidence(tmp_path: Path) -> None:
    (tmp_path / "k8s").mkdir()
    text = RISKY.replace("replicas: 3", "replicas: 4")
    (tmp_path / "k8s" / "deployment.yaml").write_text(text)
    patch = changed("k8s/deployment.yaml", "@@ -6,1 +6,1 @@\n-  replicas: 3\n+  replicas: 4\n")
    report = run(snapshot([pr(1, [patch])]), repo_path=tmp_path)
    privileged = of(report, "privileged-container")[0]
    assert privileged.confidence is Confidence.MEDIUM and "predates" in privileged.explanation
    assert privileged.severity is Severity.HIGH


def test_workflows_are_not_workloads() -> None:
    workflow = "jobs:\n  build:\n    container:\n      image: node\n"
    assert run(snapshot([pr(1, [added_file(".github/workflows/ci.yml", workflow)])])).findings == []
