"""5. governance: audit appends per second, chain verification, kill-switch check latency.

The controls are the product's own (``open_controls`` over ``load_settings``): every
append is redacted, hashed and chained under the store's write lock. SQLite lives in a
temp directory; PostgreSQL (``BENCH_POSTGRES_URL``, default the test server at
127.0.0.1:5432) gets a throw-away schema selected through ``search_path`` and dropped
afterwards, and is skipped, with the reason, when no server answers.

* appends: one writer appending one entry per call; then 4 writer processes started
  together, throughput = all entries / (last finish - first start); the chain must
  verify and hold every entry (writers serialise, nothing is lost);
* where one append's time goes: the redaction of its payload alone, and an append
  whose redaction is a no-op (the transaction, hashing and models);
* verify: 100,000 entries inserted through ``append_many`` (1,000 per call, on SQLite;
  redaction is skipped for this bulk load only: ``verify`` never redacts, it reads the
  stored text), then ``AuditLog.verify`` timed;
* kill switch: ``ensure_allowed(agent="security")`` 5,000 times, per-call latency (wall,
  and the calling thread's CPU time, which the machine's other load does not inflate);
  on PostgreSQL the states are pushed (LISTEN/NOTIFY) and kept in memory;
* kill switch pushed (PostgreSQL): another process flips the security agent's switch
  20 times; this process polls every 0.5 ms and notes when each flip shows; latency =
  seen - the moment the flipping process's commit returned (both ``time.time()`` on one
  machine); then the listening backend is terminated and the time until checks fail
  closed is measured.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.context import Context
from bench.util import ROOT, Section, fmt_s, median, percentile, verdict

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SINGLE_APPENDS = 1000
WRITER_APPENDS = 300  # per process, 4 processes
BREAKDOWN = 300  # appends timed for the per-append breakdown
VERIFY_ENTRIES = 100_000
CHECKS = 5000
APPEND_BUDGET_S = 40.0  # one writer stops early past this
APPENDS_TARGET = 500.0
CHECK_TARGET_S = 0.001
FLIPS = 20
FLIP_INTERVAL_S = 0.25
FLIP_TARGET_S = 0.100
ADMIN = "bench-admin"


def _controls(url: str, home: Path) -> Any:
    from advisor.context import open_controls
    from advisor.settings import load_settings

    return open_controls(load_settings(home=home, database_url=url))


def _event(i: int) -> Any:
    from governance.audit import AuditEvent

    return AuditEvent(actor="agent:security", action="recommendation",
                      subject=f"rel-{i // 40:012x}",
                      payload={"fingerprint": f"{i:016x}", "agent": "security",
                               "category": "sast", "severity": "medium",
                               "source": "deterministic",
                               "recommendation": "Fix the call, or, if it is safe here, say why "
                               "in a '# nosec B608' comment so the next reviewer sees it. See "
                               "https://bandit.readthedocs.io/en/latest/plugins/index.html."})


def _append_one_by_one(audit: Any, count: int, budget_s: float, first: int = 0) -> tuple[int,
                                                                                       float]:
    start = time.perf_counter()
    done = 0
    for i in range(count):
        e = _event(first + i)
        audit.append(e.actor, e.action, e.subject, e.payload)
        done += 1
        if time.perf_counter() - start > budget_s:
            break
    return done, time.perf_counter() - start


# -- worker: one writer process ------------------------------------------------------------


def writer_worker(url: str, home: Path, count: int, start_at: float, first: int) -> dict[str,
                                                                                       Any]:
    controls = _controls(url, home)
    while time.time() < start_at:  # the parent's barrier: everyone starts together
        time.sleep(0.005)
    began = time.time()
    done, _ = _append_one_by_one(controls.audit, count, APPEND_BUDGET_S, first)
    return {"start": began, "end": time.time(), "appended": done}


def _writers(url: str, home: Path, processes: int, count: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start_at = time.time() + 6.0  # time to import and open the store first
    children = [subprocess.Popen(
        [sys.executable, "-m", "bench.governance", "writer", url, str(home / f"w{k}"),
         str(count), str(start_at), str(k * 1_000_000)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for k in range(processes)]
    reports = []
    for child in children:
        out, err = child.communicate(timeout=APPEND_BUDGET_S + 120)
        if child.returncode != 0:
            raise RuntimeError(f"writer failed: {err.strip()[-400:]}")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    total = sum(r["appended"] for r in reports)
    span = max(r["end"] for r in reports) - min(r["start"] for r in reports)
    late = max(r["start"] for r in reports) - min(r["start"] for r in reports)
    return {"appended": total, "seconds": span, "rate": total / span, "start_spread_s": late}


# -- PostgreSQL -----------------------------------------------------------------------------


def _postgres_reason() -> str | None:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), connect_timeout=3):
            return None
    except Exception as exc:  # any failure means "no server here"
        return f"no PostgreSQL at {POSTGRES_URL} ({type(exc).__name__}: {str(exc).strip()[:100]})"


@contextmanager
def _postgres_schema() -> Iterator[str]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = POSTGRES_URL.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


# -- the parent -----------------------------------------------------------------------------


def _store_benchmarks(name: str, url: str, home: Path, section: Section,
                      results: dict[str, Any]) -> None:
    controls = _controls(url, home / "single")
    done, seconds = _append_one_by_one(controls.audit, SINGLE_APPENDS, APPEND_BUDGET_S)
    rate = done / seconds
    target = f">= {APPENDS_TARGET:.0f}/s" if name == "SQLite" else ""
    section.add(f"{name}: audit appends/s, 1 writer", f"{rate:,.0f} ({done} in {fmt_s(seconds)})",
                target, verdict(rate >= APPENDS_TARGET) if target else "")
    if name == "SQLite":
        _breakdown(controls, section, results)
    latencies, cpu = [], []
    ks = controls.kill_switch
    ks.ensure_allowed(agent="security")  # on PostgreSQL: starts the listener
    for _ in range(CHECKS):
        begin, begin_cpu = time.perf_counter_ns(), time.thread_time_ns()
        ks.ensure_allowed(agent="security")
        latencies.append((time.perf_counter_ns() - begin) / 1e9)
        cpu.append((time.thread_time_ns() - begin_cpu) / 1e9)
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    section.add(f"{name}: kill-switch check p50 / p99 ({CHECKS:,} checks)",
                f"{p50 * 1e6:,.0f} µs / {p99 * 1e6:,.0f} µs", "p99 < 1 ms",
                verdict(p99 < CHECK_TARGET_S))
    section.add(f"{name}: kill-switch check CPU p50 / p99",
                f"{percentile(cpu, 50) * 1e6:,.0f} µs / {percentile(cpu, 99) * 1e6:,.0f} µs")
    if name == "PostgreSQL":
        _push_benchmarks(url, home, controls, section, results)
    before = controls.audit.count()
    controls.close()
    concurrent = _writers(url, home / "writers", 4, WRITER_APPENDS)
    check = _controls(url, home / "check")
    verified = check.audit.verify()
    expected = before + concurrent["appended"]
    intact = verified.ok and verified.entries == expected
    section.add(f"{name}: audit appends/s, 4 writer processes",
                f"{concurrent['rate']:,.0f} ({concurrent['appended']} in "
                f"{fmt_s(concurrent['seconds'])}); chain {'intact' if intact else 'BROKEN'}")
    check.store.engine.dispose()
    results[name] = {"single": {"appended": done, "seconds": seconds, "rate": rate},
                     "kill_switch_s": {"p50": p50, "p99": p99, "median": median(latencies),
                                       "max": max(latencies),
                                       "cpu_p50": percentile(cpu, 50),
                                       "cpu_p99": percentile(cpu, 99)},
                     "four_writers": concurrent,
                     "chain": {"ok": verified.ok, "entries": verified.entries,
                               "expected": expected}}


# -- the kill switch pushed by PostgreSQL -----------------------------------------------------


def flipper_worker(url: str, count: int, interval_s: float) -> list[float]:
    """Another process: flip the security agent's switch ``count`` times; when each
    flip's commit returned (``time.time()``)."""
    from governance.audit import AuditLog
    from governance.db import Store
    from governance.killswitch import KillSwitch
    from governance.roles import RoleBook

    store = Store.open(url)
    switch = KillSwitch(store, AuditLog(store), RoleBook(roles={"admin": [ADMIN]}), push=False)
    committed = []
    for i in range(count):
        time.sleep(interval_s)
        switch.set(ADMIN, "agent:security", i % 2 == 0, f"bench flip {i}")
        committed.append(time.time())
    store.engine.dispose()
    return committed


