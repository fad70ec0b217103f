"""Snapshots: sealed, versioned, refused when damaged; the builder records gaps."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.build import ConnectorFactories, build_snapshot
from connectors.errors import ConnectorError
from connectors.github.models import GitHubRelease, Repository
from connectors.jira.models import JiraRelease
from connectors.osv.models import OsvResult, PackageRef
from connectors.provenance import SourceProvenance
from connectors.snapshot import (
    Snapshot,
    SnapshotBody,
    SnapshotError,
    SnapshotRequest,
    load_snapshot,
)

REPO = Repository(
    full_name="acme/pay",
    default_branch="main",
    html_url="https://github.com/acme/pay",
    visibility="private",
)


def sealed() -> Snapshot:
    body = SnapshotBody(
        subject="acme/pay@v1...v2",
        asked=SnapshotRequest(repo="acme/pay", base="v1", head="v2"),
        github=GitHubRelease(repository=REPO, base="v1", head="v2"),
        provenance=[SourceProvenance(source="github", requests=3)],
    )
    return Snapshot.seal(body)


@pytest.mark.parametrize("name", ["snap.json", "snap.json.gz"])
def test_round_trip_keeps_the_hash(tmp_path: Path, name: str) -> None:
    snap = sealed()
    snap.write(tmp_path / name)
    loaded = load_snapshot(tmp_path / name)
    assert loaded.content_hash == snap.content_hash
    assert loaded.body.github == snap.body.github


def test_edited_snapshot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    sealed().write(path)
    raw = json.loads(path.read_text())
    raw["body"]["github"]["head"] = "v3"
    path.write_text(json.dumps(raw))
    with pytest.raises(SnapshotError, match="hash mismatch"):
        load_snapshot(path)


def test_truncated_snapshot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    sealed().write(path)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(SnapshotError, match="truncated"):
        load_snapshot(path)


def test_truncated_gzip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "snap.json.gz"
    sealed().write(path)
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(SnapshotError, match="truncated"):
        load_snapshot(path)


def test_unknown_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    sealed().write(path)
    raw = json.loads(path.read_text())
    raw["schema_version"] = "9.0"
    path.write_text(json.dumps(raw))
    with pytest.raises(SnapshotError, match=r"unknown snapshot version '9\.0'"):
        load_snapshot(path)


def test_other_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"hello": "world"}')
    with pytest.raises(SnapshotError, match="not a release-risk-advisor snapshot"):
        load_snapshot(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="not found"):
        load_snapshot(tmp_path / "nope.json")


class FakeGitHub:
    def fetch_release(self, repo: str, base: str, head: str, *,
                      publish_keys: Any = None) -> tuple[Any, SourceProvenance]:
        return (
            GitHubRelease(repository=REPO, base=base, head=head),
            SourceProvenance(source="github", asked={"repo": repo}, requests=4),
        )


class BrokenJira:
    def fetch_release(
        self, project: str, fix_version: str | None = None, jql: str | None = None, *,
        named_by_code: Any = None,
    ) -> tuple[Any, SourceProvenance]:
        raise ConnectorError("jira: 401 Unauthorized: token expired")


class FakeOsv:
    def __init__(self) -> None:
        self.asked: list[PackageRef] = []

    def query(self, packages: Any) -> tuple[Any, SourceProvenance]:
        self.asked = list(packages)
        return OsvResult(packages=[]), SourceProvenance(source="osv", requests=1)


def test_builder_records_a_failed_source_as_a_gap_and_keeps_the_rest() -> None:
    osv = FakeOsv()
    pkg = PackageRef(ecosystem="PyPI", name="jinja2", version="2.11.2")
    factories = ConnectorFactories(
        github=FakeGitHub,
        jira=BrokenJira,
        osv=lambda: osv,
        dependency_extractor=lambda release: [pkg],
    )
    request = SnapshotRequest(
        repo="acme/pay", base="v1", head="v2", jira_project="PAY", fix_version="2.0"
    )
    snap = build_snapshot(request, factories)
    assert snap.body.github is not None
    assert snap.body.jira is None, "missing data is never passed off as empty data"
    jira_gaps = [g for g in snap.body.gaps() if g.source == "jira"]
    assert jira_gaps and "token expired" in jira_gaps[0].why
    assert osv.asked == [pkg]
    assert snap.body.osv is not None
    assert {p.source for p in snap.body.provenance} == {"github", "jira", "osv"}


def test_unconfigured_source_is_a_gap() -> None:
    snap = build_snapshot(SnapshotRequest(jira_project="PAY"), ConnectorFactories())
    assert snap.body.jira is None
    assert any(g.source == "jira" and "not configured" in g.why for g in snap.body.gaps())


def test_jira_release_type_is_stored() -> None:
    class OkJira:
        def fetch_release(
            self, project: str, fix_version: str | None = None, jql: str | None = None
        ) -> tuple[Any, SourceProvenance]:
            return (
                JiraRelease(project=project, jql="project = PAY"),
                SourceProvenance(source="jira", fetched_at=datetime.now(UTC)),
            )

    snap = build_snapshot(SnapshotRequest(jira_project="PAY"), ConnectorFactories(jira=OkJira))
    assert snap.body.jira is not None and snap.body.jira.project == "PAY"


class KeyedGitHub:
    def __init__(self, keys: set[str] | None, fail: bool = False) -> None:
        self.keys, self.fail = keys, fail

    def fetch_release(self, repo: str, base: str, head: str, *,
                      publish_keys: Any = None) -> tuple[Any, SourceProvenance]:
        if self.fail:
            raise ConnectorError("github: cannot read repository acme/pay (502 Bad Gateway)")
        if publish_keys is not None and self.keys is not None:
            publish_keys(self.keys)
        return FakeGitHub().fetch_release(repo, base, head)


class WaitingJira:
    def __init__(self) -> None:
        self.named: list[frozenset[str] | None] = []

    def fetch_release(self, project: str, fix_version: str | None = None,
                      jql: str | None = None, *, named_by_code: Any = None,
                      ) -> tuple[Any, SourceProvenance]:
        self.named.append(named_by_code() if named_by_code is not None else frozenset({"-"}))
        return (JiraRelease(project=project, jql="project = PAY"),
                SourceProvenance(source="jira"))


@pytest.mark.parametrize(("github", "expected"), [
    (KeyedGitHub({"PAY-1", "PAY-7"}), frozenset({"PAY-1", "PAY-7"})),
    (KeyedGitHub(None), None),  # finished without publishing: keys unknown
    (KeyedGitHub(None, fail=True), None),  # failed: Jira must not wait forever
])
def test_github_hands_jira_the_keys_its_code_names(github: KeyedGitHub,
                                                    expected: frozenset[str] | None) -> None:
    jira = WaitingJira()
    request = SnapshotRequest(repo="acme/pay", base="v1", head="v2", jira_project="PAY",
                              fix_version="2.0")
    snap = build_snapshot(request, ConnectorFactories(github=lambda: github,
                                                      jira=lambda: jira))
    assert jira.named == [expected]
    assert snap.body.jira is not None


def test_jira_alone_is_not_asked_to_wait() -> None:
    jira = WaitingJira()
    build_snapshot(SnapshotRequest(jira_project="PAY"), ConnectorFactories(jira=lambda: jira))
    assert jira.named == [frozenset({"-"})]  # no hand-off: every issue's links are read
