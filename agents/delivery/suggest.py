"""Suggested tests for an untested or risky PR, from the change itself: boundary, error
path and regression tests naming the functions and classes it touched (with the line),
or the changed files when no definition shows in the diff.

Deterministic on purpose: the names come from the diff (see ``diff.touched``) and the
linked Jira bugs, the wording from fixed templates; never the finding's title. Anything
cleverer is the advisory layer's job, and it may only annotate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.delivery.diff import Touched, added_lines, ranges, touched
from agents.delivery.sourcefiles import SourceFiles
from connectors.github.models import PullRequest


def touched_in(pr: PullRequest, files: SourceFiles, limit: int) -> list[tuple[str, Touched]]:
    """Up to ``limit`` (path, function or class) pairs from the PR's source files."""
    found: list[tuple[str, Touched]] = []
    for changed in files.changed_source(pr):
        for item in touched(changed.patch):
            if len(found) == limit:
                return found
            found.append((changed.path, item))
    return found


def suggest(pr: PullRequest, files: SourceFiles, bug_keys: Sequence[str], *,
            max_functions: int, max_tests: int) -> list[str]:
    functions = touched_in(pr, files, max_functions)
    changed = files.changed_source(pr)[:max_functions]
    paths = [f.path for f in changed]
    tests = [_regression(key, functions, paths) for key in bug_keys]
    for path, item in functions:
        tests += _for_function(f"{path}:{item.line}" if item.line else path, item)
    if not functions:
        tests += [_for_file(f.path, added_lines(f.patch)) for f in changed]
    return tests[:max_tests]


def _call(item: Touched) -> str:
    return f"`{item.name}`" if item.kind == "class" else f"`{item.name}()`"


def _for_function(path: str, item: Touched) -> list[str]:
    if item.kind == "class":
        return [
            f"Boundary: build {_call(item)} ({path}) with empty, minimal and largest allowed "
            "values and assert its invariants hold.",
            f"Error path: build {_call(item)} ({path}) with invalid values and assert it "
            "refuses them with a clear error.",
        ]
    return [
        f"Boundary: call {_call(item)} ({path}) with empty, zero, one and the largest allowed "
        "input and assert each result.",
        f"Error path: give {_call(item)} ({path}) invalid input and a failing dependency and "
        "assert the error is raised or reported, not swallowed.",
    ]


def _for_file(path: str, lines: Sequence[int]) -> str:
    spans = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges(lines)[:5])
    where = f"{path} (lines {spans})" if spans else path
    return (f"Boundary: exercise the lines changed in {where} at their input limits and "
            "assert the results.")


def _regression(key: str, functions: Sequence[tuple[str, Touched]],
                paths: Sequence[str]) -> str:
    target, via = "", ""
    if functions:
        path, item = functions[0]
        where = f"{path}:{item.line}" if item.line else path
        target, via = item.name, f" through {_call(item)} ({where})"
    elif paths:
        via = f" in {paths[0]}"
    name = "_".join(filter(None, ("test", _slug(key), _slug(target))))
    return (f"Regression: add `{name}` that reproduces {key}{via} and fails without this "
            "change.")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
