#!/usr/bin/env python3
"""Drive a running production server (scripts/serve.sh) as a newcomer would, over HTTP:

  /healthz answers 200 without signing in; the administrator's one-time link (printed by
  setup_site) sets a password, the authenticator is enrolled from the key on the page, the
  home page opens; then sign out, sign in again with the password and a fresh code. Every
  response carries the production headers (HSTS, Secure cookies).

    python scripts/ci_serve_check.py BASE_URL ONE_TIME_LINK

Standard library only. The server sits behind no TLS proxy here, so each request says
``X-Forwarded-Proto: https`` as the reverse proxy would; cookies are kept by hand because
they are Secure (a cookie jar would not send them over http://)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie

PASSWORD = "ci-long-password-for-serve-check-2013"  # noqa: S105 - a throwaway CI account


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        url = path if path.startswith("http") else self.base + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, method="POST" if data is not None else "GET")  # noqa: S310 - http(s) only
        req.add_header("X-Forwarded-Proto", "https")
        if data is not None:
            req.add_header("Referer", "https://" + urllib.parse.urlsplit(self.base).netloc + "/")
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            resp = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as exc:
            resp = exc
        headers = {k.lower(): v for k, v in resp.headers.items()}
        for raw in resp.headers.get_all("Set-Cookie") or []:
            c = SimpleCookie()
            c.load(raw)
            for k, morsel in c.items():
                if morsel["max-age"] == "0":  # a deletion
                    self.cookies.pop(k, None)
                    continue
                assert "Secure" in raw, f"cookie without Secure: {raw}"
                self.cookies[k] = morsel.value
        return resp.status, headers, resp.read().decode("utf-8", "replace")

    def form(self, path: str, fields: dict[str, str]) -> tuple[int, dict[str, str], str]:
        status, _, html = self.request(path)
        assert status == 200, f"GET {path}: {status}"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token, f"no CSRF token on {path}"
        return self.request(path, {"csrfmiddlewaretoken": token.group(1), **fields})


def totp(secret_b32: str, at: float | None = None) -> str:
    key = base64.b32decode(secret_b32.replace(" ", "") + "=" * (-len(secret_b32.replace(" ", "")) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def fresh_code(secret: str, used: set[str]) -> str:
    """A code not used before (django-otp refuses a code twice): wait for the next period."""
    while (code := totp(secret)) in used:
        time.sleep(1)
    used.add(code)
    return code


def main(base: str, link: str) -> None:
    b = Browser(base)
    status, headers, body = b.request("/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok", (status, body)
    print("healthz: 200", body)

    path = urllib.parse.urlsplit(link).path
    status, headers, _ = b.form(path, {"password": PASSWORD, "confirm": PASSWORD})
    assert status == 302 and headers["location"].startswith("/account/two-factor/set-up/"), (status, headers)
    assert "max-age=31536000" in headers.get("strict-transport-security", ""), headers
    status, _, html = b.request("/account/two-factor/set-up/")
    secret = re.search(r'id="otp-key">([A-Z2-7 ]+)<', html)
    assert status == 200 and secret, "no authenticator key on the set-up page"
    used: set[str] = set()
    status, headers, _ = b.form("/account/two-factor/set-up/", {"code": fresh_code(secret.group(1), used)})
    assert status == 302, f"enrolment refused: {status}"
    status, _, html = b.request("/")
    assert status == 200 and "Sign out" in html, f"home page after enrolment: {status}"
    print("one-time link -> password -> authenticator enrolled -> home page: ok")

    b.form("/account/sign-out/", {})
    b.cookies.clear()
    status, headers, _ = b.form(
        "/account/sign-in/", {"username": sys.argv[3] if len(sys.argv) > 3 else "ci-admin", "password": PASSWORD}
    )
    assert status == 302 and headers["location"].startswith("/account/two-factor/"), (status, headers)
    status, headers, _ = b.form("/account/two-factor/", {"code": fresh_code(secret.group(1), used)})
    assert status == 302, f"code refused: {status}"
    status, _, html = b.request("/account/users/")
    assert status == 200 and "ci-admin" in html, f"users page: {status}"
    print("sign out, sign in with password and code, users page: ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
