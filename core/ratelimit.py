"""A fixed-window counter in the cache: enough to stop a flood or a guessing
script, with no extra service (Redis in production, local memory elsewhere)."""

from django.conf import settings
from django.core.cache import cache


def rate_limit_exceeded(*, key: str, limit: int, window_seconds: int) -> bool:
    """Count one more event for `key`; True once more than `limit` fall in the window."""
    cache_key = f"ratelimit:{key}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return False
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=window_seconds)
        return False
    return count > limit


def client_address(request) -> str:
    """The visitor's address. Behind the production proxy, the proxy's header is trusted
    only when TRUSTED_PROXY_HEADER names it (see docs/deploy.md)."""
    header = getattr(settings, "TRUSTED_PROXY_HEADER", "")
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")
