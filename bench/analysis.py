"""3. analysis: CPU time and peak memory of each agent and of a whole release report.

Each size runs in a fresh worker process (``python -m bench.analysis``) so memory
figures start from the same place. A worker first warms up (imports, the graph's
compile) on the smallest snapshot, then measures:

* per agent: ``analyse`` on the loaded snapshot, CPU time including the child processes it
  starts (the engine and ruff; ``bench.util.cpu_now``), median of the runs, then one more
  run under ``tracemalloc`` for its peak Python allocation;
* the release report: settings and controls on a temp ``ADVISOR_HOME`` (SQLite), the
  ``release`` graph from the snapshot file to the sign-off interrupt (default agents,
  offline narrator), then Markdown and JSON written, as ``advisor release --format md,json``
  does. Peak memory there is also the process's resident high-water mark (``VmHWM``,
  reset through ``/proc/self/clear_refs`` before the run): what the operator's machine
  must have, C allocations (SQLite, pydantic-core) included.

Growth is the slope of log(cost) on log(PRs): 1.0 is linear.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import itertools
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.context import Context
from bench.org import SIZES
from bench.util import ROOT, Section, cpu_now, fmt_mib, fmt_s, loglog_slope, median, verdict

AGENTS = ("delivery", "platform", "security", "portfolio")
REPORT_AGENTS = ("delivery", "platform", "security")  # advisor release's default
CPU_TARGET_S = 10.0
MEMORY_TARGET = 2**30
# tracemalloc slows Python code about threefold: a run longer than this is not traced
# again (its resident high-water mark is reported instead).
TRACE_LIMIT_S = 60.0
REPORT_RUNS = {30: 3, 200: 2}  # the largest size runs once
RENDER = "render md + json"


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_hwm() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _cpu(call: Callable[[], Any]) -> tuple[Any, float, float]:
    gc.collect()
    wall, cpu = time.perf_counter(), cpu_now()
    result = call()
    return result, cpu_now() - cpu, time.perf_counter() - wall


def _traced(call: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# -- worker: agents ---------------------------------------------------------------------------


def _agent_call(name: str, snapshot: Path) -> Callable[[], Any]:
    from advisor.configuration import load_agent_config
    from agents.base import AgentInput
    from agents.registry import agent_factory
    from connectors.snapshot import load_snapshot

    body = load_snapshot(snapshot).body
    config = load_agent_config()
    plans = _plans()
    inputs = AgentInput(snapshot=body, plan_files=plans if name == "platform" else [])
    make = agent_factory(name, config)
    return lambda: make().analyse(inputs, config.policy)


def _plans() -> list[Path]:
    try:
        from advisor.demo import demo_plan_path
    except ImportError:
        return []
    path = demo_plan_path()
    return [path] if path.exists() else []


def agents_worker(snapshot: Path, warmup: Path, runs: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in AGENTS:
        _agent_call(name, warmup)()  # imports, plugin loading, caches of the process
        call = _agent_call(name, snapshot)
        cpu, wall, findings = [], [], 0
        for _ in range(runs):
            report, spent, elapsed = _cpu(call)
            cpu.append(spent)
            wall.append(elapsed)
            findings = len(report.findings)
        out[name] = {"cpu_s": cpu, "wall_s": wall, "findings": findings,
                     "tracemalloc_peak": _traced(call)}
    return out


# -- worker: the release report -----------------------------------------------------------


def _report_call(snapshot: Path, workdir: Path) -> Callable[[], dict[str, Any]]:
    counter = iter(range(10**6))
    steps: list[tuple[str, float]] = []

    def progress(node: str, change: dict[str, Any]) -> None:
        steps.append((node, cpu_now()))

    def run() -> dict[str, Any]:
        from advisor.context import graph_context, open_controls
        from advisor.settings import load_settings
        from agents.aggregate import ReleaseReport
        from graphs.requests import RunRequest
        from graphs.runner import start_run
        from render.release import write_reports

        home = workdir / f"home-{next(counter)}"
        settings = load_settings(home=home)
        controls = open_controls(settings)
        ctx = graph_context(settings, controls)
        request = RunRequest(source="snapshot", snapshot_file=str(snapshot),
                             agents=list(REPORT_AGENTS), plan_files=[str(p) for p in _plans()])
        steps.clear()
        steps.append(("start", cpu_now()))
        state = start_run("release", ctx, request, "bench", progress=progress)
        steps.append(("signoff (interrupt)", cpu_now()))
        report = ReleaseReport.model_validate(state["report"])
        written = write_reports(report, ["md", "json"], home / "out",
                                redactor=controls.redactor)  # as the CLI does
        steps.append((RENDER, cpu_now()))
        controls.store.engine.dispose()
        return {"status": state.get("status"), "findings": sum(len(a.findings)
                                                               for a in report.agents),
                "bytes": sum(p.stat().st_size for p in written.values()),
                "steps_cpu_s": _steps(steps)}

    return run


def _steps(steps: list[tuple[str, float]]) -> dict[str, float]:
    """CPU between progress callbacks, per node; the agents' parallel step as one."""
    out: dict[str, float] = {}
    for (_, before), (node, after) in itertools.pairwise(steps):
        name = "agents (in parallel)" if node in AGENTS else node
        out[name] = round(out.get(name, 0.0) + after - before, 3)
    return out


