"""Every change to a case goes through a function here: lock the row, check the user may, change,
save, write the event row, and queue side effects for after the commit.

Admin, API, import and tasks all call these; nothing else assigns ``Case.state``. Functions raise
``casework.errors`` exceptions, which callers turn into messages or HTTP codes in one place each.

The package: ``lifecycle`` (transitions), ``feedback`` (a petition's first step and its
outcome), ``followups`` (回访), ``ledger`` (creation, corrections, reassignment), ``progress``
(progress reports, milestones), ``decisions`` (extensions, objections), ``repeats`` (重复件,
which follow their original), all on the ``kernel`` (lock, refuse, set a field, write the event).
"""

from __future__ import annotations

from cases.services.decisions import (
    extension_request_create,
    extension_request_decide,
    objection_decide,
    objection_record,
)
from cases.services.feedback import case_feedback
from cases.services.followups import followup_decide, followup_record
from cases.services.kernel import PROTECTED_FIELDS
from cases.services.ledger import (
    OFFICER_EDITABLE_STATES,
    OFFICER_FIELDS,
    SUPERVISOR_FIELDS,
    case_co_units_set,
    case_create,
    case_editable_fields,
    case_reassign,
    case_update,
)
from cases.services.lifecycle import (
    TRANSITIONS,
    AvailableTransition,
    TransitionSpec,
    case_available_transitions,
    case_transition,
)
from cases.services.progress import milestone_add, milestone_complete, progress_report_add
from cases.services.repeats import case_mark_repeat, case_unmark_repeat

__all__ = [
    "OFFICER_EDITABLE_STATES",
    "OFFICER_FIELDS",
    "PROTECTED_FIELDS",
    "SUPERVISOR_FIELDS",
    "TRANSITIONS",
    "AvailableTransition",
    "TransitionSpec",
    "case_available_transitions",
    "case_co_units_set",
    "case_create",
    "case_editable_fields",
    "case_feedback",
    "case_mark_repeat",
    "case_reassign",
    "case_transition",
    "case_unmark_repeat",
    "case_update",
    "extension_request_create",
    "extension_request_decide",
    "followup_decide",
    "followup_record",
    "milestone_add",
    "milestone_complete",
    "objection_decide",
    "objection_record",
    "progress_report_add",
]
