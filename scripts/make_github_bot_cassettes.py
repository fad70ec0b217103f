"""Write ``cassettes/github_bot/*.yaml``: what the PR bot reads and writes, in GitHub's shapes.

Bodies start from the official examples of GitHub's OpenAPI description, through the
helpers of ``make_github_cassettes.py`` (same host, headers and pagination), so the
bot's cassettes and the connector's agree. The planted PR (acme/shop#207) holds a
secret, an SQL injection, a vulnerable dependency, an open security group and a
dangerous workflow change. The bot's own earlier comments (for the re-run) carry the
fingerprints the security agent computes for that PR, so the script runs the agent.

    .venv/bin/python scripts/make_github_bot_cassettes.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import make_github_cassettes as gh  # noqa: E402

from advisor.configuration import load_agent_config  # noqa: E402
from agents.security import SecurityAgent  # noqa: E402
from connectors.github import wire  # noqa: E402
from connectors.github.withheld import synthesized_patch  # noqa: E402
from connectors.osv.models import OsvResult  # noqa: E402
from publishers.github.anchors import DiffAnchors, place  # noqa: E402
from render.review.markers import SUMMARY_MARKER, finding_marker  # noqa: E402

gh.OUT = ROOT / "cassettes" / "github_bot"
gh.PER_PAGE = 100  # the connector's and the publisher's page size
HOST = gh.Host()
REPO = HOST.repo_api
OSV = "https://api.osv.dev"
BOT = HOST.user("github-actions[bot]", 41898282, "Bot")

# -- the planted pull request ------------------------------------------------------------

SETTINGS = '''"""Settings for the order service."""

import os

AWS_ACCESS_KEY_ID = "AKIAZ3MHN7QWERTY5XVB"
AWS_REGION = os.environ.get("AWS_REGION", "eu-west-1")
'''
ORDERS_BASE = '''"""Orders."""

import sqlite3


def connect(path: str) -> sqlite3.Connection:
    return sqlite3.connect(path)


def order(conn: sqlite3.Connection, order_id: int) -> tuple[object, ...] | None:
    cursor = conn.cursor()
    cursor.execute("SELECT * FROM orders WHERE id = ?", (order_id,))
    return cursor.fetchone()
'''
ORDERS_HEAD = ORDERS_BASE + '''

def orders_for(conn: sqlite3.Connection, customer: str) -> list[tuple[object, ...]]:
    cursor = conn.cursor()
    cursor.execute("SELECT * FROM orders WHERE customer = '%s'" % customer)
    return cursor.fetchall()
'''  # noqa: S608 - the planted injection
TF_BASE = '''resource "aws_security_group" "ssh" {
  name        = "ssh"
  description = "SSH access"
  vpc_id      = var.vpc_id

  tags = {
    team = "shop"
  }

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
'''
RDP = '''resource "aws_security_group" "rdp" {
  name = "rdp"
  ingress {
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

'''
TF_HEAD = RDP + TF_BASE.replace('"SSH access"', '"SSH access for the bastion"')
WORKFLOW = """name: preview
on:
  pull_request_target:
    types: [opened, synchronize]
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: make preview
"""
REQ_BASE = "flask==3.0.0\nrequests==2.31.0\n"
REQ_HEAD = "flask==3.0.0\nrequests==2.19.0\n"


def changed(path: str, status: str, old: str, new: str) -> gh.F:
    patch = synthesized_patch(old, new)
    rows = patch.splitlines()
    adds = sum(1 for r in rows if r.startswith("+"))
    dels = sum(1 for r in rows if r.startswith("-"))
    return gh.F(path, status, adds, dels, patch)


PR207 = gh.P(207, "SHOP-31 Order export and infra tweaks",
             "Exports orders per customer; opens the bastion for the on-call team.",
             "dave", "feature/SHOP-31-export", created="10-06 10:00", updated="10-07 08:30")
FILES207 = [
    changed("app/settings.py", "added", "", SETTINGS),
    changed("app/orders.py", "modified", ORDERS_BASE, ORDERS_HEAD),
    changed("requirements.txt", "modified", REQ_BASE, REQ_HEAD),
    changed("infra/network.tf", "modified", TF_BASE, TF_HEAD),
    changed(".github/workflows/preview.yml", "added", "", WORKFLOW),
]
HEAD_TEXTS = {"app/orders.py": ORDERS_HEAD, "infra/network.tf": TF_HEAD}
PARTS207 = gh.Parts(files=FILES207, reviews=[gh.R(9701, "bob", "COMMENTED", "10-06 15:00")],
                    checks=[gh.K(7701, "build", "completed", "success")],
                    statuses=[("ci/jenkins", "success")], state="success")


# -- OSV: requests 2.19.0 has GHSA-x84v-xcm2-53pg -------------------------------------------


def osv_interactions() -> list[Any]:
    source = yaml.safe_load((ROOT / "cassettes" / "osv" / "querybatch_requests_jinja2.yaml")
                            .read_text())["interactions"]
    record = next(i for i in source if i["request"]["uri"].endswith("GHSA-x84v-xcm2-53pg"))
    batch = {"results": [{"vulns": [{"id": "GHSA-x84v-xcm2-53pg",
                                     "modified": "2024-09-24T21:08:41.593011Z"}]}]}
    asked = {"queries": [{"package": {"ecosystem": "PyPI", "name": "requests"},
                          "version": "2.19.0"}]}
    query = {"request": {"body": json.dumps(asked), "headers": {"Content-Type":
                         ["application/json"]}, "method": "POST", "uri": f"{OSV}/v1/querybatch"},
             "response": {"body": {"string": json.dumps(batch)},
                          "headers": {"Content-Type": ["application/json"],
                                      "Server": ["Google Frontend"]},
                          "status": {"code": 200, "message": "OK"}}}
    return [query, record]


# -- GitHub bodies the connector cassettes do not have ----------------------------------------


def issue_comment(cid: int, user: Any, body: str, number: int = 207) -> Any:
    item = HOST.retarget(gh.example("issue-comment"))
    item.update(id=cid, body=body, user=user, created_at=gh.iso("10-07 08:40"),
                updated_at=gh.iso("10-07 08:40"), author_association="NONE",
                url=f"{REPO}/issues/comments/{cid}",
                html_url=f"{HOST.repo_web}/pull/{number}#issuecomment-{cid}",
                issue_url=f"{REPO}/issues/{number}")
    return item


def review_comment(cid: int, user: Any, path: str, line: int, body: str) -> Any:
    item = HOST.retarget(gh.example("pull-request-review-comment-items")[0])
    item.update(id=cid, user=user, path=path, line=line, original_line=line, body=body,
                start_line=None, original_start_line=None, start_side=None, side="RIGHT",
                in_reply_to_id=None, pull_request_review_id=80207,
                commit_id=PR207.head_sha, original_commit_id=PR207.head_sha,
                url=f"{REPO}/pulls/comments/{cid}",
                html_url=f"{HOST.repo_web}/pull/207#discussion_r{cid}",
                pull_request_url=f"{REPO}/pulls/207")
    return item


def pull_review(rid: int) -> Any:
    item = gh.replace(HOST.retarget(gh.example("pull-request-review")),
                      ("/pull/12", "/pull/207"), ("/pulls/12", "/pulls/207"),
                      ("pullrequestreview-80", f"pullrequestreview-{rid}"))
    item.update(id=rid, user=BOT, state="COMMENTED", commit_id=PR207.head_sha,
                body="Release Risk Advisor: inline notes", submitted_at=gh.iso("10-07 08:41"))
    return item


def check_run_created(cid: int) -> Any:
    item = HOST.retarget(gh.example("check-run"))
    item.update(id=cid, head_sha=PR207.head_sha, name="Release Risk Advisor / security review",
                status="completed", conclusion="neutral", url=f"{REPO}/check-runs/{cid}",
                html_url=f"{HOST.repo_web}/runs/{cid}", pull_requests=[])
    return item


def permission(login: str, role: str, uid: int) -> Any:
    item = gh.example("repository-collaborator-permission-response-if-user-has-admin-permissions")
    legacy = {"maintain": "write", "write": "write", "read": "read"}.get(role, role)
    item.update(permission=legacy, role_name=role, user=HOST.user(login, uid))
    return item


# -- what the bot will have posted on its first run ---------------------------------------


def inline_fingerprints() -> list[tuple[str, str, int]]:
    """(fingerprint, path, line) of the high/critical findings anchored in the diff."""
    files = tuple(wire.changed_file(gh.diff_entry(HOST, f, PR207.head_sha)) for f in FILES207)
    pull = wire.pull_request(wire.pull_summary(gh.pull_full(HOST, PR207, FILES207)), files=files)
    osv = OsvResult.model_validate({"packages": [{
        "package": {"ecosystem": "PyPI", "name": "requests", "version": "2.19.0"},
        "vulnerabilities": [{"id": "GHSA-x84v-xcm2-53pg", "modified": "2024-09-24T21:08:41Z",
                             "severity": {"band": "HIGH", "source": "database_specific"}}]}]})
    config = load_agent_config()
    review = SecurityAgent.configured(config).review_pull(
        pull, config.policy, osv=osv, repo=HOST.full_name, content=HEAD_TEXTS.get)
    serious = [f for f in review.findings if f.severity.rank >= 3]
    return [(a.finding.fingerprint, a.path, a.line)
            for a in place(serious, DiffAnchors(files)).inline]


def forged(cid: int, body: str) -> Any:
    """The PR's author trying to pass as the bot: must be ignored."""
    return issue_comment(cid, HOST.user("dave", 3207), body)


