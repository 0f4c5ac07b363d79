"""Cells as people write them."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.models import Region
from intake import values as read

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        (45428, dt.date(2024, 5, 16)),  # an Excel serial date
        (45428.0, dt.date(2024, 5, 16)),
        ("45428", dt.date(2024, 5, 16)),
        ("2024-05-16", dt.date(2024, 5, 16)),
        ("2024/5/16", dt.date(2024, 5, 16)),
        ("2024.5.16", dt.date(2024, 5, 16)),
        ("2024年5月16日", dt.date(2024, 5, 16)),
        ("２０２４年５月１６日", dt.date(2024, 5, 16)),  # full-width digits
        ("20240516", dt.date(2024, 5, 16)),
        ("2024-05-16 14:30", dt.date(2024, 5, 16)),
        ("2027-01-29（暂定）", dt.date(2027, 1, 29)),  # as the ledger export marks it
        (dt.datetime(2024, 5, 16, 9, 0), dt.date(2024, 5, 16)),
        ("", None),
        (None, None),
    ],
)
def test_dates_as_people_write_them(cell, day) -> None:  # type: ignore[no-untyped-def]
    assert read.date(cell) == day


@pytest.mark.parametrize("cell", ["2024-13-01", "五月十六日", "下周", 999999, "2024/2/30"])
def test_what_is_not_a_date_says_how_to_write_one(cell) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(read.Unreadable):
        read.date(cell)


def test_counties_by_their_short_and_long_names(reference) -> None:  # type: ignore[no-untyped-def]
    index = read.RegionIndex(Region.objects.all())
    found = {
        cell: index.find(cell).name
        for cell in (
            "吉州",
            "吉州区",
            " 吉州区 ",
            "吉安市吉州区",
            "江西省吉安市吉州区",
            "井冈山经开区",
            "井冈山经济技术开发区",
            "泰和",
            "庐陵新区",
            "市本级",
        )
    }
    assert set(found.values()) == {"吉州区", "井冈山经济技术开发区", "泰和县", "庐陵新区", "市本级"}
    assert found["吉安市吉州区"] == "吉州区" and found["井冈山经开区"] == "井冈山经济技术开发区"
    with pytest.raises(read.Unreadable, match="全称"):
        index.find("井冈山")  # 井冈山市 or 井冈山经济技术开发区
    with pytest.raises(read.Unreadable):
        index.find("朝阳区")


def test_coordinates_outside_china_and_yes_no_words() -> None:
    assert str(read.coordinate("27.1234567", 3, 54)) == "27.123457"
    with pytest.raises(read.Unreadable):
        read.coordinate("127.1", 3, 54)
    assert [read.yes_no(w) for w in ("是", "否", "", "√", "Y")] == [True, False, False, True, True]
