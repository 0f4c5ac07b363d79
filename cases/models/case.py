"""The ledger (台账): source streams, sources, batches and cases, and the case lifecycle.

The lifecycle is declared here once, as django-fsm-2 transitions on ``Case``; ``cases.services``
is the only code that calls them (row lock, permission, transition, save, event, side effects).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from cases import rules
from cases.models.choices import (
    FEEDBACK_PENDING,
    OPEN_STATES,
    CaseKind,
    Channel,
    EvidenceKind,
    FeedbackOutcome,
    ObjectionStatus,
    State,
    Step,
    TruthFinding,
)
from casework import clock, workdays
from casework.choices import choice_label
from casework.models import VISIBLE_REGIONS, Region, ResponsibleUnit

if TYPE_CHECKING:
    from casework.models import User

from cases.models.sources import Batch, PollutionType, Source

# Who may run each transition (cases.rules, the one module of such predicates).
_is_county_officer = rules.as_transition_permission(rules.is_officer_of)
_is_supervisor = rules.as_transition_permission(rules.is_supervisor_of)
_is_officer_or_supervisor = rules.as_transition_permission(rules.is_officer_or_supervisor_of)


def _notice_window_over(case: Case) -> bool:
    return case.notice_ends_on is None or clock.today() > case.notice_ends_on


_notice_window_over.refusal = _(  # type: ignore[attr-defined]
    "The public notice window is still open; the case can be closed after it ends."
)


def _not_a_repeat(case: Case) -> bool:
    return case.duplicate_of_id is None


_not_a_repeat.refusal = _(  # type: ignore[attr-defined]
    "A repeat follows its original; work on the original instead."
)


def _no_dissatisfaction_undecided(case: Case) -> bool:
    return not case.follow_ups.filter(result="unsatisfied", decision="").exists()


_no_dissatisfaction_undecided.refusal = _(  # type: ignore[attr-defined]
    "The complainant was not satisfied at the follow-up; a supervisor decides first: send the "
    "case back, or allow closure with a reason."
)


def _followed_up(case: Case) -> bool:
    return (
        not (case.kind == CaseKind.PETITION and case.source.followup_required)
        or case.follow_ups.exists()
    )


_followed_up.refusal = _(  # type: ignore[attr-defined]
    "A petition is followed up with the complainant (回访) before it is closed out."
)


def _no_pending_objection(case: Case) -> bool:
    return not case.objections.filter(status=ObjectionStatus.PENDING).exists()


_no_pending_objection.refusal = _(  # type: ignore[attr-defined]
    "An objection to this case is pending; decide it before closing the case."
)


def _evidence_for(stage: str) -> Any:
    def condition(case: Case) -> bool:
        return not case.evidence_missing(stage)

    def refusal(case: Case) -> str:
        names = "、".join(str(label) for label in case.evidence_missing(stage))
        message = (
            _("Before applying for verification, add to the evidence file: %(names)s.")
            if stage == "submit"
            else _("Before closing out, add to the evidence file: %(names)s.")
        )
        return message % {"names": names}

    condition.__name__ = f"evidence_for_{stage}"
    condition.refusal = refusal  # type: ignore[attr-defined]
    return condition


_evidence_for_submit = _evidence_for("submit")
_evidence_for_close = _evidence_for("close")


class Visible(models.Expression):
    """Whether the case in the row may be seen by the user ``user_id``: its region is one they
    may see (``casework.models.VISIBLE_REGIONS``), or one of its co-operating units' (配合单位)
    is. A condition written as SQL once, with the case's columns resolved where it is used (a
    subquery's aliases too): building it from ORM expressions cost ~2 ms of every list page.

    The region is an index condition: ``= ANY(ARRAY(…))`` evaluates its subquery once, where
    ``IN (…)`` under an OR is planned as a hashed filter over the whole table (an officer's
    first page at 136,000 cases: 64 ms with IN, 22 ms with this). The co-operated cases are a
    hashed IN, one probe per row: lists walk case_urgency_idx and test each row, and an array
    of a county's co-operated cases (1,539 at a million) searched row by row made the
    changelist's count take a second (1,057 ms → 46 ms; page 1 15 → 7 ms; the overdue list
    169 → 56 ms; whole-scope counts 140 → 190 ms, the price)."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, user_id: int) -> None:
        super().__init__()
        self.user_id = user_id
        # The case's columns, resolved where the condition is used (Expression's own
        # resolve_expression resolves the source expressions).
        self.region, self.case = models.F("region_id"), models.F("pk")

    def get_source_expressions(self) -> list[Any]:
        return [self.region, self.case]

    def set_source_expressions(self, expressions: list[Any]) -> None:
        self.region, self.case = expressions

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        region, _ = compiler.compile(self.region)
        case, _ = compiler.compile(self.case)
        if connection.vendor == "postgresql":
            mine = f"{region} = ANY(ARRAY({VISIBLE_REGIONS}))"
        else:
            mine = f"{region} IN ({VISIBLE_REGIONS})"
        return f"({mine} OR {case} IN ({_co_operated()}))", [self.user_id, self.user_id]


