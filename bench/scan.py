"""4. scan: added lines per second of each scanner on a 10,000- and a 100,000-line diff.

The diffs are what a release's PRs add, by line: Python half (a third of it tests),
then TypeScript, YAML, Terraform, Markdown and workflows; a third of the files new, the
rest modified (so bandit sees whole new files and, for modified ones, the hunks that
parse on their own, as in a snapshot without a clone). Each scanner is timed alone
with ``process_time``:

* secrets: ``SecretScanner.scan`` (detect-secrets plugins) over every file;
* SAST: ``BanditRunner.scan`` over the Python sources (whole new files, hunks of
  modified ones), 40 sources a call, then again one call per file (the agent calls it
  once per PR, for a PR's few files); each stopped once ``BANDIT_BUDGET_S`` of CPU is
  spent (the rate of the calls that ran is reported and the whole diff's time projected);
* IaC: ``terraform_findings`` (python-hcl2 parse and our rules) over the ``.tf`` files;
* Unicode: ``trojan_hits`` (bidi and invisible characters) over every file;
* prompt injection in added comments (``injection_detections``) over every file.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.context import Context
from bench.org import make_file
from bench.util import Section, fmt_s

SIZES = (10_000, 100_000)
BANDIT_BUDGET_S = 45.0
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


def _bandit_calls(diffs: Sequence[Any], *, per_file: bool) -> Measured:
    """bandit over the Python sources: 40 sources a call, or one call per file (as the
    agent calls it once per PR, for a PR's one or two Python files)."""
    from agents.security.sast import BanditRunner

    sources, added = _python_sources(diffs)
    runner = BanditRunner()
    runner.scan(sources[:1])  # bandit's configuration and plugins load once per process
    calls: list[list[Any]] = []
    if per_file:
        by_path: dict[str, list[Any]] = {}
        for source in sources:
            by_path.setdefault(source.path, []).append(source)
        calls = list(by_path.values())
    else:
        calls = [sources[i : i + 40] for i in range(0, len(sources), 40)]
    scanned_lines = sum(s.text.count("\n") for s in sources)
    done_lines, hits, cpu, wall = 0, 0, 0.0, 0.0
    for n, chunk in enumerate(calls, start=1):
        m = _time(lambda chunk=chunk: len(runner.scan(chunk)[0]), 0)
        cpu, wall, hits = cpu + m.cpu_s, wall + m.wall_s, hits + m.hits
        done_lines += sum(s.text.count("\n") for s in chunk)
        if cpu >= BANDIT_BUDGET_S and n < len(calls):
            share = done_lines / scanned_lines
            return Measured(round(added * share), cpu, wall, hits, complete=False,
                            projected_s=cpu / share)
    return Measured(added, cpu, wall, hits)


def _bandit(diffs: Sequence[Any]) -> Measured:
    return _bandit_calls(diffs, per_file=False)


def _bandit_per_file(diffs: Sequence[Any]) -> Measured:
    return _bandit_calls(diffs, per_file=True)


def bandit_fixed_cost(sources: int = 40, repeats: int = 5) -> float:
    """CPU per source (a file, or one hunk) bandit costs whatever its length."""
    from agents.security.sast import BanditRunner, PythonSource

    tiny = [PythonSource(f"s{i}.py", "import os\n\n\ndef f(x):\n    return x + 1\n",
                         frozenset({4})) for i in range(sources)]
    runner = BanditRunner()
    runner.scan(tiny[:1])
    begin = time.process_time()
    for _ in range(repeats):
        runner.scan(tiny)
    return (time.process_time() - begin) / repeats / sources


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
    ("secrets (detect-secrets)", _secrets),
    ("SAST (bandit), 40 sources a call", _bandit),
    ("SAST (bandit), one call per file", _bandit_per_file),
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
    fixed = bandit_fixed_cost()
    section.add("SAST (bandit): fixed CPU per source (a whole file or one hunk)", fmt_s(fixed))
    results["bandit_fixed_cost_per_source_s"] = fixed
    section.data = results
    section.notes.append("lines/s = added lines the scanner covers / its CPU time "
                         "(process_time); bandit also parses the context lines of each hunk "
                         "or the whole new file")
