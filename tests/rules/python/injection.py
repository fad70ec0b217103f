import os
import sqlite3
import subprocess

import flask
from django.http import HttpResponse
from fastapi import FastAPI
from flask import Flask, render_template_string, request
from sqlalchemy import text

app = Flask(__name__)
api = FastAPI()


@app.route("/orders")
def orders():
    customer = request.args.get("customer")
    db = sqlite3.connect("shop.db")
    # ruleid: RRA-PY-SQLI, RRA-PY-SQL-FORMAT
    db.execute("SELECT * FROM orders WHERE customer = '" + customer + "'")
    # ok: RRA-PY-SQLI
    db.execute("SELECT * FROM orders WHERE customer = ?", (customer,))
    limit = int(request.args["limit"])
    # ok: RRA-PY-SQLI
    # ruleid: RRA-PY-SQL-FORMAT
    db.execute("SELECT * FROM orders LIMIT %d" % limit)
    return "ok"


@api.get("/users/{name}")
def user(name: str, session=None):
    # ruleid: RRA-PY-SQLI
    session.execute(text(f"SELECT id FROM users WHERE name = '{name}'"))


def django_view(request):
    term = request.GET.get("q", "")
    # ruleid: RRA-PY-SQLI, RRA-PY-SQL-FORMAT
    rows = Product.objects.raw("SELECT * FROM shop_product WHERE name LIKE '%%%s%%'" % term)
    return HttpResponse(len(list(rows)))


def report(cursor, customer_id):
    # ruleid: RRA-PY-SQL-FORMAT
    cursor.execute("SELECT * FROM orders WHERE customer = '%s'" % customer_id)
    # ruleid: RRA-PY-SQL-FORMAT
    cursor.execute(f"DELETE FROM carts WHERE id = {customer_id}")
    query = "SELECT name FROM users WHERE id = " + customer_id
    # ruleid: RRA-PY-SQL-FORMAT
    cursor.execute(query)
    # ok: RRA-PY-SQL-FORMAT
    cursor.execute("SELECT * FROM orders WHERE customer = %s", (customer_id,))
    # ok: RRA-PY-SQL-FORMAT
    cursor.execute("SELECT count(*) FROM orders")


@app.post("/convert")
def convert():
    name = flask.request.form["file"]
    # ruleid: RRA-PY-COMMAND-INJECTION
    os.system("convert " + name + " out.png")
    # ruleid: RRA-PY-COMMAND-INJECTION
    subprocess.run(f"gzip {name}", shell=True)
    # ok: RRA-PY-COMMAND-INJECTION
    subprocess.run(["gzip", "--", name])
    return "done"


@app.route("/calc")
def calc():
    expression = request.args.get("e")
    # ruleid: RRA-PY-CODE-INJECTION
    result = eval(expression)
    # ruleid: RRA-PY-CODE-INJECTION
    page = render_template_string("<p>" + request.args["name"] + "</p>")
    # ok: RRA-PY-CODE-INJECTION
    other = render_template_string("<p>{{ name }}</p>", name=request.args["name"])
    return str(result) + page + other