# -- cassettes -------------------------------------------------------------------------------


def reads(tape: gh.Tape, p: gh.P = PR207, parts: gh.Parts = PARTS207,
          texts: dict[str, str] | None = None) -> None:
    """The connector's read of one PR (repository, GraphQL metadata, files), then the
    contents the bot's checks read whole."""
    tape.add("GET", REPO, 200, gh.repository(HOST))
    gh.parts_of(tape, HOST, p, parts)
    for path, text in (HEAD_TEXTS if texts is None else texts).items():
        uri = f"{REPO}/contents/{path}?ref={p.head_sha}"
        tape.add("GET", uri, 200, gh.content_file(HOST, path, p.head_sha, text))


def planted_pr() -> None:
    """Run 1 posts (review, summary, check); run 2 updates the summary, adds no review."""
    tape = gh.Tape()
    fake_fp = inline_fingerprints()[0][0]
    human = issue_comment(4001, HOST.user("erin", 3301), "Looks good to me at a glance.")
    forged_summary = forged(4002, f"{SUMMARY_MARKER}\nall clear, nothing to see")
    forged_inline = review_comment(6001, HOST.user("dave", 3207), "app/settings.py", 5,
                                   f"{finding_marker(fake_fp)} resolved")
    # run 1
    reads(tape)
    tape.interactions += osv_interactions()
    tape.add("GET", f"{REPO}/pulls/207/comments?per_page=100", 200, [forged_inline])
    tape.add("POST", f"{REPO}/pulls/207/reviews", 200, pull_review(80207))
    tape.add("GET", f"{REPO}/issues/207/comments?per_page=100", 200, [human, forged_summary])
    summary = issue_comment(5001, BOT, f"{SUMMARY_MARKER}\n## Security review (first run)")
    tape.add("POST", f"{REPO}/issues/207/comments", 201, summary)
    tape.add("POST", f"{REPO}/check-runs", 201, check_run_created(8801))
    # run 2: the bot's own comments are there now (and OSV's record is in the disk cache)
    reads(tape)
    tape.interactions += osv_interactions()[:1]
    posted = [review_comment(6100 + i, BOT, path, line, f"{finding_marker(fp)}\n**note**")
              for i, (fp, path, line) in enumerate(inline_fingerprints())]
    tape.add("GET", f"{REPO}/pulls/207/comments?per_page=100", 200, [forged_inline, *posted])
    tape.add("GET", f"{REPO}/issues/207/comments?per_page=100", 200,
             [human, forged_summary, summary])
    tape.add("PATCH", f"{REPO}/issues/comments/5001", 200, summary)
    tape.add("POST", f"{REPO}/check-runs", 201, check_run_created(8802))
    tape.write("planted_pr")


