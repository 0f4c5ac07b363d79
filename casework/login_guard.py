"""Limits on guessing passwords, for the API and the admin alike.

Failures are counted per account and per client address in the shared cache (Redis when
configured), not all logins per address: an office of officers behind one NAT address keeps
logging in while one of them mistypes, and a guesser is stopped whichever header it forges. The
client address is the connection's, unless ``CASEWORK_TRUSTED_PROXIES`` says how many proxies of
ours stand in front (then the address they appended to X-Forwarded-For).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from casework.errors import ApplicationError
from casework.models import User


class TooManyFailures(ApplicationError):
    http_status = 429
    code = "too_many_failures"


def client_address(request: HttpRequest) -> str:
    proxies = getattr(settings, "CASEWORK_TRUSTED_PROXIES", 0)
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(request: HttpRequest, username: str) -> tuple[str, str]:
    account = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:account:{account}", f"login-fail:address:{client_address(request)}"


def _refuse_if_locked(account_key: str, address_key: str) -> None:
    if (cache.get(account_key) or 0) >= settings.CASEWORK_LOGIN_FAILURES_PER_ACCOUNT or (
        cache.get(address_key) or 0
    ) >= settings.CASEWORK_LOGIN_FAILURES_PER_ADDRESS:
        minutes = settings.CASEWORK_LOGIN_LOCK_SECONDS // 60
        raise TooManyFailures(
            _("Too many wrong passwords. Try again in %(minutes)s minutes.") % {"minutes": minutes}
        )


def count_attempt(key: str, timeout: int) -> None:
    """Add one to a count kept in the cache for ``timeout`` seconds (login failures, public
    objections), safely when several processes count at once."""
    if not cache.add(key, 1, timeout):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout)


def login_authenticate(request: HttpRequest, *, username: str, password: str) -> User | None:
    """``authenticate`` behind the limits: raises ``TooManyFailures`` once the account or the
    address has failed too often (checked before the password, so a lock cannot be probed)."""
    account_key, address_key = _keys(request, username)
    _refuse_if_locked(account_key, address_key)
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        count_attempt(account_key, settings.CASEWORK_LOGIN_LOCK_SECONDS)
        count_attempt(address_key, settings.CASEWORK_LOGIN_LOCK_SECONDS)
        return None
    cache.delete(account_key)  # a success clears the account's count, not the address's
    return user
