"""Every recorded GitHub REST response has the shape GitHub's OpenAPI description documents.

Cassettes are only as good as their resemblance to the real API, so each JSON body
is validated against the schema of the operation its request addresses (OpenAPI 3.0
read with Draft 4 semantics: ``nullable`` becomes a type union, ``format`` is ignored).
If a body fails, fix the cassette (``scripts/make_github_cassettes.py``), never this file.
GraphQL requests are checked against GitHub's GraphQL schema instead
(``test_github_graphql_contract.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

from tests.replay import CASSETTES, SHARED

SPEC = SHARED / "api-specs" / "github" / "api.github.com.json"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
# Keywords with no Draft 4 meaning (or, like "format", deliberately not checked).
OPENAPI_ONLY = {"format", "discriminator", "example", "examples", "nullable", "xml",
                "externalDocs", "deprecated", "readOnly", "writeOnly"}  # fmt: skip

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

pytestmark = pytest.mark.shared


@dataclass(frozen=True)
class Recorded:
    cassette: str
    index: int
    method: str
    path: str
    status: int
    content_type: str
    body: str

    @property
    def id(self) -> str:
        return f"{self.cassette}#{self.index} {self.method} {self.status} {self.path}"


def recorded() -> Iterator[Recorded]:
    for file in sorted((CASSETTES / "github").glob("*.yaml")):
        loaded = yaml.load(file.read_text(), Loader=LOADER)  # noqa: S506 - a safe loader
        for index, item in enumerate(loaded["interactions"]):
            request, response = item["request"], item["response"]
            if urlsplit(request["uri"]).path.endswith("/graphql"):
                continue
            headers = {k.lower(): v for k, v in response["headers"].items()}
            yield Recorded(
                cassette=file.stem,
                index=index,
                method=request["method"].lower(),
                path=urlsplit(request["uri"]).path,
                status=response["status"]["code"],
                content_type=headers.get("content-type", [""])[0],
                body=response["body"]["string"],
            )


INTERACTIONS = list(recorded())
JSON_BODIES = [r for r in INTERACTIONS if r.content_type.startswith("application/json")]


@cache
def spec() -> dict[str, Any]:
    if not SPEC.exists():
        pytest.skip(f"GitHub's OpenAPI description is not at {SPEC} (../shared absent)")
    loaded: dict[str, Any] = json.loads(SPEC.read_text())
    return loaded


def draft4(node: Any) -> Any:
    """OpenAPI 3.0 schema → Draft 4: ``nullable: true`` admits null; refs to definitions."""
    if isinstance(node, list):
        return [draft4(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref":
            out[key] = "#/definitions/" + value.rsplit("/", 1)[-1]
        elif key == "properties":  # property names are data, not keywords
            out[key] = {name: draft4(schema) for name, schema in value.items()}
        elif key not in OPENAPI_ONLY:
            out[key] = draft4(value)
    if node.get("nullable") is True:
        if "type" not in out:
            return {"anyOf": [out, {"type": "null"}]}
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*types, "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


@cache
def definitions() -> dict[str, Any]:
    return {name: draft4(schema) for name, schema in spec()["components"]["schemas"].items()}


@cache
def operations() -> list[tuple[str, re.Pattern[str], int, dict[str, Any]]]:
    """(method, path regex, literal length, operation) for every documented operation."""
    found = []
    for template, item in spec()["paths"].items():
        pattern = re.sub(r"\\\{(\w+)\\\}", _segment(_multi_segment(item)), re.escape(template))
        literal = len(re.sub(r"\{\w+\}", "", template))
        for method in METHODS:
            if method in item:
                found.append((method, re.compile(f"^{pattern}$"), literal, item[method]))
    return found


def _segment(multi: set[str]) -> Any:
    """A path parameter matches one segment, or several where the spec says so."""
    return lambda match: ".+" if match.group(1) in multi else "[^/]+"


def _multi_segment(item: dict[str, Any]) -> set[str]:
    names = set()
    for method in METHODS:
        for parameter in item.get(method, {}).get("parameters", []):
            parameter = _resolve(parameter)
            if parameter.get("x-multi-segment"):
                names.add(parameter["name"])
    return names


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        section, name = node["$ref"].split("/")[-2:]
        node = spec()["components"][section][name]
    return node


def documented_path(path: str) -> str:
    """The spec's form of a recorded path.

    GitHub Enterprise Server serves the API under ``/api/v3``; GitHub's ``Link``
    headers address a repository by id (``/repositories/{id}/...``), the same
    resource as ``/repos/{owner}/{repo}/...``.
    """
    path = path.removeprefix("/api/v3")
    return re.sub(r"^/repositories/\d+(/|$)", r"/repos/owner/repo\1", path)


def operation(recorded: Recorded) -> dict[str, Any]:
    path = documented_path(recorded.path)
    matches = [
        (literal, op)
        for method, pattern, literal, op in operations()
        if method == recorded.method and pattern.match(path)
    ]
    assert matches, f"no documented operation for {recorded.method.upper()} {path}"
    return max(matches, key=lambda match: match[0])[1]


def response_schema(recorded: Recorded) -> dict[str, Any]:
    responses = operation(recorded)["responses"]
    documented = responses.get(str(recorded.status))
    if documented is None:
        # GitHub answers 401/429 on every operation without documenting each, and 301 on
        # every path of a renamed repository; its error bodies are always a basic-error.
        assert recorded.status >= 400 or recorded.status == 301, (
            f"{recorded.status} is not documented for this operation")
        return {"$ref": "#/components/schemas/basic-error"}
    content = _resolve(documented).get("content", {})
    assert "application/json" in content, f"{recorded.status} has no documented JSON body"
    schema: dict[str, Any] = content["application/json"]["schema"]
    return schema


@pytest.mark.parametrize("recorded", INTERACTIONS, ids=lambda r: r.id)
def test_every_request_is_a_documented_operation(recorded: Recorded) -> None:
    assert operation(recorded)["operationId"]


@pytest.mark.parametrize("recorded", JSON_BODIES, ids=lambda r: r.id)
def test_every_json_body_matches_its_documented_schema(recorded: Recorded) -> None:
    schema = {**draft4(response_schema(recorded)), "definitions": definitions()}
    validator = jsonschema.Draft4Validator(schema)
    errors = sorted(validator.iter_errors(json.loads(recorded.body)), key=lambda e: e.path)
    assert not errors, "\n".join(
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message[:200]}"
        for error in errors[:10]
    )


def test_the_validator_is_not_toothless() -> None:
    """A body missing a required field, or with a wrong type, must fail."""
    repo = next(r for r in JSON_BODIES if r.path == "/repos/acme/shop" and r.status == 200)
    schema = {**draft4(response_schema(repo)), "definitions": definitions()}
    body = json.loads(repo.body)
    assert jsonschema.Draft4Validator(schema).is_valid(body)
    broken = {key: value for key, value in body.items() if key != "default_branch"}
    assert not jsonschema.Draft4Validator(schema).is_valid(broken)
    assert not jsonschema.Draft4Validator(schema).is_valid({**body, "id": "700001"})
    assert jsonschema.Draft4Validator(schema).is_valid({**body, "description": None})


def test_cassettes_cover_every_scenario() -> None:
    names = {Path(r.cassette).name for r in INTERACTIONS}
    assert {"small_release", "pull_request", "bad_credentials", "unknown_repo"} <= names
    assert {"secondary_rate_limit", "partial_failures", "enterprise", "app_auth"} <= names
    assert {"renamed_repo", "merged_elsewhere", "withheld_patches", "graphql_rate_limit"} <= names


def test_the_carried_examples_are_githubs() -> None:
    """``scripts/github_openapi_examples.json`` is a verbatim copy of the spec's examples."""
    carried = yaml.safe_load((CASSETTES.parent / "scripts" / "github_openapi_examples.json")
                             .read_text())["examples"]
    examples = spec()["components"]["examples"]
    assert carried == {name: examples[name] for name in carried}