def report_worker(snapshot: Path, warmup: Path, runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="rra-bench-report-") as folder:
        workdir = Path(folder)
        _report_call(warmup, workdir)()
        call = _report_call(snapshot, workdir)
        cpu, graph, render, wall, hwm, info = [], [], [], [], [], {}
        resettable = _reset_hwm()
        for _ in range(runs):
            gc.collect()
            _reset_hwm()
            base = _status_kib("VmRSS")
            info, spent, elapsed = _cpu(call)
            cpu.append(spent)
            rendering = info["steps_cpu_s"].get(RENDER, 0.0)
            render.append(rendering)
            graph.append(spent - rendering)
            wall.append(elapsed)
            hwm.append((_status_kib("VmHWM") * 1024, base * 1024))
        peak = _traced(call) if median(cpu) <= TRACE_LIMIT_S else None
    return {"cpu_s": cpu, "graph_cpu_s": graph, "render_cpu_s": render, "wall_s": wall,
            "rss_peak": [h for h, _ in hwm], "rss_before": [b for _, b in hwm],
            "hwm_resettable": resettable, "tracemalloc_peak": peak, **info}


def profile_worker(snapshot: Path, warmup: Path, target: str, top: int = 25) -> dict[str, Any]:
    """Where the time goes (cProfile): own time per package, and the project's functions
    with the most cumulative time (the graph's own plumbing left out)."""
    with tempfile.TemporaryDirectory(prefix="rra-bench-profile-") as folder:
        if target == "report":
            _report_call(warmup, Path(folder))()
            call: Callable[[], Any] = _report_call(snapshot, Path(folder))
        else:
            _agent_call(target, warmup)()
            call = _agent_call(target, snapshot)
        profiler = cProfile.Profile()
        profiler.runcall(call)
    stats = pstats.Stats(profiler)
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][3], reverse=True)  # type: ignore[attr-defined]
    own: dict[str, float] = {}
    for (path, _line, _func), (_cc, _nc, tt, _ct, _callers) in rows:
        own[_package(path)] = own.get(_package(path), 0.0) + tt
    project = [((path, line, func), ct) for (path, line, func), (_, _, _, ct, _) in rows
               if _package(path) in ("agents", "governance", "connectors", "advisor", "graphs")
               and func not in ("<lambda>", "<listcomp>", "<genexpr>", "run", "invoke")]
    listed = [{"function": f"{_relative(path)}:{line}({func})", "cumulative_s": round(ct, 3)}
              for (path, line, func), ct in project[:top]]
    return {"target": target, "profiled_total_s": round(sum(own.values()), 3),
            "top_cumulative": listed,
            "own_time_by_package": {k: round(v, 3) for k, v in sorted(
                own.items(), key=lambda kv: -kv[1])[:10]}}


def _relative(path: str) -> str:
    return str(Path(path).relative_to(ROOT)) if Path(path).is_relative_to(ROOT) else path


def _package(path: str) -> str:
    if path == "~":
        return "builtins (C)"
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0]
    if str(ROOT) in path:
        return Path(path).relative_to(ROOT).parts[0] if Path(path).is_relative_to(ROOT) \
            else "project"
    return "stdlib" if path.startswith(("/", "<")) or "python3" in path else path


# -- the parent ------------------------------------------------------------------------------


