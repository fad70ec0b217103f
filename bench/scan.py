"""4. scan: each scanner's rate on a 10,000- and a 100,000-line diff; the review end to end.

The diffs are what a release's PRs add, by line: Python half (a third of it tests),
then TypeScript, YAML, Terraform, Markdown and workflows; a third of the files new, the
rest modified (so the scanners see whole new files and, for modified ones, the hunks).
Each scanner is timed alone with ``process_time``, plus the CPU of the child processes
it starts (ruff and the engine run as their own processes):

* secrets: ``SecretScanner.scan`` (detect-secrets plugins, token catalogue, YAML values);
* SAST: ruff's S rules (bandit's checks) over the Python sources, then our rules on the
  engine over every file they cover, each one run for the whole diff (as a release);
  bandit itself, in this process, for comparison;
* IaC: ``terraform_findings`` (python-hcl2 parse and our rules) over the ``.tf`` files;
* Unicode: ``trojan_hits`` (bidi and invisible characters) over every file;
* prompt injection in added comments (``injection_detections``) over every file.

End to end: ``advisor security-review --diff`` on a 500- and a 10,000-line diff of the same
shape, start-up included, in its own process: wall, CPU (with its children) and peak
resident memory; then the peers present (bandit, detect-secrets, checkov) on the same
files.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.context import Context
from bench.org import make_file
from bench.util import Section, fmt_s, verdict

SIZES = (10_000, 100_000)
_MIX = (("py", 35), ("test", 15), ("ts", 15), ("yaml", 10), ("tf", 10), ("md", 10),
        ("workflow", 5))


def _diffs(lines: int, seed: int = 7) -> list[Any]:
    from agents.security.diff import file_diff
    from connectors.github.models import ChangedFile

    rng = random.Random(seed + lines)  # noqa: S311 - synthetic data
    diffs, added, n = [], 0, 0
    kinds, weights = [k for k, _ in _MIX], [w for _, w in _MIX]
    while added < lines:
        n += 1
        kind = rng.choices(kinds, weights)[0]
        status = "added" if rng.random() < 0.33 else "modified"
        path = {"py": f"src/app/mod_{n}.py", "test": f"tests/test_mod_{n}.py",
                "ts": f"web/src/mod{n}.ts",
                "yaml": f"config/app-{n}.yaml", "tf": f"infra/stack_{n}.tf",
                "md": f"docs/page-{n}.md", "workflow": f".github/workflows/ci-{n}.yml"}[kind]
        spec = make_file(rng, kind, path, rng.randrange(20, 160), status,
                         risky=rng.random() < 0.02)
        changed = ChangedFile(path=spec.path, previous_path=None, status=spec.status,
                              additions=spec.additions, deletions=spec.deletions,
                              patch=spec.patch, patch_truncated=False)
        diff = file_diff(changed)
        diffs.append(diff)
        added += len(diff.added)
    return diffs


@dataclass
class Measured:
    lines: int
    cpu_s: float
    wall_s: float
    hits: int
    complete: bool = True
    projected_s: float | None = None

    @property
    def rate(self) -> float:
        return self.lines / self.cpu_s if self.cpu_s > 0 else float("inf")


def _time(call: Callable[[], int], lines: int) -> Measured:
    wall, cpu = time.perf_counter(), time.process_time()
    hits = call()
    return Measured(lines, time.process_time() - cpu, time.perf_counter() - wall, hits)


def _secrets(diffs: Sequence[Any]) -> Measured:
    from agents.security.secrets import SecretScanner

    scanner = SecretScanner()
    scanner.scan(diffs[0])  # plugin construction is per process, not per line
    return _time(lambda: sum(len(scanner.scan(d)) for d in diffs),
                 sum(len(d.added) for d in diffs))


def _python_sources(diffs: Sequence[Any]) -> tuple[list[Any], int]:
    from agents.security.content import post_change
    from agents.security.sast import PythonSource, hunk_sources

    sources, added = [], 0
    for diff in diffs:
        if not diff.path.endswith(".py"):
            continue
        added += len(diff.added)
        post = post_change(diff, None)
        if post.text is not None:
            sources.append(PythonSource(diff.path, post.text, diff.added_numbers))
        else:
            sources += hunk_sources(diff)[0]
    return sources, added


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _with_children(call: Callable[[], int], lines: int) -> Measured:
    """CPU of this process and of the engines it starts (they run as child processes)."""
    children = _children_cpu()
    measured = _time(call, lines)
    measured.cpu_s += _children_cpu() - children
    return measured


def _ruff(diffs: Sequence[Any]) -> Measured:
    """bandit's checks as ruff's S rules, one run over every Python source."""
    from agents.security.sast import RuffRunner

    sources, added = _python_sources(diffs)
    runner = RuffRunner()
    return _with_children(lambda: len(runner.scan(sources)[0]), added)


def _engine(diffs: Sequence[Any]) -> Measured:
    """Our rules on the engine, one run over every file they cover."""
    from agents.security.code_scan import CodeTargets
    from agents.security.content import post_change
    from agents.security.engine import run_engine

    targets = CodeTargets()
    for diff in diffs:
        targets.add_file(1, diff, post_change(diff, None).text)
    lines = sum(len(t.changed) for t in targets.engine)
    return _with_children(lambda: len(run_engine(targets.engine).hits), lines)


def _bandit(diffs: Sequence[Any]) -> Measured:
    """bandit (the peer, a dev dependency) in this process, 40 sources a call."""
    from bench.detection import _bandit as bandit_modules

    sources, added = _python_sources(diffs)
    config, manager = bandit_modules()

    def scan() -> int:
        hits = 0
        with tempfile.TemporaryDirectory(prefix="rra-bench-bandit-") as folder:
            for start in range(0, len(sources), 40):
                names = []
                for index, source in enumerate(sources[start:start + 40]):
                    name = Path(folder) / f"s{start + index}.py"
                    name.write_text(source.text, encoding="utf-8")
                    names.append(str(name))
                runner = manager.BanditManager(config, "file", quiet=True)
                runner.discover_files(names)
                runner.run_tests()
                hits += len(runner.get_issue_list())
        return hits

    return _time(scan, added)


def _iac(diffs: Sequence[Any]) -> Measured:
    from agents.iac.terraform_rules import RuleSettings
    from agents.security.content import post_change
    from agents.security.findings import FindingFactory, PrRef
    from agents.security.iac import terraform_findings
    from governance.redact import default_redactor

    tf = [d for d in diffs if d.path.endswith(".tf")]
    factory = FindingFactory(default_redactor(), max_evidence=5)
    ref = PrRef(number=1, url="https://github.com/bench-org/shop/pull/1", repo="bench-org/shop")
    settings = RuleSettings()

    def scan() -> int:
        return sum(len(terraform_findings(factory, ref, d, post_change(d, None),
                                          settings).findings) for d in tf)

    return _time(scan, sum(len(d.added) for d in tf))


def _unicode(diffs: Sequence[Any]) -> Measured:
    from agents.security.trojan import trojan_hits

    return _time(lambda: sum(len(trojan_hits(d)) for d in diffs),
                 sum(len(d.added) for d in diffs))


def _injection(diffs: Sequence[Any]) -> Measured:
    from agents.security.findings import PrRef
    from agents.security.injection_scan import injection_detections

    ref = PrRef(number=1, url="https://github.com/bench-org/shop/pull/1", repo="bench-org/shop")
    return _time(lambda: len(injection_detections(ref, "Release", None, diffs)),
                 sum(len(d.added) for d in diffs))


SCANNERS: tuple[tuple[str, Callable[[Sequence[Any]], Measured]], ...] = (
    ("secrets (detect-secrets, token catalogue, YAML)", _secrets),
    ("SAST: bandit's checks (ruff S rules, incl. its process)", _ruff),
    ("SAST: our code rules (engine, incl. its process)", _engine),
    ("SAST: bandit itself, the peer (in process)", _bandit),
    ("IaC (Terraform rules)", _iac),
    ("Unicode (Trojan Source)", _unicode),
    ("prompt injection (comments)", _injection),
)


def run(ctx: Context, section: Section) -> None:
    results: dict[str, Any] = {}
    for lines in SIZES:
        diffs = _diffs(lines)
        total = sum(len(d.added) for d in diffs)
        results[str(lines)] = {"files": len(diffs), "added_lines": total, "scanners": {},
                               "python_sources": len(_python_sources(diffs)[0])}
        for name, scanner in SCANNERS:
            m = scanner(diffs)
            results[str(lines)]["scanners"][name] = vars(m) | {"rate": round(m.rate)}
            extra = ""
            if not m.complete and m.projected_s is not None:
                extra = (f" (stopped after {fmt_s(m.cpu_s)} CPU at {m.lines:,} lines; whole "
                         f"diff ~{fmt_s(m.projected_s)})")
            section.add(f"{lines:,}-line diff: {name}",
                        f"{m.rate:,.0f} lines/s on {m.lines:,} lines, {fmt_s(m.cpu_s)}{extra}")
    results["end_to_end"] = end_to_end(section)
    section.data = results
    section.notes.append("lines/s = added lines the scanner covers / its CPU time "
                         "(process_time, plus its child processes' for ruff and the engine); "
                         "the scanners also parse the context lines of each hunk or the whole "
                         "new file")


# -- end to end: the review command on a release-shaped diff, next to the peers --------------

END_TO_END = (500, 10_000)
TARGETS_S = {500: 5.0, 10_000: 15.0}


def unified_diff(diffs: Sequence[Any]) -> str:
    """The diffs as one ``git diff`` text, as ``advisor security-review --diff`` reads it."""
    from agents.security.diff import render_patch

    parts = []
    for diff in diffs:
        added = diff.status == "added"
        parts.append(f"diff --git a/{diff.path} b/{diff.path}\n"
                     + ("new file mode 100644\n" if added else "")
                     + f"--- {'/dev/null' if added else 'a/' + diff.path}\n"
                     + f"+++ b/{diff.path}\n" + render_patch(diff) + "\n")
    return "".join(parts)


# Started from a small Python of its own: a child forked from this (large) benchmark
# process would count the parent's pages in its peak RSS until it execs.
_LAUNCHER = """
import json, os, subprocess, sys, time
begin = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(child.pid, 0)
error = child.stderr.read().decode(errors="replace")[-300:] if child.stderr else ""
print(json.dumps({"wall": time.perf_counter() - begin, "code": os.waitstatus_to_exitcode(status),
                  "cpu": usage.ru_utime + usage.ru_stime, "peak_kib": usage.ru_maxrss,
                  "error": error}))