def _stopped(ks: Any) -> bool:
    from governance.errors import KillSwitchEngaged

    try:
        ks.ensure_allowed(agent="security")
    except KillSwitchEngaged:
        return True
    return False


def _flip_latencies(url: str, ks: Any) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-m", "bench.governance", "flipper", url,
                              str(FLIPS), str(FLIP_INTERVAL_S)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: list[float] = []
    state = _stopped(ks)
    settle: float | None = None
    while len(seen) < FLIPS:
        if _stopped(ks) != state:
            seen.append(time.time())
            state = not state
        if child.poll() is not None:  # all flipped: the last ones get two seconds to show
            settle = settle or time.monotonic() + 2.0
            if time.monotonic() > settle:
                break
        time.sleep(0.0005)
    out, err = child.communicate(timeout=60)
    if child.returncode != 0:
        raise RuntimeError(f"flipper failed: {err.strip()[-400:]}")
    committed = json.loads(out.strip().splitlines()[-1])
    return [max(0.0, s - c) for s, c in zip(seen, committed, strict=False)]


def _fail_closed_after_cut(ks: Any) -> float | None:
    """Terminate the listening backend; seconds until checks fail closed (None: never)."""
    watcher = ks._watcher
    if watcher is None or not watcher.backend_pid:
        return None
    with ks.store.engine.begin() as conn:
        cut = time.perf_counter()
        conn.exec_driver_sql(f"SELECT pg_terminate_backend({watcher.backend_pid})")
    while time.perf_counter() - cut < 5.0:
        if _stopped(ks):
            return time.perf_counter() - cut
        time.sleep(0.0002)
    return None


