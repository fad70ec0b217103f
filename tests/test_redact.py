"""Redaction of secrets and PII (governance/redact.py).

Every secret below is fake: random characters in the shape of the real thing.
"""

from __future__ import annotations

import json
import socket
from collections import namedtuple
from typing import Any

import pytest

from governance import redact as redact_module
from governance.redact import RedactionResult, Redactor, redact, redact_data

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiJyZWxlYXNlLWJvdCIsImlzcyI6ImNpLmV4YW1wbGUuY29tIiwiaWF0IjoxNzE2MjAwMDAwfQ"
    ".odJFCrnl2edlBDdz1C5Jau2RJtBRnlWmTSHf6pWkLUy"
)
GITHUB_PAT = (
    "github_pat_0eWIXiiQE8JkqH3MB9n7IW"
    "_USmTtzQPxC5HChpoevbLJoLoaeTOdoe5c3veGprQFnIiU74KKEpYEZAmggQ"
)
STRIPE_LIVE = (
    "sk_live_iBlrDp37eCZ32JgdPI1af7W2pkAFEn3z5dkyayq7YYDsBS9UYJQTFjmsn9dLVIdVuddLEG62Hkd9Gf2"
    "leMeR3pzh84KpLMcNfAQ"
)
SLACK_WEBHOOK = "https://hooks.slack.com/services/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"
RSA_KEY = """-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAv4Lq0Wm3yQ2b7sP9Yd1XcT5nKj8rA2uHf6LzE0oVgN4iRtBk
9aWcDx7Hs1Uy3Qe5Zp0Fm2Jv8Lr6Tn4Kb1Gd9Xw3Ci7Oq5Ya2Sh8Ue0Ij6Mf4Pt1
Nl3Rz9Wd7Vb5Xe2Ka8Hc0Jg6Lm4Qs1Tu3Iy5Ow7Pv9Ex2Ab4Cd6Ef8Gh0Ij2Kl4M
-----END RSA PRIVATE KEY-----"""
OPENSSH_KEY = """-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACBvZm4xZmFrZWtleWZvcnRlc3RzT25seU5vdFJlYWxBdEFsbAAAAJgL6Lnq
-----END OPENSSH PRIVATE KEY-----"""
EC_KEY = """-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIBfakeFakeFakeFakeFakeFakeFakeFakeFakeFakeoAoGCCqGSM49AwEHoU
QDQgAEfakekeymaterialonlyfortestsXJ0ZXN0cw==
-----END EC PRIVATE KEY-----"""
PUTTY_KEY = """PuTTY-User-Key-File-2: ssh-rsa
Encryption: none
Comment: release-bot
Public-Lines: 1
AAAAB3NzaC1yc2EAAAADAQABAAABAQDfakepublicpartonlyfortests
Private-Lines: 1
AAABAQCfakeprivatekeymaterialonlyfortestsAAAAgQD3fake
Private-MAC: 8e2f0c1d9a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d"""
ENCRYPTED_KEY = """-----BEGIN ENCRYPTED PRIVATE KEY-----
MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQIfakeSaltAgIIADAMBgg
-----END ENCRYPTED PRIVATE KEY-----"""