def _worker(*args: str, timeout_s: float = 900) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ADVISOR_LLM_PROVIDER": "offline"}
    env.pop("ANTHROPIC_API_KEY", None)
    done = subprocess.run([sys.executable, "-m", "bench.analysis", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout_s, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"analysis worker failed: {done.stderr.strip()[-600:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _slopes(sizes: list[int], values: list[float]) -> str:
    """The log-log fit over all sizes, and the exponent between the two largest."""
    fit = loglog_slope(sizes, values)
    top = loglog_slope(sizes[-2:], values[-2:])
    return f"{fit} (last step {top})"


def run(ctx: Context, section: Section) -> None:
    from bench.snapshots import analysis_snapshot

    paths = {size: analysis_snapshot(ctx, size) for size in SIZES}
    warmup = str(paths[SIZES[0]])
    results: dict[int, dict[str, Any]] = {}
    for size in SIZES:
        snap = str(paths[size])
        agent_runs = 1 if ctx.quick or size.prs >= 1000 else 3
        report_runs = 1 if ctx.quick else REPORT_RUNS.get(size.prs, 1)
        results[size.prs] = {
            "snapshot_bytes": paths[size].stat().st_size,
            "agents": _worker("agents", snap, warmup, str(agent_runs)),
            "report": _worker("report", snap, warmup, str(report_runs)),
        }
    sizes = [s.prs for s in SIZES]
    scale = "/".join(map(str, sizes))
    for name in AGENTS:
        cpu = [median(results[n]["agents"][name]["cpu_s"]) for n in sizes]
        mem = [results[n]["agents"][name]["tracemalloc_peak"] for n in sizes]
        section.add(f"{name}: CPU at {scale} PRs", " / ".join(fmt_s(c) for c in cpu))
        section.add(f"{name}: tracemalloc peak", " / ".join(fmt_mib(m) for m in mem))
        section.add(f"{name}: growth exponent, CPU", _slopes(sizes, cpu))
    reports = [results[n]["report"] for n in sizes]
    cpu = [median(r["graph_cpu_s"]) for r in reports]
    render = [median(r["render_cpu_s"]) for r in reports]
    rss = [max(r["rss_peak"]) for r in reports]
    grown = [max(p - b for p, b in zip(r["rss_peak"], r["rss_before"], strict=True))
             for r in reports]
    traced = [r["tracemalloc_peak"] for r in reports]
    big = sizes[-1]
    section.add(f"release report (graph to sign-off): CPU at {scale} PRs",
                " / ".join(fmt_s(c) for c in cpu))
    section.add(f"release report, {big} PRs: CPU (graph to sign-off)", fmt_s(cpu[-1]),
                f"< {CPU_TARGET_S:.0f} s", verdict(cpu[-1] < CPU_TARGET_S))
    section.add(f"then writing Markdown + JSON: CPU at {scale} PRs",
                " / ".join(fmt_s(c) for c in render))
    steps = reports[-1].get("steps_cpu_s", {})
    section.add(f"release report, {big} PRs: CPU by step",
                ", ".join(f"{k} {fmt_s(v)}" for k, v in steps.items()))
    section.add("release report: process RSS high-water", " / ".join(fmt_mib(r) for r in rss))
    section.add("release report: RSS growth during the run", " / ".join(fmt_mib(g)
                                                                        for g in grown))
    section.add("release report: tracemalloc peak", " / ".join(
        fmt_mib(t) if t is not None else f"not traced (> {TRACE_LIMIT_S:.0f} s)"
        for t in traced))
    section.add(f"release report, {big} PRs: peak memory (RSS high-water)", fmt_mib(rss[-1]),
                "< 1 GiB", verdict(rss[-1] < MEMORY_TARGET))
    cpu_fit, cpu_top = loglog_slope(sizes, cpu), loglog_slope(sizes[-2:], cpu[-2:])
    section.add("release report: growth exponent, CPU (graph)", _slopes(sizes, cpu), "<= 1.1",
                verdict(max(cpu_fit or 0, cpu_top or 0) <= 1.1))
    section.add("growth exponent, CPU of writing Markdown + JSON", _slopes(sizes, render))
    section.add("release report: growth exponent, RSS growth", _slopes(sizes, grown))
    section.data = {"sizes": results, "report_agents": list(REPORT_AGENTS)}
    middle = SIZES[1]
    profile = _worker("profile", str(paths[middle]), warmup, "report")
    section.data["report_profile"] = {"prs": middle.prs, **profile}
    top = ", ".join(f"{row['function']} {row['cumulative_s']:.1f} s"
                    for row in profile["top_cumulative"][:6])
    section.notes.append(f"profile of the report at {middle.prs} PRs "
                         f"({profile['profiled_total_s']:.1f} s under cProfile): {top}")
    section.notes.append(f"own time by package: {profile['own_time_by_package']}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.analysis")
    parser.add_argument("mode", choices=("agents", "report", "profile"))
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("warmup", type=Path)
    parser.add_argument("extra")
    args = parser.parse_args()
    from bench.util import loopback_only

    loopback_only()
    if args.mode == "agents":
        result = agents_worker(args.snapshot, args.warmup, int(args.extra))
    elif args.mode == "report":
        result = report_worker(args.snapshot, args.warmup, int(args.extra))
    else:
        result = profile_worker(args.snapshot, args.warmup, args.extra)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
