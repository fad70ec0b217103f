"""Replay recorded HTTP for tests: vcrpy cassettes, never the network."""

from __future__ import annotations

import os
from pathlib import Path

import vcr

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
# ``../shared`` beside the checkout; ADVISOR_SHARED_DIR names it for a checkout elsewhere.
SHARED = Path(os.environ.get("ADVISOR_SHARED_DIR") or
              Path(__file__).resolve().parent.parent.parent / "shared")
# GraphQL sends every query to one URL: the body (the document) tells them apart.
MATCH_BODY = frozenset({"github"})

# Credentials never reach a cassette; if one is re-recorded by hand, these are scrubbed.
FILTERED_HEADERS = [
    "authorization",
    "x-api-key",
    "x-amz-security-token",
    "x-amz-date",
    "cookie",
    "set-cookie",
    "x-github-token",
]


def replayer(service: str) -> vcr.VCR:
    """A VCR that replays ``cassettes/<service>/`` and refuses any unrecorded request."""
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES / service),
        record_mode="none",
        filter_headers=FILTERED_HEADERS,
        filter_query_parameters=["access_token", "token", "api_key"],
        match_on=["method", "scheme", "host", "port", "path", "query",
                  *(["body"] if service in MATCH_BODY else [])],
        decode_compressed_response=True,
    )
