"""Who is asking: the client address used for sign-in throttling.

REMOTE_ADDR is the address of whoever opened the TCP connection. X-Forwarded-For is
written by the client and therefore trusted only when the deployment says how many
reverse proxies it runs (CASEASSESS_PROXY_COUNT): the address the outermost trusted
proxy saw is then the Nth entry from the right. A spoofed header can never yield a
fresh address for a direct client, so it cannot reset the failure count."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(ip: str) -> str | None:
    try:
        return str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = int(getattr(settings, "CASEASSESS_PROXY_COUNT", 0) or 0)
    if count > 0:
        hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= count:
            ip = _valid(hops[-count])
            if ip:
                return ip
    return _valid(remote) or remote
