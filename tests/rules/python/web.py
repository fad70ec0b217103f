from django.http import HttpResponse, HttpResponseRedirect
from django.utils.safestring import mark_safe
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from flask import Flask, make_response, redirect, request, url_for
from markupsafe import Markup, escape

app = Flask(__name__)
api = FastAPI()


@app.route("/greet")
def greet():
    name = request.args.get("name", "")
    # ruleid: RRA-PY-XSS-MARKUP
    banner = Markup("<h1>Hello " + name + "</h1>")
    # ok: RRA-PY-XSS-MARKUP
    safe_banner = Markup("<h1>Hello {}</h1>").format(name)
    # ok: RRA-PY-XSS-MARKUP
    static = Markup("<hr>")
    return str(banner) + str(safe_banner) + str(static)


def profile(request, user):
    # ruleid: RRA-PY-XSS-MARKUP
    bio = mark_safe(user.bio)
    # ruleid: RRA-PY-XSS-REFLECTED
    return HttpResponse("<p>" + request.GET["q"] + "</p>" + bio)


def profile_escaped(request):
    # ok: RRA-PY-XSS-REFLECTED
    return HttpResponse("<p>" + escape(request.GET["q"]) + "</p>")


@app.route("/login")
def login():
    target = request.args.get("next", "/")
    # ruleid: RRA-PY-OPEN-REDIRECT
    return redirect(target)


@app.route("/logout")
def logout():
    # ok: RRA-PY-OPEN-REDIRECT
    return redirect(url_for("index"))


def django_back(request):
    # ruleid: RRA-PY-OPEN-REDIRECT
    return HttpResponseRedirect(request.GET.get("back"))


@api.get("/go")
def go(to: str):
    # ruleid: RRA-PY-OPEN-REDIRECT
    return RedirectResponse(to)


@app.route("/remember")
def remember():
    response = make_response("ok")
    # ruleid: RRA-PY-COOKIE-FLAGS
    response.set_cookie("session", "abc")
    # ruleid: RRA-PY-COOKIE-FLAGS
    response.set_cookie("token", "abc", secure=True)
    # ok: RRA-PY-COOKIE-FLAGS
    response.set_cookie("session", "abc", secure=True, httponly=True, samesite="Lax")
    return response


# ruleid: RRA-PY-INSECURE-SETTING
SESSION_COOKIE_SECURE = False
# ok: RRA-PY-INSECURE-SETTING
CSRF_COOKIE_SECURE = True

if __name__ == "__main__":
    # ruleid: RRA-PY-INSECURE-SETTING
    app.run(host="0.0.0.0", debug=True)