# (id, text, kind, secret values that must disappear, expected count of that kind)
SECRETS: list[tuple[str, str, str, tuple[str, ...], int]] = [
    ("aws-key-id-diff", "+AWS_ACCESS_KEY_ID=AKIAQX4Z7RWM2KJ5TNPB\n", "aws-access-key",
     ("AKIAQX4Z7RWM2KJ5TNPB",), 1),
    ("aws-key-id-boto", 'client = boto3.client("s3", aws_access_key_id="ASIAV3KQ9ZP2M7WX4RTY")',
     "aws-access-key", ("ASIAV3KQ9ZP2M7WX4RTY",), 1),
    ("aws-secret-python", 'aws_secret_access_key = "ifDLkDmWJ6UuVTAIjvFu7WICPhDeOZIiBOB+Y6sH"',
     "aws-secret-key", ("ifDLkDmWJ6UuVTAIjvFu7WICPhDeOZIiBOB+Y6sH",), 1),
    ("aws-secret-env", "AWS_SECRET_ACCESS_KEY=ifDLkDmWJ6UuVTAIjvFu7WICPhDeOZIiBOB+Y6sH\n",
     "aws-secret-key", ("ifDLkDmWJ6UuVTAIjvFu7WICPhDeOZIiBOB+Y6sH",), 1),
    ("aws-secret-yaml", "aws:\n  secret_access_key: ifDLkDmWJ6UuVTAIjvFu7WICPhDeOZIiBOB+Y6sH\n",
     "password", ("ifDLkDmWJ6UuVTAIjvFu7WICPhDeOZIiBOB+Y6sH",), 1),
    ("github-ghp-yaml", "github:\n  token: ghp_ipVJIqVLB5LzxoiGFfWd3hjOkYRBMeyyMDHq\n",
     "github-token", ("ghp_ipVJIqVLB5LzxoiGFfWd3hjOkYRBMeyyMDHq",), 1),
    ("github-gho-json", '{"oauth": {"access_token": "gho_J38aRUhR4IWrXPvhsBkDa9U4UqGWlG6g3Ot1"}}',
     "github-token", ("gho_J38aRUhR4IWrXPvhsBkDa9U4UqGWlG6g3Ot1",), 1),
    ("github-ghs-ci-log",
     "2024-05-01T12:00:03Z git clone https://x-access-token:"
     "ghs_OGMmjxWkI9X7H6aMuFbh7x41Ztpdp4K8ffUF@github.com/acme/api.git",
     "github-token", ("ghs_OGMmjxWkI9X7H6aMuFbh7x41Ztpdp4K8ffUF",), 1),
    ("github-fine-grained-pr-body",
     f"I used `{GITHUB_PAT}` to test the workflow locally, will revoke it after merge.",
     "github-token", (GITHUB_PAT, GITHUB_PAT[30:]), 1),
    ("slack-bot-env",
     "SLACK_BOT_TOKEN=xoxb-2714835590123-6071239847512-BwBAD3UdRPPgdzUvZ3gpmmIC\n",
     "slack-token", ("xoxb-2714835590123-6071239847512-BwBAD3UdRPPgdzUvZ3gpmmIC",), 1),
    ("slack-webhook-yaml", f"notify:\n  webhook_url: {SLACK_WEBHOOK}\n", "slack-webhook",
     (SLACK_WEBHOOK, "DNKgeInGqi7w4e4pxskC1ITt"), 1),
    ("stripe-live-python", f'stripe.api_key = "{STRIPE_LIVE}"', "stripe-key",
     (STRIPE_LIVE, STRIPE_LIVE[40:]), 1),
    ("stripe-restricted-env", "STRIPE_RK=rk_live_LKHu7qnQTupqziQPtDu7W7ea\n", "stripe-key",
     ("rk_live_LKHu7qnQTupqziQPtDu7W7ea",), 1),
    ("jwt-jira",
     f"Steps to reproduce:\n1. curl -H 'Authorization: Bearer {JWT}' https://api.example.com/v2\n"
     "2. Observe the 500 response.",
     "jwt", (JWT, JWT.rsplit(".", 1)[1]), 1),
    ("url-password-postgres-env",
     "DATABASE_URL=postgresql://app_rw:Zq7-Kp2mVx9L@db.internal.example.com:5432/releases\n",
     "url-password", ("Zq7-Kp2mVx9L",), 1),
    ("url-password-https-prose",
     "Mirror with https://deploy:p%40ss-w0rd-2024@git.example.com/acme/tools.git for now.",
     "url-password", ("p%40ss-w0rd-2024",), 1),
    ("url-password-redis-no-user", 'REDIS_URL="redis://:Tr0ub4dor-3x@cache.internal:6379/0"',
     "url-password", ("Tr0ub4dor-3x",), 1),
    ("password-python-diff", '+    password = "hunter2-long"\n', "password", ("hunter2-long",), 1),
    ("password-python-kwarg", 'conn = connect(host="db", password="hunter2-long", port=5432)',
     "password", ("hunter2-long",), 1),
    ("password-yaml-unquoted", "database:\n  user: releases\n  password: hunter2-long\n",
     "password", ("hunter2-long",), 1),
    ("password-yaml-quoted", "database:\n  password: 'hunter2-long'\n", "password",
     ("hunter2-long",), 1),
    ("password-json", '{"user": "releases", "password": "hunter2-long", "api_key": "k3y-9f8e7d"}',
     "password", ("hunter2-long", "k3y-9f8e7d"), 2),
    ("password-env", "DB_USER=releases\nDB_PASSWORD=hunter2-long\nexport API_TOKEN=tok-5f4e3d2c\n",
     "password", ("hunter2-long", "tok-5f4e3d2c"), 2),
    ("password-env-quoted", 'DB_PASSWORD="hunter2-long"\n', "password", ("hunter2-long",), 1),
    ("password-jira-prose",
     "Log in to staging as qa-admin (Password: hunter2-long) and open the release page.",
     "password", ("hunter2-long",), 1),
    ("password-libpq-dsn", 'dsn = "host=db.internal user=app password=hunter2-long dbname=rr"',
     "password", ("hunter2-long",), 1),
    ("password-python-annotated",
     'class Settings(BaseSettings):\n    api_key: str = "k3y-9f8e7d6c5b"\n', "password",
     ("k3y-9f8e7d6c5b",), 1),
    ("password-typescript", 'const dbPassword: string = "hunter2-long";', "password",
     ("hunter2-long",), 1),
    ("password-go", 'password := "hunter2-long"', "password", ("hunter2-long",), 1),
    ("password-cli-flag",
     "$ docker login --password=hunter2-long registry.example.com\n"
     "$ mytool --token s3cr3t-t0k3n --verbose\n",
     "password", ("hunter2-long", "s3cr3t-t0k3n"), 2),
    ("auth-header-curl",
     "curl -H 'Authorization: Bearer 7f3kq9z2x8vPqL5mN1c' https://api.example.com/v1/releases",
     "auth-header", ("7f3kq9z2x8vPqL5mN1c",), 1),
    ("auth-header-basic", '"headers": {"Authorization": "Basic cmVsZWFzZTpodW50ZXIyLWxvbmc="}',
     "auth-header", ("cmVsZWFzZTpodW50ZXIyLWxvbmc=",), 1),
    ("email-pr-body", "Reviewed-by: Alice Smith <alice.smith@example.com>\nThanks!", "email",
     ("alice.smith@example.com",), 1),
    ("email-mailto", "[Contact the on-call](mailto:oncall+release@corp.example.org)", "email",
     ("oncall+release@corp.example.org",), 1),
    ("phone-us", "Escalate to the release manager at (415) 555-0132 after 6pm.", "phone",
     ("555-0132",), 1),
    ("phone-international", "Vendor hotline: +1 415 555 0100 (24/7).", "phone",
     ("415 555 0100",), 1),
    ("phone-gb", "UK support desk 020 7946 0958", "phone", ("7946 0958",), 1),
    ("phone-de", "Bitte rufen Sie 030 1234567 an.", "phone", ("1234567",), 1),
    ("phone-fr", "Support : +33 1 23 45 67 89", "phone", ("23 45 67 89",), 1),
    ("card-visa-spaces", "Customer paid with 4111 1111 1111 1111, exp 12/27.", "payment-card",
     ("4111 1111 1111 1111",), 1),
    ("card-mastercard-dashes", "card=5555-5555-5555-4444", "payment-card",
     ("5555-5555-5555-4444",), 1),
    ("card-amex", "Amex 3782 822463 10005 declined", "payment-card", ("3782 822463 10005",), 1),
    ("card-discover-compact", '{"pan": "6011111111111117"}', "payment-card",
     ("6011111111111117",), 1),
    ("iban-grouped", "Refund to IBAN DE89 3704 0044 0532 0130 00 please.", "iban",
     ("DE89 3704 0044 0532 0130 00", "0532 0130"), 1),
    ("iban-compact", "iban: GB82WEST12345698765432", "iban", ("GB82WEST12345698765432",), 1),
    ("iban-fr", "Virement sur FR14 2004 1010 0505 0001 3M02 606 reçu.", "iban",
     ("FR14 2004 1010 0505 0001 3M02 606",), 1),
    ("us-ssn", "Applicant SSN: 219-09-9999 (verified)", "us-ssn", ("219-09-9999",), 1),
    ("private-key-rsa", f"key.pem:\n{RSA_KEY}\n", "private-key", (RSA_KEY, "MIIEowIBAAKCAQEA"), 1),
    ("private-key-openssh", OPENSSH_KEY, "private-key", ("b3BlbnNzaC1rZXktdjEAAAAABG5vbmU",), 1),
    ("private-key-ec", EC_KEY, "private-key", ("MHcCAQEEIBfake",), 1),
    ("private-key-encrypted", ENCRYPTED_KEY, "private-key", ("MIIFHDBOBgkqhkiG9w0B",), 1),
    ("private-key-putty", f"bot.ppk:\n{PUTTY_KEY}\n", "private-key",
     ("AAABAQCfakeprivatekeymaterial", "Private-MAC: 8e2f"), 1),
    ("private-key-in-json", '{"key": "' + RSA_KEY.replace("\n", "\\n") + '"}', "private-key",
     ("MIIEowIBAAKCAQEA",), 1),
]

