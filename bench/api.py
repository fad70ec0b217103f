"""1. api: requests per source against the fewest pages the APIs need.
2. latency: snapshot wall time with injected latency, against sequential fetching and the
critical path.

The real connectors (PyGithub and jira clients, read-only guard on) build a snapshot
through ``build_snapshot`` from a replay server on 127.0.0.1 that serves the synthetic
org in GitHub Enterprise (``/api/v3``) and Jira Cloud shapes. The server counts what it
answers; the snapshot's provenance counts what the connectors sent: both must agree.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from bench import org as synth
from bench.context import Context
from bench.replay import ReplayProcess
from bench.util import Section, Timing, fmt_s, median, timed, verdict
from connectors.build import ConnectorFactories, build_snapshot
from connectors.code_keys import waited_for
from connectors.errors import ReadOnlyViolation
from connectors.github.connector import GitHubConnector
from connectors.github.settings import GitHubSettings
from connectors.jira.connector import JiraConnector
from connectors.jira.settings import JiraSettings
from connectors.snapshot import Snapshot, SnapshotRequest
from connectors.transport import RetryPolicy

REQUEST = SnapshotRequest(repo=synth.REPO, base=synth.BASE, head=synth.HEAD,
                          jira_project=synth.PROJECT, fix_version=synth.FIX_VERSION)
# Bounded: two attempts, two seconds of waiting at most, a read timeout on every call.
RETRY = RetryPolicy(max_attempts=2, total_wait_budget_s=2.0, timeout_s=(5.0, 60.0))
TOKEN = "bench-token-not-a-secret"  # noqa: S105 - the replay server ignores it
GH_WORKERS = GitHubSettings.model_fields["max_workers"].default
JIRA_WORKERS = JiraSettings.model_fields["workers"].default
DELAYS = (0.05, 0.2)
# GITHUB_MAX_WORKERS / JIRA_WORKERS for a server without secondary rate limits (GitHub
# Enterprise Server's default, a self-hosted Jira): measured at 200 ms beside the defaults.
WIDE = (64, 32)
SEQUENTIAL_BUDGET_S = 45.0  # measure sequential runs predicted to take at most this
TARGET_RATIO = 3.0  # snapshot wall against the critical path at 200 ms (#18)


class _Serial:
    """A connector whose fetches hold one lock shared by all sources: one after another
    (GitHub before Jira, which waits for its keys: `waited_for`)."""

    def __init__(self, connector: Any, lock: threading.Lock) -> None:
        self._connector, self._lock = connector, lock

    def fetch_release(self, *args: Any, **kwargs: Any) -> Any:
        kwargs = waited_for(kwargs)
        with self._lock:
            return self._connector.fetch_release(*args, **kwargs)


@dataclass
class Build:
    snapshot: Snapshot
    timing: Timing
    stats: dict[str, Any]


def build(server: ReplayProcess, *, sequential: bool = False,
          workers: tuple[int, int] = (GH_WORKERS, JIRA_WORKERS)) -> Build:
    """One snapshot through the real connectors; they are closed afterwards."""
    server.reset()
    closers: list[Callable[[], None]] = []
    lock = threading.Lock()
    gh_workers, jira_workers = (1, 1) if sequential else workers

    def github() -> Any:
        settings = GitHubSettings(base_url=f"{server.base}/api/v3", token=SecretStr(TOKEN),
                                  max_workers=gh_workers)
        connector = GitHubConnector(settings, retry=RETRY)
        closers.append(connector.close)
        return _Serial(connector, lock) if sequential else connector

    def jira() -> Any:
        # No JIRA_DEPLOYMENT, as by default: the connector asks serverInfo.
        settings = JiraSettings(url=server.base, email="bench@example.invalid",
                                api_token=SecretStr(TOKEN), workers=jira_workers)
        connector = JiraConnector(settings, retry=RETRY)
        closers.append(connector.client.close)
        return _Serial(connector, lock) if sequential else connector

    factories = ConnectorFactories(github=github, jira=jira)
    try:
        snapshot, timing = timed(lambda: build_snapshot(REQUEST, factories))
    finally:
        for close in closers:
            close()
    return Build(snapshot, timing, server.stats())


def _gaps(snapshot: Snapshot) -> list[str]:
    return [f"{g.source}: {g.what}: {g.why}" for p in snapshot.body.provenance for g in p.gaps]


def _files_differ(snapshot: Snapshot, org: synth.Org) -> list[int]:
    """PRs whose files (from shared compares or their own listing) are not exactly what
    ``/pulls/{n}/files`` holds for them."""
    github = snapshot.body.github
    read = {p.number: [(f.path, f.status, f.additions, f.deletions, f.patch)
                       for f in p.files] for p in (github.pull_requests if github else ())}
    return [p.number for p in org.merged
            if read.get(p.number) != [(f.path, f.status, f.additions, f.deletions, f.patch)
                                      for f in p.files]]


def guard_check(server: ReplayProcess) -> tuple[bool, str]:
    """A write through each connector's own client must be refused before the wire."""
    refused = []
    github = GitHubConnector(GitHubSettings(base_url=f"{server.base}/api/v3",
                                            token=SecretStr(TOKEN)), retry=RETRY)
    jira = JiraConnector(JiraSettings(url=server.base, deployment="cloud",
                                      email="bench@example.invalid", api_token=SecretStr(TOKEN)),
                         retry=RETRY)
    server.reset()
    try:
        try:
            github.github.requester.requestJsonAndCheck(
                "POST", f"/repos/{synth.REPO}/issues", input={"title": "bench"})
        except ReadOnlyViolation:
            refused.append("GitHub POST /issues")
        try:
            github.github.requester.graphql_named_mutation(
                "addPullRequestReview", {"pullRequestId": "PR_1", "event": "APPROVE"}, "id")
        except ReadOnlyViolation:
            refused.append("GitHub GraphQL mutation")
        try:
            jira.client._session.post(f"{server.base}/rest/api/3/issue", data="{}")
        except ReadOnlyViolation:
            refused.append("Jira POST /issue")
    finally:
        github.close()
        jira.client.close()
    seen = server.stats()["total"]
    ok = len(refused) == 3 and seen == 0
    return ok, f"{', '.join(refused) or 'nothing'} refused; server saw {seen} request(s)"


