"""environment-drift: per-environment files compared beyond an allow-list."""

from __future__ import annotations

from pathlib import Path

from agents.models import Confidence, Severity
from agents.platform.envdrift import flatten
from agents.platform.environments import EnvironmentGroup, Environments, load_environments
from tests.agents.platform.factories import added_file, changed, of, pr, run, snapshot

TFVARS = Environments(groups=[EnvironmentGroup(
    name="terraform variables",
    environments={"prod": ["envs/prod/*.tfvars"], "staging": ["envs/staging/*.tfvars"]},
    allow=["instance_type", "*_count", "tags.*"])])
HELM = Environments(groups=[EnvironmentGroup(
    name="helm values", environments={"prod": ["helm/values-prod.yaml"],
                                      "staging": ["helm/values-staging.yaml"]},
    allow=["replicaCount"])])

PROD = """instance_type = "m6i.xlarge"
node_count    = 6
db_multi_az   = true
log_level     = "warn"
tags = { Env = "prod" }
"""
STAGING = """instance_type = "t3.large"
node_count    = 2
db_multi_az   = false
tags = { Env = "staging" }
feature_x     = true
"""


def _repo(tmp_path: Path, prod: str = PROD, staging: str = STAGING) -> Path:
    for env, text in (("prod", prod), ("staging", staging)):
        folder = tmp_path / "envs" / env
        folder.mkdir(parents=True)
        (folder / "main.tfvars").write_text(text)
    return tmp_path


def test_flatten_nests_mappings_and_keeps_lists() -> None:
    assert flatten({"a": {"b": 1, "c": [1, 2]}, "d": {}}) == {"a.b": 1, "a.c": [1, 2], "d": {}}


def test_drift_beyond_the_allow_list(tmp_path: Path) -> None:
    report = run(snapshot([]), repo_path=_repo(tmp_path), environments=TFVARS)
    found = of(report, "environment-drift")
    assert len(found) == 1
    finding = found[0]
    assert finding.title == "3 terraform variables key(s) differ between prod and staging"
    assert ("differ: db_multi_az; only in prod: log_level; only in staging: feature_x"
            in finding.explanation)
    assert finding.severity is Severity.LOW  # the release does not touch these files
    assert "m6i" not in finding.model_dump_json()  # values are never shown
    assert {e.ref for e in finding.evidence} == {"envs/prod/main.tfvars",
                                                 "envs/staging/main.tfvars"}


def test_only_allowed_differences_is_not_drift(tmp_path: Path) -> None:
    staging = PROD.replace("m6i.xlarge", "t3.large").replace("6", "2").replace('"prod"', '"stg"')
    report = run(snapshot([]), repo_path=_repo(tmp_path, staging=staging), environments=TFVARS)
    assert not of(report, "environment-drift")
    assert report.metrics["environment_pairs_compared"] == 1


def test_files_the_release_touches_use_their_post_change_text(tmp_path: Path) -> None:
    repo = _repo(tmp_path, staging=PROD)  # the clone has no drift...
    touched = added_file("envs/staging/extra.tfvars", "enable_debug = true\n")  # ...the PR adds
    report = run(snapshot([pr(7, [touched])]), repo_path=repo, environments=TFVARS)
    finding = of(report, "environment-drift")[0]
    assert "only in staging: enable_debug" in finding.explanation
    assert finding.severity is Severity.MEDIUM and finding.confidence is Confidence.HIGH
    assert any(e.ref == "envs/staging/extra.tfvars (acme/payments-api#7)"
               for e in finding.evidence)


def test_helm_values_from_prs_only() -> None:
    prod = added_file("helm/values-prod.yaml", "replicaCount: 6\nimage:\n  pullPolicy: Always\n")
    staging = added_file("helm/values-staging.yaml",
                         "replicaCount: 2\nimage:\n  pullPolicy: IfNotPresent\n")
    report = run(snapshot([pr(1, [prod, staging])]), environments=HELM)
    assert "differ: image.pullPolicy" in of(report, "environment-drift")[0].explanation


def test_malformed_tfvars_is_unreadable(tmp_path: Path) -> None:
    report = run(snapshot([]), repo_path=_repo(tmp_path, staging="node_count = = 2\n"),
                 environments=TFVARS)
    found = of(report, "input-unreadable")
    assert [f.title for f in found] == [
        "Could not read envs/staging/main.tfvars as Terraform variables (HCL)"]
    assert not of(report, "environment-drift")


def test_without_clone_or_touched_files_it_is_a_gap() -> None:
    report = run(snapshot([pr(1, [changed("app.py", "@@ -1 +1 @@\n-a\n+b\n")])]),
                 environments=TFVARS)
    assert not of(report, "environment-drift")
    assert any(g.what == "environment drift (terraform variables)" for g in report.gaps)


def test_one_environment_unreadable_is_a_gap(tmp_path: Path) -> None:
    (tmp_path / "envs" / "prod").mkdir(parents=True)
    (tmp_path / "envs" / "prod" / "main.tfvars").write_text(PROD)
    report = run(snapshot([]), repo_path=tmp_path, environments=TFVARS)
    assert any(g.what == "environment drift (terraform variables, staging)" for g in report.gaps)


def test_the_shipped_environments_file_loads() -> None:
    shipped = Path(__file__).resolve().parents[3] / "config" / "environments.yaml"
    loaded = load_environments(shipped)
    assert [g.name for g in loaded.groups] == ["terraform variables", "helm values"]
    assert loaded.groups[0].baseline == "prod"
