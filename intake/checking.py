"""Checking a whole file before anything is written: every row read into the case it would
become (with its lifecycle history, for a ledger of earlier rounds), every problem listed by row
and column. One problem anywhere means nothing is written."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from itertools import chain
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from cases.models import (
    Case,
    CaseKind,
    PollutionType,
    Source,
)
from cases.rules import is_supervisor_of
from casework import clock, workdays
from casework.models import Region, ResponsibleUnit, UnitKind, User
from intake import values as read
from intake.columns import BY_KEY, header_find, kind_guess, template_columns
from intake.history import HistoryRows
from intake.models import ImportKind
from intake.plan import Plan, Problem, Row
from intake.reading import Sheet

DEFAULT_UNIT_KINDS = (UnitKind.COUNTY_GOVERNMENT, UnitKind.ZONE_COMMITTEE)
SIMILAR = 0.5  # Jaccard over character pairs: 疑似重复件 at or above
# The longest text each of the case's short text fields holds.
TEXT_LIMITS = {
    f.name: f.max_length
    for f in Case._meta.concrete_fields
    if isinstance(f, models.CharField) and f.max_length and not f.choices
}
CO_UNIT_SEPARATORS = re.compile(r"[、，,;；\n]+")
RARE_PAIR = 20  # pairs in at most this many texts (or 0.5% of them) find candidates


class Checker(HistoryRows):
    def __init__(
        self,
        *,
        sheet: Sheet,
        user: User | None,
        kind: str | None,
        source: Source | None,
        batch_number: int | None,
        handed_down_on: dt.date | None,
        update_existing: bool,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.sheet, self.user, self.update_existing = sheet, user, update_existing
        self.progress = progress or (lambda done, total: None)
        self.today = clock.today()
        header = header_find(sheet.rows[:15])
        self.plan = Plan(
            kind=kind or (kind_guess(header) if header else ImportKind.BATCH),
            source=source,
            header=header,
            batch_number=batch_number,
            handed_down_on=handed_down_on,
        )

    # --- the whole file -------------------------------------------------------------------------
    def run(self) -> Plan:
        plan = self.plan
        if plan.header is None:
            plan.problems.append(
                Problem(
                    0,
                    "",
                    _(
                        "No header row found in the first 15 rows: the file needs columns such as "
                        "受理编号 and 交办问题基本情况 (download the template)."
                    ),
                )
            )
            return plan
        self._check_columns()
        self._check_settings()
        if plan.problems:
            return plan
        self._load_reference()
        body = self.sheet.rows[plan.header.row :]
        total = len(body)
        for offset, cells in enumerate(body):
            number = plan.header.row + 1 + offset
            if all(read.text(c) == "" for c in cells):
                continue
            self._row(number, cells)
            if offset % 500 == 0:
                self.progress(offset, total)
        self.progress(total, total)
        self._check_numbers()
        if plan.kind == ImportKind.BATCH:
            self._suspect_repeats()
        else:
            self._check_repeat_links()
        return plan

    def _check_columns(self) -> None:
        plan, header = self.plan, self.plan.header
        assert header is not None
        for column in template_columns(plan.kind):
            if plan.kind in column.required and column.key not in header.positions:
                plan.problems.append(
                    Problem(header.row, column.name, _("This required column is missing."))
                )
        for name in header.repeated:
            plan.warnings.append(
                Problem(header.row, name, _("This column appears twice: the first is read."))
            )
        if plan.kind == ImportKind.BATCH:
            history = [BY_KEY[k].name for k in header.positions if BY_KEY[k].history_only]
            header.ignored.extend(history)
            for name in history:
                del header.positions[next(k for k, c in BY_KEY.items() if c.name == name)]

    def _check_settings(self) -> None:
        plan = self.plan
        if plan.kind == ImportKind.BATCH:
            if plan.source is None:
                plan.problems.append(Problem(0, "", _("Choose the source the batch comes from.")))
            if plan.handed_down_on and plan.handed_down_on > self.today:
                plan.problems.append(
                    Problem(0, "", _("The date handed down cannot be in the future."))
                )
        elif plan.source is None and "source" not in plan.header.positions:  # type: ignore[union-attr]
            plan.problems.append(
                Problem(0, "", _("Choose a source, or give each row's round in a 轮次 column."))
            )

    def _load_reference(self) -> None:
        regions = (
            Region.objects.all() if self.user is None else Region.objects.visible_to(self.user)
        )
        self.regions = read.RegionIndex(regions)
        self.pollution = read.PollutionIndex(PollutionType.objects.all())
        self.units: dict[str, list[ResponsibleUnit]] = defaultdict(list)
        self.default_units: dict[int, ResponsibleUnit] = {}
        for unit in ResponsibleUnit.objects.filter(is_active=True).select_related("region"):
            self.units[read.key(unit.name)].append(unit)
            if unit.kind in DEFAULT_UNIT_KINDS:
                self.default_units.setdefault(unit.region_id, unit)
        self.sources = {read.key(s.name): s for s in Source.objects.all()}
        self.seen_numbers: dict[tuple[int, str], int] = {}
        self._deadlines: dict[tuple[int, dt.date], tuple[dt.date, bool]] = {}
        self._allowed: dict[int, bool] = {}
        self._memo: dict[tuple[str, type, Any], Any] = {}

    # --- one row --------------------------------------------------------------------------------
    def _row(self, number: int, cells: list[Any]) -> None:
        plan = self.plan
        positions = plan.header.positions  # type: ignore[union-attr]
        errors: list[Problem] = []
        memo = self._memo

        def cell(name: str) -> Any:
            index = positions.get(name)
            return cells[index] if index is not None and index < len(cells) else None

        def get(name: str, reader: Callable[..., Any], *args: Any) -> Any:
            # A column holds few distinct values (counties, types, 是/否): each is read once.
            raw = cell(name)
            memo_key = (name, type(raw), raw)
            found = memo.get(memo_key, memo)
            if found is memo:
                try:
                    found = reader(raw, *args)
                except read.Unreadable as exc:
                    found = exc
                memo[memo_key] = found
            if isinstance(found, read.Unreadable):
                errors.append(Problem(number, BY_KEY[name].name, str(found)))
                return None
            return found

        def required_text(name: str) -> str:
            value = read.text(cell(name))
            if not value:
                errors.append(Problem(number, BY_KEY[name].name, _("This column is required.")))
            return value

        values: dict[str, Any] = {
            "acceptance_number": required_text("acceptance_number"),
            "summary": required_text("summary"),
        }
        region = get("region", self.regions.find)
        types = get("pollution_types", self.pollution.find) or []
        for name in ("address", "responsible_leader", "contact_person", "contact_phone"):
            values[name] = read.text(cell(name))
        values["is_priority"] = bool(get("is_priority", read.yes_no))
        if read.text(cell("channel")):
            values["channel"] = get("channel", read.choice, read.CHANNELS, "来电、来信、网络、来访")
        values["latitude"] = get("latitude", read.coordinate, 3, 54)
        values["longitude"] = get("longitude", read.coordinate, 73, 136)
        source = self._source(number, cell("source"), errors)
        values["source"] = source
        values["region"] = region
        values["unit"] = self._unit(number, region, cell("unit"), errors)
        if region is not None and not self._may_import(region):
            errors.append(
                Problem(number, BY_KEY["region"].name, _("You do not supervise this county."))
            )
        row = Row(number, values, types)
        row.co_units = self._co_units(number, cell("co_units"), values["unit"], errors)
        if plan.kind == ImportKind.BATCH:
            values["kind"] = CaseKind.PETITION
            row.batch_number = plan.batch_number
            assigned = plan.handed_down_on or self.today
            values["assigned_on"] = assigned
            if source is not None:
                self._petition_deadline(values, source, assigned, number, errors)
        else:
            self._history(row, cell, get, errors)
        self._lengths(row, errors)
        self._existing(row, errors)
        plan.problems.extend(errors)
        plan.rows.append(row)

    def _co_units(
        self, number: int, value: Any, lead: ResponsibleUnit | None, errors: list[Problem]
    ) -> list[ResponsibleUnit]:
        """配合单位: active units by name, separated by 、，; or line breaks; not the lead."""
        found: list[ResponsibleUnit] = []
        for name in CO_UNIT_SEPARATORS.split(read.text(value)):
            if not name:
                continue
            units = self.units.get(read.key(name))
            if not units:
                errors.append(
                    Problem(
                        number,
                        BY_KEY["co_units"].name,
                        _("“%(unit)s” is not an active unit.") % {"unit": name},
                    )
                )
            elif lead is not None and units[0].pk == lead.pk:
                errors.append(
                    Problem(
                        number,
                        BY_KEY["co_units"].name,
                        _("%(unit)s leads the case; it is not also a co-operating unit.")
                        % {"unit": name},
                    )
                )
            elif units[0] not in found:
                found.append(units[0])
        return found

    def _source(self, number: int, value: Any, errors: list[Problem]) -> Source | None:
        name = read.key(value)
        if not name or self.plan.kind == ImportKind.BATCH:
            return self.plan.source
        source = self.sources.get(name)
        if source is None:
            errors.append(
                Problem(
                    number,
                    BY_KEY["source"].name,
                    _("No such source: “%(name)s”.") % {"name": read.text(value)},
                )
            )
        return source

    def _unit(
        self, number: int, region: Region | None, value: Any, errors: list[Problem]
    ) -> ResponsibleUnit | None:
        if region is None:
            return None
        name = read.key(value)
        if not name:
            unit = self.default_units.get(region.pk)
            if unit is None:
                errors.append(
                    Problem(
                        number,
                        BY_KEY["unit"].name,
                        _("%(region)s has no default unit: name the lead unit.")
                        % {"region": region.name},
                    )
                )
            return unit
        units = [u for u in self.units.get(name, []) if u.may_lead_in(region)]
        if not units:
            errors.append(
                Problem(
                    number,
                    BY_KEY["unit"].name,
                    _("“%(unit)s” is not a unit that may lead a case of %(region)s.")
                    % {"unit": read.text(value), "region": region.name},
                )
            )
            return None
        return units[0]

    def _may_import(self, region: Region) -> bool:
        if self.user is None:
            return True
        if region.pk not in self._allowed:
            self._allowed[region.pk] = is_supervisor_of(self.user, Case(region=region))
        return self._allowed[region.pk]

    def _petition_deadline(
        self,
        values: dict[str, Any],
        source: Source,
        assigned: dt.date,
        number: int,
        errors: list[Problem],
    ) -> dt.date | None:
        """The feedback deadline from the source's rule (the same rule as case_create)."""
        cached = self._deadlines.get((source.pk, assigned))
        if cached is None:
            try:
                deadline = source.report_deadline(assigned)
            except workdays.CalendarOutOfRange as exc:
                errors.append(Problem(number, BY_KEY["assigned_on"].name, str(exc)))
                return None
            provisional = source.report_in_working_days and workdays.span_is_provisional(
                assigned, deadline
            )
            cached = self._deadlines[(source.pk, assigned)] = (deadline, provisional)
        values["deadline"], values["deadline_provisional"] = cached
        values["feedback_deadline"] = cached[0]
        return cached[0]

    # --- across rows ----------------------------------------------------------------------------
    def _lengths(self, row: Row, errors: list[Problem]) -> None:
        for name, limit in TEXT_LIMITS.items():
            value = row.values.get(name)
            if isinstance(value, str) and len(value) > limit:
                column = BY_KEY[name].name if name in BY_KEY else name
                errors.append(
                    Problem(
                        row.number,
                        column,
                        _("At most %(limit)s characters (this has %(length)s).")
                        % {"limit": limit, "length": len(value)},
                    )
                )

    def _existing(self, row: Row, errors: list[Problem]) -> None:
        source, number = row.values.get("source"), row.values["acceptance_number"]
        if source is None or not number:
            return
        first = self.seen_numbers.get((source.pk, number))
        if first is not None:
            errors.append(
                Problem(
                    row.number,
                    BY_KEY["acceptance_number"].name,
                    _("The same acceptance number as row %(row)s.") % {"row": first},
                )
            )
        else:
            self.seen_numbers[(source.pk, number)] = row.number

    def _check_numbers(self) -> None:
        """Acceptance numbers already in their source: refused, or updated when asked."""
        by_source: dict[int, dict[str, Row]] = defaultdict(dict)
        for row in self.plan.rows:
            if row.values.get("source") is not None and row.values["acceptance_number"]:
                by_source[row.values["source"].pk][row.values["acceptance_number"]] = row
        for source_id, rows in by_source.items():
            if not Case.objects.filter(source_id=source_id).exists():
                continue  # a new round: nothing to compare with
            numbers = list(rows)
            for start in range(0, len(numbers), 1000):
                found = Case.objects.filter(
                    source_id=source_id, acceptance_number__in=numbers[start : start + 1000]
                ).select_related("region")
                for case in found:
                    row = rows[case.acceptance_number]
                    if self.update_existing:
                        row.existing = case
                        wanted = row.values.get("state")
                        if wanted and wanted != case.state:
                            self.plan.warnings.append(
                                Problem(
                                    row.number,
                                    BY_KEY["state"].name,
                                    _(
                                        "On the ledger as %(state)s: the row updates its data, "
                                        "not its state or dates (those change through the "
                                        "case's own steps)."
                                    )
                                    % {"state": case.get_state_display()},
                                )
                            )
                    else:
                        self.plan.problems.append(
                            Problem(
                                row.number,
                                BY_KEY["acceptance_number"].name,
                                _(
                                    "Already on the ledger in this source (choose “update cases "
                                    "already on the ledger” to update it)."
                                ),
                            )
                        )

    def _check_repeat_links(self) -> None:
        """重复关联件编号: the original must be in the file or on the ledger, in the same source."""
        in_file = {
            (r.values["source"].pk, r.values["acceptance_number"])
            for r in self.plan.rows
            if r.values.get("source")
        }
        for row in self.plan.rows:
            if not row.duplicate_of or row.values.get("source") is None:
                continue
            source = row.values["source"]
            if row.duplicate_of == row.values["acceptance_number"]:
                problem = _("A case cannot repeat itself.")
            elif (source.pk, row.duplicate_of) in in_file or Case.objects.filter(
                source=source, acceptance_number=row.duplicate_of
            ).exists():
                continue
            else:
                problem = _("No case %(number)s in this source.") % {"number": row.duplicate_of}
            self.plan.problems.append(Problem(row.number, BY_KEY["duplicate_of"].name, problem))

    def _suspect_repeats(self) -> None:
        """疑似重复件: a row whose text is much like an earlier row's, or a case of the same
        county in the same source, is flagged for an officer to confirm; nothing is linked.
        Alike is measured on the texts' character pairs weighted by how rare each pair is among
        the county's petitions, so boilerplate (群众反映…影响周边居民) counts for little and the
        place and the specifics for much."""
        source = self.plan.source
        by_region: dict[int, list[Row]] = defaultdict(list)
        for row in self.plan.rows:
            if row.values.get("region") is not None:
                by_region[row.values["region"].pk].append(row)
        for region_id, rows in by_region.items():
            known: list[tuple[str, int | None, frozenset[str], float]] = [
                (number, pk, read.bigrams(summary), 0.0)
                for pk, number, summary in Case.objects.filter(
                    source=source, region_id=region_id
                ).values_list("pk", "acceptance_number", "summary")[:20000]
            ]
            pending = [read.bigrams(row.values["summary"]) for row in rows]
            frequency = Counter(chain.from_iterable([*(k[2] for k in known), *pending]))
            total = len(known) + len(pending)
            weight = {p: math.log((total + 1) / (f + 0.5)) for p, f in frequency.items()}
            mass_of = weight.__getitem__
            known = [(n, pk, pairs, sum(map(mass_of, pairs))) for n, pk, pairs, _m in known]
            # Candidates share at least two rare pairs (a place name, a business, a street);
            # only they are scored on all their pairs.
            limit = max(RARE_PAIR, total // 200)
            rare = {p for p, f in frequency.items() if f <= limit}
            postings: dict[str, list[int]] = defaultdict(list)
            for position, item in enumerate(known):
                for pair in item[2] & rare:
                    postings[pair].append(position)
            for row, pairs in zip(rows, pending, strict=True):
                shared_rare: Counter[int] = Counter()
                for pair in pairs & rare:
                    shared_rare.update(postings.get(pair, ()))
                mass = sum(map(mass_of, pairs))
                best = None
                for position, together in shared_rare.items():
                    if together < 2:
                        continue
                    other = known[position][2]
                    shared = sum(map(mass_of, pairs & other))
                    union = mass + known[position][3] - shared
                    score = shared / (union or 1)
                    if score >= SIMILAR and (best is None or score > best[0]):
                        best = (score, position)
                if best is not None:
                    number, pk, _pairs, _mass = known[best[1]]
                    row.suspected.append(
                        {"original": number, "case_id": pk, "similarity": round(best[0], 2)}
                    )
                    self.plan.warnings.append(
                        Problem(
                            row.number,
                            BY_KEY["summary"].name,
                            _(
                                "Possibly a repeat of %(number)s (%(percent)s%% alike): an "
                                "officer confirms it on the case."
                            )
                            % {"number": number, "percent": round(best[0] * 100)},
                        )
                    )
                known.append((row.values["acceptance_number"], None, pairs, mass))
                for pair in pairs & rare:
                    postings[pair].append(len(known) - 1)
