"""Jira: project PAY, fix version 2.4.0 (release date 2025-03-19), with a link into PLAT.

One row per issue. ``flow`` is the status history after creation in "To Do": (when,
status, who). Done issues are resolved at their last move to Done. Remote links are
GitHub pull requests attached by the GitHub for Jira app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from scripts.demo_org.org import at

VERSION_ID = "10240"
STATUSES = {  # name -> (id, category)
    "To Do": ("10000", "new"),
    "In Progress": ("3", "indeterminate"),
    "In Review": ("10002", "indeterminate"),
    "In QA": ("10003", "indeterminate"),
    "Blocked": ("10004", "indeterminate"),
    "Done": ("10001", "done"),
    "Reopened": ("4", "new"),
}
EPIC_TYPES = ("Epic",)


@dataclass(frozen=True)
class Link:
    relation: str  # as seen from this issue: "is blocked by", "relates to"
    key: str
    summary: str
    status: str
    kind: str = "Task"
    priority: str = "Medium"


@dataclass(frozen=True)
class Issue:
    key: str
    kind: str
    summary: str
    priority: str
    created: str
    flow: tuple[tuple[str, str, str], ...]
    assignee: str | None = None
    reporter: str = "nhansen"
    points: float | None = None
    epic: str | None = None
    parent: str | None = None  # sub-tasks
    labels: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    remote: tuple[int, ...] = ()  # pull request numbers
    description: str = ""
    updated: str | None = None  # default: the last move (or creation)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(11000 + int(self.key.split("-")[1]))

    @property
    def status(self) -> str:
        return self.flow[-1][1] if self.flow else "To Do"

    @property
    def created_at(self) -> datetime:
        return at(self.created)

    @property
    def updated_at(self) -> datetime:
        return at(self.updated) if self.updated else (
            at(self.flow[-1][0]) if self.flow else self.created_at)

    @property
    def resolved_at(self) -> datetime | None:
        if self.status != "Done":
            return None
        return at(self.flow[-1][0])


def work(who: str, started: str, review: str | None, done: str,
         qa: str | None = None) -> tuple[tuple[str, str, str], ...]:
    """The usual path: In Progress, In Review (with a PR), maybe In QA, Done."""
    steps = [(started, "In Progress", who)]
    if review:
        steps.append((review, "In Review", who))
    if qa:
        steps.append((qa, "In QA", who))
    steps.append((done, "Done", "qa-rlopez" if qa else who))
    return tuple(steps)


PLAT_88 = Link("is blocked by", "PLAT-88", "Upgrade HSM firmware for 3DS key storage",
               "In Progress", "Task", "High")

ISSUES: tuple[Issue, ...] = (
    # -- epic: card vault migration (done) ---------------------------------------------------
    Issue("PAY-101", "Epic", "Card vault migration", "High", "01-06 09:00",
          (("01-13 09:00", "In Progress", "apatel"), ("02-13 09:30", "Done", "apatel")),
          assignee="apatel", labels=("vault", "pci"), components=("vault",),
          description="Move card numbers out of payments-db into the card vault."),
    Issue("PAY-104", "Story", "Tokenise stored cards in the vault", "High", "01-06 10:00",
          work("mkowalski", "01-15 09:00", "01-20 15:30", "01-22 15:00"),
          assignee="mkowalski", points=5, epic="PAY-101", components=("vault",),
          remote=(412,)),
    Issue("PAY-105", "Story", "Backfill vault tokens for existing cards", "High", "01-06 10:05",
          work("mkowalski", "01-22 16:00", "01-23 13:00", "01-27 12:00"),
          assignee="mkowalski", points=3, epic="PAY-101", components=("vault",),
          remote=(415,)),
    Issue("PAY-106", "Bug", "Vault KMS alias still points at the retired key", "Medium",
          "01-30 11:00", work("okafor", "02-03 13:00", "02-03 14:00", "02-04 11:00"),
          assignee="okafor", reporter="lberg", points=1, epic="PAY-101"),
    Issue("PAY-107", "Bug", "Vault lookups hang when the vault is saturated", "High",
          "01-21 08:30", work("jdiaz", "01-22 13:00", "01-22 16:00", "01-23 16:40"),
          assignee="jdiaz", reporter="qa-rlopez", points=2, epic="PAY-101"),
    Issue("PAY-108", "Sub-task", "Vault client metrics", "Medium", "01-15 09:30",
          (("01-16 10:00", "In Progress", "mkowalski"), ("01-21 17:00", "Done", "mkowalski")),
          assignee="mkowalski", parent="PAY-104"),
    Issue("PAY-109", "Story", "Remove legacy card table reads", "Medium", "01-06 10:10",
          work("mkowalski", "02-11 09:00", "02-11 14:00", "02-13 09:00"),
          assignee="mkowalski", points=3, epic="PAY-101", components=("vault",)),
    # -- epic: merchant settlement reports (done) ---------------------------------------------
    Issue("PAY-103", "Epic", "Merchant settlement reports", "Medium", "01-08 09:00",
          (("01-20 09:00", "In Progress", "apatel"), ("02-17 09:00", "Done", "apatel")),
          assignee="apatel", labels=("settlement",),
          description="Daily settlement files and e-mails per merchant."),
    Issue("PAY-110", "Story", "Daily settlement CSV per merchant", "Medium", "01-08 09:30",
          work("jdiaz", "01-24 09:00", "01-27 11:00", "01-29 08:30"),
          assignee="jdiaz", points=5, epic="PAY-103", components=("settlement",),
          remote=(416,)),
    Issue("PAY-111", "Story", "Settlement report e-mails", "Medium", "01-08 09:35",
          work("tnguyen", "01-27 09:00", "01-28 09:30", "01-29 16:00"),
          assignee="tnguyen", points=3, epic="PAY-103", components=("settlement",)),
    Issue("PAY-112", "Bug", "Settlement totals off by one yen for JPY merchants", "High",
          "01-28 10:00", work("mkowalski", "01-29 11:00", "01-29 15:00", "01-30 15:00"),
          assignee="mkowalski", reporter="qa-rlopez", points=2, epic="PAY-103"),
    Issue("PAY-113", "Bug", "Settlement download link expires after 5 minutes", "Medium",
          "02-12 09:00", work("apatel", "02-14 14:00", None, "02-17 08:00"),
          assignee="apatel", reporter="qa-rlopez", points=1, epic="PAY-103"),
    Issue("PAY-114", "Task", "Document the settlement file format", "Low", "01-08 09:40",
          (("01-20 10:00", "In Progress", "jdiaz"), ("01-22 10:00", "Done", "jdiaz")),
          assignee="jdiaz", points=1, epic="PAY-103"),
    # -- epic: 3-D Secure 2 (slipping) ---------------------------------------------------------
    Issue("PAY-102", "Epic", "3-D Secure 2 challenge flow", "High", "01-07 09:00",
          (("01-27 09:00", "In Progress", "apatel"),), assignee="apatel",
          labels=("3ds", "psd2"), components=("checkout",),
          description="EMV 3DS 2.2 challenge and frictionless flows, required by the "
                      "acquirer from 1 April."),
    Issue("PAY-115", "Story", "3DS2 challenge page", "High", "01-07 09:30",
          work("jdiaz", "01-27 09:00", "01-27 10:00", "01-31 14:00"),
          assignee="jdiaz", points=5, epic="PAY-102", components=("checkout",),
          remote=(419,)),
    Issue("PAY-116", "Story", "Call the ACS for the challenge result", "High", "01-07 09:35",
          work("jdiaz", "02-03 09:00", "02-04 15:00", "02-06 12:00"),
          assignee="jdiaz", points=5, epic="PAY-102", components=("checkout",)),
    Issue("PAY-117", "Story", "Frictionless flow for low-risk payments", "High",
          "01-07 09:40", (("02-03 10:00", "In Progress", "tnguyen"),),
          assignee="tnguyen", points=8, epic="PAY-102", components=("checkout",),
          updated="02-07 11:00"),
    Issue("PAY-118", "Story", "Keep 3DS signing keys in the HSM", "High", "01-07 09:45", (),
          assignee="lberg", points=5, epic="PAY-102", components=("checkout",),
          links=(PLAT_88,), updated="03-03 10:00"),
    Issue("PAY-119", "Story", "Challenge timeout handling", "Medium", "01-07 09:50",
          (("02-24 09:00", "In Progress", "jdiaz"), ("03-06 10:00", "Blocked", "jdiaz")),
          assignee="jdiaz", points=3, epic="PAY-102", components=("checkout",),
          description="Blocked: the acquirer has not said which timeout it applies."),
    Issue("PAY-120", "Story", "3DS result webhooks to merchants", "Medium", "01-07 09:55",
          (("03-06 09:00", "In Progress", "mkowalski"), ("03-10 10:00", "In Review", "mkowalski"),
           ("03-12 11:00", "In QA", "mkowalski")),
          assignee="mkowalski", points=5, epic="PAY-102", components=("checkout",),
          remote=(439,)),
    Issue("PAY-121", "Bug", "Challenge iframe is blank on Safari", "Highest", "02-07 16:00",
          (("02-10 09:00", "In Progress", "mkowalski"), ("02-10 16:00", "In Review", "mkowalski"),
           ("02-11 12:00", "Done", "mkowalski"), ("03-05 10:00", "Reopened", "qa-rlopez"),
           ("03-10 09:00", "In Progress", "mkowalski")),
          assignee="mkowalski", reporter="qa-rlopez", points=3, epic="PAY-102",
          components=("checkout",), remote=(427,),
          description="Reopened: still blank on Safari 17.4 with the modal checkout."),
    Issue("PAY-122", "Story", "3DS exemptions for recurring payments", "High", "03-10 14:00",
          (), points=5, epic="PAY-102", components=("checkout",)),
    Issue("PAY-123", "Story", "Let merchants request a challenge", "Medium", "03-11 10:00",
          (), points=3, epic="PAY-102", components=("checkout",)),
    Issue("PAY-124", "Task", "Load test the challenge flow", "Medium", "03-12 09:00", (),
          assignee="sfischer", points=2, epic="PAY-102"),
    Issue("PAY-125", "Story", "3DS method URL support", "Medium", "01-07 10:00",
          work("kbrandt", "02-26 09:00", "03-03 10:00", "03-06 13:00"),
          assignee="kbrandt", points=3, epic="PAY-102", components=("checkout",)),
    Issue("PAY-126", "Story", "Show the challenge reason to merchants", "Low", "01-07 10:05",
          work("tnguyen", "03-10 09:00", None, "03-12 16:00"),
          assignee="tnguyen", points=2, epic="PAY-102", components=("checkout",)),
    # -- no epic -----------------------------------------------------------------------------
    Issue("PAY-127", "Bug", "Refund API returns 500 for partial refunds of AMEX payments",
          "High", "03-11 08:20", (), reporter="qa-rlopez", points=3, labels=("refunds",),
          links=(Link("relates to", "PAY-128", "Duplicate capture on network retry",
                      "In Progress", "Bug", "High"),)),
    Issue("PAY-128", "Bug", "Duplicate capture on network retry", "High", "03-10 17:00",
          (("03-14 09:00", "In Progress", "jdiaz"),), assignee="jdiaz", reporter="qa-rlopez",
          points=5, remote=(442,), updated="03-17 16:45"),
    Issue("PAY-129", "Task", "Upgrade to Python 3.12", "Medium", "01-10 09:00",
          work("tnguyen", "01-22 09:00", "01-23 09:00", "01-24 13:00"),
          assignee="tnguyen", points=3, labels=("tech-debt",)),
    Issue("PAY-130", "Bug", "Webhook signatures rejected for merchants with clock skew",
          "High", "02-03 15:00", work("lberg", "02-04 09:00", "02-04 11:00", "02-05 17:00"),
          assignee="lberg", reporter="qa-rlopez", points=2),
    Issue("PAY-131", "Story", "Rate limits per merchant API key", "Medium", "01-10 09:30",
          work("kbrandt", "02-03 09:00", "02-05 10:00", "02-07 11:00"),
          assignee="kbrandt", points=5, components=("api",)),
    Issue("PAY-132", "Bug", "Partial refunds are short by one cent", "Medium", "02-13 11:00",
          work("tnguyen", "02-14 09:00", "02-14 10:00", "02-17 15:00"),
          assignee="tnguyen", reporter="qa-rlopez", points=1, labels=("refunds",)),
    Issue("PAY-133", "Task", "Bastion host for DB maintenance", "Medium", "01-30 09:00",
          work("sfischer", "02-03 08:00", "02-03 08:30", "02-03 12:00"),
          assignee="sfischer", reporter="okafor", points=1, components=("infra",)),
    Issue("PAY-134", "Task", "Reduce RDS cost", "Medium", "02-10 09:00",
          work("sfischer", "02-17 13:00", "02-17 15:00", "02-18 11:00"),
          assignee="sfischer", reporter="okafor", points=2, components=("infra",)),
    Issue("PAY-135", "Task", "Label pull requests from forks automatically", "Low",
          "02-10 09:30", work("kbrandt", "02-17 09:00", "02-18 11:00", "02-19 16:00"),
          assignee="kbrandt", reporter="okafor", points=1, labels=("ci",)),
    Issue("PAY-136", "Task", "Helm values for the ArgoCD migration", "Medium", "02-10 10:00",
          work("okafor", "02-18 09:00", "02-19 09:00", "02-20 11:00"),
          assignee="okafor", reporter="okafor", points=2, components=("infra",)),
    Issue("PAY-137", "Bug", "Idempotency keys expire before merchants stop retrying", "High",
          "02-06 10:00", work("tnguyen", "02-07 10:00", "02-07 13:00", "02-10 16:00"),
          assignee="tnguyen", reporter="qa-rlopez", points=2),
    Issue("PAY-138", "Bug", "Payout job fails on empty batches", "Medium", "03-11 07:30",
          work("tnguyen", "03-12 10:00", "03-12 14:00", "03-13 15:00"),
          assignee="tnguyen", reporter="qa-rlopez", points=1),
    Issue("PAY-139", "Task", "Staging parity for the settlement exporter", "Medium",
          "02-17 09:00", work("sfischer", "02-20 10:00", "02-20 13:00", "03-14 10:00"),
          assignee="sfischer", reporter="okafor", points=3, components=("infra",)),
    Issue("PAY-140", "Bug", "AMEX fee does not match the new acquirer contract", "High",
          "02-20 09:00", work("jdiaz", "02-21 14:00", "02-21 16:00", "02-24 10:30"),
          assignee="jdiaz", reporter="nhansen", points=1),
    Issue("PAY-141", "Story", "FX reference rates for reconciliation", "Medium", "01-10 10:00",
          work("jdiaz", "02-06 13:00", "02-10 09:00", "02-13 15:00"),
          assignee="jdiaz", points=8, components=("settlement",)),
    Issue("PAY-142", "Task", "Structured logging for payment events", "Medium", "01-10 10:30",
          work("tnguyen", "02-20 09:00", "02-24 13:00", "02-26 15:00"),
          assignee="tnguyen", points=3, labels=("observability",)),
)

BY_KEY = {i.key: i for i in ISSUES}


def summary_of(key: str) -> str:
    return BY_KEY[key].summary
