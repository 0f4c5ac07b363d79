from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from casework.views import healthz

admin.site.site_header = _("Casework: inspection rectification and petition cases")
admin.site.site_title = _("Casework")
admin.site.index_title = _("Ledger administration")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
