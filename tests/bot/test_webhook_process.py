"""The webhook server as deployed (its own process, real sockets): SIGTERM finishes or
releases accepted work and a restart processes every delivery exactly once; slow
headers and slow bodies are cut off. On SQLite and PostgreSQL."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from advisor.webhook import sign
from tests.bot.webhook_process import SECRET

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Process:
    def __init__(self, store_url: str, log: Path, work_s: float, grace_s: float = 10.0) -> None:
        self.port = free_port()
        env = {**os.environ, "ADVISOR_DATABASE_URL": store_url, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.bot.webhook_process", str(self.port), str(log),
             str(work_s), str(grace_s)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read()}")  # type: ignore[union-attr]
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the server did not come up")

    def request(self, method: str, path: str, body: bytes = b"",
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, object]]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            answer = connection.getresponse()
            return answer.status, json.loads(answer.read() or b"{}")
        finally:
            connection.close()

    def deliver(self, delivery: str) -> int:
        body = json.dumps({"action": "opened", "repository": {"full_name": "acme/shop"},
                           "pull_request": {"number": 7, "head": {"sha": "a" * 40}}}).encode()
        return self.request("POST", "/webhooks/github", body, {
            "X-GitHub-Event": "pull_request", "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": sign(SECRET.encode(), body),
            "Content-Type": "application/json"})[0]

    def terminate(self, timeout: float = 60.0) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)


def statuses(store_url: str) -> dict[str, str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(store_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT delivery_id, status FROM webhook_deliveries")).all()
    engine.dispose()
    return {r[0]: r[1] for r in rows}


@pytest.fixture
def url(store_url: str, isolated_environment: Path) -> str:
    from governance.db import Store

    Store.initialise(store_url)[0].engine.dispose()  # `advisor db init`
    return store_url


def test_sigterm_then_restart_processes_every_accepted_delivery_exactly_once(
        url: str, tmp_path: Path) -> None:
    log = tmp_path / "processed.log"
    server = Process(url, log, work_s=0.4, grace_s=10.0)
    ids = [f"d-{i:02d}" for i in range(30)]
    assert [server.deliver(d) for d in ids] == [202] * 30
    started = time.monotonic()
    server.terminate()
    assert time.monotonic() - started < 30, "exits within the grace period"
    after_stop = statuses(url)
    assert set(after_stop) == set(ids)
    assert "running" not in after_stop.values(), "nothing left running"
    done_first = [d for d, s in after_stop.items() if s == "done"]
    assert done_first and len(done_first) < 30, "some finished, the rest wait in the queue"
    queued = sorted(d for d, s in after_stop.items() if s == "queued")

    restarted = Process(url, log, work_s=0.2)  # the last queued waits about two seconds
    try:
        # GitHub's "Redeliver" of one that never completed is accepted, not a 409.
        assert restarted.deliver(queued[-1]) == 202
        deadline = time.monotonic() + 60
        while any(s != "done" for s in statuses(url).values()):
            assert time.monotonic() < deadline, statuses(url)
            time.sleep(0.1)
        assert restarted.deliver(queued[-1]) == 409  # completed now: a replay
    finally:
        restarted.terminate()
    processed = Counter(log.read_text().split())
    assert processed == Counter(ids), "every delivery processed, and only once"


def test_slow_headers_and_slow_bodies_are_cut_off(url: str, tmp_path: Path) -> None:
    server = Process(url, tmp_path / "log", work_s=0.0)
    try:
        slow = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(20)]
        for conn in slow:
            conn.sendall(b"POST /webhooks/github HTTP/1.1\r\nHost: x\r\n")  # never finished
            conn.settimeout(5)
        assert all(conn.recv(1024) == b"" for conn in slow), "closed by the header deadline"
        body = socket.create_connection(("127.0.0.1", server.port))
        body.sendall(b"POST /webhooks/github HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                     b"Content-Type: application/json\r\n\r\n{\"a\": ")
        body.settimeout(5)
        answer = body.recv(4096)
        assert answer.startswith(b"HTTP/1.1 408"), answer[:40]
        assert server.request("GET", "/healthz")[0] == 200  # still serving
        for conn in [*slow, body]:
            conn.close()
    finally:
        server.terminate()
