"""The reports across cases: closure rates under each definition, on-schedule progress (序时进度),
the overdue list and its trend, and the sentences a work report uses. Every figure is computed
in the database from ``Case.objects.visible_to(user)``: a county officer's reports cover only
their county.
"""

from supervision.reports.bulletins import (
    PEOPLE_WORDS,
    TRUTH_WORDS,
    batch_bulletin,
)
from supervision.reports.overdue import (
    TREND_DEFINITION,
    days_overdue,
    overdue_cases,
    overdue_trend,
    state_by_stream,
)
from supervision.reports.ranking import (
    RANKING_ORDER,
    county_ranking,
)
from supervision.reports.rates import (
    CONCLUDED,
    GROUPS,
    ORIGINAL,
    RATE_DEFINITIONS,
    THEN,
    TODAY,
    RateDefinition,
    Standing,
    as_of,
    as_of_refusal,
    closed_out,
    closure_rates,
    concluded,
    day_end,
    overdue_at,
    percent,
    scoped_cases,
    stage_only,
)
from supervision.reports.schedule import (
    SCHEDULE_STATUSES,
    schedule_totals,
    with_schedule_status,
)
from supervision.reports.sentences import (
    FINDING_STREAMS,
    FINDING_SUBJECTS,
    PETITION_SUBJECT,
    finding_sentence,
    finding_subject,
    petition_sentence,
    report_sentences,
)
from supervision.reports.tally import Figures, figures

__all__ = [
    "CONCLUDED",
    "FINDING_STREAMS",
    "FINDING_SUBJECTS",
    "GROUPS",
    "ORIGINAL",
    "PEOPLE_WORDS",
    "PETITION_SUBJECT",
    "RANKING_ORDER",
    "RATE_DEFINITIONS",
    "SCHEDULE_STATUSES",
    "THEN",
    "TODAY",
    "TREND_DEFINITION",
    "TRUTH_WORDS",
    "Figures",
    "RateDefinition",
    "Standing",
    "as_of",
    "as_of_refusal",
    "batch_bulletin",
    "closed_out",
    "closure_rates",
    "concluded",
    "county_ranking",
    "day_end",
    "days_overdue",
    "figures",
    "finding_sentence",
    "finding_subject",
    "overdue_at",
    "overdue_cases",
    "overdue_trend",
    "percent",
    "petition_sentence",
    "report_sentences",
    "schedule_totals",
    "scoped_cases",
    "stage_only",
    "state_by_stream",
    "with_schedule_status",
]
