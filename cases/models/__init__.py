"""The ledger (台账): where cases come from (``sources``), the case and its lifecycle (``case``),
the work reported on it (``work``), what supervisors decide (``decisions``), the audit trail
(``events``) and site checks (``field_checks``). Import from here: `from cases.models import Case`.
"""

from cases.models.case import URGENT_FIRST, Case, CaseQuerySet, urgency
from cases.models.choices import (
    FEEDBACK_PENDING,
    HANDLING_FIELDS,
    OPEN_STATES,
    CaseKind,
    Channel,
    EvidenceKind,
    ExtensionStatus,
    FeedbackOutcome,
    ObjectionStatus,
    State,
    Step,
    TruthFinding,
)
from cases.models.decisions import (
    DateRecomputation,
    Decision,
    ExtensionRequest,
    FollowUp,
    FollowUpDecision,
    FollowUpMethod,
    Objection,
    RecomputationStatus,
    Satisfaction,
)
from cases.models.events import Action, CaseEvent, EventQuerySet
from cases.models.evidence import Attachment, attachment_path
from cases.models.field_checks import (
    FieldCheck,
    FieldCheckPhoto,
    FieldCheckResult,
    field_check_photo_path,
)
from cases.models.sources import Batch, PollutionType, Source, SourceKind, SourceStream
from cases.models.standing import CaseStanding, standings_rebuild
from cases.models.work import Milestone, ProgressReport

__all__ = [
    "FEEDBACK_PENDING",
    "HANDLING_FIELDS",
    "OPEN_STATES",
    "URGENT_FIRST",
    "Action",
    "Attachment",
    "Batch",
    "Case",
    "CaseEvent",
    "CaseKind",
    "CaseQuerySet",
    "CaseStanding",
    "Channel",
    "DateRecomputation",
    "Decision",
    "EventQuerySet",
    "EvidenceKind",
    "ExtensionRequest",
    "ExtensionStatus",
    "FeedbackOutcome",
    "FieldCheck",
    "FieldCheckPhoto",
    "FieldCheckResult",
    "FollowUp",
    "FollowUpDecision",
    "FollowUpMethod",
    "Milestone",
    "Objection",
    "ObjectionStatus",
    "PollutionType",
    "ProgressReport",
    "RecomputationStatus",
    "Satisfaction",
    "Source",
    "SourceKind",
    "SourceStream",
    "State",
    "Step",
    "TruthFinding",
    "attachment_path",
    "field_check_photo_path",
    "standings_rebuild",
    "urgency",
]
