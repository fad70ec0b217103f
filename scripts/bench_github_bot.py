"""Measure the PR bot (figures only, nothing asserted), offline.

1. Reviewing the planted PR (acme/shop#207, cassettes/github_bot/planted_pr.yaml) with
   posting: wall time, and HTTP requests to GitHub (reads and writes) and OSV.
2. The webhook server on 127.0.0.1 (uvicorn, its own process): time to first response
   for 50 concurrent signed deliveries, while 4 workers chew on 0.2 s jobs.

    .venv/bin/python scripts/bench_github_bot.py
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _home() -> Path:
    home = Path(tempfile.mkdtemp(prefix="advisor-bench-"))
    roles = home / "roles.yaml"
    roles.write_text("roles:\n  admin: [ada]\n  security-reviewer: [security-lead]\n")
    os.environ.update(ADVISOR_HOME=str(home / "home"), ADVISOR_ROLES_FILE=str(roles))
    os.environ.pop("ANTHROPIC_API_KEY", None)
    return home


def _serialize_connections() -> None:
    """vcrpy and worker threads: build replayed connections one at a time (see tests)."""
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    lock = threading.RLock()
    for pool in (HTTPConnectionPool, HTTPSConnectionPool):
        original = pool._new_conn

        def new_conn(self: Any, _original: Any = original) -> Any:
            with lock:
                return _original(self)

        pool._new_conn = new_conn  # type: ignore[method-assign]


def review_once() -> dict[str, Any]:
    from pydantic import SecretStr

    from advisor.context import graph_context, open_controls
    from advisor.settings import load_settings
    from connectors.github import GitHubConnector, GitHubSettings
    from connectors.osv import OsvConnector, OsvSettings
    from graphs.runner import start_security_review
    from graphs.security_review import (
        ReviewServices,
        SecurityReviewRequest,
        review_context,
    )
    from publishers.github.auth import StaticToken
    from publishers.github.client import GitHubPublisher
    from tests.replay import replayer

    home = _home()
    used: dict[str, Any] = {}

    def github(_request: Any) -> GitHubConnector:
        used["github"] = GitHubConnector(GitHubSettings(token=SecretStr("bench")))
        return used["github"]

    def osv(_home: Path) -> OsvConnector:
        used["osv"] = OsvConnector(OsvSettings(), cache_dir=home / "osv")
        return used["osv"]

    def publisher(_request: Any, gate: Any) -> GitHubPublisher:
        used["publisher"] = GitHubPublisher(StaticToken(SecretStr("bench")), gate=gate)
        return used["publisher"]

    settings = load_settings()
    ctx = review_context(graph_context(settings, open_controls(settings)),
                         ReviewServices(github=github, osv=osv, publisher=publisher))
    request = SecurityReviewRequest(source="github", repo="acme/shop", number=207, post=True)
    started = time.perf_counter()
    with replayer("github_bot").use_cassette("planted_pr.yaml"):
        state = start_security_review(ctx, request, "bench")
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "status": state["status"],
            "github_reads": used["github"].stats.requests,
            "github_writes": used["publisher"].stats.requests,
            "osv": used["osv"].stats.requests,
            "findings": len(state["report"]["findings"])}


# -- the webhook server (in its own process, as deployed) ---------------------------------------

SECRET = "bench-secret"  # noqa: S105 - a throw-away webhook secret


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve(port: int, work_s: float = 0.2) -> None:
    """The server process: real app, delivery log and queue; jobs just take ``work_s``."""
    import uvicorn
    from pydantic import SecretStr

    from advisor.context import open_controls
    from advisor.settings import load_settings
    from advisor.webhook import WebhookConfig, create_app
    from advisor.webhook.server import delivery_queue
    from advisor.webhook.work import QueueRunner

    _home()
    config = WebhookConfig(secret=SecretStr(SECRET))
    queue = delivery_queue(open_controls(load_settings()), config)
    app = create_app(config, queue, QueueRunner(queue, lambda job: time.sleep(work_s), 4))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False)


def _deliver(port: int, index: int) -> tuple[int, float]:
    import http.client

    from advisor.webhook import sign

    body = json.dumps({"action": "opened", "repository": {"full_name": "acme/shop"},
                       "pull_request": {"number": index, "head": {"sha": "a" * 40}}}).encode()
    headers = {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": f"bench-{index}",
               "X-Hub-Signature-256": sign(SECRET.encode(), body),
               "Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    connection.request("POST", "/webhooks/github", body=body, headers=headers)
    status = connection.getresponse().status
    elapsed = time.perf_counter() - started
    connection.close()
    return status, elapsed


def _wait_healthy(port: int) -> None:
    import http.client

    for _ in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the server did not come up")


def webhook_burst(deliveries: int = 50) -> dict[str, Any]:
    import subprocess

    port = _free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)])
    try:
        _wait_healthy(port)
        gate = threading.Barrier(deliveries)

        def together(index: int) -> tuple[int, float]:
            gate.wait()  # all 50 leave at once
            return _deliver(port, index)

        with ThreadPoolExecutor(deliveries) as pool:
            results = list(pool.map(together, range(deliveries)))
    finally:
        server.terminate()
        server.wait(10)
    latencies = sorted(t for _, t in results)
    statuses: dict[int, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {"deliveries": deliveries, "statuses": statuses, "first_response_ms": {
        "min": round(latencies[0] * 1000, 1),
        "median": round(statistics.median(latencies) * 1000, 1),
        "p95": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
        "max": round(latencies[-1] * 1000, 1)}}


def main() -> None:
    _serialize_connections()
    runs = [review_once() for _ in range(3)]
    print("planted PR review (3 runs, fresh home each):")
    for run in runs:
        print(f"  {run['seconds']:.2f} s  status={run['status']}  findings={run['findings']}  "
              f"GitHub reads={run['github_reads']} writes={run['github_writes']}  "
              f"OSV={run['osv']}")
    print(f"  median {statistics.median(r['seconds'] for r in runs):.2f} s")
    print("webhook, 50 concurrent deliveries on 127.0.0.1:")
    print("  " + json.dumps(webhook_burst()))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]))
    else:
        main()
