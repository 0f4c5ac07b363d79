"""The reports across cases: closure rates under each definition, on-schedule progress (序时进度),
the overdue list and its trend, and the sentences a work report uses. Every figure is computed
in the database from ``Case.objects.visible_to(user)``: a county officer's reports cover only
their county.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case as When_
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.handling import HANDLING_WORDS, number_text
from cases.models import (
    OPEN_STATES,
    Action,
    Batch,
    Case,
    CaseEvent,
    CaseKind,
    FeedbackOutcome,
    Milestone,
    State,
    TruthFinding,
)
from cases.notice import chinese_date
from casework import clock, workdays
from casework.models import Region, User


# Where a case stands, read either from its fields (today) or from its events (as of a date,
# ``as_of``): the definitions below are written once over these names.
@dataclass(frozen=True)
class Standing:
    state: str
    outcome: str
    stage: Q
    reopened: Q


TODAY = Standing(
    "state", "feedback_outcome", Q(stage_concluded_at__isnull=False), Q(reopen_count__gt=0)
)
THEN = Standing("state_then", "outcome_then", Q(stage_then=True), Q(reopened_then=True))


def concluded(at: Standing = TODAY) -> Q:
    """办结: fed back as concluded (and not sent back since), or verified or closed out."""
    return Q(**{at.outcome: FeedbackOutcome.CONCLUDED, at.state: State.SUBMITTED}) | Q(
        **{f"{at.state}__in": [State.VERIFIED, State.CLOSED]}
    )


def stage_only(at: Standing = TODAY) -> Q:
    return at.stage & ~concluded(at)


def closed_out(at: Standing = TODAY) -> Q:
    return Q(**{at.state: State.CLOSED})


CONCLUDED = concluded()


def as_of_refusal(day: dt.date) -> str:
    """Why figures cannot be given as of ``day`` (empty when they can): the API's and the
    dashboard's one rule."""
    if day > clock.today():
        return str(_("Figures cannot be given as of a day still to come."))
    return ""


