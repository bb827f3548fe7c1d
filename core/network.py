"""The client's address as the application should trust it.

Without a reverse proxy (``TRUSTED_PROXY_COUNT=0``) it is the connection's peer, ``REMOTE_ADDR``: any
``X-Forwarded-For`` header is the client's own words and is ignored. Behind ``N`` trusted proxies, each of them
appends the address it received the request from to ``X-Forwarded-For``, so the client is the ``N``-th entry
from the right; whatever the client wrote itself further left is ignored. A header too short or not an address
(a misconfigured proxy) falls back to ``REMOTE_ADDR``, never to a value the client chose.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote
