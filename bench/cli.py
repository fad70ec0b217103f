"""7. cli: how long the commands people type most take to start and answer.

Each command runs in a fresh process (``python -m advisor …``), as a person or a CI step
runs it, against a throw-away ``ADVISOR_HOME`` whose store was created before timing:

* ``advisor --help``;
* ``advisor killswitch status`` (settings, roles, the store, one query, a table);
* ``advisor security-review --diff`` of a 16-line diff (a Python file with an SQL
  injection and a hard-coded key): the whole graph run to the sign-off interrupt,
  recorded, rendered on the terminal, offline narrator.

Byte-code is cached (under the temporary directory) as it is for an installed package,
even where PYTHONDONTWRITEBYTECODE is set: otherwise every run would compile the
advisor's own modules again, which no user pays for.

Figures: the child's CPU time (user + system, ``RUSAGE_CHILDREN``, so a command's own
child processes count too), median and minimum over the repetitions, and the median
wall time. CPU time is the target's measure: the
machine's other load inflates wall time, much less CPU time. The modules a command
imports are counted too (``sys.modules`` at exit), to show where start-up goes.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.context import Context
from bench.util import Section, fmt_s, median, verdict

QUICK_TARGET_S = 0.3
REVIEW_TARGET_S = 1.5
REPEAT = 9
REPEAT_REVIEW = 5
# Sixteen lines: the size of a small pull request's diff.
SMALL_DIFF = """\
diff --git a/app/users.py b/app/users.py
new file mode 100644
--- /dev/null
+++ b/app/users.py
@@ -0,0 +1,11 @@
+# Users and their lookups.
+import sqlite3
+
+AWS_KEY = "AKIAZ3MHN7QWERTY5XVB"
+
+
+def find(conn: sqlite3.Connection, name: str) -> list[tuple[str]]:
+    cursor = conn.cursor()
+    cursor.execute("SELECT * FROM users WHERE name = '%s'" % name)
+    return cursor.fetchall()
+
"""
COUNT_MODULES = ("import atexit, sys; "
                 "atexit.register(lambda: print(len(sys.modules), file=sys.stderr))")


def _environment(home: Path, bytecode: Path) -> dict[str, str]:
    """The child's environment: its own data directory, byte-code cached in ``bytecode``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ADVISOR_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"ADVISOR_HOME": str(home), "ADVISOR_LLM_PROVIDER": "offline",
                "COLUMNS": "100", "PYTHONPYCACHEPREFIX": str(bytecode)})
    return env


def _once(args: Sequence[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(CPU, wall, exit code) of one fresh ``python -m advisor …``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "advisor", *args], env=env, check=False,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, done.returncode


def _modules(args: Sequence[str], env: dict[str, str]) -> int | None:
    """How many modules the command had imported when it exited."""
    done = subprocess.run([sys.executable, "-c", f"{COUNT_MODULES}\nimport runpy, sys\n"
                           f"sys.argv = ['advisor', *{list(args)!r}]\n"
                           "runpy.run_module('advisor', run_name='__main__')"],
                          env=env, check=False, capture_output=True, text=True)
    last = done.stderr.strip().splitlines()[-1:] or [""]
    return int(last[0]) if last[0].isdigit() else None


def _measure(name: str, args: Sequence[str], env: dict[str, str], repeat: int,
             target: float, section: Section, results: dict[str, Any]) -> None:
    _once(args, env)  # warm the file cache and the byte-code
    runs = [_once(args, env) for _ in range(repeat)]
    codes = sorted({code for _, _, code in runs})
    cpu = [c for c, _, _ in runs]
    wall = [w for _, w, _ in runs]
    modules = _modules(args, env)
    section.add(f"{name}: CPU median (min), wall median; {modules} modules",
                f"{fmt_s(median(cpu))} ({fmt_s(min(cpu))}), {fmt_s(median(wall))}",
                f"< {target:g} s CPU", verdict(median(cpu) < target))
    results[name] = {"args": list(args), "cpu_s": cpu, "wall_s": wall,
                     "cpu_median_s": median(cpu), "cpu_min_s": min(cpu),
                     "wall_median_s": median(wall), "exit_codes": codes, "modules": modules}
    if codes != [0]:
        section.notes.append(f"{name} exited with {codes}")


def run(ctx: Context, section: Section) -> None:
    results: dict[str, Any] = {}
    repeat = 3 if ctx.quick else REPEAT
    with tempfile.TemporaryDirectory(prefix="rra-bench-cli-") as folder:
        home = Path(folder) / "home"
        env = _environment(home, Path(folder) / "bytecode")
        diff = Path(folder) / "small.diff"
        diff.write_text(SMALL_DIFF)
        _once(["audit", "verify"], env)  # create the store before anything is timed
        _measure("advisor --help", ["--help"], env, repeat, QUICK_TARGET_S, section, results)
        _measure("advisor killswitch status", ["killswitch", "status"], env, repeat,
                 QUICK_TARGET_S, section, results)
        _measure("advisor security-review --diff (16 lines)",
                 ["security-review", "--diff", str(diff), "--quiet"], env,
                 3 if ctx.quick else REPEAT_REVIEW, REVIEW_TARGET_S, section, results)
    section.data = results
