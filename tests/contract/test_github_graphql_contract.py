"""Every GraphQL document the GitHub connector sends, and every GraphQL answer a test or
the demo replays, agree with GitHub's public schema (``../shared/api-specs/github-graphql``).

Documents are validated with graphql-core. An answer is checked by executing its own
document over the recorded ``data`` (each field resolved by its response key, abstract
types by the fields present): the schema then checks every type, enum value and
non-null, and the result must equal the recording, so a field the document did not ask
for, or one with the wrong shape, fails. If an answer fails, fix the builder in
``scripts/make_github_cassettes.py``, never this file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from graphql import (
    GraphQLAbstractType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    build_schema,
    execute_sync,
    parse,
    validate,
)

from connectors.github import queries
from tests.replay import CASSETTES, SHARED

SCHEMA = SHARED / "api-specs" / "github-graphql" / "schema.graphql"
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
OID = "6dcb09b5b57875f334f61aebed695e2e4193db5e"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not SCHEMA.exists(), reason="../shared/api-specs/github-graphql is absent"),
]


@cache
def schema() -> GraphQLSchema:
    # GitHub's SDL repeats two fields and deprecates interface implementations in ways
    # graphql-core's strict schema checks reject; the types themselves are sound.
    return build_schema(SCHEMA.read_text(), assume_valid_sdl=True, assume_valid=True)


@dataclass(frozen=True)
class Exchange:
    cassette: str
    index: int
    query: str
    variables: dict[str, Any]
    status: int
    answer: Any

    @property
    def id(self) -> str:
        return f"{self.cassette}#{self.index}"


def exchanges() -> Iterator[Exchange]:
    files = [*CASSETTES.glob("github*/*.yaml"), *(CASSETTES / "demo" / "github").glob("*.yaml")]
    for file in sorted(files):
        loaded = yaml.load(file.read_text(), Loader=LOADER)  # noqa: S506 - a safe loader
        for index, item in enumerate(loaded["interactions"]):
            request, response = item["request"], item["response"]
            if not urlsplit(request["uri"]).path.endswith("/graphql"):
                continue
            sent = json.loads(request["body"])
            yield Exchange(str(file.relative_to(CASSETTES).with_suffix("")), index, sent["query"],
                           sent["variables"], response["status"]["code"],
                           json.loads(response["body"]["string"]))


EXCHANGES = list(exchanges())
ANSWERS = [e for e in EXCHANGES if e.status == 200 and e.answer.get("data") is not None]


def by_response_key(source: Any, info: GraphQLResolveInfo, **_: Any) -> Any:
    return source.get(info.path.key) if isinstance(source, dict) else None


def by_fields(value: Any, info: GraphQLResolveInfo, abstract: GraphQLAbstractType) -> str | None:
    """The possible type that has every field the recorded object has."""
    if isinstance(value, dict) and "__typename" in value:
        return str(value["__typename"])
    keys = set(value) if isinstance(value, dict) else set()
    fitting = [t for t in info.schema.get_possible_types(abstract)
               if isinstance(t, GraphQLObjectType) and keys <= set(t.fields)]
    assert fitting, f"no {abstract.name} has the fields {sorted(keys)}"
    return fitting[0].name


def replayed(exchange: Exchange) -> Any:
    result = execute_sync(schema(), parse(exchange.query), root_value=exchange.answer["data"],
                          variable_values=exchange.variables, field_resolver=by_response_key,
                          type_resolver=by_fields)
    return result


def test_the_cassettes_hold_graphql_exchanges() -> None:
    names = {e.cassette for e in EXCHANGES}
    assert {"github/small_release", "github/withheld_patches", "demo/github/release"} <= names


@pytest.mark.parametrize("exchange", EXCHANGES, ids=lambda e: e.id)
def test_every_recorded_document_is_valid(exchange: Exchange) -> None:
    errors = validate(schema(), parse(exchange.query))
    assert not errors, [e.message for e in errors[:3]]
    assert parse(exchange.query).definitions[0].operation.value == "query"  # type: ignore[attr-defined]


@pytest.mark.parametrize("exchange", ANSWERS, ids=lambda e: e.id)
def test_every_recorded_answer_has_the_schemas_shape(exchange: Exchange) -> None:
    result = replayed(exchange)
    assert not result.errors, [e.message for e in result.errors[:3]]
    assert result.data == exchange.answer["data"]


def test_recorded_errors_have_githubs_shape() -> None:
    errored = [e for e in EXCHANGES if e.status == 200 and e.answer.get("errors")]
    assert errored
    for exchange in errored:
        for error in exchange.answer["errors"]:
            assert isinstance(error["message"], str) and error["message"]
            assert error["type"] in ("RATE_LIMITED", "FORBIDDEN", "NOT_FOUND")


def test_the_answer_check_is_not_toothless() -> None:
    exchange = next(e for e in ANSWERS if "pullRequest(" in e.query)
    node = exchange.answer["data"]["repository"]["p0"]
    wrong_enum = json.loads(json.dumps(exchange.answer))
    wrong_enum["data"]["repository"]["p0"]["reviews"]["nodes"][0]["state"] = "approved"
    assert replayed(Exchange(**{**vars(exchange), "answer": wrong_enum})).errors
    missing = json.loads(json.dumps(exchange.answer))
    del missing["data"]["repository"]["p0"]["title"]  # String!: null is an error
    assert replayed(Exchange(**{**vars(exchange), "answer": missing})).errors
    extra = json.loads(json.dumps(exchange.answer))
    extra["data"]["repository"]["p0"]["patch"] = "@@"  # no such field was asked for
    assert replayed(Exchange(**{**vars(exchange), "answer": extra})).data != extra["data"]
    assert node["number"] > 0


# -- every document the connector can send, not only the recorded ones ---------------------

DOCUMENTS = {
    "pulls": queries.pulls([1, 2, 100]),
    "associations": queries.associations([OID, OID]),
    "blobs": queries.blobs([OID], text=False),
    "blob texts": queries.blobs([OID], text=True),
    "file at a commit": queries.file_at({"o0": f"{OID}:src/app.py", "o1": f"{OID}:a \"b\".py"}),
    "more reviews": queries.more_reviews(7, "Y3Vyc29yOnYyOpHOAAE="),
    "more labels": queries.more_labels(7, "Y3Vyc29y"),
    "more check suites": queries.more_suites(OID, "Y3Vyc29y"),
    "more check runs": queries.more_runs("CS_kwDOABCD", "Y3Vyc29y"),
    "more associated PRs": queries.more_associations(OID, "Y3Vyc29y"),
}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_document_the_connector_builds_is_valid(name: str) -> None:
    errors = validate(schema(), parse(DOCUMENTS[name]))
    assert not errors, [e.message for e in errors[:3]]


def test_a_full_query_stays_within_githubs_node_limit() -> None:
    """GitHub refuses a query that could return more than 500,000 nodes."""
    per_pull = queries.LABELS + queries.REVIEWS + 1 + queries.SUITES * (1 + queries.RUNS)
    assert queries.MAX_ALIASES * per_pull < 500_000
    assert all(limit <= 100 for limit in (queries.LABELS, queries.REVIEWS, queries.SUITES,
                                          queries.RUNS, queries.ASSOCIATED))


def test_the_validator_is_not_toothless() -> None:
    assert validate(schema(), parse("query { repository(owner: \"a\", name: \"b\") { patch } }"))
    assert Path(SCHEMA).stat().st_size > 1_000_000  # the whole public schema, not a stub