"""


def _measure(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak resident MiB of one command (its children too)."""
    done = subprocess.run([sys.executable, "-c", _LAUNCHER, *argv], capture_output=True,
                          text=True, env=env, check=True)
    report = json.loads(done.stdout)
    if report["code"] not in (0, 1):  # bandit and checkov exit 1 when they find issues
        raise RuntimeError(f"{argv[0]} failed ({report['code']}): {report['error']}")
    return report["wall"], report["cpu"], report["peak_kib"] // 1024


def _files(folder: Path, diffs: Sequence[Any]) -> None:
    from agents.security.code_scan import sparse_text

    for diff in diffs:
        target = folder / diff.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(sparse_text(diff), encoding="utf-8")


def _peers(folder: Path) -> list[tuple[str, list[str]]]:
    bin_dir = Path(sys.executable).parent
    found = [("bandit (Python files)", [str(bin_dir / "bandit"), "-q", "-r", "-f", "json",
                                        str(folder)]),
             ("detect-secrets (all files)", [str(bin_dir / "detect-secrets"), "scan",
                                             "--all-files", str(folder)])]
    checkov = os.environ.get("BENCH_CHECKOV") or shutil.which("checkov")
    if checkov:
        found.append(("checkov (Terraform, workflows...)", [checkov, "-d", str(folder), "-o",
                                                            "json", "--quiet", "--compact",
                                                            "--skip-download"]))
    return [(name, argv) for name, argv in found if Path(argv[0]).exists()]


