"""The append-only audit trail of a case."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case
from cases.models.choices import State
from casework import clock


class Action(models.TextChoices):
    CREATE = "create", _("Assigned")
    START = "start", _("Accepted and started")
    SUBMIT = "submit", _("Submitted for verification")
    VERIFY = "verify", _("Passed verification")
    REJECT = "reject", _("Failed verification")
    CLOSE = "close", _("Closed out")
    REOPEN = "reopen", _("Reopened")
    REASSIGN = "reassign", _("Reassigned")
    CO_UNITS = "co_units", _("Co-operating units changed")
    STAGE_CONCLUDE = "stage_conclude", _("Concluded for this stage")
    FEEDBACK = "feedback", _("Feedback given")
    UPDATE = "update", _("Updated")
    PROGRESS = "progress", _("Progress reported")
    MILESTONE_ADD = "milestone_add", _("Milestone added")
    MILESTONE_DONE = "milestone_done", _("Milestone completed")
    EXTENSION_REQUEST = "extension_request", _("Extension requested")
    EXTENSION_APPROVE = "extension_approve", _("Extension approved")
    EXTENSION_REJECT = "extension_reject", _("Extension rejected")
    OBJECTION_RECORD = "objection_record", _("Objection recorded")
    OBJECTION_DISMISS = "objection_dismiss", _("Objection dismissed")
    FIELD_CHECK = "field_check", _("Field check filed")
    EVIDENCE_ADD = "evidence_add", _("Evidence added")
    FOLLOW_UP = "follow_up", _("Complainant followed up")
    FOLLOW_UP_DECIDE = "follow_up_decide", _("Dissatisfaction decided")
    NOTICE_PUBLISH = "notice_publish", _("Public notice dates set")
    REPEAT_LINK = "repeat_link", _("Linked as a repeat")
    REPEAT_UNLINK = "repeat_unlink", _("Unlinked from its original")
    REPEAT_FOLLOW = "repeat_follow", _("Followed its original")
    RECOMPUTE = "recompute", _("Dates recomputed on the official calendar")


def event_hash(previous: str, fields: dict[str, Any]) -> str:
    """The link of a case's hash chain: SHA-256 over the previous link and the event's content.
    Changing, removing or reordering a row breaks every link after it (``verify_audit``)."""
    content = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{content}".encode()).hexdigest()


def event_fields(row: Any) -> dict[str, Any]:
    """What the chain covers of an event (a model instance or a migration's historical one)."""

    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "case": row.case_id,
        "actor": row.actor_id,
        "at": row.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "action": row.action,
        "from": row.from_state,
        "to": row.to_state,
        "comment": row.comment,
        "deadline_before": day(row.deadline_before),
        "deadline_after": day(row.deadline_after),
        "data": row.data,
    }


class EventQuerySet(models.QuerySet["CaseEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Case events are append-only: they are never updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Case events are append-only: they are never deleted.")


class CaseEvent(models.Model):
    """One line of a case's audit trail, written in the same transaction as the change."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("at"), default=clock.now)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_state = models.CharField(_("from state"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("to state"), max_length=20, choices=State.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    deadline_before = models.DateField(_("deadline before"), null=True, blank=True)
    deadline_after = models.DateField(_("deadline after"), null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    # The case's hash chain: the previous event's hash, and this one's over it and the content.
    previous_hash = models.CharField(_("previous hash"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "created_at", "id"]
        indexes = [
            # A case's trail in order.
            models.Index(fields=["case", "created_at"], name="event_case_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Case events are append-only: they are never updated.")
        # The case row is locked by the service writing this event, so the last link is stable.
        self.previous_hash = (
            CaseEvent.objects.filter(case_id=self.case_id)
            .order_by("-id")
            .values_list("hash", flat=True)
            .first()
            or ""
        )
        self.hash = event_hash(self.previous_hash, event_fields(self))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Case events are append-only: they are never deleted.")