# -- request arithmetic --------------------------------------------------------------------


def rounds(facts: dict[str, int], workers: tuple[int, int] = (GH_WORKERS, JIRA_WORKERS)
           ) -> dict[str, int]:
    """Dependent request rounds: infinitely parallel, and with the connectors' workers.

    GitHub: the repository; the compare's page 1, then its other pages at once (their
    URLs are in page 1's Link); the merged PRs of the commits (GraphQL, needs the SHAs);
    every PR's metadata (and the deployments' statuses, queued meanwhile); then the
    compares of back-to-back merges and the other PRs' file listings, each listing's
    pages in a chain. The metadata also gives the Jira keys the code names, handed to
    Jira at once. CODEOWNERS and the deployment listings hang off the repository and
    the compare and never lie on the longest chain here.
    Jira: serverInfo, /field, fix versions, then search pages by token; then changelogs
    (then, if needed, /status) and remote links on one pool, the links once GitHub's
    keys are in.
    """
    later_compare = 1 if facts["compare_pages"] > 1 else 0
    github_keys = 1 + 1 + later_compare + 1 + 1
    github = github_keys + max(1, facts["file_max_pages"])
    searched = 3 + facts["search_pages"]
    links = facts["remote_links"]
    jira = max(searched + facts["changelog_max_pages"] + facts["status_request"],
               max(searched, github_keys) + 1 if links else 0)
    # The connectors: every request on a pool of workers; the phases follow each other.
    gh_pool, jira_pool = workers
    github_keys_workers = (1 + 1 + math.ceil((facts["compare_pages"] - 1) / gh_pool)
                           + math.ceil(facts["association_queries"] / gh_pool)
                           + math.ceil((facts["metadata_queries"]
                                        + facts["deployment_status_requests"]) / gh_pool))
    github_workers = github_keys_workers + math.ceil(
        (facts["merge_compares"] + facts["file_pages"]) / gh_pool)
    pooled = facts["changelog_requests"] + links  # changelogs first, links when keyed
    jira_workers = max(searched + math.ceil(pooled / jira_pool),
                       max(searched, github_keys_workers) + math.ceil(links / jira_pool)
                       ) + facts["status_request"]
    return {"critical_path": max(github, jira), "github_critical_path": github,
            "jira_critical_path": jira,
            "with_workers": max(github_workers, jira_workers),
            "github_with_workers": github_workers, "jira_with_workers": jira_workers}


# -- 1. api -------------------------------------------------------------------------------


