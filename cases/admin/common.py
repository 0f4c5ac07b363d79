"""What the ledger's admin pages share: field groups, putting a service's refusal on a form,
links to the action pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html

from cases.models import Case
from cases.selectors import count_up_to
from casework.errors import ApplicationError, InvalidInput

# Set by the lifecycle only; shown, never edited.
LIFECYCLE_FIELDS = (
    "state",
    "started_at",
    "submitted_at",
    "verified_at",
    "notice_ends_on",
    "closed_at",
    "stage_concluded_at",
    "feedback_deadline",
    "feedback_outcome",
    "fed_back_at",
    "rectification_deadline",
    "reopen_count",
    "created_at",
    "updated_at",
)
FORM_ONLY_FIELDS = ("expected_version", "change_comment")


def apply_service_error(form: forms.Form, error: ApplicationError) -> None:
    """Put a service's refusal on the form: by field where the form has it, else on top."""
    if isinstance(error, InvalidInput):
        for name, msgs in error.field_errors.items():
            if name in form.fields:
                for message in msgs:
                    form.add_error(name, message)
                continue
            # Not on this form: say which field on top of it.
            try:
                label = f"{Case._meta.get_field(name).verbose_name}："
            except FieldDoesNotExist:
                label = ""
            for message in msgs:
                form.add_error(None, f"{label}{message}")
    else:
        form.add_error(None, error.message)


class ServiceRefused(Exception):
    """Raised out of the admin's atomic save so that it rolls back; carries the posted form and
    inline formsets, the refusal already on them, for the page to show again."""

    def __init__(self, form: forms.Form, formsets: list[Any]) -> None:
        super().__init__(form, formsets)
        self.form = form
        self.formsets = formsets


def action_link(row: Any, action: str, key: str, label: str) -> str:
    """A link to the case's action page for one row (a request, an objection, a milestone)."""
    url = reverse("admin:cases_case_act", args=[row.case_id, action])
    return format_html('<a href="{}?{}={}">{}</a>', url, key, row.pk, label)


class CappedPaginator(Paginator):
    """Counts up to ``CAP`` rows and no further: on a ledger of a million cases a full COUNT(*)
    on every list page costs more than the page (the list says "more than 10,000" and the
    filters narrow it). The pages beyond the cap are not offered."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        counted = count_up_to(self.object_list, self.CAP)
        self.capped = counted > self.CAP
        return min(counted, self.CAP)

    capped = False
