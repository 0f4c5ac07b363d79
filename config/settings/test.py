"""Settings for the test suite: the same as production in behaviour, fast where speed is free."""

from __future__ import annotations

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run Celery tasks in-process unless a test starts a real worker against a real broker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# One cache per test process, emptied before each test (tests/conftest.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A worker started in its own process by a fault test reaches the test's local robot.
CASEWORK_WEBHOOK_REQUIRE_HTTPS = env.bool("CASEWORK_WEBHOOK_REQUIRE_HTTPS", default=True)
CASEWORK_WEBHOOK_ALLOW_PRIVATE = env.bool("CASEWORK_WEBHOOK_ALLOW_PRIVATE", default=False)