def run_api(ctx: Context, section: Section) -> None:
    from bench.snapshots import save_analysis_snapshot

    runs = 1 if ctx.quick else 3
    ctx.start_servers(synth.SIZES)
    ok, detail = guard_check(ctx.server(synth.SIZES[0]))
    section.add("read-only guard on (writes refused before the wire)", "yes" if ok else "NO",
                "writes refused", verdict(ok))
    section.data["guard"] = detail
    results = []
    for size in synth.SIZES:
        server = ctx.server(size)
        facts = server.facts()
        builds = [build(server) for _ in range(1 if size.prs >= 1000 else runs)]
        first = builds[0]
        serial = build(server, sequential=True)
        ctx.sequential_base[size] = (serial.timing.wall_s, serial.stats["total"])
        gaps = _gaps(first.snapshot)
        by_source = first.stats["by_source"]
        provenance = {p.source: p.requests for p in first.snapshot.body.provenance}
        github, jira = by_source.get("github", 0), by_source.get("jira", 0)
        ratios = {"github": github / facts["minimum_github"], "jira": jira / facts["minimum_jira"]}
        label = f"{size.prs} PRs"
        section.add(f"{label}: GitHub requests / minimum pages",
                    f"{github} / {facts['minimum_github']} = {ratios['github']:.2f}",
                    "<= 1.1", verdict(ratios["github"] <= 1.1))
        section.add(f"{size.issues} issues: Jira requests / minimum pages",
                    f"{jira} / {facts['minimum_jira']} = {ratios['jira']:.2f}",
                    "<= 1.1", verdict(ratios["jira"] <= 1.1))
        per_pr = github / size.prs
        section.add(f"{label}: GitHub requests per merged PR (patches included)",
                    f"{per_pr:.2f}", "<= 1.3", verdict(per_pr <= 1.3))
        section.add(f"{label}: the same read with REST alone (minimum pages)",
                    f"{facts['minimum_github_rest']} = "
                    f"{facts['minimum_github_rest'] / size.prs:.2f} per PR")
        wall = median([b.timing.wall_s for b in builds])
        cpu = median([b.timing.cpu_s for b in builds])
        section.add(f"{label}: snapshot build, no latency (wall / client CPU)",
                    f"{fmt_s(wall)} / {fmt_s(cpu)}")
        section.add(f"{label}: same, sequential (max_workers=1, one source at a time)",
                    f"{fmt_s(serial.timing.wall_s)} / {fmt_s(serial.timing.cpu_s)}")
        results.append({
            "size": {"prs": size.prs, "issues": size.issues}, "facts": facts,
            "requests": by_source, "provenance_requests": provenance,
            "by_kind": first.stats["by_kind"], "ratios": ratios,
            "github_requests_per_pr": round(github / size.prs, 3),
            "github_rest_minimum": facts["minimum_github_rest"], "runs": len(builds),
            "wall_s": [round(b.timing.wall_s, 3) for b in builds],
            "cpu_s": [round(b.timing.cpu_s, 3) for b in builds], "gaps": gaps,
            "sequential_wall_s": round(serial.timing.wall_s, 3),
            "sequential_cpu_s": round(serial.timing.cpu_s, 3),
        })
        if provenance.get("github") != github or provenance.get("jira") != jira:
            section.notes.append(f"{label}: provenance counts {provenance} differ from the "
                                 f"server's {by_source}")
        if gaps:
            section.notes.append(f"{label}: the snapshot has gaps: {gaps[:3]}")
        body = first.snapshot.body
        read = (len(body.github.pull_requests) if body.github else 0,
                len(body.jira.issues) if body.jira else 0)
        if read != (facts["prs"], facts["issues"]):
            section.notes.append(f"{label}: read {read[0]} PRs and {read[1]} issues of "
                                 f"{facts['prs']} and {facts['issues']}")
        differ = _files_differ(first.snapshot, synth.build_org(size))
        if differ:
            section.notes.append(f"{label}: {len(differ)} PRs' files differ from their own "
                                 f"listings, e.g. #{differ[0]}")
        ctx.snapshots[size] = save_analysis_snapshot(first.snapshot, ctx.workdir, size)
    section.data["sizes"] = results


# -- 2. latency ---------------------------------------------------------------------------


def _sequential_plan(ctx: Context, delay: float, requests: int, base_s: float) -> bool:
    return not ctx.quick and base_s + requests * delay <= SEQUENTIAL_BUDGET_S


def run_latency(ctx: Context, section: Section) -> None:
    results = []
    base = ctx.sequential_base
    for size in synth.SIZES:  # sequential without latency: the model's per-request cost
        if size not in base:
            server = ctx.server(size)
            server.delay(0)
            zero = build(server, sequential=True)
            base[size] = (zero.timing.wall_s, zero.stats["total"])
    for delay in DELAYS:
        for size in synth.SIZES:
            results.append(_latency_run(ctx, section, size, delay))
    for size in synth.SIZES:
        results.append(_wide_run(ctx, section, size, DELAYS[-1]))
    section.data["runs"] = results
    section.notes.append("sequential = max_workers=1, Jira workers=1, sources one after "
                         "another; 'model' = no-latency sequential wall + requests x delay "
                         "(runs predicted over "
                         f"{SEQUENTIAL_BUDGET_S:.0f} s are modelled, not measured)")


