"""Every 2xx JSON body in ``cassettes/jira/`` has the shape Atlassian's OpenAPI documents.

Each recorded response is validated against the schema of its path and method in the
Jira platform/software OpenAPI descriptions (``../shared/api-specs/jira``), with ``$ref``s
resolved and OpenAPI 3.0 ``nullable`` honoured. Server/DC (v2) bodies are checked against
the v3 operation of the same path: every component we replay has the same shape there
(user objects keep ``name``/``key``, which ``UserDetails`` allows). If a cassette fails,
fix the cassette (``scripts/make_jira_cassettes.py``), never this validator.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.replay import CASSETTES, SHARED

SPECS = SHARED / "api-specs" / "jira"
SPEC_FILES = {
    "urn:jira-platform": "jira-platform-swagger.v3.json",
    "urn:jira-software": "jira-software-swagger.v3.json",
}
PLATFORM = "urn:jira-platform#/components/schemas/"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not SPECS.is_dir(), reason="../shared/api-specs/jira is absent"),
]


def ref(name: str) -> dict[str, str]:
    return {"$ref": PLATFORM + name}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [{"type": "null"}, schema]}


# The March 2024 spec predates /rest/api/3/search/jql. This is SearchAndReconcileResults
# from Atlassian's current documentation, reusing the spec's own IssueBean and JsonTypeBean.
SEARCH_AND_RECONCILE_RESULTS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "issues": {"type": "array", "items": ref("IssueBean")},
        "nextPageToken": {"type": ["string", "null"]},
        "isLast": {"type": "boolean"},
        "names": {"type": "object", "additionalProperties": {"type": "string"}},
        "schema": {"type": "object", "additionalProperties": ref("JsonTypeBean")},
        "warnings": {"type": "array", "items": {"type": "object"}},
    },
}

# IssueBean.fields is free-form in the spec, so the system fields our connector parses
# are checked against the components the REST API uses for them.
# The spec's IssueLink is the *create* bean (both sides required); inside an issue each
# link names only the other side.
ISSUE_LINK_IN_FIELDS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "type"],
    "properties": {
        "id": {"type": "string"},
        "self": {"type": "string"},
        "type": ref("IssueLinkType"),
        "inwardIssue": ref("LinkedIssue"),
        "outwardIssue": ref("LinkedIssue"),
    },
    "oneOf": [{"required": ["inwardIssue"]}, {"required": ["outwardIssue"]}],
}
FIELD_SCHEMAS: dict[str, dict[str, Any]] = {
    "status": ref("StatusDetails"),
    "issuetype": ref("IssueTypeDetails"),
    "priority": nullable(ref("Priority")),
    "resolution": nullable(ref("Resolution")),
    "assignee": nullable(ref("UserDetails")),
    "reporter": nullable(ref("UserDetails")),
    "fixVersions": {"type": "array", "items": ref("Version")},
    "components": {"type": "array", "items": ref("ProjectComponent")},
    "parent": ref("LinkedIssue"),
    "issuelinks": {"type": "array", "items": ISSUE_LINK_IN_FIELDS},
    "labels": {"type": "array", "items": {"type": "string"}},
    "summary": {"type": "string"},
}

# Where the spec's declared schema contradicts its own example and description.
ERRATA = {
    # "otherwise all remote issue links are returned": the example is an array, and the
    # API returns one when no globalId is given; the schema names a single link.
    ("get", "/rest/api/3/issue/{issueIdOrKey}/remotelink"): "array of the declared schema",
}


# --- spec loading --------------------------------------------------------------------------


def openapi_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0 schemas as JSON Schema draft 4: ``nullable: true`` admits null."""
    if isinstance(node, list):
        return [openapi_to_jsonschema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {k: openapi_to_jsonschema(v) for k, v in node.items()}
    if converted.pop("nullable", False) is True:
        if isinstance(converted.get("type"), str):
            converted["type"] = [converted["type"], "null"]
            if "enum" in converted:
                converted["enum"] = [*converted["enum"], None]
        else:
            return {"anyOf": [{"type": "null"}, converted]}
    return converted


@cache
def specs() -> dict[str, dict[str, Any]]:
    return {
        uri: openapi_to_jsonschema(json.loads((SPECS / name).read_text()))
        for uri, name in SPEC_FILES.items()
    }


@cache
def registry() -> Registry:
    resources = [
        (uri, Resource(contents=spec, specification=DRAFT4)) for uri, spec in specs().items()
    ]
    return Registry().with_resources(resources)


def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")


@cache
def operations() -> list[tuple[int, re.Pattern[str], str, str, str]]:
    """(number of parameters, path regex, method, spec uri, template), literal paths first."""
    found = []
    for uri, spec in specs().items():
        for template, ops in spec["paths"].items():
            for method in ops:
                found.append(
                    (template.count("{"), _template_regex(template), method, uri, template)
                )
    return sorted(found, key=lambda op: op[0])


def response_schema(method: str, path: str) -> dict[str, Any]:
    if (method, path) == ("post", "/rest/api/3/search/jql") or (
        method == "get" and path == "/rest/api/3/search/jql"
    ):
        return SEARCH_AND_RECONCILE_RESULTS
    if (method, path) == ("get", "/rest/api/3/serverInfo"):
        return _server_info()
    for _, pattern, op_method, uri, template in operations():
        if op_method != method or not pattern.match(path):
            continue
        responses = specs()[uri]["paths"][template][method]["responses"]
        status = next(code for code in sorted(responses) if code.startswith("2"))
        schema = responses[status]["content"]["application/json"]["schema"]
        resolved = {"$ref": uri + schema["$ref"]} if "$ref" in schema else _rebase(schema, uri)
        if (method, template) in ERRATA:
            return {"type": "array", "items": resolved}
        return resolved
    raise AssertionError(f"no documented operation for {method.upper()} {path}")


@cache
def _server_info() -> dict[str, Any]:
    """Jira Server/DC's serverInfo (asked through v2 on every site) also states the
    database's build number, which the Cloud description has no use for."""
    schema = json.loads(json.dumps(specs()["urn:jira-platform"]["components"]["schemas"]
                                   ["ServerInformation"]))
    schema["properties"]["databaseBuildNumber"] = {"type": "integer"}
    return _rebase(schema, "urn:jira-platform")


def _rebase(schema: Any, uri: str) -> Any:
    """Inline schemas keep their ``#/components`` refs pointing at their own document."""
    text = json.dumps(schema).replace('"$ref": "#/', f'"$ref": "{uri}#/')
    return json.loads(text)


def validate(instance: Any, schema: dict[str, Any]) -> list[str]:
    validator = Draft4Validator(schema, registry=registry())
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message[:300]}"
        for error in validator.iter_errors(instance)
    ]


