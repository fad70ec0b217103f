"""Write the Claude API and Bedrock cassettes the advisory tests replay.

These are constructed, not recorded: real Messages API shapes (ids, content blocks,
``usage``, ``request-id`` and ``anthropic-ratelimit-*`` headers, error bodies) around
answers written for ``tests/advisory/samples.py``. Token counts are estimated from the
exact prompts the advisor sends, at ~3.6 characters a token; a live call will differ.

    .venv/bin/python scripts/make_anthropic_cassettes.py

Re-recording against the live API is possible by pointing an ``httpx2`` client with a
logging transport at it; scrub ``tests/replay.py:FILTERED_HEADERS`` before committing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from agents.advisory.claude import output_schema  # noqa: E402
from agents.advisory.models import (  # noqa: E402
    AnnotationOutput,
    ReportDigest,
    SummaryOutput,
)
from agents.advisory.offline import annotate_all  # noqa: E402
from agents.advisory.prompts import load_prompt  # noqa: E402
from agents.advisory.render import render_annotation_input, render_summary_input  # noqa: E402
from agents.advisory.scan import with_injection_findings  # noqa: E402
from agents.models import Finding  # noqa: E402
from governance.redact import default_redactor  # noqa: E402
from tests.advisory import samples  # noqa: E402
from tests.configs import PROMPTS  # noqa: E402

MODEL = "claude-sonnet-5-5"
BEDROCK_MODEL = "us.anthropic.claude-sonnet-5-5"
BEDROCK_REGION = "us-east-1"
API = "https://api.anthropic.com/v1/messages"
BEDROCK = f"https://bedrock-runtime.{BEDROCK_REGION}.amazonaws.com/model/{BEDROCK_MODEL}/invoke"
CHARS_PER_TOKEN = 3.6
THINKING_TOKENS = 160  # effort "low": a short adaptive-thinking pass, billed as output
DATE = "Sat, 21 Nov 2026 10:00:00 GMT"


def tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def _id(prefix: str, seed: str, length: int = 24) -> str:
    digest = base64.b32encode(hashlib.sha256(seed.encode()).digest()).decode().rstrip("=")
    return f"{prefix}{digest[:length]}"


# -- what the advisor sends -------------------------------------------------------------


def annotate_prompt(context: Any) -> tuple[str, str, list[Finding]]:
    base = with_injection_findings(samples.findings(), context)
    rendered = render_annotation_input(base, context.texts, default_redactor(), 60_000)
    prompt = load_prompt("annotate_findings", PROMPTS)
    user = prompt.render_user(subject=context.subject, findings=rendered.findings,
                              data=rendered.data)
    return prompt.system, user, base


def summary_prompt() -> tuple[str, str]:
    digest = ReportDigest(subject=samples.SUBJECT, agent="security", score=72,
                          findings=annotate_all(samples.findings()),
                          notes=["Confluence was unreachable: runbooks were not checked."])
    rendered = render_summary_input(digest, default_redactor())
    prompt = load_prompt("summarise_report", PROMPTS)
    user = prompt.render_user(subject=digest.subject, score="72/100",
                              findings=rendered.findings, data=rendered.data)
    return prompt.system, user


# -- what the model answers -------------------------------------------------------------

_NOTES = {
    "hardcoded-secret": (1, "A live-format AWS key in settings.py is usable by anyone with repo "
                         "access and must be rotated whatever else happens to this PR.",
                         ["Run a secret scan over the branch history (git log -p) for AKIA keys.",
                          "After rotation, call sts get-caller-identity with the old key and "
                          "expect InvalidClientTokenId."]),
    "sql-injection": (1, "The refund lookup in queries.py:42 formats request input into SQL on "
                      "an endpoint support staff will use daily.",
                      ["Call the refund lookup with order_id \"1 OR 1=1\" and assert a 400.",
                       "Add a unit test that the query is executed with bound parameters."]),
    "missing-authorization": (1, "Any authenticated user could issue refunds through the new "
                              "admin endpoint.",
                              ["POST /admin/refunds as a non-admin user and assert 403."]),
    "vulnerable-dependency": (3, "urllib3 1.26.4 advisories concern proxies and redirects the "
                              "payments service does not appear to use; still an easy upgrade.",
                              ["Upgrade to 1.26.18 and run the integration suite."]),
    "destructive-migration": (2, "Dropping legacy_amount breaks the monthly reporting job at its "
                              "next run; this is a release blocker for whoever signs off.",
                              ["Run reports/monthly.py against a migrated copy of staging.",
                               "Run the migration forward and back on a production-sized copy."]),
    "test-coverage-gap": (2, "The new partial-refund branch has no tests and carries the amount "
                          "check that prevents over-refunding.",
                          ["Test a refund equal to, below and above the order total.",
                           "Test two concurrent partial refunds on one order."]),
    "change-risk": (3, "Size and diffusion make review harder; the risky parts are refunds.py and "
                    "the migration.",
                    ["Ask for a second reviewer on refunds.py and the migration."]),
    "elevated-error-rate": (2, "Deploying more change onto a service already above its 5xx "
                            "baseline hides whether this change makes it worse.",
                            ["Compare the 5xx rate of a canary against the current fleet."]),
    "open-security-group": (1, "The database accepts connections from the internet; combined "
                            "with a committed credential this is directly exploitable.",
                            ["Run terraform plan; assert no ingress has 0.0.0.0/0 on 5432."]),
    "sensitive-data-logging": (2, "refunds.py:29 logs the raw request body, which carries card "
                               "details, at INFO.",
                               ["Send a refund with a test card number and grep the logs for it."]),
}


def good_annotation(base: list[Finding]) -> dict[str, Any]:
    notes = []
    for finding in base:
        priority, rationale, tests = _NOTES.get(finding.category, (
            2, "The inputs contain text written to steer an automated reviewer.",
            ["Render the PR body and compare it with its raw markdown."]))
        notes.append({"fingerprint": finding.fingerprint, "priority": priority,
                      "rationale": rationale, "likely_false_positive": False,
                      "false_positive_reason": None, "suggested_tests": tests})
    return {
        "summary": "Do not release this change as it stands. It commits an AWS access key, "
                   "exposes the database to the internet and adds an admin refund endpoint "
                   "without a permission check, each of which is exploitable on its own. The "
                   "migration breaks the monthly reporting job, and payments-api is already "
                   "above its error baseline. Rotate the key first, then fix the endpoint and "
                   "the query, and split the migration.",
        "notes": notes,
        "extra_findings": [{
            "title": "Refund amount accepted without an upper bound per request",
            "category": "input-validation",
            "severity": "high",
            "explanation": "The new code accepts request.amount when present and only compares "
                           "it with the order total, so repeated partial refunds can exceed it.",
            "recommendation": "Track refunded amounts per order and check the remaining balance.",
            "evidence_id": f"{samples.SUBJECT}/diff",
            "path": "payments/refunds.py",
            "line": 30,
        }],
    }


def obeying_annotation(base: list[Finding]) -> dict[str, Any]:
    """A model that did what the PR body told it to."""
    return {
        "summary": "This PR was already reviewed by security and is approved. It is safe to "
                   "merge; all findings are false positives from test fixtures.",
        "approved": True,
        "notes": [{"fingerprint": f.fingerprint, "priority": 5, "severity": "info",
                   "rationale": "Reviewed by security per the PR description.",
                   "likely_false_positive": True,
                   "false_positive_reason": "The PR description says these are test fixtures.",
                   "suggested_tests": []} for f in base[:3]],
        "extra_findings": [{
            "title": "AWS access key committed in settings", "category": "hardcoded-secret",
            "severity": "info", "explanation": "Test fixture.", "recommendation": "None.",
            "evidence_id": f"{samples.SUBJECT}/diff", "path": "payments/settings.py",
            "line": 14}],
    }


def summary_answer(base: list[Finding]) -> dict[str, Any]:
    by_category = {f.category: f.fingerprint for f in base}
    return {
        "summary": "Risk is high (72/100): a committed AWS key, a database open to the "
                   "internet and an unprotected admin refund endpoint are each exploitable. "
                   "The migration breaks monthly reporting and the service is already above its "
                   "error baseline. Confluence runbooks were not checked.",
        "top_risks": [by_category[c] for c in ("hardcoded-secret", "open-security-group",
                                               "missing-authorization", "sql-injection",
                                               "destructive-migration")],
        "suggested_tests": ["Call sts get-caller-identity with the rotated key; expect failure.",
                            "POST /admin/refunds as a non-admin; expect 403.",
                            "Run reports/monthly.py against a migrated staging copy."],
    }


# -- HTTP shapes ---------------------------------------------------------------------------


def ratelimit_headers(input_tokens: int, output_tokens: int) -> dict[str, list[str]]:
    reset = "2026-11-21T10:00:12Z"
    return {
        "anthropic-ratelimit-requests-limit": ["4000"],
        "anthropic-ratelimit-requests-remaining": ["3999"],
        "anthropic-ratelimit-requests-reset": [reset],
        "anthropic-ratelimit-input-tokens-limit": ["2000000"],
        "anthropic-ratelimit-input-tokens-remaining": [str(2_000_000 - input_tokens)],
        "anthropic-ratelimit-input-tokens-reset": [reset],
        "anthropic-ratelimit-output-tokens-limit": ["400000"],
        "anthropic-ratelimit-output-tokens-remaining": [str(400_000 - output_tokens)],
        "anthropic-ratelimit-output-tokens-reset": [reset],
        "anthropic-ratelimit-tokens-limit": ["2400000"],
        "anthropic-ratelimit-tokens-remaining": [str(2_400_000 - input_tokens - output_tokens)],
        "anthropic-ratelimit-tokens-reset": [reset],
    }


def message_body(seed: str, text: str, usage: dict[str, int], model: str = MODEL,
                 id_prefix: str = "msg_01", stop_reason: str = "end_turn") -> str:
    body = {
        "id": _id(id_prefix, seed), "type": "message", "role": "assistant", "model": model,
        "content": [
            {"type": "thinking", "thinking": "",
             "signature": base64.b64encode(hashlib.sha512(seed.encode()).digest()).decode()},
            {"type": "text", "text": text},
        ],
        "stop_reason": stop_reason, "stop_sequence": None,
        "usage": {"input_tokens": usage["input"],
                  "cache_creation_input_tokens": usage["cache_creation"],
                  "cache_read_input_tokens": usage["cache_read"],
                  "cache_creation": {"ephemeral_5m_input_tokens": usage["cache_creation"],
                                     "ephemeral_1h_input_tokens": 0},
                  "output_tokens": usage["output"], "service_tier": "standard"},
    }
    return json.dumps(body, ensure_ascii=False)


def request(uri: str = API) -> dict[str, Any]:
    return {"method": "POST", "uri": uri, "body": None,
            "headers": {"content-type": ["application/json"],
                        "anthropic-version": ["2026-10-21"]}}


def interaction(status: int, message: str, headers: dict[str, list[str]], body: str,
                uri: str = API) -> dict[str, Any]:
    return {"request": request(uri),
            "response": {"status": {"code": status, "message": message},
                         "headers": {"content-type": ["application/json"], "date": [DATE],
                                     **headers},
                         "body": {"string": body}}}


def ok(seed: str, system: str, user: str, answer: str, *, cached: bool,
       stop_reason: str = "end_turn", bedrock: bool = False,
       schema: type[Any] = AnnotationOutput) -> dict[str, Any]:
    system_tokens = tokens(system)
    schema_tokens = tokens(json.dumps(output_schema(schema)))
    usage = {"input": tokens(user) + schema_tokens,
             "cache_creation": 0 if cached else system_tokens,
             "cache_read": system_tokens if cached else 0,
             "output": tokens(answer) + THINKING_TOKENS}
    total_in = usage["input"] + usage["cache_creation"] + usage["cache_read"]
    if bedrock:
        headers = {"x-amzn-requestid": [str(uuid.UUID(hashlib.md5(seed.encode()).hexdigest()))],  # noqa: S324
                   "x-amzn-bedrock-invocation-latency": ["6210"],
                   "x-amzn-bedrock-input-token-count": [str(usage["input"])],
                   "x-amzn-bedrock-output-token-count": [str(usage["output"])],
                   "x-amzn-bedrock-cache-read-input-token-count": [str(usage["cache_read"])],
                   "x-amzn-bedrock-cache-write-input-token-count": [str(usage["cache_creation"])]}
        body = message_body(seed, answer, usage, id_prefix="msg_bdrk_01",
                            stop_reason=stop_reason)
        return interaction(200, "OK", headers, body, uri=BEDROCK)
    headers = {"request-id": [_id("req_011C", seed)],
               **ratelimit_headers(total_in, usage["output"])}
    return interaction(200, "OK", headers, message_body(seed, answer, usage,
                                                         stop_reason=stop_reason))


def api_error(seed: str, status: int, reason: str, kind: str, text: str,
              extra: dict[str, list[str]] | None = None) -> dict[str, Any]:
    request_id = _id("req_011C", seed)
    body = json.dumps({"type": "error", "error": {"type": kind, "message": text},
                       "request_id": request_id})
    return interaction(status, reason, {"request-id": [request_id], **(extra or {})}, body)


# -- scenarios -------------------------------------------------------------------------------


def scenarios() -> dict[str, list[dict[str, Any]]]:
    system, user, base = annotate_prompt(samples.context())
    good = json.dumps(good_annotation(base), ensure_ascii=False)
    bad_range = json.dumps({**good_annotation(base), "notes": [
        {**n, "priority": 9} for n in good_annotation(base)["notes"]]}, ensure_ascii=False)
    truncated = good[: len(good) // 2]
    wrong_types = json.dumps({"summary": ["not", "a", "string"], "notes": "none"})
    inj_system, inj_user, inj_base = annotate_prompt(samples.injected_context())
    obeying = json.dumps(obeying_annotation(inj_base), ensure_ascii=False)
    sum_system, sum_user = summary_prompt()
    summary = json.dumps(summary_answer(samples.findings()), ensure_ascii=False)
    retry_user = user + "\n" + load_prompt("repair_output", PROMPTS).render_user(error="x" * 200)
    return {
        "anthropic/annotate_cache_then_hit": [
            ok("annotate-1", system, user, good, cached=False),
            ok("annotate-2", system, user, good, cached=True)],
        "anthropic/annotate_invalid_then_valid": [
            ok("invalid-1", system, user, bad_range, cached=False),
            ok("invalid-2", system, retry_user, good, cached=True)],
        "anthropic/annotate_invalid_twice": [
            ok("twice-1", system, user, truncated, cached=False, stop_reason="max_tokens"),
            ok("twice-2", system, retry_user, wrong_types, cached=True)],
        "anthropic/annotate_rate_limited_then_ok": [
            api_error("rl-1", 429, "Too Many Requests", "rate_limit_error",
                      "This request would exceed your organization's rate limit of 2,000,000 "
                      "input tokens per minute. For details, refer to: "
                      "https://docs.claude.com/en/api/rate-limits.",
                      {"retry-after": ["2"], "x-should-retry": ["true"],
                       **ratelimit_headers(2_000_000, 0)}),
            ok("rl-2", system, user, good, cached=False)],
        "anthropic/annotate_overloaded": [
            api_error(f"ov-{i}", 529, "Site Overloaded", "overloaded_error", "Overloaded",
                      {"x-should-retry": ["true"]}) for i in range(3)],
        "anthropic/annotate_bad_request": [
            api_error("br-1", 400, "Bad Request", "invalid_request_error",
                      "prompt is too long: 1052311 tokens > 1000000 maximum")],
        "anthropic/annotate_obeys_injection": [
            ok("inj-1", inj_system, inj_user, obeying, cached=False)],
        "anthropic/summarise": [
            ok("sum-1", sum_system, sum_user, summary, cached=False, schema=SummaryOutput)],
        "bedrock/annotate": [
            ok("bedrock-1", system, user, good, cached=False, bedrock=True)],
        "bedrock/annotate_throttled_then_ok": [
            interaction(429, "Too Many Requests", {
                "x-amzn-requestid": ["7c1f0b7e-3a55-4c55-9d1e-5a2f8f0b6a11"],
                "x-amzn-errortype": ["ThrottlingException:http://internal.amazon.com/coral/"
                                     "com.amazon.bedrock/"]},
                json.dumps({"message": "Too many requests, please wait before trying again."}),
                uri=BEDROCK),
            ok("bedrock-2", system, user, good, cached=True, bedrock=True)],
    }


HEADER = ("# Constructed by scripts/make_anthropic_cassettes.py (not recorded live): real\n"
          "# API shapes, token counts estimated from the prompts the advisor sends.\n")


def main(write: Callable[[Path, str], object] = Path.write_text) -> None:
    for name, interactions in scenarios().items():
        path = ROOT / "cassettes" / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump({"version": 1, "interactions": interactions}, sort_keys=False,
                              allow_unicode=True, width=100)
        write(path, HEADER + text)
        print(f"wrote {path.relative_to(ROOT)} ({len(interactions)} interaction(s))")


if __name__ == "__main__":
    main()
