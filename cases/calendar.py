"""Entering a year's official holiday arrangement, and recomputing the dates counted on the
provisional one.

The calendar itself lives on the ground floor (``casework.workdays``, ``CalendarYear``); what it
means for the ledger lives here: every deadline and public-notice end that was counted on
a provisional year is counted again. A date that moves later (or stays) is applied at once, with
a case event that tells the unit; a date that would move *earlier* is never changed silently — it
waits in ``DateRecomputation`` for a supervisor to confirm. A dry run shows all of it and keeps
nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Action, Case, DateRecomputation, RecomputationStatus, State
from cases.services.kernel import case_bump, event_record
from cases.signals import calendar_changed
from casework import clock, workdays
from casework.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from casework.models import CalendarStatus, CalendarYear, User

CALENDAR_PERMISSION = "casework.change_calendaryear"
# Each recountable date and the flag that says it was counted on a provisional year.
PROVISIONAL_FLAG = {"deadline": "deadline_provisional", "notice_ends_on": "notice_ends_provisional"}


@dataclass(frozen=True)
class DateChange:
    case_id: int
    acceptance_number: str
    field: str
    old: dt.date
    new: dt.date
    applied: bool  # False: moves earlier, waits for a supervisor

    @property
    def label(self) -> str:
        return str(DateRecomputation.FIELDS[self.field])


@dataclass
class RecomputeReport:
    changes: list[DateChange] = field(default_factory=list)
    unchanged: int = 0
    dry_run: bool = False

    @property
    def applied(self) -> list[DateChange]:
        return [c for c in self.changes if c.applied]

    @property
    def waiting(self) -> list[DateChange]:
        return [c for c in self.changes if not c.applied]

    def summary(self) -> str:
        parts = []
        if self.applied:
            parts.append(_("%(n)s dates moved later and were applied") % {"n": len(self.applied)})
        if self.waiting:
            parts.append(
                _("%(n)s would move earlier and wait for confirmation") % {"n": len(self.waiting)}
            )
        if self.unchanged:
            parts.append(_("%(n)s stay as they were") % {"n": self.unchanged})
        if not parts:
            return _("No date was counted on the provisional calendar.")
        return "，".join(parts) + "。"


# --- reading what a supervisor enters ----------------------------------------------------------

_RANGE = re.compile(
    r"^\s*(\d{4}-\d{1,2}-\d{1,2})\s*(?:(?:至|到|~|～|—|–|-{1,2}|to)\s*(\d{4}-\d{1,2}-\d{1,2}))?\s*$"
)


def _date(text: str) -> dt.date:
    year, month, day = (int(part) for part in text.split("-"))
    return dt.date(year, month, day)


def dates_parse(text: str, *, field_name: str) -> list[dt.date]:
    """Dates and ranges, one per line or separated by commas: ``2027-02-05 至 2027-02-11``."""
    days: list[dt.date] = []
    for number, chunk in enumerate(re.split(r"[\n,，;；、]+", text or ""), start=1):
        if not chunk.strip():
            continue
        match = _RANGE.match(chunk)
        try:
            if not match:
                raise ValueError
            first = _date(match.group(1))
            last = _date(match.group(2)) if match.group(2) else first
        except ValueError:
            raise InvalidInput(
                {
                    field_name: _(
                        "Item %(number)s (“%(text)s”) is not a date or a range of dates such as "
                        "2027-02-05 or 2027-02-05 至 2027-02-11."
                    )
                    % {"number": number, "text": chunk.strip()}
                }
            ) from None
        if last < first or (last - first).days > 31:
            raise InvalidInput(
                {
                    field_name: _("The range “%(text)s” runs backwards or is longer than a month.")
                    % {"text": chunk.strip()}
                }
            )
        days += [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return sorted(set(days))


def calendar_file_parse(content: bytes, *, name: str) -> dict:
    """A year from an uploaded file: the JSON of ``fixtures/calendar/`` or a CSV of
    ``date,kind`` rows (kind 休/holiday or 班/workday; a header row is allowed)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError:
            raise InvalidInput({"file": _("The file is neither UTF-8 nor GB18030 text.")}) from None
    if name.lower().endswith(".json"):
        try:
            data = json.loads(text)
            return {
                "year": int(data["year"]),
                "holidays": [_date(d) for d in data.get("holidays", [])],
                "workdays": [_date(d) for d in data.get("workdays", [])],
                "document_number": str(data.get("source", "") or data.get("document_number", "")),
            }
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(
                {"file": _("The JSON file cannot be read: %(error)s") % {"error": exc}}
            ) from None
    if name.lower().endswith(".csv"):
        holidays, swapped = [], []
        kinds = {"休": holidays, "holiday": holidays, "班": swapped, "workday": swapped}
        for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if not row or not "".join(row).strip():
                continue
            cells = [c.strip() for c in row]
            try:
                day = _date(cells[0])
            except ValueError:
                if number == 1:
                    continue  # a header
                raise InvalidInput(
                    {
                        "file": _("Row %(number)s: “%(text)s” is not a date.")
                        % {"number": number, "text": cells[0]}
                    }
                ) from None
            kind = cells[1].lower() if len(cells) > 1 else ""
            if kind not in kinds:
                raise InvalidInput(
                    {
                        "file": _(
                            "Row %(number)s: the kind must be 休 (holiday) or 班 (working day)."
                        )
                        % {"number": number}
                    }
                )
            kinds[kind].append(day)
        years = {d.year for d in holidays + swapped}
        if len(years) != 1:
            raise InvalidInput({"file": _("The file must hold the days of exactly one year.")})
        return {
            "year": years.pop(),
            "holidays": holidays,
            "workdays": swapped,
            "document_number": "",
        }
    raise InvalidInput({"file": _("Upload a .json or .csv file.")})