# --- cassettes --------------------------------------------------------------------------------


def api_path(uri: str) -> str:
    """/rest/… path without host or Server context path; v2 maps onto the v3 operation."""
    path = urlsplit(uri).path
    path = path[path.index("/rest/") :]
    return re.sub(r"^/rest/api/2/", "/rest/api/3/", path)


@cache
def interactions(cassette: Path) -> list[dict[str, Any]]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return list(yaml.load(cassette.read_text(), Loader=loader)["interactions"])  # noqa: S506


def _body(cassette: Path, index: int) -> tuple[str, str, Any]:
    item = interactions(cassette)[index]
    method = item["request"]["method"].lower()
    return method, api_path(item["request"]["uri"]), json.loads(item["response"]["body"]["string"])


def recorded_bodies(*, searches_only: bool = False) -> list[Any]:
    params = []
    for cassette in sorted((CASSETTES / "jira").glob("*.yaml")):
        for index, item in enumerate(interactions(cassette)):
            request, response = item["request"], item["response"]
            code = response["status"]["code"]
            kind = " ".join(response["headers"].get("Content-Type", [""]))
            if not 200 <= code < 300 or "json" not in kind:
                continue  # errors and the deliberate non-JSON fault fixtures
            path = api_path(request["uri"])
            if searches_only and not path.startswith("/rest/api/3/search"):
                continue
            label = f"{cassette.stem}[{index}] {request['method']} {path}"
            params.append(pytest.param(cassette, index, id=label))
    return params


@pytest.mark.parametrize(("cassette", "index"), recorded_bodies())
def test_body_matches_documented_schema(cassette: Path, index: int) -> None:
    method, path, body = _body(cassette, index)
    errors = validate(body, response_schema(method, path))
    assert not errors, "\n".join(errors[:20])


@pytest.mark.parametrize(("cassette", "index"), recorded_bodies(searches_only=True))
def test_issue_fields_match_their_components(cassette: Path, index: int) -> None:
    _, _, body = _body(cassette, index)
    errors = []
    for issue in body["issues"]:
        for name, schema in FIELD_SCHEMAS.items():
            if name in issue["fields"]:
                found = validate(issue["fields"][name], schema)
                errors += [f"{issue['key']}.{name}: {e}" for e in found]
    assert not errors, "\n".join(errors[:20])


def test_every_jira_cassette_has_a_checked_body() -> None:
    checked = {param.values[0].stem for param in recorded_bodies()}
    expected = {p.stem for p in (CASSETTES / "jira").glob("*.yaml")}
    # These hold only failures (or nothing): there is no 2xx body to check.
    assert expected - checked == {"cloud_unauthorized", "read_only"}


def test_validator_rejects_a_wrong_shape() -> None:
    """Guard against a validator that accepts everything (e.g. an unresolved $ref)."""
    wrong = [{"id": 10041, "name": "4.1.0", "released": "yes"}]
    assert validate(wrong, response_schema("get", "/rest/api/3/project/ACME/versions"))
    page = {"issues": [{"key": "ACME-1", "fields": {}, "surprise": True}], "isLast": True}
    assert validate(page, response_schema("post", "/rest/api/3/search/jql"))
    assert validate([{"id": 1}], FIELD_SCHEMAS["issuelinks"])
