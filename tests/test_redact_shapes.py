"""Shapes redaction used to miss (#17): keys known by their prefix or shape alone, an
address followed by a colon, cards grouped by dots, and full-width or zero-width evasions.

Every secret below is fake: random characters in the shape of the real thing.
"""

from __future__ import annotations

import pytest

from governance.redact import redact

ANTHROPIC = "sk-ant-api03-" + "Xq7vR2mK9pL4wT8nB3cF6hJ1sD5gA0zY" * 3 + "e4Ru-AA"
OPENAI_PROJECT = "sk-proj-" + "Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4Vb6Nm8" * 2
GOOGLE = "AIzaSyB4x9Qk2Lm7Np3Rt8Vw1Yz6Cd5Fg0Hj2Kq"
AWS_SECRET = "h8Kq2Zr5Tb9Wx3Yc6Vn1Mp4Ld7Fs0Gj2Ek5Ru8P/"  # 40 characters, no keyword near

# (id, text, kind, value that must disappear)
LEAKS: list[tuple[str, str, str, str]] = [
    ("anthropic", f"ANTHROPIC = {ANTHROPIC}", "anthropic-api-key", ANTHROPIC),
    ("anthropic-in-prose", f"use {ANTHROPIC} for now", "anthropic-api-key", ANTHROPIC[8:40]),
    ("openai-project", f"client = OpenAI({OPENAI_PROJECT!r})", "openai-token", OPENAI_PROJECT),
    ("google", f"maps?key={GOOGLE}&q=x", "google-api-key", GOOGLE),
    ("aws-secret-alone", f"creds:\n  - AKIA... then {AWS_SECRET}\n", "aws-secret-key",
     AWS_SECRET),
    ("aws-secret-example", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws-secret-key",
     "bPxRfiCY"),
    ("email-then-password", "dump: jane@acme.com:Hunter2Secret!", "email", "jane@acme.com"),
    ("password-after-email", "dump: jane@acme.com:Hunter2Secret!", "password", "Hunter2Secret"),
    ("email-in-a-path", "see notes/jane@acme.com.py:1", "email", "jane@acme.com"),
    ("card-with-dots", "card 4111.1111.1111.1111 on file", "payment-card", "4111.1111"),
    ("full-width-email", "mail ｊａｎｅ＠ａｃｍｅ．ｃｏｍ today", "email", "ａｃｍｅ"),
    ("full-width-card", "card ４１１１ １１１１ １１１１ １１１１", "payment-card", "１１１１"),
    ("zero-width-key", "AKIA\u200bQX4Z7RWM2KJ5\u200dTNPB", "aws-access-key", "QX4Z7RWM"),
    ("soft-hyphen-email", "jane\u00ad@acme.com", "email", "acme.com"),
    ("spelled-out-zero-width", "AKIA⟦U+200B⟧QX4Z7RWM2KJ5TNPB (as evidence shows it)",
     "aws-access-key", "QX4Z7RWM"),
    ("bidi-in-github-token", "ghp_\u202eabcdefghijklmnopqrstuvwxyz0123456789",
     "github-token", "abcdefghijklmnopqrstuvwxyz"),
]


@pytest.mark.parametrize(("text", "kind", "value"),
                         [pytest.param(*case[1:], id=case[0]) for case in LEAKS])
def test_the_shape_is_masked(text: str, kind: str, value: str) -> None:
    result = redact(text)
    assert value not in result.text
    assert f"[REDACTED:{kind}]" in result.text
    assert redact(result.text).text == result.text  # idempotent


@pytest.mark.parametrize("text", [
    "commit 3f2a9c1e0b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8e",  # 40 hex: a SHA
    "node_id: MDI0OlB1bGxSZXF1ZXN0UmV2aWV3Q29tbWVudDEw",  # base64 of readable text
    "GET /spaces/ENG/pages/65537/Engineering+Home",  # a path, low entropy
    "ThisIsAVeryLongIdentifierNameForTesting1",  # a long name
    "origin git@github.com:acme/api.git and deploy@build.example.com:apps/web.git",
    "Grüße aus Köln — 東京で会いましょう。Ｆｕｌｌ-width words stay as written.",
    "version 4.1.1.1 and 2024.05.01.1234 builds",
    "task-runner and desk-booking use sk-learn",  # 'sk-' inside words
])
def test_look_alikes_stay(text: str) -> None:
    assert redact(text).text == text


def test_only_the_evading_characters_go_the_rest_of_the_text_is_kept() -> None:
    text = "Übergabe: ｊａｎｅ＠ａｃｍｅ．ｃｏｍ prüft\u200b das."
    assert redact(text).text == "Übergabe: [REDACTED:email] prüft\u200b das."
