"""Big PRs: pages past 300 files, withheld patches diffed from contents, nothing dropped."""

from __future__ import annotations

from typing import Any

from agents.security.review_report import SecurityReviewReport
from connectors.github.models import ChangedFile, PullRequest
from connectors.github.withheld import synthesized_patch
from connectors.provenance import Gap, SourceProvenance
from graphs.inputs import InputRef, read_input
from graphs.runner import start_security_review
from graphs.security_review import (
    ContentReader,
    ReviewContext,
    SecurityReviewRequest,
    complete_files,
    load_github,
)
from publishers.github.config import BotConfig
from render.review.comment import summary_comment
from tests.bot.conftest import Wiring
from tests.replay import replayer


def test_a_350_file_pr_is_read_in_full_and_every_gap_is_listed(ctx: ReviewContext,
                                                               wiring: Wiring) -> None:
    request = SecurityReviewRequest(source="github", repo="acme/shop", number=208)
    with replayer("github_bot").use_cassette("big_pr.yaml") as cassette:
        state = start_security_review(ctx, request, "ci-bot")
        assert cassette.all_played
    report = SecurityReviewReport.model_validate(state["report"])
    given = read_input(InputRef.model_validate(state["review_input"]))
    assert len(given.pull["files"]) == 350  # four pages of 100
    assert report.diffed_from_contents == ["data/catalogue.py"]
    unreviewed = {u.path: u.why for u in report.unreviewed}
    assert set(unreviewed) == {"data/huge.json", "assets/catalogue.png"}
    assert "encoding 'none'" in unreviewed["data/huge.json"]
    assert "binary" in unreviewed["assets/catalogue.png"]
    [secret] = [f for f in report.findings if f.category == "secret"]
    assert secret.evidence[0].path == "data/catalogue.py" and secret.evidence[0].line == 19
    body = summary_comment(report)
    assert "### Not reviewed" in body and "data/huge.json" in body
    assert "assets/catalogue.png" in body


class FakeClient:
    """A guarded PyGithub client's requester, answering from a dict."""

    def __init__(self, files: dict[tuple[str, str], str]) -> None:
        self.files = files
        self.asked: list[str] = []
        self.requester = self

    def requestJsonAndCheck(self, verb: str, url: str, parameters: Any) -> Any:
        import base64

        from github import GithubException

        self.asked.append(url)
        if "/compare/" in url:
            return {}, {"merge_base_commit": {"sha": "base0"}}
        path = url.split("/contents/", 1)[1]
        text = self.files.get((path, parameters["ref"]))
        if text is None:
            raise GithubException(404, {"message": "Not Found"}, {})
        content = base64.b64encode(text.encode()).decode()
        return {}, {"type": "file", "encoding": "base64", "content": content}


class FakeConnector:
    def __init__(self, client: FakeClient) -> None:
        self.github = client


def _file(path: str, status: str = "modified", patch: str | None = None,
          truncated: bool = True) -> ChangedFile:
    return ChangedFile(path=path, previous_path=None, status=status,  # type: ignore[arg-type]
                       additions=5, deletions=5, patch=patch, patch_truncated=truncated)


def _pr(*files: ChangedFile) -> PullRequest:
    from datetime import UTC, datetime

    return PullRequest(number=1, title="t", body=None, author="a", labels=(), head_ref="f",
                       head_sha="head0", base_ref="main", merged_at=None, merge_commit_sha=None,
                       html_url="", created_at=datetime.now(UTC), additions=None,
                       deletions=None, changed_files=len(files), files=files)


def test_the_content_budget_is_respected_and_what_it_leaves_is_listed() -> None:
    client = FakeClient({("a.py", "head0"): "x = 2\n", ("a.py", "base0"): "x = 1\n",
                         ("b.py", "head0"): "y = 2\n", ("b.py", "base0"): "y = 1\n"})
    reader = ContentReader(FakeConnector(client), "acme/shop",  # type: ignore[arg-type]
                           BotConfig(max_content_files=2))
    done = complete_files(_pr(_file("a.py"), _file("b.py"), _file("c.py", "removed")), reader)
    assert done.diffed == ["a.py"]
    [left] = done.unreviewed
    assert left.path == "b.py" and "max_content_files" in left.why
    assert [f.path for f in done.files] == ["a.py", "b.py", "c.py"]  # removed: nothing to scan
    assert done.files[0].patch == "@@ -1 +1 @@\n-x = 1\n+x = 2"


def test_a_file_missing_at_head_is_listed_with_why() -> None:
    reader = ContentReader(FakeConnector(FakeClient({})), "acme/shop",  # type: ignore[arg-type]
                           BotConfig())
    done = complete_files(_pr(_file("gone.py", "added")), reader)
    assert "not found at that commit" in done.unreviewed[0].why


def test_synthesized_patches_keep_lines_that_look_like_headers() -> None:
    patch = synthesized_patch("--- a\nkeep\n", "+++ b\nkeep\n")
    assert patch.splitlines()[1:] == ["---- a", "++++ b", " keep"]


def test_files_past_githubs_listing_cap_are_listed(ctx: ReviewContext) -> None:
    gap = Gap(source="github", what="files of PR #1",
              why="GitHub lists at most 3000 files; got 3000 of 3400 changed files")

    class Capped:
        github = FakeClient({})
        stats = None

        def __enter__(self) -> Capped:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def fetch_pull(self, repo: str, number: int) -> tuple[PullRequest, SourceProvenance]:
            return _pr(_file("a.py", patch="@@ -1 +1 @@\n-x\n+y", truncated=False)), \
                SourceProvenance(source="github", gaps=[gap])

    services = ctx.services
    services.github = lambda _request: Capped()  # type: ignore[assignment,return-value]
    loaded = load_github(SecurityReviewRequest(source="github", repo="acme/shop", number=1),
                         services, BotConfig())
    [listed] = loaded["unreviewed"]
    assert "3400" in listed["why"] and loaded["source_gaps"][0]["what"] == "files of PR #1"
