"""Write ``cassettes/confluence/*.yaml``: CQL content searches as Confluence returns them.

``/rest/api/content/search`` with ``expand=body.storage,version,metadata.labels,ancestors,
space``: ``{results, start, limit, size, _links: {base, context, next?, self}}``; ``next`` is
relative to ``base`` (which carries Cloud's ``/wiki``). Body expansion caps ``limit`` at 50.

    .venv/bin/python scripts/make_confluence_cassettes.py
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from make_jira_cassettes import interaction, request_id, write

EXPAND = "body.storage,version,metadata.labels,ancestors,space"
REQUEST_HEADERS = {
    "User-Agent": "python-requests/2.34.2",
    "Accept-Encoding": "gzip, deflate",
    "Accept": "application/json",
    "Connection": "keep-alive",
    "Content-Type": "application/json",
}
RUNBOOK = (
    "<h1>Release 4.2 runbook</h1>"
    '<ac:structured-macro ac:name="toc" ac:schema-version="1" ac:macro-id="7f1c">'
    '<ac:parameter ac:name="maxLevel">2</ac:parameter></ac:structured-macro>'
    "<p>Deploy in this order&nbsp;&mdash; the schema change must land first.</p>"
    "<ul><li><p>Migrate the <strong>cards</strong> table</p>"
    "<ul><li><p>backfill <code>vault_token</code> in batches</p></li></ul></li>"
    "<li><p>Enable <code>saved_cards</code> for 5% of traffic</p></li></ul>"
    "<ol><li><p>Watch checkout error rate</p></li><li><p>Ramp to 100%</p></li></ol>"
    '<table data-layout="default"><colgroup><col /><col /><col /></colgroup><tbody>'
    "<tr><th><p>Step</p></th><th><p>Owner</p></th><th><p>Rollback</p></th></tr>"
    "<tr><td><p>Migration</p></td><td><p>Mia</p></td><td><p>Drop column</p></td></tr>"
    "<tr><td><p>Flag ramp</p></td><td><p>Ravi</p></td><td><p>Flag off</p></td></tr>"
    "</tbody></table>"
    '<ac:structured-macro ac:name="code" ac:schema-version="1" ac:macro-id="a2b9">'
    '<ac:parameter ac:name="language">sql</ac:parameter>'
    "<ac:plain-text-body><![CDATA[ALTER TABLE cards ADD COLUMN vault_token text;\n"
    "UPDATE cards SET vault_token = NULL WHERE created_at > now() - interval '1 day';]]>"
    "</ac:plain-text-body></ac:structured-macro>"
    '<ac:structured-macro ac:name="warning" ac:schema-version="1" ac:macro-id="c3d4">'
    '<ac:parameter ac:name="title">Irreversible</ac:parameter>'
    "<ac:rich-text-body><p>The backfill cannot be undone after 24 h.</p></ac:rich-text-body>"
    "</ac:structured-macro>"
    '<ac:structured-macro ac:name="jira" ac:schema-version="1" ac:macro-id="e5f6">'
    '<ac:parameter ac:name="key">ACME-2</ac:parameter></ac:structured-macro>'
    '<p>See <ac:link><ri:page ri:content-title="Checkout rollback" /></ac:link>.</p>'
)


class Site:
    def __init__(self, origin: str, context: str, cloud: bool) -> None:
        self.origin = origin
        self.context = context
        self.base = origin + context  # what _links.base says
        self.cloud = cloud
        self.calls = 0

    def headers(self, status: int, extra: dict[str, str] | None = None) -> dict[str, str]:
        self.calls += 1
        common = {
            "Content-Type": "application/json;charset=UTF-8",
            "Date": "Sat, 01 Jun 2024 00:00:00 GMT",
            "Cache-Control": "no-cache, must-revalidate",
            "X-Content-Type-Options": "nosniff",
            "X-Confluence-Request-Time": str(1717200000000 + self.calls),
        }
        if self.cloud:
            common |= {
                "Server": "AtlassianEdge",
                "atl-traceid": request_id(f"conf-{self.calls}").replace("-", ""),
                "Strict-Transport-Security": "max-age=63072000; includeSubDomains; preload",
            }
        else:
            common |= {"X-ASEN": "SEN-L123456", "X-AUSERNAME": "svc-release-advisor"}
        return common | (extra or {})

    def get(
        self,
        uri: str,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
        compact: bool = False,
    ) -> dict[str, Any]:
        return interaction(
            "GET",
            uri,
            status,
            body,
            request_headers=REQUEST_HEADERS,
            response_headers=self.headers(status, headers),
            compact=compact,
        )

    def user(self, name: str, handle: str) -> dict[str, Any]:
        picture = {
            "path": f"{self.context}/aa-avatar/{handle}",
            "width": 48,
            "height": 48,
            "isDefault": False,
        }
        if self.cloud:
            account = {"mia": "5b10a2844c20165700ede21g", "ravi": "5b10ac8d82e05b22cc7d4ef5"}[
                handle
            ]
            return {
                "type": "known",
                "accountId": account,
                "accountType": "atlassian",
                "email": "",
                "publicName": name,
                "profilePicture": picture,
                "displayName": name,
                "isExternalCollaborator": False,
                "_expandable": {"operations": "", "personalSpace": ""},
                "_links": {"self": f"{self.base}/rest/api/user?accountId={account}"},
            }
        return {
            "type": "known",
            "username": handle,
            "userKey": f"8a7f8089{handle}0001",
            "profilePicture": picture,
            "displayName": name,
            "_links": {"self": f"{self.base}/rest/api/user?key=8a7f8089{handle}0001"},
            "_expandable": {"status": ""},
        }

    def space(self, key: str, name: str, sid: int) -> dict[str, Any]:
        return {
            "id": sid,
            "key": key,
            "name": name,
            "type": "global",
            "status": "current",
            "_expandable": {
                "settings": f"/rest/api/space/{key}/settings",
                "metadata": "",
                "operations": "",
                "lookAndFeel": f"/rest/api/settings/lookandfeel?spaceKey={key}",
                "identifiers": "",
                "permissions": "",
                "icon": "",
                "description": "",
                "theme": f"/rest/api/space/{key}/theme",
                "history": "",
                "homepage": f"/rest/api/content/{sid + 1}",
            },
            "_links": {"webui": f"/spaces/{key}", "self": f"{self.base}/rest/api/space/{key}"},
        }

    def ancestor(self, cid: str, title: str, space: str) -> dict[str, Any]:
        return {
            "id": cid,
            "type": "page",
            "status": "current",
            "title": title,
            "macroRenderedOutput": {},
            "extensions": {"position": 0},
            "_expandable": {
                "container": f"/rest/api/space/{space}",
                "metadata": "",
                "restrictions": f"/rest/api/content/{cid}/restriction/byOperation",
                "history": f"/rest/api/content/{cid}/history",
                "body": "",
                "version": "",
                "descendants": f"/rest/api/content/{cid}/descendant",
                "space": f"/rest/api/space/{space}",
                "childTypes": "",
                "operations": "",
                "schedulePublishDate": "",
                "children": f"/rest/api/content/{cid}/child",
                "ancestors": "",
            },
            "_links": {
                "self": f"{self.base}/rest/api/content/{cid}",
                "tinyui": f"/x/{cid[-4:]}",
                "editui": f"/pages/resumedraft.action?draftId={cid}",
                "webui": f"/spaces/{space}/pages/{cid}/{title.replace(' ', '+')}",
            },
        }

    def page(
        self,
        cid: str,
        title: str,
        *,
        space: dict[str, Any],
        version: int,
        when: str,
        by: dict[str, Any],
        labels: list[str],
        ancestors: list[dict[str, Any]],
        body: str,
        position: int,
    ) -> dict[str, Any]:
        label_results = [
            {"prefix": "global", "name": n, "id": str(1212400 + i), "label": n}
            for i, n in enumerate(labels)
        ]
        return {
            "id": cid,
            "type": "page",
            "status": "current",
            "title": title,
            "space": space,
            "version": {
                "by": by,
                "when": when,
                "friendlyWhen": when[:10],
                "message": "",
                "number": version,
                "minorEdit": False,
                "confRev": f"confluence$content${cid}.{version + 2}",
                "contentTypeModified": False,
                "_expandable": {"collaborators": "", "content": f"/rest/api/content/{cid}"},
                "_links": {"self": f"{self.base}/rest/api/content/{cid}/version/{version}"},
            },
            "ancestors": ancestors,
            "macroRenderedOutput": {},
            "body": {
                "storage": {
                    "value": body,
                    "representation": "storage",
                    "embeddedContent": [],
                    "_expandable": {"content": f"/rest/api/content/{cid}"},
                },
                "_expandable": {
                    "editor": "",
                    "atlas_doc_format": "",
                    "view": "",
                    "export_view": "",
                    "styled_view": "",
                    "dynamic": "",
                    "editor2": "",
                    "anonymous_export_view": "",
                },
            },
            "metadata": {
                "labels": {
                    "results": label_results,
                    "start": 0,
                    "limit": 200,
                    "size": len(labels),
                    "_links": {"self": f"{self.base}/rest/api/content/{cid}/label"},
                },
                "_expandable": {
                    "currentuser": "",
                    "comments": "",
                    "sourceTemplateEntityId": "",
                    "simple": "",
                    "properties": "",
                    "frontend": "",
                    "likes": "",
                },
            },
            "extensions": {"position": position},
            "_expandable": {
                "childTypes": "",
                "schedulePublishDate": "",
                "operations": "",
                "children": f"/rest/api/content/{cid}/child",
                "restrictions": f"/rest/api/content/{cid}/restriction/byOperation",
                "history": f"/rest/api/content/{cid}/history",
                "descendants": f"/rest/api/content/{cid}/descendant",
                "container": f"/rest/api/space/{space['key']}",
            },
            "_links": {
                "self": f"{self.base}/rest/api/content/{cid}",
                "tinyui": f"/x/{cid[-4:]}",
                "editui": f"/pages/resumedraft.action?draftId={cid}",
                "webui": f"/spaces/{space['key']}/pages/{cid}/{title.replace(' ', '+')}",
            },
        }

    def search_uri(self, cql: str, limit: int = 50, **more: str) -> str:
        query = {**more, "cql": cql, "expand": EXPAND, "limit": str(limit)}
        return f"{self.base}/rest/api/content/search?{urlencode(query)}"

    def envelope(
        self,
        results: list[dict[str, Any]],
        start: int,
        cql: str,
        next_link: str | None,
        self_uri: str,
    ) -> dict[str, Any]:
        links = {"base": self.base, "context": self.context, "self": self_uri}
        if next_link:
            links["next"] = next_link
        if start:
            links["prev"] = "/rest/api/content/search?" + urlencode(
                {
                    "prev": "true",
                    "cursor": "_sa_WyJcdDY1NTM4IEdXPUc8NE4jVnEvX3RdL2chU1gwdyJd",
                    "expand": EXPAND,
                    "limit": "50",
                    "start": "0",
                    "cql": cql,
                }
            )
        return {
            "results": results,
            "start": start,
            "limit": 50,
            "size": len(results),
            "_links": links,
        }


CLOUD_CQL = 'type = page AND space = "ENG"'
CURSOR = "_f_NTA=_sa_WyJcdDk4MzA1IHE9RXtLMlZYZX1yVFVkNWw6c2YrIGNwIl0="


def cloud_pages_page_one(site: Site, fillers: int = 48) -> tuple[dict[str, Any], str]:
    eng = site.space("ENG", "Engineering", 33029)
    mia, ravi = site.user("Mia Krystof", "mia"), site.user("Ravi Patel", "ravi")
    home = site.ancestor("65537", "Engineering Home", "ENG")
    notes = site.ancestor("65602", "Meeting notes", "ENG")
    results = [
        site.page(
            "65537",
            "Engineering Home",
            space=eng,
            version=12,
            when="2024-05-02T10:00:00.000Z",
            by=ravi,
            labels=[],
            ancestors=[],
            body="<p>Welcome to Engineering.</p>",
            position=0,
        ),
        site.page(
            "65602",
            "Meeting notes",
            space=eng,
            version=3,
            when="2024-04-10T10:00:00.000Z",
            by=mia,
            labels=["meeting-notes"],
            ancestors=[home],
            body="<p>Index of meeting notes.</p>",
            position=1,
        ),
    ]
    for n in range(fillers):
        cid = str(70000 + n)
        results.append(
            site.page(
                cid,
                f"Standup 2024-04-{n % 28 + 1:02d} #{n}",
                space=eng,
                version=1,
                when=f"2024-04-{n % 28 + 1:02d}T09:30:00.000Z",
                by=mia,
                labels=["meeting-notes"],
                ancestors=[home, notes],
                body=f"<p>Notes {n}: <em>nothing blocking</em>.</p>",
                position=2 + n,
            )
        )
    next_link = "/rest/api/content/search?" + urlencode(
        {
            "next": "true",
            "cursor": CURSOR,
            "expand": EXPAND,
            "limit": "50",
            "start": "50",
            "cql": CLOUD_CQL,
        }
    )
    return site.envelope(results, 0, CLOUD_CQL, next_link, site.search_uri(CLOUD_CQL)), next_link


def cloud_pages() -> list[dict[str, Any]]:
    site = Site("https://acme.atlassian.net", "/wiki", cloud=True)
    first, next_link = cloud_pages_page_one(site)
    eng = site.space("ENG", "Engineering", 33029)
    mia, ravi = site.user("Mia Krystof", "mia"), site.user("Ravi Patel", "ravi")
    home = site.ancestor("65537", "Engineering Home", "ENG")
    releases = site.ancestor("65540", "Releases", "ENG")
    second = [
        site.page(
            "98305",
            "Release 4.2 runbook",
            space=eng,
            version=7,
            when="2024-05-28T14:03:11.512Z",
            by=mia,
            labels=["release-4-2", "runbook"],
            ancestors=[home, releases],
            body=RUNBOOK,
            position=50,
        ),
        site.page(
            "98306",
            "Release 4.2 notes",
            space=eng,
            version=2,
            when="2024-05-29T08:00:00.000Z",
            by=ravi,
            labels=["release-4-2"],
            ancestors=[home, releases],
            body="<p>Saved cards, retry of soft declines.</p>",
            position=51,
        ),
        site.page(
            "65540",
            "Releases",
            space=eng,
            version=4,
            when="2024-03-01T08:00:00.000Z",
            by=ravi,
            labels=[],
            ancestors=[home],
            body="",
            position=52,
        ),
    ]
    second_uri = site.base + next_link
    return [
        site.get(site.search_uri(CLOUD_CQL), 200, first, compact=True),
        site.get(second_uri, 200, site.envelope(second, 50, CLOUD_CQL, None, second_uri)),
    ]


def cloud_page_two_rate_limited() -> list[dict[str, Any]]:
    site = Site("https://acme.atlassian.net", "/wiki", cloud=True)
    # Cloud filters restricted pages after paging, so a page may be short yet have a next.
    first, next_link = cloud_pages_page_one(site, fillers=0)
    body = {"statusCode": 429, "message": "Rate limit exceeded", "reason": "Too Many Requests"}
    headers = {"Retry-After": "600", "X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0"}
    return [
        site.get(site.search_uri(CLOUD_CQL), 200, first),
        site.get(site.base + next_link, 429, body, headers),
    ]


def cloud_unauthorized() -> list[dict[str, Any]]:
    site = Site("https://acme.atlassian.net", "/wiki", cloud=True)
    body = {
        "statusCode": 401,
        "data": {
            "authorized": False,
            "valid": True,
            "allowedInReadOnlyMode": True,
            "errors": [],
            "successful": False,
        },
        "message": "This request requires authentication.",
        "reason": "Unauthorized",
    }
    return [
        site.get(
            site.search_uri(CLOUD_CQL), 401, body, {"WWW-Authenticate": 'Basic realm="Confluence"'}
        )
    ]


SERVER_CQL = 'type = page AND space = "OPS" AND label = "runbook" AND ancestor = 65601'


def server_pages() -> list[dict[str, Any]]:
    site = Site("https://wiki.acme.example", "/confluence", cloud=False)
    ops = site.space("OPS", "Operations", 131073)
    runbooks = site.ancestor("65601", "Runbooks", "OPS")
    page = site.page(
        "131090",
        "Blue/green switch",
        space=ops,
        version=4,
        when="2024-05-30T16:45:12.000+02:00",
        by=site.user("Ravi Patel", "ravi"),
        labels=["runbook"],
        ancestors=[runbooks],
        position=3,
        body="<h2>Switch</h2><ol><li>Drain blue</li><li>Flip DNS<br />wait 5 min</li></ol>"
        "<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status>"
        "<ac:task-body>Tell support</ac:task-body></ac:task></ac:task-list>",
    )
    uri = site.search_uri(SERVER_CQL)
    return [site.get(uri, 200, site.envelope([page], 0, SERVER_CQL, None, uri))]


def server_update_page_prefetch() -> list[dict[str, Any]]:
    """update_page reads the page's history (for the next version number) before it writes."""
    site = Site("https://wiki.acme.example", "/confluence", cloud=False)
    ravi = site.user("Ravi Patel", "ravi")
    history = {
        "latest": True,
        "createdBy": ravi,
        "createdDate": "2024-03-01T10:00:00.000+01:00",
        "lastUpdated": {
            "by": ravi,
            "when": "2024-05-30T16:45:12.000+02:00",
            "message": "",
            "number": 4,
            "minorEdit": False,
            "hidden": False,
            "_links": {"self": f"{site.base}/rest/api/content/131090/version/4"},
            "_expandable": {"content": "/rest/api/content/131090"},
        },
        "_links": {"self": f"{site.base}/rest/api/content/131090/history"},
        "_expandable": {
            "lastUpdated": "",
            "previousVersion": "",
            "contributors": "",
            "nextVersion": "",
        },
    }
    return [site.get(f"{site.base}/rest/api/content/131090/history", 200, history)]


