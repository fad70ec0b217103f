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