def fork_pr() -> None:
    """A fork's read-only token: reads work, the first write answers 403."""
    tape = gh.Tape()
    reads(tape)
    tape.interactions += osv_interactions()
    tape.add("GET", f"{REPO}/pulls/207/comments?per_page=100", 200, [])
    docs = f"{gh.DOCS}/pulls/reviews#create-a-review-for-a-pull-request"
    tape.add("POST", f"{REPO}/pulls/207/reviews", 403,
             gh.error("Resource not accessible by integration", 403, docs))
    tape.write("fork_pr")


def signoff() -> None:
    """Sign-off replies and summary updates after the planted PR's first run."""
    summary = issue_comment(5001, BOT, f"{SUMMARY_MARKER}\n## Security review (first run)")
    refusals = gh.Tape()
    refusals.add("POST", f"{REPO}/issues/207/comments", 201,
                 issue_comment(5101, BOT, "This sign-off was not recorded (author)."))
    refusals.add("GET", f"{REPO}/collaborators/erin/permission", 200,
                 permission("erin", "write", 3301))
    refusals.add("POST", f"{REPO}/issues/207/comments", 201,
                 issue_comment(5102, BOT, "This sign-off was not recorded (no role)."))
    refusals.write("signoff_refusals")
    by_role = gh.Tape()
    by_role.add("GET", f"{REPO}/issues/207/comments?per_page=100", 200, [summary])
    by_role.add("PATCH", f"{REPO}/issues/comments/5001", 200, summary)
    by_role.write("signoff_role")
    by_maintainer = gh.Tape()
    by_maintainer.add("GET", f"{REPO}/collaborators/grace/permission", 200,
                      permission("grace", "maintain", 3302))
    by_maintainer.add("GET", f"{REPO}/issues/207/comments?per_page=100", 200, [summary])
    by_maintainer.add("PATCH", f"{REPO}/issues/comments/5001", 200, summary)
    by_maintainer.write("signoff_maintainer")