def as_of(cases: QuerySet[Case], day: dt.date) -> QuerySet[Case]:
    """The cases as they stood at the end of ``day`` (Asia/Shanghai): those assigned by then,
    each with the state, feedback outcome, stage conclusion and reopening its events record by
    then (``state_then``…), so that imported history counts at its real dates. A case entered
    later than it was assigned stood assigned until its first event."""
    end = _end_of(day)
    before = CaseEvent.objects.filter(case=OuterRef("pk"), created_at__lt=end).order_by(
        "-created_at", "-id"
    )
    feedback = before.filter(action=Action.FEEDBACK).annotate(outcome=KT("data__outcome"))
    submitted = before.filter(action=Action.SUBMIT).annotate(
        outcome=Value(FeedbackOutcome.CONCLUDED, output_field=CharField())
    )
    return cases.filter(assigned_on__lte=day).annotate(
        state_then=Coalesce(
            Subquery(before.exclude(to_state="").values("to_state")[:1]),
            Value(State.ASSIGNED),
            output_field=CharField(),
        ),
        outcome_then=Coalesce(
            Subquery(feedback.values("outcome")[:1]),
            Subquery(submitted.values("outcome")[:1]),
            Value(""),
            output_field=CharField(),
        ),
        stage_then=Exists(feedback.filter(data__outcome=FeedbackOutcome.STAGE)),
        reopened_then=Exists(before.filter(action=Action.REOPEN)),
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


# A repeat (重复件) is counted once, with its original; how many there are is said beside.
ORIGINAL = Q(duplicate_of__isnull=True)


def _counts(at: Standing = TODAY) -> dict[str, Any]:
    return {
        "assigned": Count("id", filter=ORIGINAL),
        "concluded": Count("id", filter=concluded(at) & ORIGINAL),
        "stage_concluded": Count("id", filter=stage_only(at) & ORIGINAL),
        "verified": Count("id", filter=Q(**{at.state: State.VERIFIED}) & ORIGINAL),
        "closed_out": Count("id", filter=closed_out(at) & ORIGINAL),
        "reopened": Count("id", filter=at.reopened & ORIGINAL),
        "repeats": Count("id", filter=~ORIGINAL),
    }


def _with_rates(row: dict[str, Any]) -> dict[str, Any]:
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
    total = _with_rates(cases.aggregate(**_counts(at)))
    groups = []
    if group_by:
        key, label = GROUPS[group_by]
        rows = cases.order_by().values(key, label).annotate(**_counts(at)).order_by(label)
        groups = [
            _with_rates({"key": row.pop(key), "label": str(row.pop(label)), **row}) for row in rows
        ]
    return {
        "as_of": (day or clock.today()).isoformat(),
        "definitions": [d.as_dict() for d in RATE_DEFINITIONS],
        "total": total,
        "group_by": group_by,
        "groups": groups,
    }


# --- on schedule (序时进度) -------------------------------------------------------------------

SCHEDULE_STATUSES = ("completed", "on_schedule", "behind", "overdue")


def with_schedule_status(
    cases: QuerySet[Case], today: dt.date | None = None, *, then: bool = False
) -> QuerySet[Case]:
    """Annotate ``schedule_status`` on findings: completed (verified or closed out), overdue
    (past the deadline), behind (a task due by now is not done: 慢序时) or on_schedule. With
    ``then``, ``cases`` come from ``as_of(…, today)`` and are judged as they stood that day."""
    today = today or clock.today()
    late_task = Milestone.objects.filter(case=OuterRef("pk"), target_date__lte=today).filter(
        Q(done_on__isnull=True) | Q(done_on__gt=today)
    )
    return cases.annotate(
        has_late_task=Exists(late_task),
        schedule_status=When_(
            When(concluded(THEN if then else TODAY), then=Value("completed")),
            When(deadline__lt=today, then=Value("overdue")),
            When(has_late_task=True, then=Value("behind")),
            default=Value("on_schedule"),
            output_field=CharField(),
        ),
    )


def schedule_totals(
    *,
    cases: QuerySet[Case],
    group_by: str | None = None,
    today: dt.date | None = None,
    day: dt.date | None = None,
) -> dict[str, Any]:
    """序时进度 of findings, now or (``day``) as they stood at the end of that day."""
    findings = cases.filter(kind=CaseKind.FINDING)
    if day is not None:
        findings = with_schedule_status(as_of(findings, day), day, then=True)
    else:
        findings = with_schedule_status(findings, today)
    counts = {status: Count("id", filter=Q(schedule_status=status)) for status in SCHEDULE_STATUSES}
    total = findings.aggregate(total=Count("id"), **counts)
    groups = []
    if group_by:
        key, label = GROUPS[group_by]
        rows = findings.order_by().values(key, label).annotate(total=Count("id"), **counts)
        groups = [
            {"key": r.pop(key), "label": str(r.pop(label)), **r} for r in rows.order_by(label)
        ]
    return {"total": total, "group_by": group_by, "groups": groups}


# --- the sentences a work report uses ------------------------------------------------------------


# The subjects of the sentences, by source stream, as the city's reports name them.
PETITION_SUBJECT = "中央和省生态环境保护督察"
FINDING_SUBJECTS = (
    (("central", "provincial"), "中央和省生态环境保护督察及“回头看”"),
    (("central",), "中央生态环境保护督察及“回头看”"),
    (("provincial",), "省生态环境保护督察及“回头看”"),
    (("yangtze_film", "provincial_film"), "长江经济带和省生态环境警示片"),
    (("yangtze_film",), "长江经济带生态环境警示片"),
    (("provincial_film",), "省生态环境警示片"),
)
FINDING_STREAMS = ("central", "provincial", "yangtze_film", "provincial_film")


def finding_subject(streams: tuple[str, ...]) -> str:
    """ "中央和省生态环境保护督察及“回头看”、长江经济带和省生态环境警示片" for the streams given."""
    left, parts = set(streams), []
    for codes, label in FINDING_SUBJECTS:
        if set(codes) <= left:
            parts.append(label)
            left -= set(codes)
    return "、".join(parts) or "督察整改"


def petition_sentence(*, n: int, closed: int, repeats: int, rate: Any, subject: str) -> str:
    """ "…交办信访件累计N件（重复件Y件），已整改销号M件，整改销号率R%。" — no zero clauses."""
    if not n:
        return "本期无交办信访件。"
    counted = f"{subject}交办信访件累计{n}件" + (f"（重复件{repeats}件）" if repeats else "")
    if not closed:
        return f"{counted}，尚无整改销号。"
    if closed == n:
        return f"{counted}，已全部整改销号。"
    return f"{counted}，已整改销号{closed}件，整改销号率{rate}%。"


def finding_sentence(*, schedule: dict[str, int], subject: str) -> str:
    """ "…反馈问题N个，已完成整改A个，其余问题均达到序时进度" (or "B个达到、C个滞后于序时进度");
    the numbers always add up to N and no clause says 0."""
    total, done = schedule["total"], schedule["completed"]
    if not total:
        return "本期无反馈问题。"
    lagging = schedule["behind"] + schedule["overdue"]
    on_time = total - done - lagging
    parts = [f"{subject}反馈问题{total}个"]
    if done == total:
        return parts[0] + "，已全部完成整改。"
    parts.append(f"已完成整改{done}个" if done else "尚未完成整改")
    if not lagging:
        parts.append("其余问题均达到序时进度" if done else "均达到序时进度")
    else:
        if on_time:
            parts.append(f"{on_time}个达到序时进度")
        late = schedule["overdue"]
        if late == lagging:
            parts.append(f"{lagging}个滞后于序时进度（均已逾期）")
        elif late:
            parts.append(f"{lagging}个滞后于序时进度（其中逾期{late}个）")
        else:
            parts.append(f"{lagging}个滞后于序时进度")
    return "，".join(parts) + "。"


def report_sentences(
    *,
    user: User,
    streams: tuple[str, ...] = ("central", "provincial"),
    finding_streams: tuple[str, ...] = FINDING_STREAMS,
    assigned_from: dt.date | None = None,
    assigned_to: dt.date | None = None,
    day: dt.date | None = None,
) -> dict[str, Any]:
    """The sentences a work report pastes, as of ``day`` (default today; the cut-off is
    printed): central and provincial petitions' close-out, then every stream's findings against
    their schedule, each as the cases stood at the end of that day."""
    today = clock.today()
    past = day is not None and day < today
    today = day if past else today
    petitions = scoped_cases(
        user=user,
        kind=CaseKind.PETITION,
        streams=list(streams),
        assigned_from=assigned_from,
        assigned_to=assigned_to,
    )
    rates = closure_rates(cases=petitions, day=today if past else None)["total"]
    n, m = rates["assigned"], rates["closed_out"]
    rate = rates["rates"]["closed_out"]
    cutoff = f"截至{chinese_date(today)}，"
    petitions_text = petition_sentence(
        n=n, closed=m, repeats=rates["repeats"], rate=rate, subject=PETITION_SUBJECT
    )
    findings = scoped_cases(
        user=user,
        kind=CaseKind.FINDING,
        streams=list(finding_streams),
        assigned_from=assigned_from,
        assigned_to=assigned_to,
    )
    schedule = schedule_totals(cases=findings, today=today, day=today if past else None)["total"]
    findings_text = finding_sentence(schedule=schedule, subject=finding_subject(finding_streams))
    return {
        "as_of": today.isoformat(),
        "petitions": {
            "sentence": petitions_text,
            "assigned": n,
            "closed_out": m,
            "repeats": rates["repeats"],
            "rate": rate,
            "definition": RATE_DEFINITIONS[2].as_dict(),
        },
        "findings": {"sentence": findings_text, **schedule},
        "text": cutoff + petitions_text + findings_text,
    }


# --- overdue ------------------------------------------------------------------------------------


def overdue_cases(
    *, cases: QuerySet[Case], today: dt.date | None = None, day: dt.date | None = None
) -> QuerySet[Case]:
    """Overdue cases, most overdue first, with their last progress report date; with ``day``,
    those overdue at the end of that day (state and deadline rebuilt from their events: the
    deadline each had then is ``deadline_then``)."""
    if day is None:
        today = today or clock.today()
        return (
            cases.overdue(today)
            .select_related("region", "unit", "source__stream", "reminder")
            .annotate(last_progress_at=Max("progress_reports__reported_at"))
            .order_by("deadline", "id")
        )
    end = _end_of(day)
    moved = CaseEvent.objects.filter(
        case=OuterRef("pk"), created_at__lt=end, deadline_after__isnull=False
    ).order_by("-created_at", "-id")
    return (
        as_of(cases, day)
        .annotate(
            deadline_then=Coalesce(Subquery(moved.values("deadline_after")[:1]), F("deadline")),
            last_progress_at=Max(
                "progress_reports__reported_at",
                filter=Q(progress_reports__reported_at__lt=end),
            ),
        )
        .filter(state_then__in=OPEN_STATES, deadline_then__lt=day, duplicate_of__isnull=True)
        .select_related("region", "unit", "source__stream")
        .order_by("deadline_then", "id")
    )


def _end_of(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` in Ji'an."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def days_overdue(case: Case, today: dt.date | None = None) -> tuple[int, int | None]:
    """Calendar days overdue, and working days where the source counts working days."""
    working = None
    if case.source.report_in_working_days:
        try:
            working = case.working_days_overdue(today)
        except workdays.CalendarOutOfRange:
            working = None
    return case.calendar_days_overdue(today), working


TREND_DEFINITION = _(
    "Cases overdue at the end of each week: deadline passed, assigned, not yet first submitted "
    "for verification. The current deadline is used, so weeks before an approved extension may "
    "read slightly low."
)


def overdue_trend(
    *, cases: QuerySet[Case], weeks: int = 12, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """How many cases were overdue at the end of each of the last weeks.

    A case counts as overdue on a day when its deadline had passed, it had been assigned, and it
    had not yet first been submitted for verification. The current deadline is used (an approved
    extension counts from the start), so earlier weeks may read slightly low.
    """
    today = today or clock.today()
    first_submitted = (
        CaseEvent.objects.filter(case=OuterRef("pk"), to_state=State.SUBMITTED)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    annotated = cases.annotate(first_submitted_at=Subquery(first_submitted))
    points = []
    for back in range(weeks - 1, -1, -1):
        day = today - dt.timedelta(weeks=back)
        end_of_day = timezone.make_aware(
            dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
        )
        count = (
            annotated.filter(assigned_on__lte=day, deadline__lt=day)
            .filter(Q(first_submitted_at__isnull=True) | Q(first_submitted_at__gte=end_of_day))
            .count()
        )
        points.append({"date": day, "overdue": count})
    return points


def state_by_stream(*, cases: QuerySet[Case]) -> list[dict[str, Any]]:
    rows = (
        cases.order_by()
        .values("source__stream__code", "source__stream__short_name", "source__stream__sort_order")
        .annotate(**{state: Count("id", filter=Q(state=state)) for state in State.values})
        .order_by("source__stream__sort_order")
    )
    return [
        {
            "stream": r["source__stream__short_name"],
            "code": r["source__stream__code"],
            **{s: r[s] for s in State.values},
        }
        for r in rows
    ]


# --- a batch's bulletin (交办批次办理情况) -----------------------------------------------------

TRUTH_WORDS = (
    (TruthFinding.TRUE, "属实"),
    (TruthFinding.MOSTLY_TRUE, "基本属实"),
    (TruthFinding.PARTLY_TRUE, "部分属实"),
    (TruthFinding.FALSE, "不属实"),
)
# What the bulletin adds up from the cases, beyond the handling counts: (field, word, measure).
PEOPLE_WORDS = (("people_summoned", "约谈", "人"), ("people_held_accountable", "问责", "人"))


def batch_bulletin(*, cases: QuerySet[Case], batch: Batch) -> dict[str, Any]:
    """The sentence and figures a city publishes for a batch: "第N批X件，已办结A件、阶段性办结B
    件；属实C件…；责令改正…家，立案处罚…家，罚款…万元，约谈…人，问责…人", from the cases' own
    outcomes and handling counts, as they stand now; no clause says 0."""
    cases = cases.filter(batch=batch)
    originals = cases.filter(ORIGINAL)
    totals = originals.aggregate(
        **_counts(),
        **{
            f"truth_{value}": Count("id", filter=Q(truth_finding=value))
            for value, _w in TRUTH_WORDS
        },
        **{name: Sum(name) for name, _w, _m in (*HANDLING_WORDS, *PEOPLE_WORDS)},
    )
    totals["repeats"] = cases.exclude(ORIGINAL).count()
    subject = f"{batch.source.name}第{batch.number}批交办信访件"
    n = totals["assigned"]
    if not n:
        return {"batch": batch.pk, "sentence": f"{subject}：本批无交办信访件。", **totals}
    head = f"{subject}{n}件" + (f"（重复件{totals['repeats']}件）" if totals["repeats"] else "")
    outcome = (
        "、".join(
            part
            for part in (
                f"已办结{totals['concluded']}件" if totals["concluded"] else "",
                f"阶段性办结{totals['stage_concluded']}件" if totals["stage_concluded"] else "",
            )
            if part
        )
        or "尚无办结"
    )
    truth = "、".join(
        f"{word}{totals[f'truth_{value}']}件"
        for value, word in TRUTH_WORDS
        if totals[f"truth_{value}"]
    )
    handled = "，".join(
        f"{word}{number_text(totals[name])}{measure}"
        for name, word, measure in (*HANDLING_WORDS, *PEOPLE_WORDS)
        if totals[name]
    )
    sentence = "；".join(part for part in (f"{head}，{outcome}", truth, handled) if part) + "。"
    return {
        "batch": batch.pk,
        "handed_down_on": batch.handed_down_on.isoformat(),
        "sentence": sentence,
        **{k: (str(v) if isinstance(v, Decimal) else (v or 0)) for k, v in totals.items()},
    }


# --- the county ranking (the monthly 通报's table) ----------------------------------------------

RANKING_ORDER = _(
    "Ranked by the petitions' 整改销号率, then their 办结率, then the fewest overdue cases; "
    "counties level on all three share a rank."
)


def county_ranking(*, cases: QuerySet[Case], day: dt.date | None = None) -> dict[str, Any]:
    """Each county of the cases: its petitions' 办结率 and 整改销号率, its findings behind
    schedule and overdue, its overdue cases; ranked (now, or at the end of ``day``)."""
    petitions = closure_rates(
        cases=cases.filter(kind=CaseKind.PETITION), group_by="county", day=day
    )
    schedule = {
        g["key"]: g for g in schedule_totals(cases=cases, group_by="county", day=day)["groups"]
    }
    overdue = Counter(
        overdue_cases(cases=cases, day=day).order_by().values_list("region_id", flat=True)
    )
    names = dict(Region.objects.filter(pk__in=cases.values("region_id")).values_list("pk", "name"))
    by_county = {g["key"]: g for g in petitions["groups"]}
    rows = []
    for region_id, name in names.items():
        rates = by_county.get(region_id, {"assigned": 0, "rates": {}})
        findings = schedule.get(region_id, {})
        rows.append(
            {
                "region_id": region_id,
                "county": name,
                "petitions": rates["assigned"],
                "concluded_rate": rates["rates"].get("concluded_or_stage"),
                "closed_out_rate": rates["rates"].get("closed_out"),
                "findings": findings.get("total", 0),
                "findings_behind": findings.get("behind", 0),
                "findings_overdue": findings.get("overdue", 0),
                "overdue": overdue.get(region_id, 0),
            }
        )

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        lowest = Decimal(-1)
        return (
            -(row["closed_out_rate"] if row["closed_out_rate"] is not None else lowest),
            -(row["concluded_rate"] if row["concluded_rate"] is not None else lowest),
            row["overdue"],
        )

    rows.sort(key=lambda r: (key(r), r["county"]))
    rank, previous = 0, None
    for position, row in enumerate(rows, start=1):
        if key(row) != previous:
            rank, previous = position, key(row)
        row["rank"] = rank
    return {
        "as_of": (day or clock.today()).isoformat(),
        "order": str(RANKING_ORDER),
        "definitions": petitions["definitions"],
        "rows": rows,
    }