def _push_benchmarks(url: str, home: Path, controls: Any, section: Section,
                     results: dict[str, Any]) -> None:
    ks = controls.kill_switch
    latencies = _flip_latencies(url, ks)
    worst = max(latencies) if latencies else float("inf")
    section.add(f"PostgreSQL: a flip by another process seen after (median / max, "
                f"{len(latencies)} of {FLIPS} flips)",
                f"{median(latencies) * 1e3:,.1f} ms / {worst * 1e3:,.1f} ms"
                if latencies else "never", "< 100 ms",
                verdict(len(latencies) == FLIPS and worst < FLIP_TARGET_S))
    cut = _fail_closed_after_cut(ks)
    section.add("PostgreSQL: listening connection cut, checks fail closed after",
                f"{cut * 1e3:,.1f} ms" if cut is not None else "NEVER")
    results["PostgreSQL_push"] = {"flip_seen_s": latencies, "fail_closed_after_cut_s": cut}


def _no_redaction(value: Any) -> tuple[Any, dict[str, int]]:
    return value, {}


def _breakdown(controls: Any, section: Section, results: dict[str, Any]) -> None:
    from governance.audit import AuditLog

    events = [_event(500_000 + i) for i in range(BREAKDOWN)]
    begin = time.process_time()
    for e in events:
        controls.audit.redact(e.payload)
        controls.audit.redact(e.subject)
    redact_s = (time.process_time() - begin) / BREAKDOWN
    bare = AuditLog(controls.store, redact=_no_redaction)
    wall, cpu = time.perf_counter(), time.process_time()
    for e in events:
        bare.append(e.actor, e.action, e.subject, e.payload)
    rest_wall = (time.perf_counter() - wall) / BREAKDOWN
    rest_cpu = (time.process_time() - cpu) / BREAKDOWN
    section.add("SQLite: one append = redaction (CPU) + the rest (wall / CPU)",
                f"{fmt_s(redact_s)} + {fmt_s(rest_wall)} / {fmt_s(rest_cpu)}")
    profiler = cProfile.Profile()
    more = [_event(600_000 + i) for i in range(BREAKDOWN)]
    profiler.runcall(lambda: [controls.audit.append(e.actor, e.action, e.subject, e.payload)
                              for e in more])
    shares = _own_time_by_package(profiler)
    section.add("SQLite: one append's own CPU time by package (cProfile)",
                ", ".join(f"{k} {v:.0%}" for k, v in list(shares.items())[:5]))
    results["append_breakdown_s"] = {"redaction_cpu": redact_s, "rest_wall": rest_wall,
                                     "rest_cpu": rest_cpu, "own_time_share": shares}


