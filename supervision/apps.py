from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """The city office's reading of the ledger: reports, their API, the dashboard, exports.

    Above the ledger (``cases``) and the reminders (``notifications``): it reads both, neither
    imports it.
    """

    name = "supervision"
    verbose_name = _("Supervision reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from supervision import receivers  # noqa: F401  (connects the signal receivers)
