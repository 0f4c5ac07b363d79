"""Production settings: refuse to start with an insecure configuration."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import ALLOWED_HOSTS, DATABASES, SECRET_KEY, env

DEBUG = env.bool("DJANGO_DEBUG", default=False)

_INSECURE_KEY_MARKERS = ("not-secret", "change-me", "changeme", "insecure", "django-insecure")
if (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 20  # 'abcde' fifty times is not random
    or any(marker in SECRET_KEY.lower() for marker in _INSECURE_KEY_MARKERS)
):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters in production "
        "(生产环境必须设置至少 50 个字符的随机 DJANGO_SECRET_KEY)."
    )
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must list this site's host names in production, without '*' "
        "(生产环境必须在 DJANGO_ALLOWED_HOSTS 中列出站点域名，且不能为 '*')."
    )
if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production (生产环境不能开启 DEBUG).")

# Each web thread and worker thread keeps its database connection between requests (checked
# before reuse): opening one per request cost ~6 ms, half of a case list page's time (the HTTP
# benchmark: 80 -> 157 requests/s). DJANGO_CONN_MAX_AGE=0 opens one per request again (behind a
# pooler such as PgBouncer).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # Preloading is the domain owner's one-way decision (the browsers' list is hard to leave);
    # off unless asked for, so `check --deploy` is not told to warn about it.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
