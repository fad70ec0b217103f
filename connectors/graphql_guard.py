"""What a GraphQL request asks for, read before it is sent: queries pass, nothing else does.

GraphQL sends reads and writes alike as ``POST /graphql``, so the method says nothing.
The document does: every operation in it is a ``query``, or the request is refused. A
body that is not JSON with a ``query`` string, or a document graphql-core cannot parse,
is refused too (fail closed).
"""

from __future__ import annotations

import json
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse

# GitHub answers a spent primary limit with HTTP 200 and one of these error types.
RATE_LIMIT_TYPES = frozenset({"RATE_LIMITED", "RATE_LIMIT"})


def refusal(body: bytes | str | None) -> str | None:
    """None when ``body`` holds only queries, else why it is refused."""
    try:
        payload: Any = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        return "body is not JSON"
    document = payload.get("query") if isinstance(payload, dict) else None
    if not isinstance(document, str):
        return "no query document"
    try:
        parsed = parse(document, no_location=True)
    except GraphQLError as error:
        return f"unparsable document ({error.message[:80]})"
    kinds = {
        node.operation.value
        for node in parsed.definitions
        if isinstance(node, OperationDefinitionNode) and node.operation != OperationType.QUERY
    }
    if kinds:
        return f"{'/'.join(sorted(kinds))} operation"
    return None


def rate_limited(content: bytes) -> bool:
    """A 200 answer whose errors say the GraphQL rate limit is spent."""
    if b"RATE_LIMIT" not in content[:4096]:
        return False
    try:
        errors = json.loads(content).get("errors")
    except (ValueError, AttributeError):
        return False
    return isinstance(errors, list) and any(
        isinstance(e, dict) and e.get("type") in RATE_LIMIT_TYPES for e in errors
    )
