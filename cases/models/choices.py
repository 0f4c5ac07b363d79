"""Status choices shared by the case and the decisions on it (kept apart so neither module
imports the other)."""

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
