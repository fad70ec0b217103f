"""Stateless workers on one PostgreSQL database: one audit chain, one state per report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.context import open_controls
from advisor.settings import load_settings
from connectors.github.models import GitHubRelease, Repository
from connectors.snapshot import Snapshot, SnapshotBody, SnapshotRequest

pytestmark = pytest.mark.postgres

ROLES = "roles:\n  admin: [ada]\n  release-approver: [rita]\n"


def _snapshot(path: Path, head: str) -> Path:
    repo = Repository(
        full_name="acme/pay",
        default_branch="main",
        html_url="https://github.com/acme/pay",
        visibility="private",
    )
    body = SnapshotBody(
        subject=f"acme/pay@v1...{head}",
        asked=SnapshotRequest(repo="acme/pay", base="v1", head=head),
        github=GitHubRelease(repository=repo, base="v1", head=head),
    )
    Snapshot.seal(body).write(path)
    return path


def _advisor(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "advisor", *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_two_workers_share_one_chain_and_each_report_one_state(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    roles = tmp_path / "roles.yaml"
    roles.write_text(ROLES)
    monkeypatch.setenv("ADVISOR_DATABASE_URL", postgres_url)
    monkeypatch.setenv("ADVISOR_ROLES_FILE", str(roles))
    # Each worker has its own home (nothing shared on disk): all state is in PostgreSQL.
    envs = []
    for i in range(2):
        home = tmp_path / f"worker-{i}"
        envs.append({**os.environ, "ADVISOR_HOME": str(home), "USER": "ci", "LOGNAME": "ci"})
    snapshots = [_snapshot(tmp_path / f"s{i}.json", f"v2.{i}") for i in range(2)]
    workers = [
        _advisor(
            env,
            "release-report",
            "--snapshot",
            str(snap),
            "--agents",
            "delivery",
            "--format",
            "json",
            "--output",
            str(tmp_path / f"out-{i}"),
            "--quiet",
        )
        for i, (env, snap) in enumerate(zip(envs, snapshots, strict=True))
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err

    controls = open_controls(load_settings())
    reports = controls.registry.list(kind="release")
    assert len(reports) == 2 and {r.status.value for r in reports} == {"pending_signoff"}
    assert controls.audit.verify().ok
    runs = controls.runs.list(kind="release")
    assert len(runs) == 2 and len({r.report_id for r in runs}) == 2

    # Sign off one report from a third process; the other stays paused.
    approve = _advisor(
        {**envs[0], "USER": "rita", "LOGNAME": "rita"},
        "signoff",
        reports[0].id,
        "--approve",
        "--comment",
        "ok",
    )
    out, err = approve.communicate(timeout=300)
    assert approve.returncode == 0, err
    assert "resumed: approved" in out
    statuses = {r.id: r.status.value for r in controls.registry.list(kind="release")}
    assert sorted(statuses.values()) == ["approved", "pending_signoff"]
    assert controls.audit.verify().ok
    shown = _advisor(envs[1], "runs", "show", reports[0].thread_id or "")
    out, err = shown.communicate(timeout=120)
    assert shown.returncode == 0, err
    graph = json.loads(out)["graph"]
    assert graph["status"] == "approved" and graph["waiting_at"] == []