@cache
def _co_operated() -> str:
    """The cases a unit in one of the regions a user may see co-operates on."""
    through = Case.co_units.through._meta
    case = next(f for f in through.concrete_fields if f.related_model is Case)
    unit = next(f for f in through.concrete_fields if f.related_model is ResponsibleUnit)
    return (
        f'SELECT x."{case.column}" FROM "{through.db_table}" x '
        f'JOIN "{ResponsibleUnit._meta.db_table}" xu ON xu."id" = x."{unit.column}" '
        f'WHERE xu."region_id" IN ({VISIBLE_REGIONS})'
    )


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: User | None) -> CaseQuerySet:
        """The cases this user may see: those of the regions they may see, and those a unit of
        theirs co-operates on (配合单位). Every read uses this."""
        if user is not None and user.is_active and user.is_superuser:
            return self.all()
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(Visible(user.pk))

    def in_public_notice(self, today: dt.date | None = None) -> CaseQuerySet:
        """The cases anyone may read on the public notice page: verified, in their window. The
        only read of cases without a user; the page shows only what the notice prints."""
        today = today or clock.today()
        return self.filter(
            state=State.VERIFIED, notice_starts_on__lte=today, notice_ends_on__gte=today
        )

    def open(self) -> CaseQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def owing_progress(self) -> CaseQuerySet:
        """The cases that owe the city a monthly progress report (月度调度): open findings, and
        petitions concluded for this stage (阶段性办结) still being rectified. A repeat follows
        its original and owes nothing of its own."""
        return self.filter(
            state__in=[State.ASSIGNED, State.RECTIFYING], duplicate_of__isnull=True
        ).filter(
            models.Q(kind=CaseKind.FINDING)
            | models.Q(kind=CaseKind.PETITION, feedback_outcome=FeedbackOutcome.STAGE)
        )

    def overdue(self, today: dt.date | None = None) -> CaseQuerySet:
        """Open cases past their deadline; a repeat is not chased apart from its original."""
        return self.open().filter(deadline__lt=today or clock.today(), duplicate_of__isnull=True)


def urgency() -> models.Case:
    """Work owed by the unit (assigned, rectifying) first, then what waits for the city
    (submitted, then verified), then what is closed. An expression, not an annotation, so that
    any queryset of cases can be ordered by it (the admin's related-case dropdowns too), and the
    index ``case_urgency_idx`` is built on exactly this expression."""
    return models.Case(
        models.When(state__in=[State.ASSIGNED, State.RECTIFYING], then=models.Value(0)),
        models.When(state=State.SUBMITTED, then=models.Value(1)),
        models.When(state=State.VERIFIED, then=models.Value(2)),
        default=models.Value(3),
        output_field=models.IntegerField(),
    )


