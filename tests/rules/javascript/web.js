const express = require("express");
const session = require("express-session");
const https = require("https");
const jwt = require("jsonwebtoken");
const serialize = require("node-serialize");

const app = express();

app.get("/hello", (req, res) => {
  // ruleid: RRA-JS-XSS
  res.send("<h1>Hello " + req.query.name + "</h1>");
});

app.get("/remember", (req, res) => {
  // ruleid: RRA-JS-COOKIE-FLAGS
  res.cookie("session", "abc");
  // ok: RRA-JS-COOKIE-FLAGS
  res.cookie("session", "abc", { secure: true, httpOnly: true, sameSite: "lax" });
  res.end();
});

// ruleid: RRA-JS-COOKIE-FLAGS
app.use(session({ secret: process.env.SESSION_SECRET, cookie: { secure: false } }));

// ruleid: RRA-JS-TLS-NO-VERIFY
const agent = new https.Agent({ rejectUnauthorized: false });
// ok: RRA-JS-TLS-NO-VERIFY
const strict = new https.Agent({ ca: process.env.INTERNAL_CA });

function check(token) {
  // ruleid: RRA-JS-JWT
  const claims = jwt.verify(token, "change-me");
  // ruleid: RRA-JS-JWT
  const open = jwt.verify(token, process.env.JWT_KEY, { algorithms: ["none"] });
  // ok: RRA-JS-JWT
  const good = jwt.verify(token, process.env.JWT_KEY, { algorithms: ["RS256"] });
  return [claims, open, good, agent, strict];
}

app.post("/restore", (req, res) => {
  // ruleid: RRA-JS-UNSAFE-DESERIALISATION
  const state = serialize.unserialize(req.body.state);
  // ok: RRA-JS-UNSAFE-DESERIALISATION
  const parsed = JSON.parse(req.body.state);
  res.json({ state, parsed, check });
});