# Other detect-secrets plugins: kinds are their secret_type, slugified.
PLUGIN_SECRETS: list[tuple[str, str, str]] = [
    ('cloudant_password = "09348334896a68f812d810a485ed03241b4d419b1b673bd4755d05ad7853c1f7"',
     "cloudant-credentials", "09348334896a68f812d810a485ed03241b4d419b1b673bd4755d05ad7853c1f7"),
    ('ibm_cloud_iam_key = "z6SNDCdyZQJiJSZQdoHwHen3SO3oXyGf3azU3iQOpMN0"', "ibm-cloud-iam-key",
     "z6SNDCdyZQJiJSZQdoHwHen3SO3oXyGf3azU3iQOpMN0"),
    ('ibm_cos_hmac_secret_access_key = "ac946dc59c0996daeee6f529a279764017f2ed6cfc7403d7"',
     "ibm-cos-hmac-credentials", "ac946dc59c0996daeee6f529a279764017f2ed6cfc7403d7"),
    ('softlayer_api_key = "l73d9ph3i379u26192k42qpr75pr2esprvu8fijoyjne00v830dn0yby4awty088"',
     "softlayer-credentials", "l73d9ph3i379u26192k42qpr75pr2esprvu8fijoyjne00v830dn0yby4awty088"),
    ("artifactory: AKCeC8wLtO9BSqD2tmy2EgpyKwKsSsb1QzraK3RXVd6MV", "artifactory-credentials",
     "AKCeC8wLtO9BSqD2tmy2EgpyKwKsSsb1QzraK3RXVd6MV"),
    ("MAILCHIMP=o5or15byvzk3i8bzbf1i3ldqyun3uvyr-us12", "mailchimp-access-key",
     "o5or15byvzk3i8bzbf1i3ldqyun3uvyr-us12"),
    ("bot 123456789:1Gk8cgSCifdFzctEq8oB7GVvouNndNWYzjF", "telegram-bot-token",
     "1Gk8cgSCifdFzctEq8oB7GVvouNndNWYzjF"),
    ("TWILIO_SID=ACgthcw81xe6va05g1x3j1l7r8431rupfr", "twilio-api-key",
     "ACgthcw81xe6va05g1x3j1l7r8431rupfr"),
    ("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", "sendgrid-api-key",
     "E8_5clLCZFNV8S2QT6INGDpyOpxyB9JKmyLDUwMbqJf"),
    ("square: sq0csp-gLq-nbK894RxgG9oiZ-jgttMkFp1CW54M2NhmABHkuE", "square-oauth-secret",
     "gLq-nbK894RxgG9oiZ-jgttMkFp1CW54M2NhmABHkuE"),
    ("gitlab: glpat-wjua058LeDKK6jDHz2oC", "gitlab-token", "wjua058LeDKK6jDHz2oC"),
    ("//registry.npmjs.org/:_authToken=npm_pHAKRYlklfN3yNRpF6LjoDOqDqQa5ZD5sRIk", "npm-tokens",
     "pHAKRYlklfN3yNRpF6LjoDOqDqQa5ZD5sRIk"),
    ("openai = sk-proj-4IiyDxQ8VS8IALVUj4APT3BlbkFJg1FNA88rcSxnCC8p2xgR", "openai-token",
     "4IiyDxQ8VS8IALVUj4APT3BlbkFJg1FNA88rcSxnCC8p2xgR"),
    ("DISCORD=MfN4eUqlLP1wzqUIvG9LRo7j.sCYUlY.bHp6VHWVnD8dPCi7M0orfeM-omE", "discord-bot-token",
     "bHp6VHWVnD8dPCi7M0orfeM-omE"),
    ("DefaultEndpointsProtocol=https;AccountName=rr;AccountKey=tIsjhvNK4p7MZI/4kf3PGdlDcIfw84Jx3"
     "+l8S0QPnuQ0/KZe6lOGPoZa70gyU/4gAIqK4+pdEuNb0lCo7pt/LI==",
     "azure-storage-account-access-key", "tIsjhvNK4p7MZI/4kf3PGdlDcIfw84Jx3"),
]