def end_to_end(section: Section) -> dict[str, Any]:
    """``advisor security-review --diff`` (start-up included) and each peer, on the same
    change: wall, CPU (with child processes) and peak resident memory."""
    results: dict[str, Any] = {}
    for lines in END_TO_END:
        diffs = _diffs(lines)
        with tempfile.TemporaryDirectory(prefix="rra-bench-e2e-") as tmp:
            folder = Path(tmp)
            change = folder / "change.diff"
            change.write_text(unified_diff(diffs), encoding="utf-8")
            env = {k: v for k, v in os.environ.items() if not k.startswith(
                ("ANTHROPIC_", "GITHUB_", "ADVISOR_"))}
            env["ADVISOR_HOME"] = str(folder / "home")
            argv = [sys.executable, "-m", "advisor", "security-review", "--diff", str(change),
                    "--format", "json", "--quiet", "--output", str(folder / "report.json")]
            wall, cpu, peak = _measure(argv, env)
            target = TARGETS_S[lines]
            row = {"wall_s": wall, "cpu_s": cpu, "peak_mib": peak, "files": len(diffs)}
            section.add(f"{lines:,}-line diff ({len(diffs)} files): advisor security-review "
                        "--diff, wall / CPU / peak RSS",
                        f"{fmt_s(wall)} / {fmt_s(cpu)} / {peak} MiB", f"<= {target:.0f} s wall",
                        verdict(wall <= target))
            _files(folder / "tree", diffs)
            peers = {}
            for name, peer in _peers(folder / "tree"):
                p_wall, p_cpu, p_peak = _measure(peer)
                peers[name] = {"wall_s": p_wall, "cpu_s": p_cpu, "peak_mib": p_peak}
                section.add(f"{lines:,}-line diff: {name}, wall / CPU / peak RSS",
                            f"{fmt_s(p_wall)} / {fmt_s(p_cpu)} / {p_peak} MiB")
            row["peers"] = peers
            results[str(lines)] = row
    return results