# The one order of case lists, most urgent first: the admin, the API and exports.
URGENT_FIRST = (urgency().asc(), "deadline", "id")


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
    co_units = models.ManyToManyField(
        ResponsibleUnit,
        verbose_name=_("co-operating units"),
        blank=True,
        related_name="co_cases",
        help_text=_(
            "Units that work on the case beside the lead unit (配合单位): their officers see "
            "the case and may report progress; the lead unit answers for it."
        ),
    )
    responsible_leader = models.CharField(_("responsible leader"), max_length=50, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    # The complainant (信访人), for the follow-up: shown only to the lead county's officers and
    # supervisors (cases.rules.may_see_complainant), masked everywhere else.
    complainant_name = models.CharField(_("complainant"), max_length=50, blank=True)
    complainant_phone = models.CharField(_("complainant's phone"), max_length=30, blank=True)
    pollution_types = models.ManyToManyField(
        PollutionType, verbose_name=_("pollution types"), blank=True, related_name="cases"
    )
    is_priority = models.BooleanField(_("priority case"), default=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
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
    # The deadline of the step that is current (``step``): reminders, overdue lists, escalation
    # and circulars chase this one date. The two steps' own dates are kept beside it.
    deadline = models.DateField(_("deadline"))
    feedback_deadline = models.DateField(
        _("feedback deadline"), null=True, blank=True, editable=False
    )
    feedback_outcome = models.CharField(
        _("feedback outcome"),
        max_length=20,
        choices=FeedbackOutcome.choices,
        blank=True,
        editable=False,
    )
    fed_back_at = models.DateTimeField(_("fed back at"), null=True, blank=True, editable=False)
    rectification_deadline = models.DateField(
        _("rectification deadline"), null=True, blank=True, editable=False
    )
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
    accountability_account = models.TextField(_("accountability of those responsible"), blank=True)
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
    notice_starts_on = models.DateField(
        _("public notice starts on"), null=True, blank=True, editable=False
    )
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
            # Overdue lists and reminder scans: open cases by deadline. Carrying the scope's
            # columns and the repeat's link, counting an officer's overdue cases (the admin's
            # capped count) reads the index alone, not each open case's row to learn its county
            # (1,000,000 cases: 237 → 25 ms; the changelist ?overdue=yes 300 → 150 ms).
            models.Index(
                fields=["deadline"],
                include=["region", "duplicate_of", "id"],
                condition=models.Q(state__in=OPEN_STATES),
                name="case_open_deadline_idx",
            ),
            # The one order of every case list (URGENT_FIRST): page 1 and a cursor's next page
            # read 50 rows off this index instead of sorting the ledger (365 ms → ~1 ms on
            # 100,000 cases for a supervisor's list; an officer's list walks it filtered).
            models.Index(urgency(), models.F("deadline"), models.F("id"), name="case_urgency_idx"),
            # Scoped lists: a county's cases by state.
            models.Index(fields=["region", "state"], name="case_region_state_idx"),
            # Offline sync: cases changed since a client's last pull.
            models.Index(fields=["updated_at"], name="case_updated_at_idx"),
        ]

    def __str__(self) -> str:
        return self.acceptance_number

    @property
    def state_fields(self) -> tuple[models.Field, ...]:
        """The lifecycle's field, for django-fsm's check that the state has not moved since the
        case was read (a 409). django-fsm finds it by testing all sixty fields on every
        instance built (~20 µs each: 20 ms of a 1,000-row list)."""
        return _STATE_FIELDS

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.batch_id and self.source_id and self.batch.source_id != self.source_id:
            errors["batch"] = _("The batch belongs to another source.")
        if self.deadline and self.assigned_on and self.deadline < self.assigned_on:
            errors["deadline"] = _("The deadline cannot be earlier than the date assigned.")
        if self.duplicate_of_id and self.duplicate_of_id == self.pk:
            errors["duplicate_of"] = _("A case cannot be a duplicate of itself.")
        if self.unit_id and self.region_id and not self.unit.may_lead_in(self.region):
            errors["unit"] = _(
                "The lead unit must belong to the case's region or the city above it."
            )
        if errors:
            raise ValidationError(errors)

    def co_unit_regions(self) -> list[Region]:
        """The regions of the co-operating units (配合单位), in one query."""
        if self.pk is None:
            return []
        return list(Region.objects.filter(units__co_cases=self))

    @property
    def is_overdue(self) -> bool:
        return (
            self.state in OPEN_STATES
            and self.deadline < clock.today()
            and self.duplicate_of_id is None
        )

    @property
    def state_label(self) -> str:
        """``get_state_display()``, read once per language (``casework.choices``)."""
        return choice_label(Case, "state", self.state)

    @property
    def kind_label(self) -> str:
        """``get_kind_display()``, read once per language (``casework.choices``): the messages
        say it, and the morning's reminders are thousands of messages."""
        return choice_label(Case, "kind", self.kind)

    @property
    def step(self) -> str | None:
        """The step the current deadline chases, while the unit owes work (else None)."""
        if self.state not in OPEN_STATES:
            return None
        if self.kind == CaseKind.PETITION and self.feedback_outcome in FEEDBACK_PENDING:
            return Step.FEEDBACK
        return Step.RECTIFICATION

    def step_deadline_sync(self) -> None:
        """After ``deadline`` moved (set, extended, corrected, recounted): keep the current
        step's own date with it. A feedback promised "still in progress" moves neither: the
        official feedback deadline stays what lateness is judged by."""
        if self.kind == CaseKind.PETITION and self.feedback_outcome == "":
            self.feedback_deadline = self.deadline
        elif self.kind == CaseKind.FINDING or self.feedback_outcome != FeedbackOutcome.IN_PROGRESS:
            self.rectification_deadline = self.deadline

    def evidence_missing(self, stage: str) -> list[Any]:
        """The labels of the kinds of material the source's checklist asks for before this
        stage ("submit": applying for verification; "close": closing out) that are not on
        file since the case was last reopened. A petition found untrue needs no rectification
        evidence: its investigation is the evidence."""
        required = self.source.evidence_required(stage)
        if stage == "submit" and self.truth_finding == TruthFinding.FALSE:
            required = []
        if not required:
            return []
        since = None
        if self.reopen_count:
            last = self.events.filter(action="reopen").order_by("-id").first()
            since = last.created_at if last is not None else None
        # Read from the rows (prefetched on the API's detail): the buttons ask this per stage.
        have = {a.kind for a in self.attachments.all() if since is None or a.uploaded_at >= since}
        return [EvidenceKind(kind).label for kind in required if kind not in have]

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
        conditions=[_not_a_repeat],
    )
    def start(self) -> None:
        self.started_at = clock.now()

    @transition(
        field=state,
        source=State.RECTIFYING,
        target=State.SUBMITTED,
        permission=_is_county_officer,
        conditions=[_not_a_repeat, _evidence_for_submit],
    )
    def submit(self) -> None:
        self.submitted_at = clock.now()
        if self.kind == CaseKind.PETITION and self.feedback_outcome in FEEDBACK_PENDING:
            # Submitted for verification with its investigation and handling written: that is
            # the petition's feedback 办结.
            self.feedback_outcome = FeedbackOutcome.CONCLUDED
            self.fed_back_at = self.submitted_at

    @transition(
        field=state,
        source=[State.ASSIGNED, State.RECTIFYING],
        target=State.SUBMITTED,
        permission=_is_officer_or_supervisor,
        conditions=[_not_a_repeat, _evidence_for_submit],
    )
    def conclude(self) -> None:
        """Feedback 办结: the petition is handled and goes to verification (run by
        ``cases.services.case_feedback`` only, which records the outcome)."""
        self.submitted_at = clock.now()

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.VERIFIED,
        permission=_is_supervisor,
        conditions=[_not_a_repeat],
    )
    def verify(self) -> None:
        self.verified_at = clock.now()
        today = clock.today()
        self.notice_starts_on = today if self.source.public_notice else None
        self.notice_ends_on = self.source.notice_end(today)
        self.notice_ends_provisional = self.notice_ends_on is not None and (
            workdays.span_is_provisional(today, self.notice_ends_on)
        )

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.RECTIFYING,
        permission=_is_supervisor,
        conditions=[_not_a_repeat],
    )
    def reject(self) -> None:
        self.submitted_at = None

    @transition(
        field=state,
        source=State.VERIFIED,
        target=State.CLOSED,
        permission=_is_supervisor,
        conditions=[
            _not_a_repeat,
            _notice_window_over,
            _no_pending_objection,
            _followed_up,
            _no_dissatisfaction_undecided,
            _evidence_for_close,
        ],
    )
    def close(self) -> None:
        self.closed_at = clock.now()

    @transition(
        field=state,
        source=[State.VERIFIED, State.CLOSED],
        target=State.RECTIFYING,
        permission=_is_supervisor,
        conditions=[_not_a_repeat],
    )
    def reopen(self) -> None:
        self.reopen_count += 1
        self.submitted_at = self.verified_at = self.closed_at = None
        self.notice_starts_on = self.notice_ends_on = None
        self.notice_ends_provisional = False
        self.stage_concluded_at = None


_STATE_FIELDS = (Case._meta.get_field("state"),)