UNCHANGED: list[tuple[str, str]] = [
    ("python-function", '''\
def connect(host: str, password: str, *, timeout: float = 5.0) -> Connection:
    """Open a connection; the password is never logged."""
    if not password:
        raise ValueError("password is required")
    token = settings.github_token
    secret = os.environ["DB_PASSWORD"]
    return Connection(host=host, password=password, timeout=timeout)
'''),
    ("python-settings-model", '''\
class Settings(BaseSettings):
    api_key: SecretStr
    password: str | None = None
    token: Optional[str] = None
    max_tokens: int = 4096
'''),
    ("python-kwargs",
     "    client = Client(\n        api_key=api_key,\n        password=password,\n    )\n"),
    ("git-sha", "commit 3f2a9c1e0b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8e\nMerge: 1a2b3c4 5d6e7f8\n"),
    ("uuid", "request_id=550e8400-e29b-41d4-a716-446655440000 trace 7d0c9b2e-61f4-4a52-b1b9-0c2f"
             "d3a1e8f7"),
    ("semver", "Bumps pydantic from 2.7.1 to 2.8.0; release 1.2.3-rc.1+build.5 and v10.4.2.1."),
    ("iso-dates", "Deployed 2024-05-01, rolled back 2024-05-01T12:30:45Z, retried "
                  "2024-05-01T12:30:45.123+02:00 and 2024/05/02 (01/05/2024)."),
    ("requirements", "requests==2.31.0\npydantic>=2.7,<3\nphonenumbers~=8.13.40\n"
                     "boto3==1.34.131 ; python_version >= '3.11'\n"),
    ("terraform", '''\
resource "aws_db_instance" "main" {
  engine         = "postgres"
  instance_class = "db.t3.micro"
  username       = var.db_username
  password       = var.db_password
  port           = 5432
}
'''),
    ("markdown", "# Release notes\n\n- **Fixed** the retry loop (#1234)\n"
                 "- See [the docs](https://example.com/docs/v2) and `advisor audit verify`.\n"),
    ("plain-numbers", "Processed 12345678 rows in 1712345678901 ms; build 20240501; port 8080."),
    ("non-luhn-16-digits", "Order ref 4111 1111 1111 1112 was rejected; id 1234567812345678."),
    ("invalid-iban", "IBAN DE89 3704 0044 0532 0130 01 fails its checksum."),
    ("invalid-ssns", "Not SSNs: 000-12-3456, 666-12-3456, 912-34-5678, 123-00-4567, 123-45-0000."),
    ("password-prose", "Rotate the database password before the release; the secret manager "
                       "owns it. Passwords: see the runbook."),
    ("yaml-references", "env:\n  DB_PASSWORD: ${{ secrets.DB_PASSWORD }}\n  API_KEY: ${API_KEY}\n"
                        "  password: \"{{ vault_password }}\"\n  token_count: 17\n"
                        "  secret_name: prod-db-creds\n"),
    ("ssh-remote", "git remote add origin git@github.com:acme/release-risk.git"),
    ("ips-and-floats", "Hosts 10.0.0.1 and 192.168.100.200; pi is 3.14159265358979."),
    ("hashes", "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 "
               "md5 d41d8cd98f00b204e9800998ecf8427e"),
    ("npm-scoped", "npm i lodash@4.17.21 @types/node@20.11.5"),
    ("python-annotations", "def make_rev_args(username: str | None, password: HiddenText | None)"
                           " -> CommandArgs:\n    password: HiddenText | None = None\n"),
    ("docstring-params", '    """\n    token: The token of this node.\n'
                         "    password: The password part of the URL, or omit for none.\n"
                         '    """\n'),
    ("cli-docs", "Pass credentials with the --username and --password options, e.g. "
                 "`gh auth login --token TOKEN` or `--token $GITHUB_TOKEN`; "
                 "`docker login --password-stdin` reads stdin.\n"
                 'parser.add_argument("--password", help="database password")\n'),
    ("constants", 'PASSWORD_FIELD = "password"\nALGORITHM = "RSA"\n'
                  'secret_type = "Twilio API Key"\nPASSWORD=CHANGEME\n'),
    ("url-placeholders", ":connectstring: postgresql://<username>:<password>@<host>/<db>\n"
                         "Masked proxy url, i.e. https://***:***@proxy.example.com\n"),
    ("pem-marker-constants", '_SK_START = b"-----BEGIN OPENSSH PRIVATE KEY-----"\n'
                             '_SK_END = b"-----END OPENSSH PRIVATE KEY-----"\n'),
    ("phone-lookalikes", "texture (standard error):   0.36   4.885\n"
                         "deprecated in 13.0 - 2024-08-20; doi:10.1155/2012/674832; "
                         "ISBN 0-471-22361-1; fractions 71/1920, 17253/339200.\n"),
    ("already-redacted", "token=[REDACTED:github-token] mail [REDACTED:email] "
                         "password: [REDACTED:password] url https://u:[REDACTED:url-password]@h/x"),
    ("empty", ""),
]