def server_base_elsewhere() -> list[dict[str, Any]]:
    """A server whose base URL setting names another host (behind a proxy): its answers'
    ``_links.base`` point there. Page 2 must still be asked of the configured host; page
    2's ``next`` is absolute and leaves it, so it is not followed."""
    site = Site("https://wiki.acme.example", "/confluence", cloud=False)
    elsewhere = Site("http://confluence.internal:8090", "/confluence", cloud=False)
    ops = site.space("OPS", "Operations", 131073)
    ravi = site.user("Ravi Patel", "ravi")

    def page(cid: str, title: str, position: int) -> dict[str, Any]:
        return site.page(cid, title, space=ops, version=1, when="2024-05-30T16:45:12.000+02:00",
                         by=ravi, labels=[], ancestors=[], position=position,
                         body="<p>Runbook.</p>")

    cql = 'type = page AND space = "OPS"'
    size = 1
    first_uri = site.search_uri(cql, limit=size)
    following = "/rest/api/content/search?" + urlencode(
        {"next": "true", "cursor": "_f_MQ==_sa_WyIxMzEwOTEiXQ==", "expand": EXPAND,
         "limit": str(size), "start": "1", "cql": cql})
    first = elsewhere.envelope([page("131090", "Blue/green switch", 0)], 0, cql, following,
                               elsewhere.base + following.replace("next=true&", ""))
    second_uri = site.base + following
    off_host = "https://attacker.example/confluence" + following.replace("start=1", "start=2")
    second = elsewhere.envelope([page("131091", "Cache warm-up", 1)], 1, cql, off_host,
                                elsewhere.base + following)
    for body in (first, second):
        body["limit"] = size
        if "prev" in body["_links"]:
            body["_links"]["prev"] = body["_links"]["prev"].replace("limit=50", f"limit={size}")
    return [site.get(first_uri, 200, first), site.get(second_uri, 200, second)]


def main() -> None:
    scenarios = {
        "cloud_pages": cloud_pages,
        "cloud_page_two_rate_limited": cloud_page_two_rate_limited,
        "cloud_unauthorized": cloud_unauthorized,
        "server_pages": server_pages,
        "server_base_elsewhere": server_base_elsewhere,
        "server_update_page_prefetch": server_update_page_prefetch,
        "read_only": list,
    }
    for name, build in scenarios.items():
        print(write("confluence", name, build()))


if __name__ == "__main__":
    main()