# --- entering a year ---------------------------------------------------------------------------


def _check_year(year: int, holidays: list[dt.date], swapped: list[dt.date]) -> None:
    errors: dict[str, list[str]] = {}
    if not workdays.FIRST_KNOWN_YEAR < year <= workdays.LAST_SUPPORTED_YEAR:
        # Running totals of working days start with the package's first year.
        errors["year"] = [
            _("The year must lie between %(first)s and %(last)s.")
            % {"first": workdays.FIRST_KNOWN_YEAR + 1, "last": workdays.LAST_SUPPORTED_YEAR}
        ]
    elif year in workdays.LIBRARY_YEARS:
        errors["year"] = [
            _(
                "The official calendar of %(year)s is already known (from the chinesecalendar "
                "package); it cannot be entered again."
            )
            % {"year": year}
        ]
    outside = sorted(d for d in holidays + swapped if d.year != year)
    if outside and "year" not in errors:
        errors["holidays"] = [
            _("These dates do not lie in %(year)s: %(dates)s")
            % {"year": year, "dates": "、".join(d.isoformat() for d in outside[:5])}
        ]
    weekend_holidays = [d for d in holidays if d.weekday() >= 5]
    if weekend_holidays:
        # Weekends are days off anyway; listing them is harmless but usually a typing slip.
        holidays[:] = [d for d in holidays if d.weekday() < 5]
    weekdays_as_swapped = [d for d in swapped if d.weekday() < 5]
    if weekdays_as_swapped:
        errors["workdays"] = [
            _("Swapped working days are weekend days; these are weekdays: %(dates)s")
            % {"dates": "、".join(d.isoformat() for d in weekdays_as_swapped[:5])}
        ]
    both = sorted(set(holidays) & set(swapped))
    if both:
        errors["workdays"] = [
            _("A day cannot be both a holiday and a working day: %(dates)s")
            % {"dates": "、".join(d.isoformat() for d in both[:5])}
        ]
    if not holidays and "holidays" not in errors and "year" not in errors:
        errors["holidays"] = [_("An official arrangement lists its holidays: none were given.")]
    if errors:
        raise InvalidInput(errors)


def calendar_year_enter(
    *,
    user: User | None,
    year: int,
    holidays: Iterable[dt.date],
    workdays_: Iterable[dt.date] = (),
    status: str = CalendarStatus.OFFICIAL,
    document_number: str = "",
    published_on: dt.date | None = None,
    dry_run: bool = False,
) -> RecomputeReport:
    """Enter (or correct) a year's arrangement and recompute the dates counted on the provisional
    year. ``user`` None is the system (a management command run by the operator)."""
    if user is not None and not user.has_perm(CALENDAR_PERMISSION):
        raise PermissionDenied(_("Only city supervisors may enter the official calendar."))
    holidays, swapped = sorted(set(holidays)), sorted(set(workdays_))
    _check_year(year, holidays, swapped)
    try:
        with transaction.atomic():
            CalendarYear.objects.update_or_create(
                year=year,
                defaults={
                    "status": status,
                    "document_number": document_number.strip(),
                    "published_on": published_on,
                    "holidays": [d.isoformat() for d in holidays],
                    "workdays": [d.isoformat() for d in swapped],
                    "entered_by": user,
                },
            )
            workdays.invalidate()
            report = calendar_recompute(user=user, dry_run=dry_run)
            if dry_run:
                transaction.set_rollback(True)
            else:
                transaction.on_commit(lambda: calendar_changed.send_robust(sender=CalendarYear))
    finally:
        workdays.invalidate()  # what the rollback undid, or what other caches held
    return report


