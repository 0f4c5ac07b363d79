"""The ledger (台账): source streams, sources, batches and cases, and the case lifecycle.

The lifecycle is declared here once, as django-fsm-2 transitions on ``Case``; ``cases.services``
is the only code that calls them (row lock, permission, transition, save, event, side effects).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from cases import rules
from casework import clock, workdays
from casework.models import Region, ResponsibleUnit

if TYPE_CHECKING:
    from casework.models import User


class SourceStream(models.Model):
    """One of the source streams of the "1+4" mechanism. Data, so a city can define its own."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("source stream")
        verbose_name_plural = _("source streams")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.short_name or self.name


class SourceKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection round")
    LOOKBACK = "lookback", _("Look-back inspection")
    WARNING_FILM = "warning_film", _("Warning film")
    OTHER = "other", _("Other")


class Source(models.Model):
    """An inspection round, a look-back or a year's warning film, with its deadline policy."""

    stream = models.ForeignKey(
        SourceStream,
        verbose_name=_("source stream"),
        on_delete=models.PROTECT,
        related_name="sources",
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    year = models.PositiveIntegerField(_("year"), null=True, blank=True)
    report_days = models.PositiveIntegerField(
        _("days to report back"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("How many days after assignment a petition's results are due."),
    )
    report_in_working_days = models.BooleanField(
        _("count working days"),
        default=True,
        help_text=_("Count the days to report back in working days (otherwise calendar days)."),
    )
    public_notice = models.BooleanField(
        _("public notice"),
        default=True,
        help_text=_("Verified cases are publicly noticed before closure."),
    )
    notice_working_days = models.PositiveIntegerField(
        _("notice window (working days)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["stream__sort_order", "-year", "name"]

    def __str__(self) -> str:
        return self.name

    def report_deadline(self, assigned_on: dt.date) -> dt.date:
        """When results are due for a petition assigned on ``assigned_on``."""
        return workdays.add_days(assigned_on, self.report_days, working=self.report_in_working_days)

    def notice_end(self, verified_on: dt.date) -> dt.date | None:
        """The last day of the public-notice window opened on ``verified_on``, if any."""
        if not self.public_notice:
            return None
        return workdays.add_working_days(verified_on, self.notice_working_days)


class Batch(models.Model):
    """A numbered batch of petitions handed down on one day (交办批次, "第N批")."""

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="batches"
    )
    number = models.PositiveIntegerField(_("batch number"), validators=[MinValueValidator(1)])
    handed_down_on = models.DateField(_("handed down on"))

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["source", "number"]
        constraints = [
            models.UniqueConstraint(fields=["source", "number"], name="batch_unique_number"),
        ]

    def __str__(self) -> str:
        return _("%(source)s, batch %(number)s") % {"source": self.source, "number": self.number}


class PollutionType(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=20, unique=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("pollution type")
        verbose_name_plural = _("pollution types")
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name


class CaseKind(models.TextChoices):
    FINDING = "finding", _("Inspection finding")
    PETITION = "petition", _("Petition case")


class State(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    RECTIFYING = "rectifying", _("Rectifying")
    SUBMITTED = "submitted", _("Awaiting verification")
    VERIFIED = "verified", _("Verified (public notice)")
    CLOSED = "closed", _("Closed out")


# The handling counts (处理情况) on a case, in the ledger's order.
HANDLING_FIELDS = (
    "ordered_to_correct",
    "ordered_to_rectify_by_deadline",
    "production_suspended",
    "penalty_cases",
    "fines_10k_yuan",
    "sealed_or_seized",
    "closed_down",
    "criminal_cases",
    "administrative_detentions",
    "criminal_detentions",
    "people_summoned",
    "people_held_accountable",
)

# States in which the responsible unit owes work, so a passed deadline makes the case overdue.
OPEN_STATES = (State.ASSIGNED, State.RECTIFYING)


class TruthFinding(models.TextChoices):
    TRUE = "true", _("True")
    MOSTLY_TRUE = "mostly_true", _("Mostly true")
    PARTLY_TRUE = "partly_true", _("Partly true")
    FALSE = "false", _("Not true")


# Who may run each transition (cases.rules, the one module of such predicates).
_is_county_officer = rules.as_transition_permission(rules.is_officer_of)
_is_supervisor = rules.as_transition_permission(rules.is_supervisor_of)
_is_officer_or_supervisor = rules.as_transition_permission(rules.is_officer_or_supervisor_of)


def _notice_window_over(case: Case) -> bool:
    return case.notice_ends_on is None or clock.today() > case.notice_ends_on


_notice_window_over.refusal = _(  # type: ignore[attr-defined]
    "The public notice window is still open; the case can be closed after it ends."
)


def _no_pending_objection(case: Case) -> bool:
    return not case.objections.filter(status=ObjectionStatus.PENDING).exists()


_no_pending_objection.refusal = _(  # type: ignore[attr-defined]
    "An objection to this case is pending; decide it before closing the case."
)


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: User | None) -> CaseQuerySet:
        """The cases this user may see: those of the regions they may see. Every read uses this."""
        if user is not None and user.is_active and user.is_superuser:
            return self.all()
        return self.filter(region__in=Region.objects.visible_to(user))

    def open(self) -> CaseQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, today: dt.date | None = None) -> CaseQuerySet:
        return self.open().filter(deadline__lt=today or clock.today())


class Case(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """One problem on the ledger: an inspection finding or a petition case."""

    kind = models.CharField(_("kind"), max_length=10, choices=CaseKind.choices)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="cases"
    )
    batch = models.ForeignKey(
        Batch,
        verbose_name=_("batch"),
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
    )
    acceptance_number = models.CharField(
        _("acceptance number"),
        max_length=64,
        help_text=_("The acceptance number of a petition or the number of a finding, as issued."),
    )
    summary = models.TextField(_("summary of the problem reported"))
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="cases"
    )
    unit = models.ForeignKey(
        ResponsibleUnit,
        verbose_name=_("lead responsible unit"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    responsible_leader = models.CharField(_("responsible leader"), max_length=50, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    pollution_types = models.ManyToManyField(
        PollutionType, verbose_name=_("pollution types"), blank=True, related_name="cases"
    )
    is_priority = models.BooleanField(_("priority case"), default=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    assigned_on = models.DateField(_("assigned on"))
    deadline = models.DateField(_("deadline"))
    # Computed on a year whose official holidays were not known yet (casework.workdays): shown
    # as "（暂定）" and recomputed when the year is entered (cases.calendar).
    deadline_provisional = models.BooleanField(
        _("deadline provisional"), default=False, editable=False
    )
    truth_finding = models.CharField(
        _("truth finding"), max_length=20, choices=TruthFinding.choices, blank=True
    )
    investigation = models.TextField(_("investigation findings"), blank=True)
    rectification_goal = models.TextField(_("rectification goal"), blank=True)
    rectification_measures = models.TextField(_("rectification measures"), blank=True)
    rectification_account = models.TextField(_("rectification account"), blank=True)
    verification_conclusion = models.TextField(_("verification conclusion"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
    )

    # Handling counts (处理情况).
    ordered_to_correct = models.PositiveIntegerField(_("ordered to correct"), default=0)
    ordered_to_rectify_by_deadline = models.PositiveIntegerField(
        _("ordered to rectify by a deadline"), default=0
    )
    production_suspended = models.PositiveIntegerField(_("production suspended"), default=0)
    penalty_cases = models.PositiveIntegerField(_("penalty cases filed"), default=0)
    fines_10k_yuan = models.DecimalField(
        _("fines (10,000 yuan)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    sealed_or_seized = models.PositiveIntegerField(_("sealed or seized"), default=0)
    closed_down = models.PositiveIntegerField(_("closed down or banned"), default=0)
    criminal_cases = models.PositiveIntegerField(_("criminal cases opened"), default=0)
    administrative_detentions = models.PositiveIntegerField(
        _("administrative detentions"), default=0
    )
    criminal_detentions = models.PositiveIntegerField(_("criminal detentions"), default=0)
    people_summoned = models.PositiveIntegerField(_("people summoned"), default=0)
    people_held_accountable = models.PositiveIntegerField(_("people held accountable"), default=0)

    # The lifecycle. Only the transitions below change ``state``; only cases.services calls them.
    state = FSMField(
        _("state"), max_length=20, choices=State.choices, default=State.ASSIGNED, protected=True
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)
    notice_ends_on = models.DateField(
        _("public notice ends on"), null=True, blank=True, editable=False
    )
    notice_ends_provisional = models.BooleanField(
        _("notice end provisional"), default=False, editable=False
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    stage_concluded_at = models.DateTimeField(
        _("stage concluded at"), null=True, blank=True, editable=False
    )
    reopen_count = models.PositiveIntegerField(_("times reopened"), default=0, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["deadline", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "acceptance_number"], name="case_unique_number_in_source"
            ),
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("assigned_on")),
                name="case_deadline_not_before_assignment",
            ),
        ]
        indexes = [
            # Overdue lists and reminder scans: open cases by deadline.
            models.Index(
                fields=["deadline"],
                condition=models.Q(state__in=OPEN_STATES),
                name="case_open_deadline_idx",
            ),
            # Scoped lists: a county's cases by state.
            models.Index(fields=["region", "state"], name="case_region_state_idx"),
            # Offline sync: cases changed since a client's last pull.
            models.Index(fields=["updated_at"], name="case_updated_at_idx"),
        ]

    def __str__(self) -> str:
        return self.acceptance_number

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.batch_id and self.source_id and self.batch.source_id != self.source_id:
            errors["batch"] = _("The batch belongs to another source.")
        if self.deadline and self.assigned_on and self.deadline < self.assigned_on:
            errors["deadline"] = _("The deadline cannot be earlier than the date assigned.")
        if self.duplicate_of_id and self.duplicate_of_id == self.pk:
            errors["duplicate_of"] = _("A case cannot be a duplicate of itself.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_overdue(self) -> bool:
        return self.state in OPEN_STATES and self.deadline < clock.today()

    @property
    def is_reopened(self) -> bool:
        return self.reopen_count > 0

    @property
    def days_left(self) -> int:
        """Calendar days until the deadline; negative when overdue."""
        return -self.calendar_days_overdue()

    # How late a case is, written once: lists, reports, reminders and circulars ask these.
    def calendar_days_overdue(self, today: dt.date | None = None) -> int:
        """Calendar days past the deadline; negative before it."""
        return ((today or clock.today()) - self.deadline).days

    def working_days_overdue(self, today: dt.date | None = None) -> int:
        """Working days past the deadline, negative before it, by the official calendar's rule
        for rest days (casework.workdays: on a Sunday, the count of the Friday before)."""
        return workdays.working_days_between(self.deadline, today or clock.today())

    @property
    def escalation_level(self) -> int:
        """The highest rung of the reminder ladder sent for the current deadline (0: none)."""
        reminder = getattr(self, "reminder", None)  # notifications.CaseReminder, if scheduled
        return reminder.level if reminder else 0

    # --- the lifecycle -------------------------------------------------------------------------
    @transition(
        field=state,
        source=State.ASSIGNED,
        target=State.RECTIFYING,
        permission=_is_officer_or_supervisor,
    )
    def start(self) -> None:
        self.started_at = clock.now()

    @transition(
        field=state,
        source=State.RECTIFYING,
        target=State.SUBMITTED,
        permission=_is_county_officer,
    )
    def submit(self) -> None:
        self.submitted_at = clock.now()

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.VERIFIED,
        permission=_is_supervisor,
    )
    def verify(self) -> None:
        self.verified_at = clock.now()
        today = clock.today()
        self.notice_ends_on = self.source.notice_end(today)
        self.notice_ends_provisional = self.notice_ends_on is not None and (
            workdays.span_is_provisional(today, self.notice_ends_on)
        )

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.RECTIFYING,
        permission=_is_supervisor,
    )
    def reject(self) -> None:
        self.submitted_at = None

    @transition(
        field=state,
        source=State.VERIFIED,
        target=State.CLOSED,
        permission=_is_supervisor,
        conditions=[_notice_window_over, _no_pending_objection],
    )
    def close(self) -> None:
        self.closed_at = clock.now()

    @transition(
        field=state,
        source=[State.VERIFIED, State.CLOSED],
        target=State.RECTIFYING,
        permission=_is_supervisor,
    )
    def reopen(self) -> None:
        self.reopen_count += 1
        self.submitted_at = self.verified_at = self.closed_at = None
        self.notice_ends_on = None
        self.notice_ends_provisional = False
        self.stage_concluded_at = None


class Milestone(models.Model):
    """A task of a finding's rectification plan with its target date (for 序时进度)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="milestones"
    )
    sequence = models.PositiveIntegerField(_("sequence"), default=1)
    description = models.TextField(_("description"))
    target_date = models.DateField(_("target date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["case", "sequence", "target_date"]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.description[:30]}"


class ProgressReport(models.Model):
    """A dated progress report (调度) on a case."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="progress_reports"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"), default=clock.now)
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(
        _("percent complete"), validators=[MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["case", "-reported_at"]

    def __str__(self) -> str:
        return f"{self.case} {self.percent}%"


class Decision(models.Model):
    """Who decided a request or an objection, when, and why."""

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)

    class Meta:
        abstract = True


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ExtensionRequest(Decision):
    """A request to move a case's deadline (延期), made before the deadline, decided by the city."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="extension_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=clock.now)
    reason = models.TextField(_("reason"))
    current_deadline = models.DateField(_("deadline when requested"))
    requested_deadline = models.DateField(_("requested deadline"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )

    class Meta(Decision.Meta):
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="extension_one_pending_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.requested_deadline}"


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Objection(Decision):
    """An objection raised during a verified case's public notice (公示异议)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="objections"
    )
    received_on = models.DateField(_("received on"))
    content = models.TextField(_("content"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ObjectionStatus.choices,
        default=ObjectionStatus.PENDING,
    )

    class Meta(Decision.Meta):
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-received_on"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_status_display()}"


class Action(models.TextChoices):
    CREATE = "create", _("Assigned")
    START = "start", _("Accepted and started")
    SUBMIT = "submit", _("Submitted for verification")
    VERIFY = "verify", _("Passed verification")
    REJECT = "reject", _("Failed verification")
    CLOSE = "close", _("Closed out")
    REOPEN = "reopen", _("Reopened")
    REASSIGN = "reassign", _("Reassigned")
    STAGE_CONCLUDE = "stage_conclude", _("Concluded for this stage")
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
    RECOMPUTE = "recompute", _("Dates recomputed on the official calendar")


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
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Case events are append-only: they are never deleted.")


class FieldCheckResult(models.TextChoices):
    RECTIFIED = "rectified", _("Rectified")
    PARTLY = "partly", _("Partly rectified")
    NOT_RECTIFIED = "not_rectified", _("Not rectified")
    NOT_FOUND = "not_found", _("Problem not found on site")


def field_check_photo_path(photo: FieldCheckPhoto, filename: str) -> str:
    # Never the client's file name: a server-made name under the case's folder.
    return f"field_checks/{photo.field_check.case_id}/{photo.stored_name}"


class FieldCheck(models.Model):
    """A site check (现场核查) with GPS and photos, filed from a phone, often after the fact."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="field_checks"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Chosen by the client once per check; a retry with the same UUID returns the same record.
    client_uuid = models.UUIDField(_("client UUID"), unique=True)
    fingerprint = models.CharField(_("content fingerprint"), max_length=64, editable=False)
    checked_at = models.DateTimeField(_("checked at"))
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    accuracy_m = models.DecimalField(
        _("GPS accuracy (m)"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    far_from_region = models.BooleanField(
        _("far from the case's region"),
        default=False,
        help_text=_("The position lies well outside the case's county: worth a second look."),
    )
    result = models.CharField(_("result"), max_length=20, choices=FieldCheckResult.choices)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("received at"), default=clock.now)

    class Meta:
        verbose_name = _("field check")
        verbose_name_plural = _("field checks")
        ordering = ["case", "-checked_at"]

    def __str__(self) -> str:
        return f"{self.case} {self.checked_at:%Y-%m-%d}"


class FieldCheckPhoto(models.Model):
    field_check = models.ForeignKey(
        FieldCheck, verbose_name=_("field check"), on_delete=models.CASCADE, related_name="photos"
    )
    stored_name = models.CharField(_("stored name"), max_length=80, editable=False)
    image = models.FileField(_("photo"), upload_to=field_check_photo_path, max_length=200)
    content_type = models.CharField(_("content type"), max_length=30)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("field check photo")
        verbose_name_plural = _("field check photos")
        ordering = ["field_check", "id"]

    def __str__(self) -> str:
        return self.stored_name


class RecomputationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    APPLIED = "applied", _("New date applied")
    KEPT = "kept", _("Earlier date kept")


class DateRecomputation(models.Model):
    """A date computed on a provisional year that the official year would move *earlier*.

    Moving a deadline or a notice window earlier can make a case late or cut an objection window
    short, so it is never done silently: supervisors confirm each one (cases.calendar).
    """

    FIELDS = {"deadline": _("deadline"), "notice_ends_on": _("public notice ends on")}

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="recomputations"
    )
    field = models.CharField(_("date"), max_length=20, choices=[(k, v) for k, v in FIELDS.items()])
    current_date = models.DateField(_("current date"))
    official_date = models.DateField(_("date on the official calendar"))
    calendar_year = models.PositiveIntegerField(_("calendar year"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RecomputationStatus.choices,
        default=RecomputationStatus.PENDING,
    )
    created_at = models.DateTimeField(_("found at"), default=clock.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("date moved earlier by the official calendar")
        verbose_name_plural = _("dates moved earlier by the official calendar")
        ordering = ["status", "current_date", "pk"]
        constraints = [
            # One open question per date of a case: entering a year twice does not ask twice.
            models.UniqueConstraint(
                fields=["case", "field"],
                condition=models.Q(status="pending"),
                name="recomputation_one_pending_per_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.current_date} → {self.official_date}"
