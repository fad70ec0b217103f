const express = require("express");
const fs = require("fs");
const path = require("path");
const axios = require("axios");
const { exec, execFile } = require("child_process");
const mysql = require("mysql2");

const app = express();
const db = mysql.createConnection({});

app.get("/orders", (req, res) => {
  const customer = req.query.customer;
  // ruleid: RRA-JS-SQLI
  db.query(`SELECT * FROM orders WHERE customer = '${customer}'`, (err, rows) => res.json(rows));
  // ok: RRA-JS-SQLI
  db.query("SELECT * FROM orders WHERE customer = ?", [customer], (err, rows) => res.json(rows));
});

app.post("/thumb", (req, res) => {
  // ruleid: RRA-JS-COMMAND-INJECTION
  exec("convert " + req.body.file + " thumb.png");
  // ok: RRA-JS-COMMAND-INJECTION
  execFile("convert", [req.body.file, "thumb.png"]);
  res.end();
});

app.get("/calc", (req, res) => {
  // ruleid: RRA-JS-CODE-INJECTION
  res.json({ value: eval(req.query.expr) });
});

app.get("/files/:name", (req, res) => {
  // ruleid: RRA-JS-PATH-TRAVERSAL
  fs.readFile("/srv/files/" + req.params.name, (err, data) => res.end(data));
  // ok: RRA-JS-PATH-TRAVERSAL
  fs.readFile(path.join("/srv/files", path.basename(req.params.name)), (err, data) => res.end(data));
});

app.get("/preview", async (req, res) => {
  // ruleid: RRA-JS-SSRF
  const page = await axios.get(req.query.url);
  // ok: RRA-JS-SSRF
  const status = await axios.get("https://status.example.com/api");
  res.send(String(page.status + status.status));
});

app.get("/login", (req, res) => {
  // ruleid: RRA-JS-OPEN-REDIRECT
  res.redirect(req.query.next);
});

app.get("/home", (req, res) => {
  // ok: RRA-JS-OPEN-REDIRECT
  res.redirect("/dashboard");
});
