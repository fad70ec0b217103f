"""A replay server for one synthetic org on 127.0.0.1: GitHub under ``/api/v3``, Jira Cloud
under ``/rest/api/3``; threaded ``http.server``, HTTP/1.1 keep-alive, optional latency.

It runs in its own process (``python -m bench.replay --prs N --issues M``), so its
threads never compete with the measured client for the GIL. It prints ``READY <port>``
once it listens, and stops on ``GET /__bench/stop``, when its stdin closes (the parent
went away), after ``--lifetime`` seconds, or after ``--max-requests`` answers (each one
past the budget is a 503: a runaway client cannot loop forever).

Control (plain GETs, not counted): ``/__bench/stats``, ``/__bench/facts`` (the org's
request arithmetic), ``/__bench/reset``,
``/__bench/delay?s=0.2``, ``/__bench/stop``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

ROOT = Path(__file__).resolve().parent.parent
CONTROL = "/__bench/"


@dataclass
class Counts:
    lock: threading.Lock = field(default_factory=threading.Lock)
    by_kind: Counter[str] = field(default_factory=Counter)
    by_source: Counter[str] = field(default_factory=Counter)
    refused_writes: int = 0
    in_flight: int = 0
    peak_in_flight: dict[str, int] = field(default_factory=dict)
    current: Counter[str] = field(default_factory=Counter)
    total: int = 0

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"by_kind": dict(self.by_kind), "by_source": dict(self.by_source),
                    "refused_writes": self.refused_writes, "total": self.total,
                    "peak_in_flight": dict(self.peak_in_flight)}


class Replay:
    """What the handler threads share: the org's answers, the delay and the counts."""

    def __init__(self, github: Any, jira: Any, facts: dict[str, int], *,
                 max_requests: int) -> None:
        self.facts = facts
        self.github = github
        self.jira = jira
        self.delay_s = 0.0
        self.max_requests = max_requests
        self.counts = Counts()
        self.stop = threading.Event()

    def answer(self, method: str, target: str, body: bytes) -> Any:
        from bench.wire import Reply

        source = "jira" if urlsplit(target).path.startswith("/rest/") else "github"
        c = self.counts
        with c.lock:
            c.total += 1
            over = c.total > self.max_requests
            c.current[source] += 1
            c.peak_in_flight[source] = max(c.peak_in_flight.get(source, 0), c.current[source])
        try:
            if over:
                return Reply(503, b'{"message":"replay request budget exhausted"}',
                             {"Content-Type": "application/json"}, source, "over budget")
            if self.delay_s:
                time.sleep(self.delay_s)
            reply = (self.jira.route(method, target, body) if source == "jira"
                     else self.github.route(method, target, body))
            with c.lock:
                c.by_source[source] += 1
                c.by_kind[f"{source}: {reply.kind}"] += 1
                if reply.kind == "write":
                    c.refused_writes += 1
            return reply
        finally:
            with c.lock:
                c.current[source] -= 1

    def control(self, target: str) -> dict[str, Any]:
        split = urlsplit(target)
        command = split.path[len(CONTROL):]
        if command == "stats":
            return self.counts.snapshot()
        if command == "facts":
            return self.facts
        if command == "reset":
            self.counts = Counts()
            return {"ok": True}
        if command == "delay":
            self.delay_s = float(dict(parse_qsl(split.query)).get("s", "0"))
            return {"delay_s": self.delay_s}
        if command == "stop":
            self.stop.set()
            return {"stopping": True}
        return {"error": f"unknown control {command!r}"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one buffered write, with Nagle off: otherwise the body
    # waits for the client's delayed ACK of the headers (40 ms a request on Linux), a
    # stall no real API has.
    wbufsize = 1 << 16
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        replay = self.server.replay
        if self.path.startswith(CONTROL):
            data = json.dumps(replay.control(self.path)).encode()
            self._send(200, data, {"Content-Type": "application/json"})
            return
        reply = replay.answer(self.command, self.path, body)
        self._send(reply.status, reply.body, reply.headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

    def log_message(self, format: str, *args: Any) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, replay: Replay | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.replay: Replay = replay  # type: ignore[assignment]  # set before serving


def _serve(prs: int, issues: int, lifetime_s: float, max_requests: int) -> None:
    from bench.org import Size, build_org, facts
    from bench.wire import GitHubWire, JiraWire

    server = _Server()
    port = server.server_address[1]
    org = build_org(Size(prs, issues))
    base = f"http://127.0.0.1:{port}"
    server.replay = Replay(GitHubWire(org, f"{base}/api/v3"), JiraWire(org, base),
                           facts(org), max_requests=max_requests)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              daemon=True)
    thread.start()
    print(f"READY {port}", flush=True)

    def parent_gone() -> None:
        sys.stdin.read()  # returns at EOF: the parent closed our stdin or died
        server.replay.stop.set()

    threading.Thread(target=parent_gone, daemon=True).start()
    server.replay.stop.wait(lifetime_s)
    time.sleep(0.2)  # let the answer to /__bench/stop go out
    server.shutdown()
    server.server_close()


# -- the parent's side ----------------------------------------------------------------------


class ReplayProcess:
    """Start ``python -m bench.replay`` for one size; talk to it; stop it (by its pid)."""

    def __init__(self, prs: int, issues: int, *, lifetime_s: float = 3600.0,
                 max_requests: int = 400_000, ready_timeout_s: float = 300.0) -> None:
        command = [sys.executable, "-m", "bench.replay", "--prs", str(prs), "--issues",
                   str(issues), "--lifetime", str(lifetime_s), "--max-requests",
                   str(max_requests)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        # Its errors go to a file, read only if it dies: a pipe nobody drains could block it.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        self._timeout_s = ready_timeout_s
        self._port: int | None = None

    @property
    def port(self) -> int:
        """Waits, the first time, until the server listens (it builds its org first)."""
        if self._port is None:
            self._port = self._wait_ready(self._timeout_s)
        return self._port

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_ready(self, timeout_s: float) -> int:
        """Its port once it listens; its own error the moment it dies before that."""
        found: list[str] = []
        assert self.process.stdout is not None
        stdout = self.process.stdout
        reader = threading.Thread(target=lambda: found.append(stdout.readline()), daemon=True)
        reader.start()
        deadline = time.monotonic() + timeout_s
        while reader.is_alive() and time.monotonic() < deadline:
            reader.join(0.1)
            if self.process.poll() is not None and not found:
                reader.join(1.0)  # it may have said READY just before exiting
                break
        line = found[0] if found else ""
        if line.startswith("READY "):
            return int(line.split()[1])
        code = self.process.poll()
        why = self._last_error() if code is not None else ""
        self.close()
        if code is not None:
            raise RuntimeError(f"replay server exited with code {code} before it listened: "
                               f"{why}")
        raise RuntimeError(f"replay server did not start within {timeout_s:.0f} s")

    def _last_error(self) -> str:
        """The last line of the child's stderr (a traceback's own line: the error)."""
        self._stderr.seek(0)
        lines = [ln for ln in self._stderr.read().decode(errors="replace").splitlines()
                 if ln.strip()]
        return lines[-1].strip()[:300] if lines else "(nothing on stderr)"

    def _control(self, command: str) -> dict[str, Any]:
        url = f"{self.base}{CONTROL}{command}"
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            result: dict[str, Any] = json.loads(response.read())
            return result

    def stats(self) -> dict[str, Any]:
        return self._control("stats")

    def facts(self) -> dict[str, int]:
        return self._control("facts")

    def reset(self) -> None:
        self._control("reset")

    def delay(self, seconds: float) -> None:
        self._control(f"delay?s={seconds}")

    def close(self) -> None:
        if self.process.poll() is None:
            if self._port is None:  # never listened: nothing to ask, stop our child
                self.process.kill()
            else:
                with contextlib.suppress(OSError, http.client.HTTPException):
                    self._control("stop")  # it is going away either way
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()  # the process we started, by its handle
                self.process.wait(timeout=15)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        if not self._stderr.closed and self.process.poll() is not None:
            self._stderr.close()

    def __enter__(self) -> ReplayProcess:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.replay")
    parser.add_argument("--prs", type=int, required=True)
    parser.add_argument("--issues", type=int, required=True)
    parser.add_argument("--lifetime", type=float, default=3600.0)
    parser.add_argument("--max-requests", type=int, default=400_000)
    args = parser.parse_args()
    _serve(args.prs, args.issues, args.lifetime, args.max_requests)


if __name__ == "__main__":
    main()
