"""Progress reports (进展调度) and a finding's milestones."""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction
from django.utils.translation import gettext as _

from cases.actions import action_check, who_check
from cases.models import (
    Action,
    CaseKind,
    Milestone,
    ProgressReport,
)
from cases.services.kernel import (
    case_bump,
    case_lock,
    event_record,
    full_clean_or_invalid,
    visible_child,
)
from casework import clock
from casework.errors import (
    InvalidInput,
    TransitionNotAllowed,
)
from casework.models import User

# --- progress reports and milestones -------------------------------------------------------------


def progress_report_add(*, case_id: int, user: User, text: str, percent: int) -> ProgressReport:
    with transaction.atomic():
        case = case_lock(case_id, user)
        action_check("progress", user=user, case=case)
        report = ProgressReport(
            case=case, reported_by=user, text=(text or "").strip(), percent=percent
        )
        full_clean_or_invalid(report, exclude=["case", "reported_by"])
        report.save()
        case_bump(case)
        event_record(
            case,
            user,
            Action.PROGRESS,
            comment=report.text,
            data={"progress_report_id": report.pk, "percent": report.percent},
        )
    return report


def milestone_add(
    *, case_id: int, user: User, description: str, target_date: dt.date, sequence: int | None = None
) -> Milestone:
    with transaction.atomic():
        case = case_lock(case_id, user)
        who_check("milestone_add", user=user, case=case)
        if case.kind != CaseKind.FINDING:
            raise InvalidInput({"case": _("Only findings have rectification milestones.")})
        if sequence is None:
            sequence = (case.milestones.aggregate(m=models.Max("sequence"))["m"] or 0) + 1
        milestone = Milestone(
            case=case,
            description=(description or "").strip(),
            target_date=target_date,
            sequence=sequence,
        )
        full_clean_or_invalid(milestone, exclude=["case"])
        milestone.save()
        case_bump(case)
        event_record(
            case,
            user,
            Action.MILESTONE_ADD,
            comment=milestone.description,
            data={"milestone_id": milestone.pk, "target_date": target_date.isoformat()},
        )
    return milestone


def milestone_complete(
    *, milestone_id: int, user: User, done_on: dt.date | None = None
) -> Milestone:
    milestone = visible_child(Milestone, milestone_id, user, _("No such milestone."))
    with transaction.atomic():
        case = case_lock(milestone.case_id, user)
        who_check("milestone_done", user=user, case=case)
        milestone.refresh_from_db()
        if milestone.done_on is not None:
            raise TransitionNotAllowed(_("This milestone is already completed."))
        done_on = done_on or clock.today()
        if done_on > clock.today():
            raise InvalidInput({"done_on": _("A milestone cannot be completed in the future.")})
        milestone.done_on = done_on
        milestone.save(update_fields=["done_on"])
        case_bump(case)
        event_record(
            case,
            user,
            Action.MILESTONE_DONE,
            comment=milestone.description,
            data={"milestone_id": milestone.pk, "done_on": done_on.isoformat()},
        )
    return milestone
