from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Organisation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casework import (
            checks,  # noqa: F401  (registers the system checks)
            receivers,  # noqa: F401  (connects the signal receivers)
            workdays,
        )
        from casework.models import CalendarYear

        workdays.entered_years_loader = lambda: {
            row.year: row.as_calendar() for row in CalendarYear.objects.all()
        }
