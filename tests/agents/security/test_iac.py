"""iac: our Terraform rules on parsed HCL, line rules on hunks, plans, checkov reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.iac.checkov import CheckovReportError, load_checkov_report, parse_checkov
from agents.iac.hcl import parse_terraform
from agents.iac.plan import plan_changes, plan_resources
from agents.iac.terraform_rules import RuleSettings, evaluate, removed_protections
from agents.models import Confidence, Severity
from agents.security import SecurityAgent
from tests.agents.security.builders import CRITICAL, added, changed, files, hunk, pull, reviewer

IAM = "IAM policy with wildcard actions or resources"
SG = '''resource "aws_security_group" "db" {
  name = "db"
  ingress {
    from_port   = {port}
    to_port     = {port}
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
'''


def _iac(tf: str, path: str = "infra/main.tf", **policy: object) -> list:  # type: ignore[type-arg]
    review = reviewer(**policy).review(pull(added(path, tf.splitlines())))
    return [f for f in review.findings if "iac" in f.categories]


def _rules(findings: list) -> list[str]:  # type: ignore[type-arg]
    """The rules that fired, also where another scanner flagged the same line first."""
    titles = [r.title for f in findings for r in f.reasons if r.category == "iac"]
    titles += [f.title for f in findings if not f.reasons]
    return sorted(t.split(":")[0].split(" (")[0] for t in titles)


def test_security_group_open_beyond_web_ports() -> None:
    [finding] = _iac(SG.replace("{port}", "22"))
    assert finding.severity is Severity.HIGH and finding.confidence is Confidence.HIGH
    assert "aws_security_group.db" in finding.title
    assert finding.evidence[0].line == 7 and finding.cwe == ["CWE-284"]
    assert finding.owasp == ["A05:2021-Security Misconfiguration"]


def test_security_group_open_on_a_web_port_is_fine() -> None:
    assert _iac(SG.replace("{port}", "443")) == []
    assert _iac(SG.replace("{port}", "8443"), web_ports=[8443]) == []


@pytest.mark.parametrize(("tf", "rule"), [
    ('resource "aws_s3_bucket" "b" {\n  acl = "public-read"\n}\n',
     "S3 bucket or object with a public ACL"),
    ('resource "aws_s3_bucket_public_access_block" "b" {\n  bucket = aws_s3_bucket.b.id\n'
     '  block_public_acls = false\n}\n', "S3 public access block turned off"),
    ('resource "aws_s3_bucket_policy" "b" {\n  policy = jsonencode({\n    Statement = [{\n'
     '      Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "*"\n'
     '    }]\n  })\n}\n', "S3 bucket policy open to any principal"),
    ('resource "aws_iam_policy" "p" {\n  policy = <<EOF\n{"Statement": [{"Effect": "Allow",'
     ' "Action": "*", "Resource": "*"}]}\nEOF\n}\n', IAM),
    ('data "aws_iam_policy_document" "d" {\n  statement {\n    actions = ["*"]\n'
     '    resources = ["arn:aws:s3:::b"]\n  }\n}\n', IAM),
    ('resource "aws_db_instance" "db" {\n  storage_encrypted = false\n}\n',
     "Encryption turned off"),
    ('resource "aws_instance" "i" {\n  root_block_device {\n    encrypted = false\n  }\n}\n',
     "Encryption turned off"),
    ('resource "aws_cloudtrail" "t" {\n  enable_logging = false\n}\n', "Logging turned off"),
    ('resource "aws_lb" "l" {\n  access_logs {\n    bucket = "x"\n    enabled = false\n  }\n}\n',
     "Logging turned off"),
    ('resource "aws_kms_key" "k" {\n  enable_key_rotation = false\n}\n',
     "KMS key rotation turned off"),
])
def test_each_rule_fires_on_its_minimal_case(tf: str, rule: str) -> None:
    assert rule in _rules(_iac(tf))


@pytest.mark.parametrize("tf", [
    'resource "aws_s3_bucket" "b" {\n  acl = "private"\n}\n',
    'resource "aws_s3_bucket_public_access_block" "b" {\n  block_public_acls = true\n}\n',
    'resource "aws_iam_policy" "p" {\n  policy = jsonencode({Statement = [{Effect = "Allow",'
    ' Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::b/*"]}]})\n}\n',
    'resource "aws_iam_policy" "p" {\n  policy = jsonencode({Statement = [{Effect = "Deny",'
    ' Action = "*", Resource = "*"}]})\n}\n',
    'resource "aws_db_instance" "db" {\n  storage_encrypted = true\n  password = var.db_pw\n'
    '  deletion_protection = true\n}\n',
    'resource "aws_kms_key" "k" {\n  enable_key_rotation = true\n}\n',
])
def test_each_rule_stays_quiet_on_a_safe_case(tf: str) -> None:
    assert _iac(tf) == []


def test_hardcoded_credential_never_shows_the_value() -> None:
    tf = 'provider "aws" {\n  region = "eu-west-1"\n  secret_key = "wJalrXUtnFEMI-not-real"\n}\n'
    findings = _iac(tf)
    assert "Credential hard-coded in Terraform" in _rules(findings)
    dumped = "".join(f.model_dump_json() for f in findings)
    assert "wJalrXUtnFEMI-not-real" not in dumped


def test_only_resources_the_pr_touches_are_reported() -> None:
    head = SG.replace("{port}", "22") + 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n'
    patch = hunk(10, 10, [' resource "aws_s3_bucket" "b" {', '-  bucket = "old"',
                          '+  bucket = "x"', " }"])
    review = reviewer(content=files({"infra/main.tf": head})).review(
        pull(changed("infra/main.tf", patch)))
    assert [f for f in review.findings if f.category == "iac"] == []


def test_without_content_line_rules_run_with_lower_confidence_and_a_gap() -> None:
    patch = hunk(3, 3, ["   ingress {", '+    cidr_blocks = ["0.0.0.0/0"]', "   }"])
    review = reviewer().review(pull(changed("infra/sg.tf", patch)))
    [finding] = [f for f in review.findings if f.category == "iac"]
    assert finding.confidence is Confidence.LOW and "diff lines only" in finding.explanation
    assert any("Terraform rules on diff lines only" in g.why for g in review.gaps)


def test_removed_kms_key_is_reported_from_the_diff() -> None:
    patch = hunk(1, 1, [' resource "aws_ebs_volume" "v" {', "-  kms_key_id = aws_kms_key.k.arn",
                        "   size = 10", " }"])
    review = reviewer().review(pull(changed("infra/ebs.tf", patch)))
    [finding] = [f for f in review.findings if f.category == "iac"]
    assert finding.title.startswith("KMS key removed")
    kept = hunk(1, 1, ["-  kms_key_id = aws_kms_key.k.arn", "+  kms_key_id = aws_kms_key.j.arn"])
    assert [f for f in reviewer().review(pull(changed("infra/ebs.tf", kept))).findings
            if f.category == "iac"] == []


def test_unparsable_hcl_is_named_and_the_lines_still_checked() -> None:
    review = reviewer().review(pull(added("infra/bad.tf", [
        'resource "aws_kms_key" "k" {', "  enable_key_rotation = false"])))
    assert sorted(f.category for f in review.findings) == ["iac", "input-unreadable"]


def test_rules_run_on_plan_json_too() -> None:
    plan = {"planned_values": {"root_module": {"resources": [{
        "address": "aws_security_group_rule.ssh", "mode": "managed",
        "type": "aws_security_group_rule", "name": "ssh",
        "values": {"type": "ingress", "from_port": 22, "to_port": 22, "protocol": "tcp",
                   "cidr_blocks": ["0.0.0.0/0"]}}], "child_modules": [{"resources": [{
        "address": "module.db.aws_db_instance.db", "mode": "managed", "type": "aws_db_instance",
        "name": "db", "values": {"password": "from-a-variable", "storage_encrypted": True,
                                 "deletion_protection": True}}]}]}},
        "resource_changes": [{"address": "aws_ebs_volume.v", "type": "aws_ebs_volume",
                              "change": {"actions": ["update"], "before": {"kms_key_id": "k"},
                                         "after": {"kms_key_id": None}}}]}
    settings = RuleSettings(origin="plan")
    hits = {r.address: [h.rule_id for h in evaluate(r.type, r.attributes, settings)]
            for r in plan_resources(plan)}
    assert hits == {"aws_security_group_rule.ssh": ["sg-open-ingress"],
                    "aws_db_instance.db": []}  # plans resolve variables: no credential rule
    [change] = plan_changes(plan)
    assert [h.rule_id for h in removed_protections(change.type, change.before, change.after)] == [
        "kms-key-removed"]


CHECKOV_JSON = {"check_type": "terraform", "results": {"failed_checks": [{
    "check_id": "CKV_AWS_20", "check_name": "S3 Bucket has an ACL defined which allows public "
    "READ access.", "file_path": "/main.tf", "file_line_range": [1, 3],
    "resource": "aws_s3_bucket.b", "severity": None,
    "guideline": "https://docs.prismacloud.io/en/"}]}}
CHECKOV_SARIF = {"version": "2.1.0", "runs": [{
    "tool": {"driver": {"name": "Checkov", "rules": [{
        "id": "CKV_AWS_20", "shortDescription": {"text": "S3 Bucket public READ"}}]}},
    "results": [{"ruleId": "CKV_AWS_20", "level": "error", "message": {"text": "x"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "main.tf"},
                                                     "region": {"startLine": 2}}}]}]}]}


@pytest.mark.parametrize("report", [CHECKOV_JSON, [CHECKOV_JSON], CHECKOV_SARIF])
def test_checkov_failures_on_changed_files_become_findings(report: object,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "checkov.json"
    path.write_text(json.dumps(report))
    pr = pull(changed("infra/main.tf", hunk(1, 1, [' resource "aws_s3_bucket" "b" {',
                                                    "+  tags = {}"])))
    agent = SecurityAgent(checkov_report=path, critical_paths=CRITICAL)
    checkov = [f for f in agent.review_pull(pr).findings if "checkov" in f.title]
    [finding] = checkov
    assert finding.category == "iac" and finding.title.startswith("checkov CKV_AWS_20")
    assert "imported" in finding.explanation and finding.evidence[0].path == "infra/main.tf"


def test_checkov_failures_on_other_files_are_left_out() -> None:
    [failure] = parse_checkov(CHECKOV_JSON)
    assert failure.path == "main.tf" and failure.line == 1
    pr = pull(changed("app.py", hunk(1, 1, ["+x = 1"])))
    assert SecurityAgent(critical_paths=CRITICAL).review_pull(pr).findings == []


def test_a_broken_checkov_report_is_input_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "checkov.json"
    path.write_text("{not json")
    with pytest.raises(CheckovReportError):
        load_checkov_report(path)
    review = SecurityAgent(checkov_report=path, critical_paths=CRITICAL).review_pull(
        pull(changed("app.py", hunk(1, 1, ["+x = 1"]))))
    assert [f.category for f in review.findings] == ["input-unreadable"]


def test_a_heredoc_whose_closing_marker_has_trailing_spaces_parses() -> None:
    tf = ('resource "aws_iam_policy" "p" {\n  policy = <<EOF\n{"Statement": [{"Effect": '
          '"Allow", "Action": "*", "Resource": "*"}]}\nEOF   \n}\n')
    [resource] = parse_terraform(tf)
    assert '"Effect": "Allow"' in resource.attributes["policy"]
    assert [f.rule_id for f in _iac(tf)] == ["RRA-TF-IAM-WILDCARD"]


def test_the_diff_line_fallback_does_not_flag_a_wildcard_in_a_deny_statement() -> None:
    lines = ['resource "aws_iam_policy" "guard" {', "  policy = <<EOF", '{"Statement": [{',
             '  "Effect": "Deny",', '  "Action": "*",', '  "Resource": "*"', "}]}", "EOF",
             "  broken = ", "}"]  # does not parse: the line rules run on the diff
    review = reviewer().review(pull(added("infra/guard.tf", lines)))
    assert [f.category for f in review.findings] == ["input-unreadable"]
    allow = [line.replace('"Deny"', '"Allow"') for line in lines]
    review = reviewer().review(pull(added("infra/grant.tf", allow)))
    assert {f.rule_id for f in review.findings if f.category == "iac"} == {"RRA-TF-IAM-WILDCARD"}