@pytest.mark.parametrize(("text", "kind", "values", "count"),
                         [pytest.param(*case[1:], id=case[0]) for case in SECRETS])
def test_secret_or_pii_is_masked(text: str, kind: str, values: tuple[str, ...],
                                 count: int) -> None:
    result = redact(text)
    for value in values:
        assert value not in result.text
    assert f"[REDACTED:{kind}]" in result.text
    assert result.counts == {kind: count}
    assert result.redacted


@pytest.mark.parametrize(("text", "kind", "value"), PLUGIN_SECRETS,
                         ids=[kind for _, kind, _ in PLUGIN_SECRETS])
def test_other_detect_secrets_plugins_use_slugified_types(text: str, kind: str,
                                                          value: str) -> None:
    result = redact(text)
    assert value not in result.text
    assert kind in result.counts


@pytest.mark.parametrize("text", [pytest.param(text, id=name) for name, text in UNCHANGED])
def test_ordinary_text_is_unchanged(text: str) -> None:
    result = redact(text)
    assert result.text == text
    assert result.counts == {}
    assert not result.redacted


def test_url_password_keeps_scheme_user_and_host() -> None:
    result = redact("postgresql://app_rw:Zq7-Kp2mVx9L@db.internal:5432/releases")
    assert result.text == "postgresql://app_rw:[REDACTED:url-password]@db.internal:5432/releases"


