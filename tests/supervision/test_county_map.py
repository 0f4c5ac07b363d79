"""The dashboard's schematic county map: every county with a centre is a cell of the city's box,
the cells tile it without overlapping, each labelled inside itself and coloured by its rate."""

from __future__ import annotations

from decimal import Decimal

import pytest

from casework.models import Region, RegionKind
from supervision.county_map import county_map, shade

pytestmark = pytest.mark.django_db


def area(points: str) -> float:
    xy = [tuple(map(float, p.split(","))) for p in points.split()]
    return (
        abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(xy, xy[1:] + xy[:1], strict=True)))
        / 2
    )


def test_every_county_is_a_cell_and_the_cells_tile_the_box(reference: None) -> None:
    counties = Region.objects.filter(kind=RegionKind.COUNTY, center_latitude__isnull=False)
    jizhou = counties.get(name="吉州区")
    drawn = county_map([{"region_id": jizhou.pk, "closed_out_rate": Decimal("95.0"), "overdue": 2}])
    assert drawn is not None
    cells = {c["name"]: c for c in drawn["cells"]}
    assert set(cells) == set(counties.values_list("name", flat=True))
    assert len(cells) == 13
    # The cells add up to the whole box: no gaps, no overlaps.
    total = sum(area(c["points"]) for c in cells.values())
    assert total == pytest.approx(drawn["width"] * drawn["height"], rel=0.01)
    # North is up: 新干县 (the north-east) above 遂川县 (the south-west), and to its right.
    north, south = cells["新干县"], cells["遂川县"]
    assert float(north["y"]) < float(south["y"]) and float(north["x"]) > float(south["x"])
    assert (cells["吉州区"]["rate"], cells["吉州区"]["colour"]) == (Decimal("95.0"), "#2e7d32")
    assert cells["泰和县"]["colour"] == "#d9d9d9"  # no figures: grey, not a colour of failure


def test_the_colours_step_at_the_legends_bounds() -> None:
    assert [shade(Decimal(v)) for v in ("90", "89.9", "70", "50", "49.9")] == [
        "#2e7d32",
        "#7cb342",
        "#7cb342",
        "#fbc02d",
        "#e53935",
    ]
    assert shade(None) == "#d9d9d9"
