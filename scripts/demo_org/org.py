"""Who and where: the demo organisation's names, sites, people and clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

# The moment the snapshot was taken: Tuesday, the day before the release.
NOW = datetime(2025, 3, 18, 9, 0, tzinfo=UTC)
RELEASE_DATE = date(2025, 3, 19)

ORG = "acme-pay"
REPO = "acme-pay/payments-api"
REPO_ID = 618204113
BASE, HEAD = "v2.3.0", "v2.4.0"

JIRA_URL = "https://acme-pay.atlassian.net"
JIRA_PROJECT = "PAY"
FIX_VERSION = "2.4.0"
CONFLUENCE_URL = "https://acme-pay.atlassian.net/wiki"
CONFLUENCE_SPACE = "PAY"
AWS_REGION = "eu-west-1"
AWS_ACCOUNT = "123456789012"  # moto's default account
SERVICE = "payments-api"

# Page sizes the demo reads with: small enough that every list of interest spans pages.
GITHUB_PER_PAGE = 10
JIRA_MAX_RESULTS = 15
CONFLUENCE_PAGE_SIZE = 5
ENVIRONMENTS = ("staging", "production")


class Person:
    def __init__(self, login: str, name: str, role: str) -> None:
        self.login, self.name, self.role = login, name, role

    @property
    def first(self) -> str:
        return self.name.split()[0].lower()

    @property
    def email(self) -> str:
        return f"{self.first}.{self.name.split()[-1].lower()}@acme-pay.example"


PEOPLE = {
    p.login: p
    for p in (
        Person("apatel", "Aisha Patel", "tech lead, payments"),
        Person("mkowalski", "Marta Kowalski", "engineer, payments"),
        Person("jdiaz", "Javier Diaz", "engineer, payments"),
        Person("tnguyen", "Tuan Nguyen", "engineer, payments"),
        Person("lberg", "Lena Berg", "security engineer"),
        Person("okafor", "Chidi Okafor", "SRE, platform"),
        Person("sfischer", "Sophie Fischer", "SRE, platform"),
        Person("kbrandt", "Kai Brandt", "contractor"),
        Person("nhansen", "Nora Hansen", "product owner"),
        Person("qa-rlopez", "Rita Lopez", "QA"),
    )
}
BOTS = ("dependabot[bot]", "deploy-bot")


def at(text: str, year: int = 2025) -> datetime:
    """``"03-17 16:40"`` (UTC) as a datetime; ``year`` for the odd older event."""
    return datetime.fromisoformat(f"{year}-{text.replace(' ', 'T')}:00+00:00")


def iso(when: datetime) -> str:
    """As GitHub writes timestamps."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def jira_time(when: datetime) -> str:
    """As Jira Cloud writes timestamps (the site's zone is Europe/Berlin, +01:00 in March)."""
    local = when.astimezone(UTC) + timedelta(hours=1)
    return local.strftime("%Y-%m-%dT%H:%M:%S.000+0100")
