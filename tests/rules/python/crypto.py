import ssl
import socket

import httpx
import jwt
import requests

SECRET = "s3cr3t-signing-key"


def read_claims(token, public_key):
    # ruleid: RRA-PY-JWT-NO-VERIFY
    claims = jwt.decode(token, options={"verify_signature": False})
    # ruleid: RRA-PY-JWT-NO-VERIFY
    other = jwt.decode(token, public_key, algorithms=["none"])
    # ok: RRA-PY-JWT-NO-VERIFY
    checked = jwt.decode(token, public_key, algorithms=["RS256"], audience="shop")
    return claims, other, checked


def issue(user):
    # ruleid: RRA-PY-JWT-HARDCODED-KEY
    first = jwt.encode({"sub": user}, "change-me", algorithm="HS256")
    # ruleid: RRA-PY-JWT-HARDCODED-KEY
    second = jwt.encode({"sub": user}, SECRET, algorithm="HS256")
    return first, second


def issue_from_env(user, settings):
    # ok: RRA-PY-JWT-HARDCODED-KEY
    return jwt.encode({"sub": user}, settings.jwt_key, algorithm="HS256")


def fetch(url):
    # ruleid: RRA-PY-TLS-NO-VERIFY
    context = ssl._create_unverified_context()
    strict = ssl.create_default_context()
    # ruleid: RRA-PY-TLS-NO-VERIFY
    strict.check_hostname = False
    # ruleid: RRA-PY-TLS-NO-VERIFY
    strict.verify_mode = ssl.CERT_NONE
    # ruleid: RRA-PY-TLS-NO-VERIFY
    requests.get(url, verify=False, timeout=5)
    # ruleid: RRA-PY-TLS-NO-VERIFY
    client = httpx.Client(verify=False)
    # ok: RRA-PY-TLS-NO-VERIFY
    requests.get(url, verify="/etc/ssl/internal-ca.pem", timeout=5)
    # ok: RRA-PY-TLS-NO-VERIFY
    checked = ssl.create_default_context(cafile="/etc/ssl/internal-ca.pem")
    return context, client, checked


def legacy(host):
    # ruleid: RRA-PY-WEAK-TLS-VERSION
    context = ssl.SSLContext(ssl.PROTOCOL_TLSv1)
    modern = ssl.create_default_context()
    # ok: RRA-PY-WEAK-TLS-VERSION
    modern.minimum_version = ssl.TLSVersion.TLSv1_2
    return context.wrap_socket(socket.create_connection((host, 443)))
