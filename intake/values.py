"""Reading one cell the way people write it: dates (Excel serial numbers, 2024/5/16,
2024年5月16日), yes/no, counties by their short names, pollution types, states, numbers.

Each reader returns the value or raises ``Unreadable`` with a message for the report.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from cases.models import CaseKind, Channel, FeedbackOutcome, PollutionType, State, TruthFinding
from casework.models import Region, RegionKind


class Unreadable(ValueError):
    pass


def text(value: Any) -> str:
    """A cell as text: stripped, Word's vertical tab read as a line break, numbers without a
    trailing ".0" (an acceptance number typed as a number)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    return str(value).replace("\x0b", "\n").replace("\r\n", "\n").strip()


_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_]+")


def key(value: Any) -> str:
    """Text as compared: NFKC, no spaces."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text(value)))


# --- dates ---------------------------------------------------------------------------------------

EXCEL_EPOCH = dt.date(1899, 12, 30)
# 2024-05-16, 2024/5/16, 2024.5.16, 2024年5月16日, with a time or the mark (暂定) after it.
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*|\s*\(暂定\))?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80000:  # an Excel serial date (1900 date system)
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise Unreadable(_("“%(value)s” is not a date.") % {"value": value})
    raw = unicodedata.normalize("NFKC", str(value)).strip()
    if re.fullmatch(r"\d{5}(\.0)?", raw):
        return EXCEL_EPOCH + dt.timedelta(days=int(float(raw)))
    match = _DATE.match(raw) or _COMPACT.match(raw)
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise Unreadable(
        _("“%(value)s” is not a date: write it as 2024-05-16, 2024/5/16 or 2024年5月16日.")
        % {"value": raw}
    )


# --- small vocabularies ---------------------------------------------------------------------

_YES = {"是", "y", "yes", "true", "1", "√", "✓", "重点", "重点件"}
_NO = {"否", "n", "no", "false", "0", "×", "非重点", ""}


def yes_no(value: Any) -> bool:
    word = key(value).lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise Unreadable(_("Write 是 or 否 (found “%(value)s”).") % {"value": text(value)})


def _vocabulary(pairs: Iterable[tuple[str, str]], choices: Any = None) -> dict[str, str]:
    """Words → values: the given words, and the choices' values and labels in both languages
    (the exports write labels in the language of whoever exported)."""
    found = {key(word): value for word, value in pairs}
    for item in choices or ():
        found.setdefault(key(item.value), item.value)
        for language in ("zh-hans", "en"):
            with translation.override(language):
                found.setdefault(key(str(item.label)), item.value)
    return found


CHANNELS = _vocabulary(
    [
        ("来电", Channel.PHONE),
        ("电话", Channel.PHONE),
        ("来信", Channel.LETTER),
        ("信件", Channel.LETTER),
        ("网络", Channel.ONLINE),
        ("网上", Channel.ONLINE),
        ("微信", Channel.ONLINE),
        ("邮件", Channel.ONLINE),
        ("来访", Channel.VISIT),
    ],
    Channel,
)
STATES = _vocabulary(
    [
        ("已交办", State.ASSIGNED),
        ("待办理", State.ASSIGNED),
        ("整改中", State.RECTIFYING),
        ("办理中", State.RECTIFYING),
        ("待验收", State.SUBMITTED),
        ("已验收(公示中)", State.VERIFIED),
        ("已验收", State.VERIFIED),
        ("公示中", State.VERIFIED),
        ("已销号", State.CLOSED),
    ],
    State,
)
OUTCOMES = _vocabulary(
    [
        ("办结", FeedbackOutcome.CONCLUDED),
        ("已办结", FeedbackOutcome.CONCLUDED),
        ("阶段性办结", FeedbackOutcome.STAGE),
        ("正在办理", FeedbackOutcome.IN_PROGRESS),
        ("未办结", FeedbackOutcome.IN_PROGRESS),
    ],
    FeedbackOutcome,
)
# 办结状态 as the ledger export writes it (supervision.exports.status_text).
STATUS_WORDS = _vocabulary(
    [
        ("已销号", FeedbackOutcome.CONCLUDED),
        ("已办结", FeedbackOutcome.CONCLUDED),
        ("阶段性办结", FeedbackOutcome.STAGE),
        ("正在办理", ""),
    ]
)
TRUTH = _vocabulary(
    [
        ("属实", TruthFinding.TRUE),
        ("基本属实", TruthFinding.MOSTLY_TRUE),
        ("部分属实", TruthFinding.PARTLY_TRUE),
        ("不属实", TruthFinding.FALSE),
    ],
    TruthFinding,
)
KINDS = _vocabulary(
    [
        ("交办信访件", CaseKind.PETITION),
        ("信访件", CaseKind.PETITION),
        ("督察反馈问题", CaseKind.FINDING),
        ("反馈问题", CaseKind.FINDING),
    ],
    CaseKind,
)


def choice(value: Any, vocabulary: dict[str, str], allowed: str) -> str:
    found = vocabulary.get(key(value))
    if found is None:
        raise Unreadable(
            _("“%(value)s” is not one of: %(allowed)s.")
            % {"value": text(value), "allowed": allowed}
        )
    return found


# --- numbers and places ---------------------------------------------------------------------------


def count(value: Any) -> int:
    if value in (None, ""):
        return 0
    try:
        number = Decimal(key(value) or "0")
    except InvalidOperation:
        raise Unreadable(_("“%(value)s” is not a number.") % {"value": text(value)}) from None
    if number < 0 or number != number.to_integral_value() or number > 1_000_000:
        raise Unreadable(_("“%(value)s” is not a whole number of 0 or more.") % {"value": number})
    return int(number)


def amount(value: Any) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        number = Decimal(key(value) or "0").quantize(Decimal("0.01"))
    except InvalidOperation:
        raise Unreadable(_("“%(value)s” is not a number.") % {"value": text(value)}) from None
    if number < 0 or number >= Decimal("100000000"):
        raise Unreadable(_("“%(value)s” is not a sum in 10,000 yuan.") % {"value": number})
    return number


def coordinate(value: Any, low: float, high: float) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(key(value))
    except InvalidOperation:
        raise Unreadable(_("“%(value)s” is not a number.") % {"value": text(value)}) from None
    if not (low <= number <= high):
        raise Unreadable(
            _("%(value)s lies outside China (%(low)s to %(high)s).")
            % {"value": number, "low": low, "high": high}
        )
    return number.quantize(Decimal("0.000001"))


# Regions as people write them: 吉州 for 吉州区, 井冈山经开区 for 井冈山经济技术开发区, with or
# without the city in front (吉安市吉州区).
_SUFFIXES = ("经济技术开发区", "高新技术产业开发区", "新区", "区", "县", "市")
_ALIASES = {"经济技术开发区": ("经开区", "经济开发区"), "高新技术产业开发区": ("高新区",)}
COUNTY_KINDS = (RegionKind.COUNTY, RegionKind.ZONE, RegionKind.CITY_LEVEL)


class RegionIndex:
    def __init__(self, regions: Iterable[Region]) -> None:
        self.regions = [r for r in regions if r.kind in COUNTY_KINDS]
        names: dict[str, set[Region]] = {}
        for region in self.regions:
            for name in self._names(region.name):
                names.setdefault(name, set()).add(region)
        self.by_name = names
        self.prefixes = sorted({key(r.name) for r in regions}, key=len, reverse=True)

    @staticmethod
    def _names(name: str) -> set[str]:
        full = key(name)
        found = {full}
        for suffix in _SUFFIXES:
            if full.endswith(suffix) and len(full) > len(suffix) + 1:
                stem = full[: -len(suffix)]
                found.add(stem)
                found.update(stem + alias for alias in _ALIASES.get(suffix, ()))
                break
        return found

    def find(self, value: Any) -> Region:
        name = key(value)
        if not name:
            raise Unreadable(_("This column is required."))
        candidates = self.by_name.get(name, set())
        rest = name
        while not candidates:
            # 吉安市吉州区, 江西省吉安市吉州区: the regions above it written in front.
            prefix = next(
                (p for p in self.prefixes if rest.startswith(p) and len(rest) > len(p)), None
            )
            if prefix is None:
                break
            rest = rest[len(prefix) :]
            candidates = self.by_name.get(rest, set())
        if len(candidates) == 1:
            return next(iter(candidates))
        if candidates:
            raise Unreadable(
                _("“%(value)s” could be %(names)s: write the full name.")
                % {"value": text(value), "names": "、".join(sorted(r.name for r in candidates))}
            )
        raise Unreadable(
            _("“%(value)s” is not a county of your jurisdiction.") % {"value": text(value)}
        )


class PollutionIndex:
    def __init__(self, types: Iterable[PollutionType]) -> None:
        self.types = list(types)
        self.by_name: dict[str, PollutionType] = {}
        for item in self.types:
            for name in (item.name, item.code, item.name + "污染"):
                self.by_name.setdefault(key(name).lower(), item)

    def find(self, value: Any) -> list[PollutionType]:
        words = [w for w in re.split(r"[、,，;；/|\s]+", text(value)) if w]
        found, unknown = [], []
        for word in words:
            item = self.by_name.get(key(word).lower())
            if item is None:
                unknown.append(word)
            elif item not in found:
                found.append(item)
        if unknown:
            raise Unreadable(
                _("Unknown pollution type “%(value)s”; use: %(names)s.")
                % {"value": "、".join(unknown), "names": "、".join(t.name for t in self.types)}
            )
        if not found:
            raise Unreadable(_("This column is required."))
        return found


# --- near-duplicates ------------------------------------------------------------------------


def bigrams(value: str) -> frozenset[str]:
    """The pairs of adjacent characters of a text, punctuation and spaces left out: what
    "similar text" is measured on (intake.checking weighs them by rarity)."""
    chars = _NOT_WORD.sub("", unicodedata.normalize("NFKC", value))
    return frozenset(map(str.__add__, chars[:-1], chars[1:]))