def _own_time_by_package(profiler: cProfile.Profile) -> dict[str, float]:
    stats = pstats.Stats(profiler)
    own: dict[str, float] = {}
    for (path, _line, _func), row in stats.stats.items():  # type: ignore[attr-defined]
        if "site-packages/" in path:
            package = path.split("site-packages/", 1)[1].split("/", 1)[0]
        elif path.startswith(str(ROOT)):
            package = Path(path).relative_to(ROOT).parts[0]
        else:
            package = "builtins (C)" if path == "~" else "stdlib"
        own[package] = own.get(package, 0.0) + row[2]
    total = sum(own.values()) or 1.0
    return {k: round(v / total, 3) for k, v in sorted(own.items(), key=lambda kv: -kv[1])}


def _verify_benchmark(home: Path, section: Section, results: dict[str, Any]) -> None:
    from governance.audit import AuditLog

    url = f"sqlite:///{home / 'verify' / 'advisor.db'}"
    controls = _controls(url, home / "verify")
    audit = AuditLog(controls.store, redact=_no_redaction)
    begin = time.perf_counter()
    batch = 1000
    for start in range(0, VERIFY_ENTRIES, batch):
        audit.append_many([_event(start + i) for i in range(batch)])
    insert_s = time.perf_counter() - begin
    wall, cpu = time.perf_counter(), time.process_time()
    result = audit.verify()
    verify_wall, verify_cpu = time.perf_counter() - wall, time.process_time() - cpu
    section.add(f"SQLite: append_many, {VERIFY_ENTRIES:,} entries (1,000 per call, "
                f"no redaction)",
                f"{fmt_s(insert_s)} ({VERIFY_ENTRIES / insert_s:,.0f}/s)")
    section.add(f"SQLite: verify {VERIFY_ENTRIES:,} entries (wall / CPU)",
                f"{fmt_s(verify_wall)} / {fmt_s(verify_cpu)}, "
                f"{'ok' if result.ok and result.entries == VERIFY_ENTRIES else 'FAILED'}")
    results["verify"] = {"entries": result.entries, "ok": result.ok, "insert_s": insert_s,
                         "verify_wall_s": verify_wall, "verify_cpu_s": verify_cpu}
    controls.store.engine.dispose()


def run(ctx: Context, section: Section) -> None:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="rra-bench-gov-") as folder:
        home = Path(folder)
        _store_benchmarks("SQLite", f"sqlite:///{home / 'sqlite' / 'advisor.db'}",
                          home / "sqlite", section, results)
        reason = _postgres_reason()
        if reason:
            section.add("PostgreSQL", f"skipped: {reason}")
            results["PostgreSQL"] = {"skipped": reason}
        else:
            with _postgres_schema() as url:
                _store_benchmarks("PostgreSQL", url, home / "pg", section, results)
        _verify_benchmark(home, section, results)
    section.data = results


def main() -> None:
    from bench.util import loopback_only

    loopback_only()
    mode = sys.argv[1]
    if mode == "flipper":
        _, _, url, count, interval = sys.argv
        print(json.dumps(flipper_worker(url, int(count), float(interval))))
        return
    _, mode, url, home, count, start_at, first = sys.argv
    assert mode == "writer"
    print(json.dumps(writer_worker(url, Path(home), int(count), float(start_at), int(first))))


if __name__ == "__main__":
    main()