def calendar_recompute(*, user: User | None, dry_run: bool = False) -> RecomputeReport:
    """Count again every date that was counted on a provisional year (in its transaction)."""
    report = RecomputeReport(dry_run=dry_run)
    deadlines = Case.objects.filter(deadline_provisional=True).exclude(state=State.CLOSED)
    notices = Case.objects.filter(notice_ends_provisional=True, state=State.VERIFIED)
    for case in (
        deadlines.select_related("source")
        .select_for_update(of=("self",), no_key=True)
        .order_by("pk")
    ):
        new = case.source.report_deadline(case.assigned_on)
        provisional = workdays.span_is_provisional(case.assigned_on, new)
        _recompute(case, user, "deadline", new, provisional, report)
    for case in (
        notices.select_related("source").select_for_update(of=("self",), no_key=True).order_by("pk")
    ):
        verified_on = case.notice_starts_on or timezone.localdate(case.verified_at)
        new = case.source.notice_end(verified_on)
        if new is None:
            continue
        provisional = workdays.span_is_provisional(verified_on, new)
        _recompute(case, user, "notice_ends_on", new, provisional, report)
    return report


def _recompute(
    case: Case,
    user: User | None,
    name: str,
    new: dt.date,
    provisional: bool,
    report: RecomputeReport,
) -> None:
    old = getattr(case, name)
    flag = PROVISIONAL_FLAG[name]
    if new == old:
        report.unchanged += 1
        if not provisional:
            setattr(case, flag, False)
            case.save(update_fields=[flag, "updated_at"])
        return
    year = max(old, new).year
    if new < old:
        report.changes.append(DateChange(case.pk, case.acceptance_number, name, old, new, False))
        DateRecomputation.objects.update_or_create(
            case=case,
            field=name,
            status=RecomputationStatus.PENDING,
            defaults={"current_date": old, "official_date": new, "calendar_year": year},
        )
        return
    report.changes.append(DateChange(case.pk, case.acceptance_number, name, old, new, True))
    _apply(case, user, name, new, provisional, year)


def _apply(
    case: Case, user: User | None, name: str, new: dt.date, provisional: bool, year: int
) -> None:
    flag = PROVISIONAL_FLAG[name]
    old, deadline_before = getattr(case, name), case.deadline
    setattr(case, name, new)
    setattr(case, flag, provisional)
    if name == "deadline":
        case.step_deadline_sync()
        case_bump(case, name, flag, "feedback_deadline", "rectification_deadline")
    else:
        case_bump(case, name, flag)
    event_record(
        case,
        user,
        Action.RECOMPUTE,
        comment=_("%(what)s recounted on the official %(year)s calendar: %(old)s → %(new)s")
        % {"what": DateRecomputation.FIELDS[name], "year": year, "old": old, "new": new},
        deadline_before=deadline_before,
        data={"field": name, "old": old.isoformat(), "new": new.isoformat(), "year": year},
    )


def recomputation_decide(*, recomputation_id: int, user: User, apply: bool) -> DateRecomputation:
    """A supervisor applies an earlier official date, or keeps the current one."""
    if not user.has_perm(CALENDAR_PERMISSION):
        raise PermissionDenied(_("Only city supervisors may confirm recomputed dates."))
    with transaction.atomic():
        try:
            item = (
                DateRecomputation.objects.select_for_update()
                .filter(case__in=Case.objects.visible_to(user))
                .get(pk=recomputation_id)
            )
        except DateRecomputation.DoesNotExist:
            raise NotFound(_("No such recomputed date.")) from None
        if item.status != RecomputationStatus.PENDING:
            raise TransitionNotAllowed(_("This date has already been decided."))
        case = (
            Case.objects.select_for_update(of=("self",), no_key=True)
            .select_related("source")
            .get(pk=item.case_id)
        )
        if getattr(case, item.field) != item.current_date:
            raise TransitionNotAllowed(
                _("The case's date has changed since; this recomputation no longer applies.")
            )
        if apply:
            _apply(case, user, item.field, item.official_date, False, item.calendar_year)
        else:
            flag = PROVISIONAL_FLAG[item.field]
            setattr(case, flag, False)  # the date stands, on a person's word
            case_bump(case, flag)
            event_record(
                case,
                user,
                Action.RECOMPUTE,
                comment=_("%(what)s kept at %(old)s (the official %(year)s calendar gives %(new)s)")
                % {
                    "what": DateRecomputation.FIELDS[item.field],
                    "old": item.current_date,
                    "new": item.official_date,
                    "year": item.calendar_year,
                },
                data={"field": item.field, "kept": item.current_date.isoformat()},
            )
        item.status = RecomputationStatus.APPLIED if apply else RecomputationStatus.KEPT
        item.decided_by, item.decided_at = user, clock.now()
        item.save()
    return item
