"""secret: detect-secrets on added lines; the value never reaches any output."""

from __future__ import annotations

from agents.models import Confidence, Severity
from tests.agents.security.builders import added, changed, hunk, pull, reviewer

AWS_KEY = "AKIAZ3MHN7QWERTY5XVB"  # shaped like an access key id, not a real one
GITHUB_TOKEN = "ghp_" + "Zx9Lm2Qw8Er4Ty6Ui0Op3As5Df7Gh1Jk2Lzq"
PASSWORD = "Tr0ub4dor-and-3"


def _secrets(pr):  # type: ignore[no-untyped-def]
    return [f for f in reviewer().review(pr).findings if f.category == "secret"]


def test_token_shaped_secret_in_an_added_line_is_reported_without_its_value() -> None:
    patch = hunk(1, 1, [" import os", f'+AWS_ACCESS_KEY_ID = "{AWS_KEY}"', " DEBUG = False"])
    [finding] = _secrets(pull(changed("app/settings.py", patch)))
    assert finding.severity is Severity.HIGH and finding.confidence is Confidence.HIGH
    assert finding.cwe == ["CWE-798"]
    assert finding.owasp == ["A07:2021-Identification and Authentication Failures"]
    assert finding.evidence[0].ref.startswith("app/settings.py:2")
    assert finding.evidence[0].url == "https://github.com/acme/pay/pull/12"
    assert AWS_KEY not in finding.model_dump_json()
    assert "[REDACTED" in (finding.evidence[0].detail or "")


def test_keyword_and_github_token_each_get_a_finding() -> None:
    pr = pull(added("svc/client.py", [f'password = "{PASSWORD}"', f'token = "{GITHUB_TOKEN}"']))
    findings = _secrets(pr)
    assert {f.title.split(" added")[0] for f in findings} == {"Secret Keyword", "GitHub Token"}
    dumped = "".join(f.model_dump_json() for f in findings)
    assert PASSWORD not in dumped and GITHUB_TOKEN not in dumped


def test_removed_lines_context_and_filtered_values_are_not_reported() -> None:
    patch = hunk(1, 1, [f'-AWS_ACCESS_KEY_ID = "{AWS_KEY}"', '+password = os.environ["PW"]',
                        '+api_key = "${API_KEY}"',
                        f'+db_password = "{PASSWORD}"  # pragma: allowlist secret'])
    assert _secrets(pull(changed("app/settings.py", patch))) == []


def test_lock_files_are_skipped_as_detect_secrets_does() -> None:
    assert _secrets(pull(added("poetry.lock", [f'password = "{PASSWORD}"']))) == []


def test_test_data_lowers_confidence() -> None:
    [finding] = _secrets(pull(added("tests/fixtures/keys.py", [f'KEY = "{AWS_KEY}"'])))
    assert finding.confidence is Confidence.MEDIUM


def test_private_key_is_critical() -> None:
    body = ["-----BEGIN RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEAx" + "a" * 40,
            "-----END RSA PRIVATE KEY-----"]
    [finding] = _secrets(pull(added("deploy/id_rsa.txt", body)))
    assert finding.severity is Severity.CRITICAL


# Vendor formats from the token catalogue: shaped like the real ones, not real.
ANTHROPIC = "sk-ant-api03-" + ("Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2Yz3" * 3)[:93] + "AA"
SLACK_WORKFLOW = ("https://hooks.slack.com/workflows/T01ABCDEF/A02BCDEFG/"
                  "432156789012345678/abcdefGHIJKLmnopQRSTuvwx")
AZURE_SECRET = "abc8Q~Zq1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tUv"


def test_vendor_tokens_from_the_catalogue_each_get_their_rule_id() -> None:
    found = _secrets(pull(added("app/keys.py", [
        f'ANTHROPIC_KEY = "{ANTHROPIC}"', f'HOOK = "{SLACK_WORKFLOW}"',
        f'AZURE_CLIENT_SECRET = "{AZURE_SECRET}"'])))
    assert {f.rule_id for f in found} == {"RRA-SECRET-ANTHROPIC-API-KEY",
                                          "RRA-SECRET-SLACK-WEBHOOK-URL",
                                          "RRA-SECRET-AZURE-AD-CLIENT-SECRET"}
    dumped = "".join(f.model_dump_json() for f in found)
    assert ANTHROPIC not in dumped and AZURE_SECRET not in dumped and "432156789012" not in dumped


def test_a_gcp_service_account_key_file_is_found_across_lines() -> None:
    key = ("-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n"
           "-----END PRIVATE KEY-----\\n")
    lines = ["{", '  "type": "service_account",', '  "project_id": "shop-prod",',
             '  "private_key_id": "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",',
             f'  "private_key": "{key}",',
             '  "client_email": "deploy@shop-prod.iam.gserviceaccount.com"', "}"]
    found = _secrets(pull(added("deploy/sa.json", lines)))
    assert {f.evidence[0].line for f in found} >= {4, 5}
    assert "MIIEvQIBADAN" not in "".join(f.model_dump_json() for f in found)


def test_a_secret_in_a_multi_line_yaml_value_is_found_on_its_own_line() -> None:
    lines = ["database:", "  host: db.internal", "  password: |", "    Zx8!qL2#vR9mT4pW",
             "  pool: 5", "cache:", "  password: ${CACHE_PASSWORD}", "  token: changeme"]
    [finding] = _secrets(pull(added("deploy/values.yaml", lines)))
    assert finding.rule_id == "RRA-SECRET-YAML-VALUE" and finding.evidence[0].line == 4
    assert "Zx8!qL2" not in finding.model_dump_json()


def test_the_catalogue_keeps_the_plausibility_filters() -> None:
    assert _secrets(pull(added("app/conf.py", [
        'api_key = "${API_KEY}"', "secret_token = get_secret('token')",
        'ACCESS_KEY_ID = "00000000-0000-0000-0000-000000000000"']))) == []


def test_every_catalogue_format_compiles() -> None:
    from agents.security.catalogue import catalogue

    book = catalogue()
    book.compile_all()
    assert len(book.rules) >= 200 and book.skipped == ["pkcs12-file"]  # a path-only rule
