"""The small parsers: path globs, patch lines and touched functions, suggested tests."""

from __future__ import annotations

import pytest

from agents.delivery.diff import Touched, added_lines, ranges, touched
from agents.delivery.sourcefiles import SourceFiles
from agents.delivery.suggest import suggest
from agents.globs import GlobSet
from tests.agents.delivery.factories import changed, pr


@pytest.mark.parametrize(("pattern", "path", "hit"), [
    ("*.md", "README.md", True),
    ("*.md", "docs/a/b.md", True),  # no "/": any depth
    ("docs/**", "docs/a/b.txt", True),
    ("docs/**", "src/docs/a.txt", False),
    ("src/*.py", "src/a.py", True),
    ("src/*.py", "src/deep/a.py", False),  # "*" stays inside a directory
    ("**/tests/**", "pkg/tests/test_a.py", True),
    ("**/tests/**", "tests/test_a.py", True),
    (".github/**", ".github/workflows/ci.yml", True),
    ("test_?.py", "pkg/test_a.py", True),
    ("test_[ab].py", "pkg/test_b.py", True),  # classes, as CODEOWNERS globs have them
    ("test_[!ab].py", "pkg/test_b.py", False),
    ("docs[", "docs[", True),  # an unclosed "[" is a literal
])
def test_globs(pattern: str, path: str, hit: bool) -> None:
    assert GlobSet([pattern]).matches(path) is hit


def test_empty_glob_set_matches_nothing() -> None:
    assert GlobSet([]).matches("a.py") is False


PATCH = """@@ -10,4 +10,6 @@ def refund(order, amount):
     total = 0
-    old()
+    new()
+    newer()
     return total
@@ -40,2 +42,5 @@ class Ledger:
+    def post(self, entry):
+        pass
+
\\ No newline at end of file
"""


def test_added_lines_follow_the_new_side() -> None:
    assert added_lines(PATCH) == [11, 12, 42, 43, 44]
    assert added_lines(None) == []
    assert added_lines("+++ b/a.py\n@@ -0,0 +1 @@\n+x\n") == [1]  # file header is no line


def test_touched_functions_from_hunk_headers_and_added_definitions() -> None:
    assert touched(PATCH) == [Touched("refund", "function", 10), Touched("Ledger", "class", 42),
                              Touched("post", "function", 42)]


@pytest.mark.parametrize(("line", "name"), [
    ("+func (s *Server) Handle(w http.ResponseWriter) {", "Handle"),
    ("+export async function loadUser(id) {", "loadUser"),
    ("+async def fetch(self):", "fetch"),
    ("+function* gen() {", "gen"),
])
def test_definitions_in_several_languages(line: str, name: str) -> None:
    assert [t.name for t in touched(f"@@ -1 +1 @@\n{line}\n")] == [name]


def test_ranges() -> None:
    assert ranges([5, 3, 4, 9, 9]) == [(3, 5), (9, 9)]


def test_suggestions_without_functions_name_the_file() -> None:
    files = SourceFiles(("*.py",), ("tests/**",))
    change = pr(files=[changed("pay/config.py", 3)])
    tests = suggest(change, files, ["PAY-9"], max_functions=3, max_tests=6)
    assert tests == [
        "Regression: add `test_pay_9` that reproduces PAY-9 in pay/config.py and fails "
        "without this change.",
        "Boundary: exercise the lines changed in pay/config.py (lines 1-3) at their input "
        "limits and assert the results.",
    ]


def test_a_changed_body_touches_its_unchanged_definition() -> None:
    patch = ("@@ -5,4 +5,5 @@\n def fee(amount):\n-    return amount\n+    return amount + 1\n"
             "+    # rounded\n \n def other():\n     pass\n")
    assert [(t.name, t.line) for t in touched(patch)] == [("fee", 5)]


def test_suggestions_skip_test_files_and_are_capped() -> None:
    files = SourceFiles(("*.py",), ("tests/**",))
    patch = "@@ -1 +1,3 @@\n+def a():\n+def b():\n+def c():\n"
    change = pr(files=[changed("tests/test_x.py", 3, patch=patch), changed("x.py", 3, patch=patch)])
    tests = suggest(change, files, [], max_functions=2, max_tests=3)
    assert len(tests) == 3
    assert all("(x.py:" in t for t in tests)
    assert "`c()`" not in " ".join(tests)
