"""vulnerable-dependency: manifests and lockfiles in the diff, advisories from snapshot.osv."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from agents.base import AgentInput
from agents.models import AgentStatus, Severity
from agents.security import SecurityAgent, dependency_changes, packages_to_query
from agents.security.dependencies.manifests import ManifestKind, parse_manifest
from connectors.osv.models import OsvResult, PackageRef, PackageVulnerabilities, Vulnerability
from connectors.osv.models import Severity as OsvSeverity
from tests.agents.security.builders import (
    CRITICAL,
    added,
    changed,
    files,
    hunk,
    policy,
    pull,
    reviewer,
    snapshot,
)

REQUESTS = PackageRef(ecosystem="PyPI", name="requests", version="2.19.0")
VULN = Vulnerability(
    id="GHSA-x84v-xcm2-53pg", modified=datetime(2024, 1, 1, tzinfo=UTC),
    aliases=["CVE-2018-18074"], summary="Insecure credential handling on redirect",
    severity=OsvSeverity(band="HIGH", score=7.5, source="cvss_v3"),
    fixed_versions=["2.20.0"], cwe_ids=["CWE-522"])
REQS_PATCH = hunk(1, 1, [" flask==2.3.0", "-requests==2.18.0", "+requests==2.19.0",
                         "+rich>=13"])


def _osv(vulns: list[Vulnerability] | None, package: PackageRef = REQUESTS) -> OsvResult:
    return OsvResult(packages=[PackageVulnerabilities(package=package, vulnerabilities=vulns)])


def _deps(review):  # type: ignore[no-untyped-def]
    return [f for f in review.findings if f.category == "vulnerable-dependency"]


def test_changed_requirement_with_an_advisory_is_reported() -> None:
    review = reviewer(osv=_osv([VULN])).review(pull(changed("requirements.txt", REQS_PATCH)))
    [finding] = _deps(review)
    assert finding.severity is Severity.HIGH
    assert "GHSA-x84v-xcm2-53pg" in finding.explanation
    assert "CVE-2018-18074" in finding.explanation and "2.20.0" in finding.recommendation
    assert finding.cwe == ["CWE-1395", "CWE-522"]
    assert finding.evidence[0].ref.startswith("requirements.txt:2")
    assert [e.url for e in finding.evidence[1:]] == [
        "https://osv.dev/vulnerability/GHSA-x84v-xcm2-53pg"]
    [change] = review.dependency_changes
    assert change.previous_version == "2.18.0"
    assert review.metrics["unpinned_dependencies"] == 1  # rich>=13


def test_no_advisories_means_no_finding_and_no_gap() -> None:
    review = reviewer(osv=_osv([])).review(pull(changed("requirements.txt", REQS_PATCH)))
    assert _deps(review) == [] and review.gaps == []


@pytest.mark.parametrize(("osv", "why"), [(None, "OSV data not in the snapshot"),
                                          (_osv(None), "lookup failed"),
                                          (OsvResult(packages=[]), "not queried")])
def test_unanswered_lookups_are_gaps_never_all_clear(osv: OsvResult | None, why: str) -> None:
    review = reviewer(osv=osv).review(pull(changed("requirements.txt", REQS_PATCH)))
    assert _deps(review) == []
    assert [(g.source, g.why) for g in review.gaps] == [("osv", why)]


def test_agent_without_osv_is_partial_when_dependencies_changed() -> None:
    pr = pull(changed("requirements.txt", REQS_PATCH))
    report = SecurityAgent(critical_paths=CRITICAL).analyse(
        AgentInput(snapshot=snapshot(pr)), policy())
    assert report.status is AgentStatus.PARTIAL
    assert any(g.source == "osv" for g in report.gaps)


def test_dependency_changes_feed_the_snapshot_builder() -> None:
    lock = {"lockfileVersion": 3, "packages": {
        "": {"name": "web"}, "node_modules/lodash": {"version": "4.17.20"},
        "node_modules/a/node_modules/minimist": {"version": "0.0.8"},
        "node_modules/local": {"link": True}}}
    text = json.dumps(lock, indent=2)
    prs = [pull(changed("requirements.txt", REQS_PATCH)),
           pull(added("web/package-lock.json", text.splitlines()), number=13)]
    changes = dependency_changes(prs)
    assert [(c.pull_request, str(c.package)) for c in changes] == [
        (12, "PyPI:requests@2.19.0"), (13, "npm:lodash@4.17.20"), (13, "npm:minimist@0.0.8")]
    assert packages_to_query([*changes, changes[0]]) == [c.package for c in changes]


def test_structured_lockfile_diff_uses_the_post_change_file() -> None:
    head = ('[[package]]\nname = "django"\nversion = "4.2.1"\n\n'
            '[[package]]\nname = "six"\nversion = "1.16.0"\n')
    patch = hunk(1, 1, [" [[package]]", ' name = "django"', '-version = "4.2.0"',
                        '+version = "4.2.1"', " ", " [[package]]"])
    pr = pull(changed("poetry.lock", patch))
    [change] = dependency_changes([pr], files({"poetry.lock": head}))
    assert (str(change.package), change.previous_version, change.line) == (
        "PyPI:django@4.2.1", "4.2.0", 3)


def test_structured_lockfile_without_content_is_not_parsed_and_says_so() -> None:
    patch = hunk(1, 1, [' name = "django"', '-version = "4.2.0"', '+version = "4.2.1"'])
    review = reviewer(osv=OsvResult()).review(pull(changed("poetry.lock", patch)))
    assert review.dependency_changes == []
    [gap] = review.gaps
    assert "dependency changes not parsed" in gap.why


def test_malformed_lockfile_is_an_input_unreadable_finding() -> None:
    review = reviewer().review(pull(added("Pipfile.lock", ['{"default": {'])))
    [finding] = review.findings
    assert finding.category == "input-unreadable" and finding.severity is Severity.LOW
    assert "Pipfile.lock" in finding.title


@pytest.mark.parametrize(("kind", "text", "expected"), [
    (ManifestKind.PYPROJECT,
     '[project]\ndependencies = ["Flask==2.3.0", "attrs>=22"]\n'
     '[project.optional-dependencies]\ndev = ["pytest==8.0.0; python_version>\'3.8\'"]\n'
     '[tool.poetry.dependencies]\npython = "^3.11"\nhttpx = "0.27.0"\nboto3 = "^1.34"\n'
     '[tool.poetry.group.test.dependencies]\nfreezegun = {version = "1.4.0"}\n',
     {("flask", "2.3.0"), ("attrs", None), ("pytest", "8.0.0"), ("httpx", "0.27.0"),
      ("boto3", None), ("freezegun", "1.4.0")}),
    (ManifestKind.UV_LOCK,
     'version = 1\n[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { editable = "." }\n'
     '[[package]]\nname = "Jinja2"\nversion = "3.1.2"\n'
     'source = { registry = "https://pypi.org/simple" }\n',
     {("jinja2", "3.1.2")}),
    (ManifestKind.PIPFILE_LOCK,
     '{"default": {"urllib3": {"version": "==1.26.5"}, "local": {"path": "."}},'
     ' "develop": {"black": {"version": "==23.1.0"}}}',
     {("urllib3", "1.26.5"), ("black", "23.1.0")}),
    (ManifestKind.PACKAGE_LOCK,
     '{"lockfileVersion": 1, "dependencies": {"express": {"version": "4.17.1",'
     ' "dependencies": {"qs": {"version": "6.7.0"}}}}}',
     {("express", "4.17.1"), ("qs", "6.7.0")}),
    (ManifestKind.GO_SUM,
     "golang.org/x/text v0.3.5 h1:abc=\ngolang.org/x/text v0.3.5/go.mod h1:def=\n"
     "github.com/gin-gonic/gin v1.9.0/go.mod h1:ghi=\n",
     {("golang.org/x/text", "0.3.5")}),
    (ManifestKind.REQUIREMENTS,
     "-r base.txt\nDjango[argon2]==4.2.1 --hash=sha256:abc\n# pinned\n"
     "git+https://example.com/x.git#egg=x\ncelery ; python_version > '3'\n",
     {("django", "4.2.1"), ("celery", None)}),
])
def test_parsers(kind: ManifestKind, text: str, expected: set[tuple[str, str | None]]) -> None:
    assert {(d.name, d.version) for d in parse_manifest(kind, text)} == expected
