"""Choices shared by the case, its source and the rows about it (kept apart so that none of those
modules imports another)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class EvidenceKind(models.TextChoices):
    RECTIFICATION_REPORT = "rectification_report", _("Rectification report")  # 整改报告
    PHOTO_BEFORE = "photo_before", _("Photo before rectification")  # 整改前照片
    PHOTO_AFTER = "photo_after", _("Photo after rectification")  # 整改后照片
    VERIFICATION_OPINION = "verification_opinion", _("Verification opinion")  # 验收意见
    CLOSURE_FORM = "closure_form", _("Close-out application form")  # 销号申请表
    NOTICE_CAPTURE = "notice_capture", _("Capture of the public notice")  # 公示截图
    OTHER = "other", _("Other")


class CaseKind(models.TextChoices):
    FINDING = "finding", _("Inspection finding")
    PETITION = "petition", _("Petition case")


class State(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    RECTIFYING = "rectifying", _("Rectifying")
    SUBMITTED = "submitted", _("Awaiting verification")
    VERIFIED = "verified", _("Verified (public notice)")
    CLOSED = "closed", _("Closed out")


# The handling counts (处理情况) on a case, in the ledger's order.
HANDLING_FIELDS = (
    "ordered_to_correct",
    "ordered_to_rectify_by_deadline",
    "production_suspended",
    "penalty_cases",
    "fines_10k_yuan",
    "sealed_or_seized",
    "closed_down",
    "criminal_cases",
    "administrative_detentions",
    "criminal_detentions",
    "people_summoned",
    "people_held_accountable",
)

# States in which the responsible unit owes work, so a passed deadline makes the case overdue.
OPEN_STATES = (State.ASSIGNED, State.RECTIFYING)


class FeedbackOutcome(models.TextChoices):
    """A petition's feedback (办理情况反馈), the first of its two steps."""

    CONCLUDED = "concluded", _("Concluded")  # 办结
    STAGE = "stage", _("Concluded for this stage")  # 阶段性办结
    IN_PROGRESS = "in_progress", _("Still in progress")  # 正在办理 (未办结)


# Outcomes after which the unit still owes the feedback: none yet, or "still in progress".
FEEDBACK_PENDING = ("", FeedbackOutcome.IN_PROGRESS)


class Step(models.TextChoices):
    """Which of a petition's two steps the current deadline chases (a finding has only the
    second)."""

    FEEDBACK = "feedback", _("Feedback")
    RECTIFICATION = "rectification", _("Rectification")


class Channel(models.TextChoices):
    """How the complainant reached the inspection team (来电/来信)."""

    PHONE = "phone", _("Phone call")
    LETTER = "letter", _("Letter")
    ONLINE = "online", _("Online")
    VISIT = "visit", _("In person")


class TruthFinding(models.TextChoices):
    TRUE = "true", _("True")
    MOSTLY_TRUE = "mostly_true", _("Mostly true")
    PARTLY_TRUE = "partly_true", _("Partly true")
    FALSE = "false", _("Not true")
