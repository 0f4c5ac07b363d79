"""A schematic map of the city's counties for the dashboard, coloured by closure rate.

No licensed county outlines could be shipped (the public ones are third parties' work), so the
map is drawn from what the project holds itself: each county's centre (``Region.center_*``,
reference data). Each county gets the part of the city's box nearer its centre than any other's
(a Voronoi cell): the counties sit where they are, next to their neighbours, and the page says it
is a schematic, not the administrative boundaries. Drawn as inline SVG on the server: no chart
library, nothing from a CDN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from casework.models import Region, RegionKind

WIDTH = 360  # SVG user units; the page scales it
MARGIN_DEGREES = 0.3  # around the outermost centres

Point = tuple[float, float]


@dataclass(frozen=True)
class Cell:
    region_id: int
    name: str
    points: str  # the polygon, "x,y x,y …"
    label: Point  # where its name goes: the polygon's centroid
    small: bool  # too small for its full name and rate (the urban districts)


def _clip(polygon: list[Point], site: Point, other: Point) -> list[Point]:
    """The part of a convex polygon nearer ``site`` than ``other`` (Sutherland–Hodgman)."""
    mx, my = (site[0] + other[0]) / 2, (site[1] + other[1]) / 2
    dx, dy = other[0] - site[0], other[1] - site[1]

    def inside(p: Point) -> bool:
        return (p[0] - mx) * dx + (p[1] - my) * dy <= 0

    def crossing(a: Point, b: Point) -> Point:
        da = (a[0] - mx) * dx + (a[1] - my) * dy
        db = (b[0] - mx) * dx + (b[1] - my) * dy
        t = da / (da - db)
        return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))

    result: list[Point] = []
    for i, current in enumerate(polygon):
        previous = polygon[i - 1]
        if inside(current):
            if not inside(previous):
                result.append(crossing(previous, current))
            result.append(current)
        elif inside(previous):
            result.append(crossing(previous, current))
    return result


SMALL_AREA = 1500  # square SVG units


def _area_and_centroid(polygon: list[Point]) -> tuple[float, float, float]:
    twice_area = cx = cy = 0.0
    for i, (x1, y1) in enumerate(polygon):
        x0, y0 = polygon[i - 1]
        cross = x0 * y1 - x1 * y0
        twice_area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(twice_area) < 1e-9:
        x, y = polygon[0]
        return 0.0, x, y
    return abs(twice_area) / 2, cx / (3 * twice_area), cy / (3 * twice_area)


@lru_cache(maxsize=8)
def _cells(centres: tuple[tuple[int, str, float, float], ...]) -> tuple[tuple[Cell, ...], int]:
    latitude0 = sum(c[2] for c in centres) / len(centres)
    squeeze = math.cos(math.radians(latitude0))  # a degree of longitude is shorter here
    sites = {pk: (lon * squeeze, -lat) for pk, _, lat, lon in centres}  # north up
    xs, ys = [s[0] for s in sites.values()], [s[1] for s in sites.values()]
    left, right = min(xs) - MARGIN_DEGREES, max(xs) + MARGIN_DEGREES
    top, bottom = min(ys) - MARGIN_DEGREES, max(ys) + MARGIN_DEGREES
    scale = WIDTH / (right - left)
    height = round((bottom - top) * scale)
    box = [(left, top), (right, top), (right, bottom), (left, bottom)]
    cells = []
    for pk, name, _lat, _lon in centres:
        polygon = box
        for other_pk, other in sites.items():
            if other_pk != pk:
                polygon = _clip(polygon, sites[pk], other)
        drawn = [((x - left) * scale, (y - top) * scale) for x, y in polygon]
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in drawn)
        area, cx, cy = _area_and_centroid(drawn)
        cells.append(Cell(pk, name, points, (cx, cy), area < SMALL_AREA))
    return tuple(cells), height


# The legend's bands, highest first: (the lowest rate in the band, colour, label).
BANDS = ((90, "#2e7d32", "≥90%"), (70, "#7cb342", "70–90%"), (50, "#fbc02d", "50–70%"))
BELOW, NO_FIGURES = ("#e53935", "<50%"), "#d9d9d9"
LEGEND = (*((label, colour) for _low, colour, label in BANDS), (BELOW[1], BELOW[0]))


def shade(rate: Decimal | None) -> str:
    """The colour of a closure rate: the higher, the greener; grey without petitions."""
    if rate is None:
        return NO_FIGURES
    return next((colour for low, colour, _label in BANDS if rate >= low), BELOW[0])


def county_map(ranking_rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The map's cells, each with its county's figures from the ranking (as of its date)."""
    counties = (
        Region.objects.filter(kind=RegionKind.COUNTY, center_latitude__isnull=False)
        .order_by("gb_code")
        .values_list("pk", "name", "center_latitude", "center_longitude")
    )
    centres = tuple((pk, name, float(lat), float(lon)) for pk, name, lat, lon in counties)
    if len(centres) < 2:
        return None
    cells, height = _cells(centres)
    figures = {row["region_id"]: row for row in ranking_rows}
    shown = []
    for cell in cells:
        row = figures.get(cell.region_id, {})
        rate = row.get("closed_out_rate")
        shown.append(
            {
                "name": cell.name,
                "short": cell.name[:2] if cell.small else cell.name,
                "small": cell.small,
                "points": cell.points,
                "x": f"{cell.label[0]:.1f}",
                "y": f"{cell.label[1]:.1f}",
                "rate": rate,
                "overdue": row.get("overdue", 0),
                "petitions": row.get("petitions", 0),
                "colour": shade(rate),
            }
        )
    return {"cells": shown, "width": WIDTH, "height": height, "legend": LEGEND}