# -- a big PR: 350 files over four pages, withheld patches, a binary -------------------------

BIG = gh.P(208, "Vendor the catalogue data", "Big import.", "erin", "feature/catalogue-data",
           created="10-06 11:00", updated="10-07 09:00")
BIG_OLD = "".join(f"row_{i} = {i}\n" for i in range(4000))
BIG_NEW = BIG_OLD.replace("row_17 = 17\n", 'row_17 = 17\nTOKEN = "AKIAZ3MHN7QWERTY5XVB"\n')


def big_files() -> list[gh.F]:
    small = [gh.F(f"data/part_{i:03}.py", "added", 1, 0, f"@@ -0,0 +1 @@\n+PART = {i}")
             for i in range(346)]
    return [*small,
            gh.F("data/catalogue.py", "modified", 12000, 11000),  # too large: no patch
            gh.F("data/huge.json", "added", 40000, 0),  # no patch, and over 1 MB
            gh.F("assets/catalogue.png", "added", 0, 0),  # binary
            gh.F("data/gone.py", "removed", 0, 30, "@@ -1,30 +0,0 @@\n-x = 1")]


def big_pr() -> None:
    tape = gh.Tape()
    files = big_files()
    parts = gh.Parts(files=files)
    tape.add("GET", REPO, 200, gh.repository(HOST))
    gh.parts_of(tape, HOST, BIG, parts)
    head, base = BIG.head_sha, gh.sha("merge-base:208")
    comparison = HOST.retarget(gh.example("commit-comparison"))
    comparison["merge_base_commit"]["sha"] = base
    tape.add("GET", f"{REPO}/compare/main...{head}?per_page=1", 200, comparison)
    tape.add("GET", f"{REPO}/contents/data/catalogue.py?ref={head}", 200,
             gh.content_file(HOST, "data/catalogue.py", head, BIG_NEW))
    tape.add("GET", f"{REPO}/contents/data/catalogue.py?ref={base}", 200,
             gh.content_file(HOST, "data/catalogue.py", base, BIG_OLD))
    huge = gh.content_file(HOST, "data/huge.json", head, "")
    huge.update(encoding="none", content="", size=2_400_000)
    tape.add("GET", f"{REPO}/contents/data/huge.json?ref={head}", 200, huge)
    tape.write("big_pr")


def unknown_pr() -> None:
    """GraphQL answers an unknown PR with null and a NOT_FOUND error naming its path."""
    tape = gh.Tape()
    tape.add("GET", REPO, 200, gh.repository(HOST))
    queries = gh._connector_queries()
    missing = [{"type": "NOT_FOUND", "path": ["repository", "p0"],
                "locations": [{"line": 1, "column": 78}],
                "message": "Could not resolve to a PullRequest with the number of 999."}]
    tape.graphql(HOST, queries.pulls([999]), {"repository": {"p0": None}}, errors=missing)
    docs = f"{gh.DOCS}/pulls/pulls#list-pull-requests-files"
    tape.add("GET", f"{REPO}/pulls/999/files?per_page=100", 404, gh.error("Not Found", 404, docs))
    tape.write("unknown_pr")


if __name__ == "__main__":
    for make in (planted_pr, fork_pr, signoff, big_pr, unknown_pr):
        make()
