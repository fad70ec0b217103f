"""``python -m bench [NAME...] [--quick]``: run benchmarks, print a table, write the results.

Names: api, latency, analysis, scan, governance, detection, cli, scores (default: all, in
that order). ``--quick`` repeats less, never shrinks sizes. Results go to
``bench/results/latest.json`` (git-ignored) with the machine they came from.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.context import Context
from bench.util import RESULTS, Section, load_average, loopback_only, machine_info, render

BENCHMARKS: dict[str, str] = {
    "api": "bench.api:run_api",
    "latency": "bench.api:run_latency",
    "analysis": "bench.analysis:run",
    "scan": "bench.scan:run",
    "governance": "bench.governance:run",
    "detection": "bench.detection:run",
    "cli": "bench.cli:run",
    "scores": "bench.scores:run",
}
# Variables that could make a benchmark reach a real service or an LLM.
_AMBIENT = ("GITHUB_TOKEN", "GH_TOKEN", "JIRA_URL", "JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_PAT",
            "CONFLUENCE_URL", "ANTHROPIC_API_KEY", "AWS_PROFILE")


def _runner(name: str) -> Callable[[Context, Section], None]:
    module, _, function = BENCHMARKS[name].partition(":")
    runner: Callable[[Context, Section], None] = getattr(importlib.import_module(module),
                                                          function)
    return runner


def _hygiene() -> None:
    for name in _AMBIENT:
        os.environ.pop(name, None)
    os.environ["ADVISOR_LLM_PROVIDER"] = "offline"
    loopback_only()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    names = list(dict.fromkeys(args.names)) or list(BENCHMARKS)
    _hygiene()
    machine = machine_info()
    started = time.perf_counter()
    sections: list[Section] = []
    ctx = Context(quick=args.quick)
    try:
        for name in names:
            section = Section(name)
            sections.append(section)
            print(f"[bench] {name} ... (load {load_average()})", file=sys.stderr, flush=True)
            begin = time.perf_counter()
            try:
                _runner(name)(ctx, section)
            except Exception as exc:  # one benchmark's failure must not lose the others
                traceback.print_exc()
                section.skipped = f"failed: {type(exc).__name__}: {exc}"[:300]
            section.seconds = time.perf_counter() - begin
            print(f"[bench] {name} done in {section.seconds:.0f} s", file=sys.stderr,
                  flush=True)
    finally:
        ctx.close()
    total = time.perf_counter() - started
    print(render(sections))
    print(f"\nmachine: {machine['cpu_count']} x {machine['cpu_model']}, "
          f"{machine['memory_gib']} GiB, Python {machine['python']}, load at start "
          f"{machine['load_average_at_start']}, at end {load_average()}; total {total:.0f} s")
    result: dict[str, Any] = {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": round(total, 1),
        "machine": {**machine, "load_average_at_end": load_average()},
        "quick": args.quick,
        "benchmarks": {s.name: {"seconds": round(s.seconds, 1), "skipped": s.skipped,
                                "rows": [vars(r) for r in s.rows], "notes": s.notes,
                                "data": s.data} for s in sections},
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"results: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
