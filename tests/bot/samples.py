"""Small security-review reports built offline (the security agent on in-code PRs)."""

from __future__ import annotations

from agents.models import RiskScore
from agents.security import SecurityAgent, checklist_for
from agents.security.review_report import SecurityReviewReport, Unreviewed
from tests.agents.security.builders import added, changed, hunk, policy, pull
from tests.configs import critical_paths

AWS_KEY = "AKIAZ3MHN7QWERTY5XVB"
SQL = "def find(db, name):\n    return db.execute(\"SELECT * FROM t WHERE n = '%s'\" % name)\n"


def sample_report(title: str = "Add export") -> SecurityReviewReport:
    pr = pull(added("app/keys.py", [f'KEY = "{AWS_KEY}"']),
              added("app/db.py", SQL.splitlines()),
              changed("auth/login.py", hunk(3, 3, ["+    check(user)"])),
              number=12, title=title, author="mallory")
    agent = SecurityAgent(critical_paths=critical_paths())
    review = agent.review_pull(pr, policy(), repo="acme/pay")
    return SecurityReviewReport(
        report_id="sec-test", subject="acme/pay#12", source="github", repo="acme/pay",
        number=12, title=pr.title, author=pr.author, url=pr.html_url, head_sha=pr.head_sha,
        base_ref="main", generated_at="2026-03-02T12:00:00Z", findings=review.findings,
        checklist=checklist_for("acme/pay#12", review.findings), gaps=review.gaps,
        unreviewed=[Unreviewed(path="big.bin", why="binary")], score=RiskScore(value=42))
