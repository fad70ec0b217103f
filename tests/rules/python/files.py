import os
from pathlib import Path

import httpx
import requests
import urllib.request
from fastapi import FastAPI
from fastapi.responses import FileResponse
from flask import Flask, request, send_file, send_from_directory
from werkzeug.utils import secure_filename

app = Flask(__name__)
api = FastAPI()
BASE = "/srv/reports"


@app.route("/download")
def download():
    name = request.args.get("name")
    # ruleid: RRA-PY-PATH-TRAVERSAL
    return send_file(os.path.join(BASE, name))


@app.route("/read")
def read():
    # ruleid: RRA-PY-PATH-TRAVERSAL
    with open("/srv/data/" + request.args["file"]) as handle:
        return handle.read()


@app.route("/safe")
def safe():
    name = request.args.get("name")
    # ok: RRA-PY-PATH-TRAVERSAL
    with open(os.path.join(BASE, secure_filename(name))) as handle:
        first = handle.read()
    # ok: RRA-PY-PATH-TRAVERSAL
    return first + str(send_from_directory(BASE, name))


@api.get("/files/{path}")
async def files(path: str):
    # ruleid: RRA-PY-PATH-TRAVERSAL
    return FileResponse(f"/srv/files/{path}")


def django_export(request):
    target = request.POST["target"]
    # ruleid: RRA-PY-PATH-TRAVERSAL
    Path(BASE, target).write_text("export")


def fixed_file():
    # ok: RRA-PY-PATH-TRAVERSAL
    with open(os.path.join(BASE, "index.txt")) as handle:
        return handle.read()


@app.route("/preview")
def preview():
    url = request.args["url"]
    # ruleid: RRA-PY-SSRF
    page = requests.get(url, timeout=5)
    # ok: RRA-PY-SSRF
    fixed = requests.get("https://api.example.com/status", timeout=5)
    return page.text + fixed.text


@api.post("/webhook-test")
async def webhook_test(target: str):
    async with httpx.AsyncClient() as client:
        # ruleid: RRA-PY-SSRF
        answer = await client.post(target, json={"ping": True})
    return answer.status_code


def django_fetch(request):
    # ruleid: RRA-PY-SSRF
    return urllib.request.urlopen(request.GET["feed"]).read()


@app.route("/lookup")
def lookup():
    key = request.args.get("key")
    table = {"a": 1}
    # ok: RRA-PY-SSRF
    return str(table.get(key))