def _delayed(ctx: Context, size: synth.Size, delay: float, runs: int,
             workers: tuple[int, int]) -> tuple[list[Build], float | None]:
    """Snapshots built with ``delay`` injected; a sequential one too when it is affordable."""
    server = ctx.server(size)
    server.delay(delay)
    try:
        builds = [build(server, workers=workers) for _ in range(runs)]
        base_s, _ = ctx.sequential_base[size]
        measured_seq: float | None = None
        if workers == (GH_WORKERS, JIRA_WORKERS) and _sequential_plan(
                ctx, delay, builds[0].stats["total"], base_s):
            measured_seq = build(server, sequential=True).timing.wall_s
    finally:
        server.delay(0)
    return builds, measured_seq


def _latency_run(ctx: Context, section: Section, size: synth.Size,
                 delay: float) -> dict[str, Any]:
    facts = ctx.server(size).facts()
    runs = 1 if ctx.quick or size.prs >= 1000 or (delay > 0.1 and size.prs >= 200) else 3
    builds, measured_seq = _delayed(ctx, size, delay, runs, (GH_WORKERS, JIRA_WORKERS))
    requests = builds[0].stats["total"]
    base_s, _ = ctx.sequential_base[size]
    wall = median([b.timing.wall_s for b in builds])
    model_seq = base_s + requests * delay
    sequential = measured_seq if measured_seq is not None else model_seq
    r = rounds(facts)
    critical_s, workers_s = r["critical_path"] * delay, r["with_workers"] * delay
    label = f"{size.prs} PRs @ {delay * 1000:.0f} ms"
    section.add(f"{label}: snapshot wall, default concurrency", fmt_s(wall))
    how = "measured" if measured_seq is not None else "model"
    section.add(f"{label}: sequential ({how}) / concurrent",
                f"{fmt_s(sequential)} / {fmt_s(wall)} = {sequential / wall:.1f}x")
    target = f"<= {TARGET_RATIO:g}x" if delay >= 0.2 else ""
    section.add(f"{label}: concurrent / critical path ({r['critical_path']} rounds)",
                f"{fmt_s(wall)} / {fmt_s(critical_s)} = {wall / critical_s:.1f}x",
                target, verdict(wall / critical_s <= TARGET_RATIO) if target else "")
    section.add(f"{label}: concurrent / worker-limited bound ({r['with_workers']} rounds)",
                f"{wall / workers_s:.2f}x")
    return {
        "size": {"prs": size.prs, "issues": size.issues}, "delay_s": delay,
        "workers": {"github": GH_WORKERS, "jira": JIRA_WORKERS},
        "requests": requests, "runs": len(builds),
        "wall_s": [round(b.timing.wall_s, 3) for b in builds],
        "cpu_s": [round(b.timing.cpu_s, 3) for b in builds],
        "sequential_s": round(sequential, 3), "sequential_measured": measured_seq is not None,
        "sequential_model_s": round(model_seq, 3), "sequential_no_latency_s": round(base_s, 3),
        "rounds": r, "critical_path_s": round(critical_s, 3),
        "worker_bound_s": round(workers_s, 3),
        "peak_in_flight": builds[0].stats["peak_in_flight"],
    }


def _wide_run(ctx: Context, section: Section, size: synth.Size,
              delay: float) -> dict[str, Any]:
    """The same with the pools a server without secondary rate limits allows."""
    facts = ctx.server(size).facts()
    builds, _ = _delayed(ctx, size, delay, 1, WIDE)
    wall = builds[0].timing.wall_s
    r = rounds(facts, WIDE)
    critical_s = r["critical_path"] * delay
    label = (f"{size.prs} PRs @ {delay * 1000:.0f} ms, GITHUB_MAX_WORKERS={WIDE[0]} "
             f"JIRA_WORKERS={WIDE[1]}")
    section.add(f"{label}: wall / critical path",
                f"{fmt_s(wall)} / {fmt_s(critical_s)} = {wall / critical_s:.1f}x",
                f"<= {TARGET_RATIO:g}x", verdict(wall / critical_s <= TARGET_RATIO))
    section.add(f"{label}: client CPU, peak requests in flight",
                f"{fmt_s(builds[0].timing.cpu_s)}, {builds[0].stats['peak_in_flight']}")
    return {
        "size": {"prs": size.prs, "issues": size.issues}, "delay_s": delay,
        "workers": {"github": WIDE[0], "jira": WIDE[1]},
        "requests": builds[0].stats["total"], "runs": 1,
        "wall_s": [round(wall, 3)], "cpu_s": [round(builds[0].timing.cpu_s, 3)],
        "rounds": r, "critical_path_s": round(critical_s, 3),
        "worker_bound_s": round(r["with_workers"] * delay, 3),
        "peak_in_flight": builds[0].stats["peak_in_flight"],
    }
