"""The hunk parser, the content guard and the pre-change rebuild."""

from __future__ import annotations

from agents.security.content import clone_reader, post_change
from agents.security.diff import FileDiff, base_from_head, file_diff, parse_patch
from tests.agents.security.builders import added, changed, hunk

HEAD = "import os\nx = 1\ny = 2\nz = 3\n"
PATCH = hunk(1, 1, [" import os", "-x = 0", "+x = 1", "+y = 2", " z = 3"])


def test_added_and_removed_lines_carry_their_own_line_numbers() -> None:
    diff = file_diff(changed("app.py", PATCH))
    assert [(line.number, line.text) for line in diff.added] == [(2, "x = 1"), (3, "y = 2")]
    assert [(line.number, line.text) for line in diff.removed] == [(2, "x = 0")]
    assert diff.new_lines == {1: "import os", 2: "x = 1", 3: "y = 2", 4: "z = 3"}


def test_counts_keep_lines_that_look_like_headers() -> None:
    patch = hunk(1, 1, ["--- not a header", "+++ nor this", " ok"])
    diff = file_diff(changed("a.sql", patch))
    assert [line.text for line in diff.removed] == ["-- not a header"]
    assert [line.text for line in diff.added] == ["++ nor this"]


def test_no_newline_marker_and_junk_outside_hunks_are_skipped() -> None:
    patch = "diff --git a/x b/x\n" + hunk(0, 1, ["+a", "+b"]) + "\n\\ No newline at end of file"
    assert [line.text for h in parse_patch(patch) for line in h.lines] == ["a", "b"]


def test_whole_new_file_only_for_complete_added_files() -> None:
    assert file_diff(added("n.py", ["a", "b"])).whole_new_file() == "a\nb\n"
    assert file_diff(changed("m.py", PATCH)).whole_new_file() is None
    truncated = changed("t.py", hunk(0, 1, ["+a"]), "added", truncated=True)
    assert file_diff(truncated).whole_new_file() is None


def test_base_is_rebuilt_by_reverse_applying_the_patch() -> None:
    diff = file_diff(changed("app.py", PATCH))
    assert base_from_head(HEAD, diff) == "import os\nx = 0\nz = 3\n"
    assert base_from_head("something else\n", diff) is None


def test_provider_text_is_refused_when_it_is_not_the_pr_head() -> None:
    diff = file_diff(changed("app.py", PATCH))
    assert post_change(diff, {"app.py": HEAD}.get).origin == "provider"
    stale = post_change(diff, {"app.py": "import os\nx = 9\n"}.get)
    assert stale.text is None
    assert "does not match the PR head" in (stale.why or "")


def test_clone_reader_stays_inside_the_checkout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "a.py").write_text("x = 1\n")
    (tmp_path / "secret.txt").write_text("no")
    read = clone_reader(tmp_path / "repo")
    assert read("a.py") == "x = 1\n"
    assert read("../secret.txt") is None
    assert read("missing.py") is None


def test_empty_diff_has_nothing() -> None:
    diff = FileDiff("x", "modified", (), True)
    assert diff.added == () and diff.whole_new_file() is None