@pytest.mark.parametrize(("text", "expected"), [
    ("origin git@github.com:acme/api.git; ask git@example.com: she owns it",
     "origin git@github.com:acme/api.git; ask [REDACTED:email]: she owns it"),
    ("ssh://git@github.com/acme/api.git", "ssh://git@github.com/acme/api.git"),
    ("https://deploy:hunter2-long@git.example.com/x",
     "https://deploy:[REDACTED:url-password]@git.example.com/x"),
    ("owner:bob@example.com", "owner:[REDACTED:email]"),
    ("line one\nask bob@example.com:\nline three", "line one\nask [REDACTED:email]:\nline three"),
    ("/users?email=bob@example.com&page=2", "/users?email=[REDACTED:email]&page=2"),
])
def test_email_lookalikes(text: str, expected: str) -> None:
    # SSH remotes (git@host:path) and URL users (scheme://user@host) are not addresses:
    # a service account, not a person, and masking them would break the URL.
    assert redact(text).text == expected


@pytest.mark.parametrize("key", [RSA_KEY, OPENSSH_KEY, EC_KEY, ENCRYPTED_KEY])
def test_private_key_block_is_replaced_whole(key: str) -> None:
    result = redact(f"before\n{key}\nafter")
    assert result.text == "before\n[REDACTED:private-key]\nafter"
    assert result.counts == {"private-key": 1}


def test_private_key_without_end_is_masked_to_the_end() -> None:
    truncated = RSA_KEY.split("-----END")[0]
    result = redact(f"pasted from the vault:\n{truncated}")
    assert result.text == "pasted from the vault:\n[REDACTED:private-key]"


def test_existing_placeholders_are_cut_out_of_a_span() -> None:
    text = ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAv4Lq0Wm3yQ2b7sP9\n"
            "mail [REDACTED:email]\nYd1XcT5nKj8rA2uHf6LzE0oVgN4iRtBk")
    result = redact(text)
    assert result.text == "[REDACTED:private-key][REDACTED:email][REDACTED:private-key]"
    assert result.counts == {"private-key": 2}


@pytest.mark.parametrize("text", [pytest.param(case[1], id=case[0]) for case in SECRETS]
                         + [pytest.param(text, id=kind) for text, kind, _ in PLUGIN_SECRETS])
def test_redaction_is_idempotent(text: str) -> None:
    once = redact(text)
    twice = redact(once.text)
    assert twice.text == once.text
    assert twice.counts == {}


def test_placeholders_of_every_kind_are_left_alone() -> None:
    kinds = {case[2] for case in SECRETS} | {kind for _, kind, _ in PLUGIN_SECRETS}
    text = "\n".join(f"value: [REDACTED:{kind}]" for kind in sorted(kinds))
    assert redact(text).text == text


