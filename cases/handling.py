"""The handling counts (处理情况) written as a sentence, and read back from one: "责令改正3家，
罚款12.5万元". The ledger export writes it after the unit's account; an import of that ledger
reads it back into the counts, so the two round-trip."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

# (field, word, measure) in the order the ledger writes them.
HANDLING_WORDS = (
    ("ordered_to_correct", "责令改正", "家"),
    ("ordered_to_rectify_by_deadline", "限期整改", "家"),
    ("production_suspended", "停产整改", "家"),
    ("penalty_cases", "立案处罚", "家"),
    ("fines_10k_yuan", "罚款", "万元"),
    ("sealed_or_seized", "查封扣押", "件"),
    ("closed_down", "关停取缔", "家"),
    ("criminal_cases", "立案侦查", "件"),
    ("administrative_detentions", "行政拘留", "人"),
    ("criminal_detentions", "刑事拘留", "人"),
)
_PART = re.compile(
    "^(" + "|".join(w for _, w, _ in HANDLING_WORDS) + r")(\d+(?:\.\d+)?)(家|万元|件|人)$"
)


def number_text(value: Any) -> Any:
    """12.50 reads 12.5 and 3.00 reads 3, as a report writes them."""
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return value


def handling_text(case: Any) -> str:
    return "，".join(
        f"{word}{number_text(getattr(case, name))}{measure}"
        for name, word, measure in HANDLING_WORDS
        if getattr(case, name)
    )


def handling_parse(text: str) -> tuple[str, dict[str, Any]]:
    """Split 处理情况 into the account and the counts its last line states (if it is such a
    line, with each word's own measure); otherwise all of it is the account."""
    head, _sep, last = text.rpartition("\n")
    counts: dict[str, Any] = {}
    fields = {word: (name, measure) for name, word, measure in HANDLING_WORDS}
    for part in last.split("，") if last else []:
        match = _PART.match(part.strip())
        if match is None or fields[match.group(1)][1] != match.group(3):
            return text, {}
        name = fields[match.group(1)][0]
        value = match.group(2)
        counts[name] = Decimal(value) if name == "fines_10k_yuan" else int(Decimal(value))
    return head, counts
