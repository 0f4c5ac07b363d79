from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Site glue, the top floor below ``config``: the admin site, /healthz, reference and demo
    data, benchmarks. It may import every app; none imports it."""

    default = True  # this module also holds the admin's config below
    name = "ops"
    verbose_name = _("Operations")
    default_auto_field = "django.db.models.BigAutoField"


class CaseworkAdminConfig(admin_apps.AdminConfig):
    """The admin, with the project's site: Chinese titles and a "today" summary on the index."""

    default = False
    default_site = "ops.admin_site.CaseworkAdminSite"