def test_mixed_document_counts_each_replacement() -> None:
    text = "\n".join(case[1] for case in SECRETS)
    result = redact(text)
    for _, _, _, values, _ in SECRETS:
        for value in values:
            assert value not in result.text
    assert sum(result.counts.values()) >= len(SECRETS)


@pytest.mark.parametrize(("text", "values"),
                         [pytest.param(case[1], case[3], id=case[0]) for case in SECRETS])
def test_result_never_carries_the_values(text: str, values: tuple[str, ...]) -> None:
    result = redact(text)
    for value in values:
        assert value not in repr(result)
        assert value not in result.model_dump_json()
    assert all(kind == kind.lower() and " " not in kind for kind in result.counts)


def test_every_assignment_on_a_long_line_is_masked() -> None:
    # detect-secrets' keyword plugin reports one match per regex per line; minified JSON
    # and log dumps put hundreds of assignments on one line.
    passwords = [f"pw-{n:04d}-x" for n in range(500)]
    line = json.dumps([{"user": f"u{n}", "password": pw} for n, pw in enumerate(passwords)])
    result = redact(line)
    assert not [pw for pw in passwords if pw in result.text]
    assert result.counts == {"password": 500}


def test_redact_data_walks_nested_structures() -> None:
    Point = namedtuple("Point", ["label", "n"])
    payload: dict[str, Any] = {
        "alice@example.com": {"reviewer": True, "count": 3},
        "steps": ["call +1 415 555 0100", ("ghp_ipVJIqVLB5LzxoiGFfWd3hjOkYRBMeyyMDHq", 7)],
        "point": Point("DB_PASSWORD=hunter2-long", 2),
        "flags": [True, None, 1.5, b"bytes stay"],
        "plain": "nothing to see",
    }
    result, counts = redact_data(payload)
    assert result == {
        "[REDACTED:email]": {"reviewer": True, "count": 3},
        "steps": ["call [REDACTED:phone]", ("[REDACTED:github-token]", 7)],
        "point": Point("DB_PASSWORD=[REDACTED:password]", 2),
        "flags": [True, None, 1.5, b"bytes stay"],
        "plain": "nothing to see",
    }
    assert type(result["point"]) is Point
    assert counts == {"email": 1, "github-token": 1, "password": 1, "phone": 1}
    assert payload["point"].label == "DB_PASSWORD=hunter2-long"  # the input is untouched


def test_redact_data_masks_values_under_credential_keys() -> None:
    payload = {"db": {"user": "releases", "password": "hunter2-long", "dbPassword": ""},
               "clientSecret": "s3cr3t", "token_count": "17", "apiKey": "[REDACTED:password]",
               "access_token": "ghp_ipVJIqVLB5LzxoiGFfWd3hjOkYRBMeyyMDHq"}
    result, counts = redact_data(payload)
    assert result == {"db": {"user": "releases", "password": "[REDACTED:password]",
                             "dbPassword": ""},
                      "clientSecret": "[REDACTED:password]", "token_count": "17",
                      "apiKey": "[REDACTED:password]",
                      "access_token": "[REDACTED:github-token]"}
    assert counts == {"github-token": 1, "password": 2}
    assert redact_data(result) == (result, {})


def test_redact_data_keeps_colliding_keys_apart() -> None:
    result, counts = redact_data({"a@example.com": 1, "b@example.com": 2})
    assert result == {"[REDACTED:email]": 1, "[REDACTED:email] #2": 2}
    assert counts == {"email": 2}


def test_redact_data_on_scalars() -> None:
    assert redact_data("mail bob@example.com") == ("mail [REDACTED:email]", {"email": 1})
    assert redact_data(42) == (42, {})
    assert redact_data(None) == (None, {})


def test_options_pii_entropy_and_regions() -> None:
    assert Redactor(pii=False).redact("mail bob@example.com").text == "mail bob@example.com"
    quoted = 'blob = "VThYJyp6lBcgQFqAiABDQsaJsqGwodqbTEPc"'
    assert redact(quoted).text == quoted
    assert "VThYJyp6" not in Redactor(entropy=True).redact(quoted).text
    us_only = Redactor(phone_regions=["US"])
    assert us_only.redact("UK desk 020 7946 0958").text == "UK desk 020 7946 0958"
    assert us_only.redact("UK desk +44 20 7946 0958").counts == {"phone": 1}
    with pytest.raises(ValueError, match="XX"):
        Redactor(phone_regions=["XX"])


