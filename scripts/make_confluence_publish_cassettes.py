"""Write ``cassettes/confluence_publish/*.yaml``: what one portfolio-summary publish sends.

Confluence Cloud REST v1, in the shapes Atlassian documents:

- ``GET /rest/api/content?title=…&spaceKey=…&expand=version`` → ``{results, start, limit,
  size, _links}``, each result a content object with ``version.number`` and ``version.by``;
- ``POST /rest/api/content`` (page with ``ancestors`` and ``body.storage``) → the content;
- ``PUT /rest/api/content/{id}`` with ``version.number + 1`` → the content, or 409 when the
  version is stale;
- ``POST /rest/api/content/{id}/label`` (``[{prefix, name}]``) → the labels;
- ``GET``/``POST /rest/api/content/{id}/child/attachment`` (multipart, header
  ``X-Atlassian-Token: no-check``) → attachment objects.

Request bodies are not matched on replay (method, host, path and query are), so the
charts' content-addressed file names need not be known here.

    .venv/bin/python scripts/make_confluence_publish_cassettes.py
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from make_confluence_cassettes import REQUEST_HEADERS, Site
from make_jira_cassettes import REASONS, interaction, write

REASONS.setdefault(409, "Conflict")  # the Jira generator never needed it

SPACE, PARENT, PARENT_ID = "ENG", "Portfolio summaries", "98400"
TITLE, PAGE_ID = "Portfolio summary — 2024-06-01", "131200"
ADVISOR_ACCOUNT = "712020:4f9c1b2e-5d3a-4c7b-9e8f-1a2b3c4d5e6f"
UPLOAD_HEADERS = {k: v for k, v in REQUEST_HEADERS.items() if k != "Content-Type"} | {
    "X-Atlassian-Token": "no-check", "Content-Type": "multipart/form-data; boundary=…"}


class Publish:
    """One Cloud site and the objects a publish reads and writes."""

    def __init__(self) -> None:
        self.site = Site("https://acme.atlassian.net", "/wiki", cloud=True)
        self.base = self.site.base

    # -- objects -------------------------------------------------------------------------

    def advisor(self) -> dict[str, Any]:
        picture = {"path": "/wiki/aa-avatar/advisor", "width": 48, "height": 48,
                   "isDefault": True}
        return {"type": "known", "accountId": ADVISOR_ACCOUNT, "accountType": "app",
                "email": "", "publicName": "Release Risk Advisor", "profilePicture": picture,
                "displayName": "Release Risk Advisor", "isExternalCollaborator": False,
                "_expandable": {"operations": "", "personalSpace": ""},
                "_links": {"self": f"{self.base}/rest/api/user?accountId={ADVISOR_ACCOUNT}"}}

    def version(self, cid: str, number: int, by: dict[str, Any], when: str) -> dict[str, Any]:
        return {"by": by, "when": when, "friendlyWhen": when[:10], "message": "",
                "number": number, "minorEdit": False,
                "confRev": f"confluence$content${cid}.{number + 1}",
                "contentTypeModified": False,
                "_expandable": {"collaborators": "", "content": f"/rest/api/content/{cid}"},
                "_links": {"self": f"{self.base}/rest/api/content/{cid}/version/{number}"}}

    def content(self, cid: str, title: str, number: int, by: dict[str, Any], when: str,
                **more: Any) -> dict[str, Any]:
        webui = f"/spaces/{SPACE}/pages/{cid}/{quote(title.replace(' ', '+'), safe='+')}"
        return {
            "id": cid, "type": "page", "status": "current", "title": title,
            "version": self.version(cid, number, by, when), "macroRenderedOutput": {},
            "extensions": {"position": 0}, **more,
            "_expandable": {"container": f"/rest/api/space/{SPACE}", "metadata": "",
                            "restrictions": f"/rest/api/content/{cid}/restriction/byOperation",
                            "history": f"/rest/api/content/{cid}/history", "body": "",
                            "descendants": f"/rest/api/content/{cid}/descendant",
                            "space": f"/rest/api/space/{SPACE}",
                            "children": f"/rest/api/content/{cid}/child", "ancestors": "",
                            "childTypes": "", "operations": "", "schedulePublishDate": ""},
            "_links": {"self": f"{self.base}/rest/api/content/{cid}", "tinyui": f"/x/{cid[-4:]}",
                       "editui": f"/pages/resumedraft.action?draftId={cid}", "webui": webui},
        }

    def written(self, number: int, when: str) -> dict[str, Any]:
        """What POST/PUT /content answers: the page with space, body and ancestors."""
        page = self.content(
            PAGE_ID, TITLE, number, self.advisor(), when,
            space=self.site.space(SPACE, "Engineering", 33029),
            ancestors=[self.site.ancestor(PARENT_ID, PARENT, SPACE)],
            body={"storage": {"value": "<p>…the summary…</p>", "representation": "storage",
                              "embeddedContent": [],
                              "_expandable": {"content": f"/rest/api/content/{PAGE_ID}"}}})
        page["_links"] |= {"base": self.base, "context": "/wiki",
                           "collection": "/rest/api/content"}
        return page

    def attachment(self, aid: str, filename: str) -> dict[str, Any]:
        return {
            "id": aid, "type": "attachment", "status": "current", "title": filename,
            "version": self.version(aid, 1, self.advisor(), "2024-06-02T09:15:03.000Z"),
            "container": {"id": PAGE_ID, "type": "page", "status": "current", "title": TITLE},
            "metadata": {"comment": "", "mediaType": "image/svg+xml",
                         "_expandable": {"currentuser": "", "properties": "", "frontend": "",
                                         "editorHtml": "", "labels": ""}},
            "extensions": {"mediaType": "image/svg+xml", "fileSize": 2281, "comment": "",
                           "fileId": f"c0ffee00-{aid[-4:]}-4a6b-9c1d-000000000000"},
            "_links": {"webui": f"/pages/viewpageattachments.action?pageId={PAGE_ID}",
                       "download": f"/download/attachments/{PAGE_ID}/{filename}?version=1",
                       "self": f"{self.base}/rest/api/content/{aid}"},
        }

    # -- interactions --------------------------------------------------------------------

    def call(self, method: str, path: str, status: int, body: Any, *,
             params: dict[str, str] | None = None, request_body: Any = None,
             headers: dict[str, str] | None = None) -> dict[str, Any]:
        uri = f"{self.base}/{path}" + (f"?{urlencode(params)}" if params else "")
        return interaction(method, uri, status, body, request_headers=headers or REQUEST_HEADERS,
                           response_headers=self.site.headers(status), request_body=request_body)

    def find(self, title: str, results: list[dict[str, Any]]) -> dict[str, Any]:
        params = {"title": title, "spaceKey": SPACE, "expand": "version"}
        body = {"results": results, "start": 0, "limit": 25, "size": len(results),
                "_links": {"base": self.base, "context": "/wiki",
                           "self": f"{self.base}/rest/api/content?{urlencode(params)}"}}
        return self.call("GET", "rest/api/content", 200, body, params=params)

    def ours(self, number: int) -> dict[str, Any]:
        return self.content(PAGE_ID, TITLE, number, self.advisor(), "2024-06-02T09:15:01.000Z")

    def labels(self) -> dict[str, Any]:
        names = ["advisory", "portfolio-summary"]
        body = {"results": [{"prefix": "global", "name": n, "id": str(1212500 + i), "label": n}
                            for i, n in enumerate(names)],
                "start": 0, "limit": 200, "size": 2,
                "_links": {"self": f"{self.base}/rest/api/content/{PAGE_ID}/label",
                           "base": self.base, "context": "/wiki"}}
        sent = [{"prefix": "global", "name": n} for n in names]
        return self.call("POST", f"rest/api/content/{PAGE_ID}/label", 200, body,
                         request_body=sent)

    def upload(self, aid: str, filename: str) -> dict[str, Any]:
        body = {"results": [self.attachment(aid, filename)], "size": 1,
                "_links": {"base": self.base, "context": "/wiki"}}
        return self.call("POST", f"rest/api/content/{PAGE_ID}/child/attachment", 200, body,
                         headers=UPLOAD_HEADERS)

    def attachments(self, names: list[str]) -> dict[str, Any]:
        found = [self.attachment(f"att{131300 + i}", n) for i, n in enumerate(names)]
        body = {"results": found, "start": 0, "limit": 200, "size": len(found),
                "_links": {"base": self.base, "context": "/wiki",
                           "self": f"{self.base}/rest/api/content/{PAGE_ID}/child/attachment"}}
        return self.call("GET", f"rest/api/content/{PAGE_ID}/child/attachment", 200, body,
                         params={"limit": "200"})

    def put(self, number: int, status: int = 200) -> dict[str, Any]:
        if status == 409:
            body: dict[str, Any] = {
                "statusCode": 409, "message": "Version must be incremented on update. "
                f"Current version is: {number}", "reason": "Conflict",
                "data": {"authorized": False, "valid": True, "allowedInReadOnlyMode": True,
                         "errors": [], "successful": False}}
        else:
            body = self.written(number, "2024-06-02T09:15:02.000Z")
        return self.call("PUT", f"rest/api/content/{PAGE_ID}", status, body,
                         request_body={"version": {"number": number}})


def create() -> list[dict[str, Any]]:
    p = Publish()
    parent = p.content(PARENT_ID, PARENT, 4, p.site.user("Ravi Patel", "ravi"),
                       "2024-03-01T08:00:00.000Z")
    created = p.written(1, "2024-06-02T09:15:01.000Z")
    return [p.find(TITLE, []), p.find(PARENT, [parent]),
            p.call("POST", "rest/api/content", 200, created,
                   request_body={"type": "page", "title": TITLE, "space": {"key": SPACE},
                                 "ancestors": [{"id": PARENT_ID}]}),
            p.labels(), p.upload("att131301", "portfolio-epics.svg"),
            p.upload("att131302", "portfolio-teams.svg")]


def update() -> list[dict[str, Any]]:
    p = Publish()
    old = ["portfolio-epics-0000000000.svg", "portfolio-teams-0000000000.svg"]
    return [p.find(TITLE, [p.ours(3)]), p.put(4), p.labels(), p.attachments(old),
            p.upload("att131303", "portfolio-epics.svg"),
            p.upload("att131304", "portfolio-teams.svg")]


def conflict() -> list[dict[str, Any]]:
    p = Publish()
    edited = p.content(PAGE_ID, TITLE, 4, p.site.user("Mia Krystof", "mia"),
                       "2024-06-03T11:42:17.000Z")
    return [p.find(TITLE, [edited])]


def update_race() -> list[dict[str, Any]]:
    p = Publish()
    return [p.find(TITLE, [p.ours(3)]), p.put(4, status=409)]


def unchanged() -> list[dict[str, Any]]:
    p = Publish()
    return [p.find(TITLE, [p.ours(3)])]


def main() -> None:
    scenarios = {"create": create, "update": update, "conflict": conflict,
                 "update_race": update_race, "unchanged": unchanged, "kill_switch": list}
    for name, build in scenarios.items():
        print(write("confluence_publish", name, build()))


if __name__ == "__main__":
    main()
