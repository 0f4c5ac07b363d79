"""The sentences a work report uses, with a subject for each clause and the figures adding up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cases.models import (
    CaseKind,
)
from cases.notice import chinese_date
from casework.models import User
from supervision.reports.rates import (
    RATE_DEFINITIONS,
    closure_counts,
    scoped_cases,
    with_rates,
)
from supervision.reports.tally import FINDING_COUNTS, Figures, figures

# --- the sentences a work report uses ------------------------------------------------------------


# The subjects of the sentences, by source stream, as the city's reports name them.
PETITION_SUBJECT = "中央和省生态环境保护督察"
FINDING_SUBJECTS = (
    (("central", "provincial"), "中央和省生态环境保护督察及“回头看”"),
    (("central",), "中央生态环境保护督察及“回头看”"),
    (("provincial",), "省生态环境保护督察及“回头看”"),
    (("yangtze_film", "provincial_film"), "长江经济带和省生态环境警示片"),
    (("yangtze_film",), "长江经济带生态环境警示片"),
    (("provincial_film",), "省生态环境警示片"),
)
FINDING_STREAMS = ("central", "provincial", "yangtze_film", "provincial_film")


def finding_subject(streams: tuple[str, ...]) -> str:
    """ "中央和省生态环境保护督察及“回头看”、长江经济带和省生态环境警示片" for the streams given."""
    left, parts = set(streams), []
    for codes, label in FINDING_SUBJECTS:
        if set(codes) <= left:
            parts.append(label)
            left -= set(codes)
    return "、".join(parts) or "督察整改"


def petition_sentence(*, n: int, closed: int, repeats: int, rate: Any, subject: str) -> str:
    """ "…交办信访件累计N件（重复件Y件），已整改销号M件，整改销号率R%。" — no zero clauses."""
    if not n:
        return "本期无交办信访件。"
    counted = f"{subject}交办信访件累计{n}件" + (f"（重复件{repeats}件）" if repeats else "")
    if not closed:
        return f"{counted}，尚无整改销号。"
    if closed == n:
        return f"{counted}，已全部整改销号。"
    return f"{counted}，已整改销号{closed}件，整改销号率{rate}%。"


def finding_sentence(*, schedule: dict[str, int], subject: str) -> str:
    """ "…反馈问题N个，已完成整改A个，其余问题均达到序时进度" (or "B个达到、C个滞后于序时进度");
    the numbers always add up to N and no clause says 0."""
    total, done = schedule["total"], schedule["completed"]
    if not total:
        return "本期无反馈问题。"
    lagging = schedule["behind"] + schedule["overdue"]
    on_time = total - done - lagging
    parts = [f"{subject}反馈问题{total}个"]
    if done == total:
        return parts[0] + "，已全部完成整改。"
    parts.append(f"已完成整改{done}个" if done else "尚未完成整改")
    if not lagging:
        parts.append("其余问题均达到序时进度" if done else "均达到序时进度")
    else:
        if on_time:
            parts.append(f"{on_time}个达到序时进度")
        late = schedule["overdue"]
        if late == lagging:
            parts.append(f"{lagging}个滞后于序时进度（均已逾期）")
        elif late:
            parts.append(f"{lagging}个滞后于序时进度（其中逾期{late}个）")
        else:
            parts.append(f"{lagging}个滞后于序时进度")
    return "，".join(parts) + "。"


def report_sentences(
    *,
    user: User,
    streams: tuple[str, ...] = ("central", "provincial"),
    finding_streams: tuple[str, ...] = FINDING_STREAMS,
    assigned_from: dt.date | None = None,
    assigned_to: dt.date | None = None,
    day: dt.date | None = None,
    found: Figures | None = None,
) -> dict[str, Any]:
    """The sentences a work report pastes, as of ``day`` (default today; the cut-off is
    printed): central and provincial petitions' close-out, then every stream's findings against
    their schedule, each as the cases stood at the end of that day. ``found``: the user's
    figures when the caller has them (the dashboard), else counted here."""
    found = found or figures(
        cases=scoped_cases(user=user, assigned_from=assigned_from, assigned_to=assigned_to),
        day=day,
    )
    today = found.day
    rates = with_rates(
        found.total(
            lambda r: r["kind"] == CaseKind.PETITION and r["source__stream__code"] in streams,
            closure_counts(),
        )
    )
    n, m = rates["assigned"], rates["closed_out"]
    rate = rates["rates"]["closed_out"]
    cutoff = f"截至{chinese_date(today)}，"
    petitions_text = petition_sentence(
        n=n, closed=m, repeats=rates["repeats"], rate=rate, subject=PETITION_SUBJECT
    )
    counted = found.total(
        lambda r: r["kind"] == CaseKind.FINDING and r["source__stream__code"] in finding_streams,
        FINDING_COUNTS,
    )
    schedule = {"total": counted.pop("findings"), **counted}
    findings_text = finding_sentence(schedule=schedule, subject=finding_subject(finding_streams))
    return {
        "as_of": today.isoformat(),
        "petitions": {
            "sentence": petitions_text,
            "assigned": n,
            "closed_out": m,
            "repeats": rates["repeats"],
            "rate": rate,
            "definition": RATE_DEFINITIONS[2].as_dict(),
        },
        "findings": {"sentence": findings_text, **schedule},
        "text": cutoff + petitions_text + findings_text,
    }
