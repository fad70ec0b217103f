"""Which PRs share a compare, and when its answer may stand for their own listings."""

from __future__ import annotations

from typing import Any

from connectors.github import wire
from connectors.github.merge_runs import ListedFile, Run, first_parent_line, plan, verified


def linear(*shas: str, root: str = "base") -> dict[str, tuple[str, ...]]:
    chain = [root, *shas]
    return {sha: (parent,) for parent, sha in zip(chain, shas, strict=False)}


def listed(*paths: str, additions: int = 1) -> tuple[ListedFile, ...]:
    return tuple(ListedFile(path, "modified", additions, 0) for path in paths)


def entry(path: str, *, status: str = "modified", additions: int = 1, deletions: int = 0,
          patch: str | None = "@@ -1 +1,2 @@\n+x", previous: str | None = None) -> Any:
    data = {"filename": path, "status": status, "additions": additions, "deletions": deletions,
            "changes": additions + deletions, "sha": "0" * 40}
    if patch is not None:
        data["patch"] = patch
    if previous is not None:
        data["previous_filename"] = previous
    return wire.file_entry(data)


def test_the_first_parent_line_leaves_merged_branches_aside() -> None:
    parents = {"m1": ("base",), "b1": ("base",), "b2": ("b1",), "m2": ("m1", "b2"),
               "m3": ("m2",)}
    assert first_parent_line(parents) == ["m1", "m2", "m3"]
    assert first_parent_line({"a": ("base",), "b": ("base",)}) is None  # two tips: partial


def test_back_to_back_merges_with_disjoint_files_share_one_compare() -> None:
    parents = linear("m1", "m2", "m3")
    merged = {"m1": (1,), "m2": (2,), "m3": (3,)}
    files = {1: listed("a.py"), 2: listed("b.py"), 3: listed("c.py")}
    assert plan(["m1", "m2", "m3"], parents, merged, files) == [Run("base", "m3", (1, 2, 3))]


def test_a_run_stops_at_a_shared_file_a_direct_push_or_an_unlisted_pr() -> None:
    line = ["m1", "m2", "m3", "d4", "m5", "m6", "m7", "m8"]
    parents = linear(*line)
    merged = {"m1": (1,), "m2": (2,), "m3": (3,), "d4": (), "m5": (5,), "m6": (6,),
              "m7": (7,), "m8": (8,)}
    files = {1: listed("a.py"), 2: listed("b.py"), 3: listed("a.py", "c.py"),
             5: listed("e.py"), 6: None, 7: listed("g.py"), 8: listed("h.py")}
    assert plan(line, parents, merged, files) == [
        Run("base", "m2", (1, 2)),  # #3 changes a.py again: it starts the next run, alone
        Run("m6", "m8", (7, 8)),  # d4 is nobody's; #6 has over 100 files (no full listing)
    ]


def test_prs_whose_commits_are_not_one_stretch_of_the_line_read_their_own_files() -> None:
    line = ["r1", "r2", "m3", "r4", "m5"]  # #1 rebased in two parts around #3
    merged = {"r1": (1,), "r2": (1,), "m3": (3,), "r4": (1,), "m5": (5,)}
    files = {1: listed("a.py"), 3: listed("c.py"), 5: listed("e.py")}
    assert plan(line, linear(*line), merged, files) == []  # #3 and #5 are kept apart
    merged["r4"] = (4,)
    files[4] = listed("d.py")
    assert plan(line, linear(*line), merged, files) == [Run("base", "m5", (1, 3, 4, 5))]


def test_a_commit_of_two_prs_or_of_unknown_prs_breaks_the_run() -> None:
    line = ["m1", "m2", "m3", "m4"]
    merged: dict[str, tuple[int, ...]] = {"m1": (1,), "m2": (2, 9), "m4": (4,)}  # m3 unknown
    files = {1: listed("a"), 2: listed("b"), 4: listed("d")}
    assert plan(line, linear(*line), merged, files) == []


def test_a_run_holds_at_most_the_300_files_a_compare_lists() -> None:
    line = ["m1", "m2", "m3"]
    files = {n: listed(*(f"{n}/{i}" for i in range(100))) for n in (1, 2, 3)}
    merged = {"m1": (1,), "m2": (2,), "m3": (3,)}
    assert plan(line, linear(*line), merged, files, max_files=250) == [
        Run("base", "m2", (1, 2))]


def test_the_compare_stands_for_a_pr_only_where_every_file_matches() -> None:
    run = Run("base", "m3", (1, 2, 3))
    files = {1: listed("a.py", "a2.py"), 2: listed("b.py", additions=3), 3: listed("c.py")}
    entries = [entry("a.py"), entry("a2.py"), entry("b.py", additions=2),
               entry("c.py", patch=None)]
    accepted = verified(run, entries, files)
    # #2's counts differ (a conflict resolved in the merge?); #3's patch was withheld.
    assert {n: [e.file.path for e in found] for n, found in accepted.items()} == {
        1: ["a.py", "a2.py"]}


def test_a_missing_or_doubled_file_or_a_rename_across_prs_is_not_vouched_for() -> None:
    run = Run("base", "m3", (1, 2, 3))
    files = {1: listed("a.py"), 2: (ListedFile("new.py", "renamed", 0, 0),),
             3: listed("old.py")}
    entries = [entry("new.py", status="renamed", additions=0, previous="old.py",
                     patch=None)]  # #2 renamed the file #3 had changed: one entry for both
    assert verified(run, entries, files) == {}
    doubled = [entry("a.py"), entry("a.py")]
    assert verified(Run("base", "m1", (1,)), doubled, {1: listed("a.py")}) == {}
