"""System checks for mistakes that break the project silently."""

from __future__ import annotations

from importlib import metadata

from django.core import checks


@checks.register(checks.Tags.compatibility)
def archived_django_fsm_not_installed(**kwargs: object) -> list[checks.CheckMessage]:
    """django-fsm and django-fsm-2 share one folder; the archived one must not be installed."""
    try:
        metadata.distribution("django-fsm")
    except metadata.PackageNotFoundError:
        pass
    else:
        return [
            checks.Error(
                "The archived package 'django-fsm' is installed; it shares its folder with "
                "'django-fsm-2' and shadows it.",
                hint="pip uninstall django-fsm django-fsm-2 && pip install -r requirements.txt",
                id="casework.E001",
            )
        ]
    try:
        metadata.distribution("django-fsm-2")
    except metadata.PackageNotFoundError:
        return [
            checks.Error(
                "'django-fsm-2' is not installed.",
                hint="pip install -r requirements.txt",
                id="casework.E002",
            )
        ]
    return []
