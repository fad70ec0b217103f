"""Shared plumbing: the machine, timing, medians, slopes, the loopback-only socket guard."""

from __future__ import annotations

import math
import os
import platform
import socket
import statistics
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


def machine_info() -> dict[str, Any]:
    model = "unknown"
    memory_gib: float | None = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = round(int(line.split()[1]) / 1024**2, 1)
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "cpu_model": model,
        "memory_gib": memory_gib,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def cpu_now() -> float:
    """This process's CPU time plus that of its finished child processes (the code-scanning
    engine and ruff run as children: their CPU is the review's too)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


@dataclass
class Timing:
    wall_s: float
    cpu_s: float


def timed(call: Callable[[], T]) -> tuple[T, Timing]:
    """Wall (perf_counter) and this process's CPU time (process_time, all threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, Timing(time.perf_counter() - wall, time.process_time() - cpu)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else math.nan


def loglog_slope(sizes: Sequence[float], values: Sequence[float]) -> float | None:
    """The exponent b of ``value ~ size^b``, least squares on log-log (None below 2 points)."""
    points = [(math.log(s), math.log(v)) for s, v in zip(sizes, values, strict=True)
              if s > 0 and v > 0]
    if len(points) < 2:
        return None
    slope, _ = statistics.linear_regression([p[0] for p in points], [p[1] for p in points])
    return round(slope, 2)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Row:
    metric: str
    value: str
    target: str = ""
    verdict: str = ""  # "met", "MISSED", "" (no target)


@dataclass
class Section:
    name: str
    rows: list[Row] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None
    seconds: float = 0.0

    def add(self, metric: str, value: str, target: str = "", verdict: str = "") -> None:
        self.rows.append(Row(metric, value, target, verdict))


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def render(sections: Sequence[Section]) -> str:
    lines: list[str] = []
    for section in sections:
        lines.append(f"\n== {section.name} ({section.seconds:.0f} s)")
        if section.skipped:
            lines.append(f"   skipped: {section.skipped}")
            continue
        width = max([len(r.metric) for r in section.rows] + [10])
        vwidth = max([len(r.value) for r in section.rows if len(r.value) <= 48] + [5])
        for row in section.rows:
            tail = f"  [{row.target}: {row.verdict}]" if row.target else ""
            if len(row.value) > vwidth:  # a long value goes on lines of its own
                lines.append(f"   {row.metric}{tail}")
                lines += [f"      {part}" for part in textwrap.wrap(row.value, 94)]
                continue
            lines.append(f"   {row.metric:<{width}}  {row.value:>{vwidth}}{tail}")
        lines += [f"   note: {note}" for note in section.notes]
    return "\n".join(lines)


_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = str(address[0])
        if not (host in ("localhost", "::1") or host.startswith("127.")):
            raise OSError(f"the benchmarks never leave 127.0.0.1 (tried {address!r})")
    return _real_connect(self, address)


def loopback_only() -> None:
    """Refuse every socket that is not loopback or Unix, for this whole process."""
    socket.socket.connect = _loopback_only  # type: ignore[method-assign]


def fmt_s(seconds: float) -> str:
    if math.isnan(seconds):
        return "n/a"
    if seconds < 0.001:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_mib(size: float) -> str:
    mib = size / 2**20
    return f"{mib:.1f} MiB" if mib < 10 else f"{mib:.0f} MiB"
