"""The security agent: secrets, SAST, vulnerable dependencies, IaC, CI supply chain,
Trojan Source, prompt injection and unreviewed critical paths, per PR and per release.

Public API::

    SecurityAgent(content=..., checkov_report=..., advisor=...).analyse(inputs, policy)
    SecurityAgent(...).review_pull(pr, policy, codeowners=..., osv=...)  -> PullReview
    dependency_changes(pull_requests, content=None) -> list[DependencyChange]
    packages_to_query(changes) -> list[PackageRef]

Documented in docs/agents/security.md.
"""

from agents.security.agent import SecurityAgent
from agents.security.checklist import ChecklistItem, SecurityChecklist, checklist_for
from agents.security.content import ContentProvider, clone_reader
from agents.security.dependencies import DependencyChange, dependency_changes, packages_to_query
from agents.security.llm_review import SecondOpinion
from agents.security.policy import SecurityPolicy, security_policy
from agents.security.review import PullReview, PullReviewer
from agents.security.taxonomy import Category

__all__ = [
    "Category",
    "ChecklistItem",
    "ContentProvider",
    "DependencyChange",
    "PullReview",
    "PullReviewer",
    "SecondOpinion",
    "SecurityAgent",
    "SecurityChecklist",
    "SecurityPolicy",
    "checklist_for",
    "clone_reader",
    "dependency_changes",
    "packages_to_query",
    "security_policy",
]
