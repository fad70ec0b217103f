"""Confluence: the PAY space. The only rollback runbook is the ledger service's.

The payments team keeps its runbooks in the platform team's template, but nobody wrote
one for payments-api yet: the runbook here is for ``ledger-service``, a different
service, so "no rollback runbook for payments-api" is the expected finding.
"""

from __future__ import annotations

from dataclasses import dataclass

from scripts.demo_org.org import at


@dataclass(frozen=True)
class Page:
    id: str
    title: str
    version: int
    when: str  # "03-12 14:03"
    by: str  # login
    labels: tuple[str, ...]
    parent: str | None  # page id
    body: str
    year: int = 2025


HOME, RUNBOOKS, RELEASES, ADRS = "2293761", "2293790", "2293802", "2293815"

LEDGER_RUNBOOK = (
    "<h1>ledger-service: rollback</h1>"
    '<ac:structured-macro ac:name="info" ac:schema-version="1" ac:macro-id="b1f0">'
    "<ac:rich-text-body><p>Owner: platform on-call. Rehearsed 2025-01-15.</p>"
    "</ac:rich-text-body></ac:structured-macro>"
    "<h2>When to roll back</h2><ul><li><p>ledger-service 5xx rate above 2% for 5 minutes"
    "</p></li><li><p>journal lag above 60 s</p></li></ul>"
    "<h2>How</h2><ol><li><p>Pause the ledger consumers: "
    "<code>kubectl -n ledger scale deploy/ledger-consumer --replicas=0</code></p></li>"
    "<li><p>Roll back the release: <code>argocd app rollback ledger-service</code></p></li>"
    "<li><p>Check the journal checksum job passes, then scale the consumers back.</p></li>"
    "</ol><h2>Data</h2><p>Journal migrations are forward-only; never roll back across "
    "a migration without the DBA on call.</p>"
)

PAGES: tuple[Page, ...] = (
    Page(HOME, "Payments team", 31, "03-03 09:12", "apatel", (), None,
         "<p>Home of the payments team: payments-api, the card vault client and the "
         "settlement exports.</p><p>On call: see the platform rota.</p>"),
    Page(RUNBOOKS, "Runbooks", 6, "01-15 10:00", "okafor", ("runbook-index",), HOME,
         "<p>Runbooks of the services we run. Use the platform template.</p>"),
    Page("2293791", "ledger-service: rollback runbook", 9, "01-15 10:30", "okafor",
         ("runbook", "rollback", "ledger-service"), RUNBOOKS, LEDGER_RUNBOOK),
    Page("2293792", "Card vault: key rotation", 3, "02-04 11:30", "lberg",
         ("vault", "kms"), RUNBOOKS,
         "<p>Rotate the vault data key: create the new key, point "
         "<code>alias/payments-vault</code> at it, re-wrap tokens in the background.</p>"),
    Page(RELEASES, "Releases", 12, "03-14 16:00", "nhansen", (), HOME,
         "<p>Release notes of payments-api, newest first.</p>"),
    Page("2293803", "payments-api 2.3.0 release notes", 4, "01-20 17:10", "nhansen",
         ("release-notes", "release-2-3-0"), RELEASES,
         "<p>Released 2025-01-21. Highlights: card vault client, idempotency keys.</p>",
         ),
    Page("2293804", "payments-api 2.4.0 release notes (draft)", 7, "03-14 15:55", "nhansen",
         ("release-notes", "release-2-4-0"), RELEASES,
         "<p>Planned for 2025-03-19.</p><ul><li><p>Card vault migration done "
         "(PAY-101)</p></li><li><p>Settlement CSV and e-mails (PAY-103)</p></li>"
         "<li><p>3-D Secure 2 challenge flow (PAY-102): partly, behind the "
         "<code>threeds_v2</code> flag</p></li><li><p>Rate limits per API key (PAY-131)"
         "</p></li></ul><p>Migration 0042 backfills vault tokens; it cannot be undone "
         "once the PAN column is cleared.</p>"),
    Page(ADRS, "Architecture decisions", 8, "02-20 09:00", "apatel", ("adr-index",), HOME,
         "<p>Decisions of the payments team (ADR-nnn).</p>"),
    Page("2293816", "ADR-017: Card numbers live only in the vault", 2, "01-09 14:00",
         "apatel", ("adr", "vault", "pci"), ADRS,
         "<h2>Status</h2><p>Accepted</p><h2>Decision</h2><p>payments-db stores vault "
         "tokens only; the PAN column is dropped after the backfill (PAY-105).</p>"
         "<h2>Consequences</h2><p>PCI scope shrinks to the vault and its client.</p>"),
    Page("2293817", "ADR-018: 3-D Secure 2 through the acquirer's 3DS server", 3,
         "02-20 09:00", "jdiaz", ("adr", "3ds"), ADRS,
         "<h2>Status</h2><p>Accepted</p><h2>Decision</h2><p>We call the acquirer's 3DS "
         "server rather than run our own; 3DS signing keys go to the HSM (PLAT-88).</p>"),
    Page("2293805", "Settlement file format", 2, "01-22 10:00", "jdiaz",
         ("settlement", "docs"), HOME,
         "<table><tbody><tr><th><p>Column</p></th><th><p>Meaning</p></th></tr>"
         "<tr><td><p>amount_minor</p></td><td><p>amount in minor units</p></td></tr>"
         "<tr><td><p>fee_minor</p></td><td><p>our fee in minor units</p></td></tr>"
         "</tbody></table>"),
)


def when(page: Page) -> str:
    moment = at(page.when, page.year)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
