"""Publishers: the only code that writes to GitHub, separate from the read-only connectors.

Everything here asks the publishing kill switch before each write and never approves or
blocks a pull request (docs/security-review.md).
"""

from advisor.publish.config import BotConfig, load_bot_config
from advisor.publish.github import GitHubPublisher, PublishError, PublishRefused
from advisor.publish.post import PostOutcome, post_review, refresh_summary
from advisor.publish.report import SecurityReviewReport, Unreviewed

__all__ = [
    "BotConfig",
    "GitHubPublisher",
    "PostOutcome",
    "PublishError",
    "PublishRefused",
    "SecurityReviewReport",
    "Unreviewed",
    "load_bot_config",
    "post_review",
    "refresh_summary",
]
