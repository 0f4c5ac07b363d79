"""Where a case stands (today from its fields, or as of a date from its events) and the closure
rates under each definition, each with its formula in Chinese."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    DateField,
    F,
    FilteredRelation,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import (
    OPEN_STATES,
    Case,
    FeedbackOutcome,
    State,
)
from casework import clock
from casework.models import User


# Where a case stands, read either from its fields (today) or from its events (as of a date,
# ``as_of``): the definitions below are written once over these names.
@dataclass(frozen=True)
class Standing:
    state: str
    outcome: str
    stage: Q
    reopened: Q
    deadline: str


TODAY = Standing(
    "state",
    "feedback_outcome",
    Q(stage_concluded_at__isnull=False),
    Q(reopen_count__gt=0),
    "deadline",
)
THEN = Standing(
    "state_then", "outcome_then", Q(stage_then=True), Q(reopened_then=True), "deadline_then"
)


# A repeat (重复件) is counted once, with its original; how many there are is said beside.
ORIGINAL = Q(duplicate_of__isnull=True)


def concluded(at: Standing = TODAY) -> Q:
    """办结: fed back as concluded (and not sent back since), or verified or closed out."""
    return Q(**{at.outcome: FeedbackOutcome.CONCLUDED, at.state: State.SUBMITTED}) | Q(
        **{f"{at.state}__in": [State.VERIFIED, State.CLOSED]}
    )


def stage_only(at: Standing = TODAY) -> Q:
    return at.stage & ~concluded(at)


def closed_out(at: Standing = TODAY) -> Q:
    return Q(**{at.state: State.CLOSED})


def overdue_at(at: Standing, day: dt.date) -> Q:
    """Open and past the deadline (the deadline it had then) at the end of ``day``; a repeat is
    not chased apart from its original (``Case.objects.overdue``, written over a standing)."""
    return Q(**{f"{at.state}__in": OPEN_STATES, f"{at.deadline}__lt": day}) & ORIGINAL


CONCLUDED = concluded()


def as_of_refusal(day: dt.date) -> str:
    """Why figures cannot be given as of ``day`` (empty when they can): the API's and the
    dashboard's one rule."""
    if day > clock.today():
        return str(_("Figures cannot be given as of a day still to come."))
    return ""


def day_end(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` in Ji'an."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def as_of(cases: QuerySet[Case], day: dt.date) -> QuerySet[Case]:
    """The cases as they stood at the end of ``day`` (Asia/Shanghai): those assigned by then,
    each with the state, feedback outcome, stage conclusion, reopening and deadline its events
    record by then (``state_then``…), so that imported history counts at its real dates. Read
    from the standings derived from the events (``CaseStanding``: one join on the row covering
    that moment). A case entered later than it was assigned stood assigned, with its own
    deadline, until its first event."""
    end = day_end(day)
    covering = Q(standings__since__lt=end) & (
        Q(standings__until__gte=end) | Q(standings__until__isnull=True)
    )
    return (
        cases.filter(assigned_on__lte=day)
        .alias(stood=FilteredRelation("standings", condition=covering))
        .annotate(
            state_then=Coalesce(F("stood__state"), Value(State.ASSIGNED), output_field=CharField()),
            outcome_then=Coalesce(F("stood__outcome"), Value(""), output_field=CharField()),
            stage_then=Coalesce(F("stood__stage"), Value(False), output_field=BooleanField()),
            reopened_then=Coalesce(F("stood__reopened"), Value(False), output_field=BooleanField()),
            deadline_then=Coalesce(F("stood__deadline"), F("deadline"), output_field=DateField()),
        )
    )


@dataclass(frozen=True)
class RateDefinition:
    key: str
    label: Any
    formula: Any

    def as_dict(self) -> dict[str, str]:
        return {"key": self.key, "label": str(self.label), "formula": str(self.formula)}


# The definitions places use (see the domain brief); every report says which one it shows.
RATE_DEFINITIONS = (
    RateDefinition(
        "concluded",
        _("Conclusion rate"),
        _("concluded (fed back as concluded, verified or closed out) ÷ assigned"),
    ),
    RateDefinition(
        "concluded_or_stage",
        _("Conclusion rate incl. stage conclusions"),
        _("(concluded + concluded for this stage) ÷ assigned"),
    ),
    RateDefinition("closed_out", _("Close-out rate"), _("closed out ÷ assigned")),
)

GROUPS = {
    "source_stream": ("source__stream__code", "source__stream__short_name"),
    "source": ("source_id", "source__name"),
    "batch": ("batch_id", "batch__number"),
    "county": ("region_id", "region__name"),
    "kind": ("kind", "kind"),
}


def percent(part: int, whole: int) -> Decimal | None:
    """A rate to one decimal place that never shows 100% unless it is 100%."""
    if not whole:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    if value == 100 and part < whole:
        value = Decimal("99.9")
    return value


def closure_counts(at: Standing = TODAY) -> dict[str, Any]:
    return {
        "assigned": Count("id", filter=ORIGINAL),
        "concluded": Count("id", filter=concluded(at) & ORIGINAL),
        "stage_concluded": Count("id", filter=stage_only(at) & ORIGINAL),
        "verified": Count("id", filter=Q(**{at.state: State.VERIFIED}) & ORIGINAL),
        "closed_out": Count("id", filter=closed_out(at) & ORIGINAL),
        "reopened": Count("id", filter=at.reopened & ORIGINAL),
        "repeats": Count("id", filter=~ORIGINAL),
    }


def with_rates(row: dict[str, Any]) -> dict[str, Any]:
    row["rates"] = {
        "concluded": percent(row["concluded"], row["assigned"]),
        "concluded_or_stage": percent(row["concluded"] + row["stage_concluded"], row["assigned"]),
        "closed_out": percent(row["closed_out"], row["assigned"]),
    }
    return row


def scoped_cases(
    *,
    user: User,
    kind: str | None = None,
    streams: list[str] | None = None,
    assigned_from: dt.date | None = None,
    assigned_to: dt.date | None = None,
    filters: dict[str, Any] | None = None,
) -> QuerySet[Case]:
    cases = Case.objects.visible_to(user)
    if kind:
        cases = cases.filter(kind=kind)
    if streams:
        cases = cases.filter(source__stream__code__in=streams)
    if assigned_from:
        cases = cases.filter(assigned_on__gte=assigned_from)
    if assigned_to:
        cases = cases.filter(assigned_on__lte=assigned_to)
    return cases.filter(**(filters or {}))


def closure_rates(
    *, cases: QuerySet[Case], group_by: str | None = None, day: dt.date | None = None
) -> dict[str, Any]:
    """Counts and the rate under each definition, overall and per group, in one query each;
    as the cases stood at the end of ``day`` when given (``as_of``), else as they stand now."""
    at = TODAY
    if day is not None:
        cases, at = as_of(cases, day), THEN
    groups = []
    if group_by:
        key, label = GROUPS[group_by]
        rows = cases.order_by().values(key, label).annotate(**closure_counts(at)).order_by(label)
        groups = [
            with_rates({"key": row.pop(key), "label": str(row.pop(label)), **row}) for row in rows
        ]
        # Every case is in exactly one group: the total is their sum, not a second pass.
        total = with_rates({name: sum(g[name] for g in groups) for name in closure_counts(at)})
    else:
        total = with_rates(cases.aggregate(**closure_counts(at)))
    return {
        "as_of": (day or clock.today()).isoformat(),
        "definitions": [d.as_dict() for d in RATE_DEFINITIONS],
        "total": total,
        "group_by": group_by,
        "groups": groups,
    }