def test_default_redactor_is_built_once_and_immutable() -> None:
    redactor = redact_module.default_redactor()
    assert redactor is redact_module.default_redactor()
    with pytest.raises(AttributeError):
        redactor._detectors = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        redactor.anything = 1  # type: ignore[attr-defined]


def test_result_is_frozen() -> None:
    result = redact("x")
    assert isinstance(result, RedactionResult)
    with pytest.raises(ValueError, match="frozen"):
        result.text = "y"  # type: ignore[misc]


def test_no_network_during_redaction(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("redaction must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    text = "\n".join([case[1] for case in SECRETS] + [t for t, _, _ in PLUGIN_SECRETS])
    assert Redactor(entropy=True).redact(text).redacted


def test_gates_never_hide_a_line_a_plugin_would_flag() -> None:
    # The pre-filters are derived from the plugins' regexes; check them against the
    # plugins themselves, line by line, on every sample.
    redactor = Redactor(entropy=True)
    text = "\n".join([case[1] for case in SECRETS] + [t for t, _, _ in PLUGIN_SECRETS]
                     + [text for _, text in UNCHANGED])
    scan = redact_module._Scan(text)
    scanners = [scanner for _, detector in redactor._detectors
                if isinstance(detector, redact_module.DetectSecretsDetector)
                for scanner in detector.scanners]
    assert len(scanners) > 20
    for scanner in scanners:
        selected = {offset for offset, _ in scanner.candidate_lines(scan)}
        for offset, line in scan.lines():
            if any(True for _ in scanner.plugin.analyze_string(line)):
                assert offset in selected, (type(scanner.plugin).__name__, line)


@pytest.mark.parametrize("entropy", [False, True])
def test_prefilter_skips_only_texts_no_gated_detector_would_flag(entropy: bool) -> None:
    # A text the one-search prefilter passes over must get exactly what running every
    # detector gives: compare the two, line by line and whole, on every sample.
    redactor = Redactor(entropy=entropy)
    samples = ([case[1] for case in SECRETS] + [t for t, _, _ in PLUGIN_SECRETS]
               + [text for _, text in UNCHANGED])
    skipped = 0
    for text in [*samples, "\n".join(samples)]:
        scan = redact_module._Scan(text)
        every = sorted(span for _, detector in redactor._detectors for span in detector(scan))
        if not redactor._prefilter.hits(redact_module._Scan(text)):
            skipped += 1
            quiet = sorted(span for _, d in redactor._quiet for span in d(scan))
            assert quiet == every, text
    assert skipped > 0  # the samples include plain text the prefilter lets through


def test_redacting_a_redacted_text_is_a_lookup_with_no_counts() -> None:
    redactor = Redactor()
    first = redactor.redact("token=ghp_" + "a1B2" * 9 + " for bob@example.com")
    assert first.counts == {"email": 1, "github-token": 1}
    again = redactor.redact(first.text)
    assert again.text == first.text and again.counts == {}
    long_text = "x" * 5000 + " bob@example.com"  # past the memo: redacted every time
    assert redactor.redact(long_text).counts == {"email": 1}
    assert redactor.redact(long_text).counts == {"email": 1}


def test_memo_drops_the_least_recently_used_past_its_budget() -> None:
    memo = redact_module._Memo(budget_chars=10, longest=10)
    for text in ("aaaa", "bbbb"):
        memo.put(text, redact_module.RedactionResult(text=text, counts={}))
    assert memo.get("aaaa") is not None  # now the most recently used
    memo.put("cccc", redact_module.RedactionResult(text="cccc", counts={}))
    assert memo.get("bbbb") is None
    assert memo.get("aaaa") is not None and memo.get("cccc") is not None


def test_necessary_part_drops_only_optional_heads() -> None:
    part = redact_module._necessary_part
    assert part(r'(?:\s|=|:|"|^)AKC[a-z]+', 0) == "AKC[a-z]+"
    assert part(r"(?:ibm|)(?:_|-|)(?:key|token)x", 0) == "(?:key|token)x"
    assert part(r"(?:a|b)?c", 0) == "c"
    assert part(r"(?:a|b)c", 0) == "(?:a|b)c"
    assert part(r"(?:a|)", 0) == "(?:a|)"  # nothing left: keep the whole regex
    assert part(r"(?:[(|]|)x", 0) == "x"
