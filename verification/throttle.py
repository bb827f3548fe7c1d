"""The public check page's rate limit: a fixed window per client address, counted in Django's cache (the
same address resolution as the sign-in lockout, so ``TRUSTED_PROXY_COUNT`` applies)."""

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache


def _key(request) -> str:
    return f"verification:checks:{get_client_ip_address(request) or 'unknown'}"


def allow(request) -> bool:
    """Count one check for the client's address; False once it made more than the limit in the window."""
    key = _key(request)
    window = settings.VERIFICATION_RATE_WINDOW_MINUTES * 60
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= settings.VERIFICATION_RATE_LIMIT
