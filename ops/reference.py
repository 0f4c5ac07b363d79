"""Loading the reference data in ``fixtures/reference.json``: regions, units, source streams,
pollution types, and the default reminder ladder.

Every row is matched on its natural key and updated in place, so the load can run any number of
times (and after an edit of the file) without duplicating anything.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction

from casework.models import Region, ResponsibleUnit

DEFAULT_REFERENCE_FILE = Path(settings.BASE_DIR) / "fixtures" / "reference.json"


@dataclass
class LoadReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    def record(self, kind: str, outcome: str) -> None:
        getattr(self, outcome)[kind] += 1


def _upsert(
    report: LoadReport,
    kind: str,
    model: type[models.Model],
    lookup: dict[str, Any],
    values: dict[str, Any],
) -> models.Model:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean(validate_unique=False)
        obj.save()
        report.record(kind, "created")
        return obj
    changed = {name: value for name, value in values.items() if getattr(obj, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(obj, name, value)
        obj.save()
        report.record(kind, "updated")
    else:
        report.record(kind, "unchanged")
    return obj


def _load_regions(
    report: LoadReport, nodes: list[dict[str, Any]], parent: Region | None, by_name: dict
) -> None:
    for order, node in enumerate(nodes, start=1):
        gb_code = node.get("gb_code") or None
        values = {"name": node["name"], "kind": node["kind"], "parent": parent, "sort_order": order}
        if node.get("center"):
            # Approximate centres (the seat of government) with a generous radius: enough to
            # flag a field check's GPS position that is far outside the county.
            values["center_latitude"] = Decimal(str(node["center"][0]))
            values["center_longitude"] = Decimal(str(node["center"][1]))
            values["radius_km"] = node.get("radius_km")
        lookup = {"gb_code": gb_code} if gb_code else {"parent": parent, "name": node["name"]}
        if not gb_code:
            values.pop("name")
            values.pop("parent")
        region = _upsert(report, "region", Region, lookup, values)
        if node["name"] in by_name:
            raise ImproperlyConfigured(f"Region name {node['name']!r} appears twice in the file.")
        by_name[node["name"]] = region
        _load_regions(report, node.get("children", []), region, by_name)


@transaction.atomic
def reference_data_load(*, path: Path = DEFAULT_REFERENCE_FILE) -> LoadReport:
    from cases.models import PollutionType, SourceStream

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    report = LoadReport()
    regions_by_name: dict[str, Region] = {}
    _load_regions(report, data.get("regions", []), None, regions_by_name)
    for unit in data.get("units", []):
        try:
            region = regions_by_name[unit["region"]]
        except KeyError:
            raise ImproperlyConfigured(
                f"Unit {unit['name']!r} names an unknown region {unit['region']!r}."
            ) from None
        _upsert(
            report,
            "unit",
            ResponsibleUnit,
            {"region": region, "name": unit["name"]},
            {"kind": unit["kind"]},
        )
    for stream in data.get("source_streams", []):
        _upsert(
            report,
            "source_stream",
            SourceStream,
            {"code": stream["code"]},
            {key: value for key, value in stream.items() if key != "code"},
        )
    for pollution_type in data.get("pollution_types", []):
        _upsert(
            report,
            "pollution_type",
            PollutionType,
            {"code": pollution_type["code"]},
            {key: value for key, value in pollution_type.items() if key != "code"},
        )
    from notifications.models import ReminderRule

    for rule in data.get("reminder_rules", []):
        _, created = ReminderRule.objects.get_or_create(
            offset_working_days=rule["offset_working_days"],
            defaults={k: v for k, v in rule.items() if k != "offset_working_days"},
        )
        report.record("reminder_rule", "created" if created else "unchanged")
    return report
