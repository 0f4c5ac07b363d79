from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """Bringing cases in from spreadsheets: a day's 交办 batch, or an earlier round's ledger."""

    name = "intake"
    verbose_name = _("Imports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from intake import receivers  # noqa: F401  (connects the signal receivers)
