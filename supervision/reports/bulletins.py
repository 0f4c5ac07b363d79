"""A batch's bulletin (交办批次办理情况): the sentence and figures the city publishes."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Q,
    QuerySet,
    Sum,
)

from cases.handling import HANDLING_WORDS, number_text
from cases.models import (
    Batch,
    Case,
    TruthFinding,
)
from supervision.reports.rates import (
    ORIGINAL,
    closure_counts,
)

# --- a batch's bulletin (交办批次办理情况) -----------------------------------------------------

TRUTH_WORDS = (
    (TruthFinding.TRUE, "属实"),
    (TruthFinding.MOSTLY_TRUE, "基本属实"),
    (TruthFinding.PARTLY_TRUE, "部分属实"),
    (TruthFinding.FALSE, "不属实"),
)
# What the bulletin adds up from the cases, beyond the handling counts: (field, word, measure).
PEOPLE_WORDS = (("people_summoned", "约谈", "人"), ("people_held_accountable", "问责", "人"))


def county_distribution(cases: QuerySet[Case]) -> tuple[list[dict[str, Any]], str]:
    """Where the cases went, by county, as bulletins say it: "吉州区5件（与青原区共1件）、青原区
    3件（与吉州区共1件）". A county counts the cases it leads and those it co-operates on (配合
    单位 of another county); the parenthesis says how many of them are joint, and with whom. Each
    case is still one case in the bulletin's total."""
    rows = list(
        cases.order_by().values_list("pk", "region_id", "region__name", "region__sort_order")
    )
    names = {region: (order, name) for _pk, region, name, order in rows}
    joined: dict[int, set[int]] = {pk: {region} for pk, region, _n, _o in rows}
    links = Case.co_units.through.objects.filter(case_id__in=joined).values_list(
        "case_id",
        "responsibleunit__region_id",
        "responsibleunit__region__name",
        "responsibleunit__region__sort_order",
    )
    for case_id, region, name, order in links:
        joined[case_id].add(region)
        names.setdefault(region, (order, name))
    count: Counter[int] = Counter()
    joint: Counter[int] = Counter()
    partners: dict[int, set[int]] = {}
    for regions in joined.values():
        for region in regions:
            count[region] += 1
            if len(regions) > 1:
                joint[region] += 1
                partners.setdefault(region, set()).update(regions - {region})
    ordered = sorted(count, key=lambda r: (-count[r], names[r][0], names[r][1]))
    table = []
    for region in ordered:
        with_whom = sorted(partners.get(region, ()), key=lambda r: (names[r][0], names[r][1]))
        words = f"{names[region][1]}{count[region]}件"
        if joint[region]:
            words += f"（与{'、'.join(names[r][1] for r in with_whom)}共{joint[region]}件）"
        table.append(
            {
                "county": names[region][1],
                "cases": count[region],
                "joint": joint[region],
                "with": [names[r][1] for r in with_whom],
                "words": words,
            }
        )
    return table, "、".join(row["words"] for row in table)


def batch_bulletin(*, cases: QuerySet[Case], batch: Batch) -> dict[str, Any]:
    """The sentence and figures a city publishes for a batch: "第N批X件，已办结A件、阶段性办结B
    件；属实C件…；责令改正…家，立案处罚…家，罚款…万元，约谈…人，问责…人", from the cases' own
    outcomes and handling counts, as they stand now; no clause says 0."""
    cases = cases.filter(batch=batch)
    originals = cases.filter(ORIGINAL)
    totals = originals.aggregate(
        **closure_counts(),
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
    by_county, distribution = county_distribution(originals)
    return {
        "batch": batch.pk,
        "handed_down_on": batch.handed_down_on.isoformat(),
        "sentence": sentence,
        "by_county": by_county,
        "distribution": f"按区县分：{distribution}。",
        **{k: (str(v) if isinstance(v, Decimal) else (v or 0)) for k, v in totals.items()},
    }
