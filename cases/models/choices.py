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
