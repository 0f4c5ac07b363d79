"""`make bench`'s web processes: production settings, plus the hand-written floor view the HTTP
benchmark compares the case list with (``config.bench_urls``). Never deployed."""

from __future__ import annotations

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "config.bench_urls"
SECURE_SSL_REDIRECT = False
