"""The pages behind a case's action buttons (the transitions have their own, from
``cases.services.TRANSITIONS``): the form each asks for and the service it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.admin import forms as admin_forms
from cases.evidence import attachment_add
from cases.models import (
    Case,
    ExtensionRequest,
    FollowUp,
    Milestone,
    Objection,
)
from cases.notice import notice_publish
from cases.services import (
    case_co_units_set,
    case_feedback,
    case_mark_repeat,
    case_reassign,
    case_unmark_repeat,
    extension_request_create,
    extension_request_decide,
    followup_decide,
    followup_record,
    milestone_complete,
    objection_decide,
    objection_record,
    progress_report_add,
)
from casework.models import User

# --- the action pages behind the buttons ---------------------------------------------------------


@dataclass(frozen=True)
class CaseAction:
    name: str
    label: str
    form: Callable[..., forms.Form]
    run: Callable[[Case, User, forms.Form, HttpRequest], object]
    # Whether a button is shown is cases.actions' rule of the same name (the service's guard);
    # decisions on a row (extension, objection, milestone) are reached from that row instead.


def _pending(model: type, request: HttpRequest, key: str, case: Case) -> Any:
    obj = model.objects.filter(pk=request.GET.get(key) or 0, case=case).first()
    if obj is None:
        raise Http404
    return obj


CASE_ACTIONS: dict[str, CaseAction] = {
    action.name: action
    for action in (
        CaseAction(
            "progress",
            gettext_lazy("Report progress"),
            lambda case, user, **kw: admin_forms.ProgressForm(**kw),
            lambda case, user, form, request: progress_report_add(
                case_id=case.pk, user=user, **form.cleaned_data
            ),
        ),
        CaseAction(
            "extension",
            gettext_lazy("Request an extension"),
            lambda case, user, **kw: admin_forms.ExtensionForm(**kw),
            lambda case, user, form, request: extension_request_create(
                case_id=case.pk, user=user, **form.cleaned_data
            ),
        ),
        CaseAction(
            "feedback",
            gettext_lazy("Feed back the outcome"),
            lambda case, user, **kw: admin_forms.FeedbackForm(case=case, **kw),
            lambda case, user, form, request: case_feedback(
                case_id=case.pk, user=user, expected_version=case.version, **form.cleaned_data
            ),
        ),
        CaseAction(
            "evidence",
            gettext_lazy("Add to the evidence file"),
            lambda case, user, **kw: admin_forms.AttachmentForm(case=case, **kw),
            lambda case, user, form, request: attachment_add(
                case_id=case.pk,
                user=user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            ),
        ),
        CaseAction(
            "followup",
            gettext_lazy("Record a follow-up"),
            lambda case, user, **kw: admin_forms.FollowUpForm(**kw),
            lambda case, user, form, request: followup_record(
                case_id=case.pk, user=user, **form.cleaned_data
            ),
        ),
        CaseAction(
            "followup_decide",
            gettext_lazy("Decide the dissatisfied follow-up"),
            lambda case, user, **kw: admin_forms.FollowUpDecisionForm(**kw),
            lambda case, user, form, request: followup_decide(
                follow_up_id=_pending(FollowUp, request, "follow_up", case).pk,
                user=user,
                send_back=form.cleaned_data["decision"] == "back",
                comment=form.cleaned_data["comment"],
                deadline=form.cleaned_data["deadline"],
            ),
        ),
        CaseAction(
            "reassign",
            gettext_lazy("Reassign"),
            lambda case, user, **kw: admin_forms.ReassignForm(user=user, **kw),
            lambda case, user, form, request: case_reassign(
                case_id=case.pk, user=user, **form.cleaned_data
            ),
        ),
        CaseAction(
            "co_units",
            gettext_lazy("Set co-operating units"),
            lambda case, user, **kw: admin_forms.CoUnitsForm(case=case, user=user, **kw),
            lambda case, user, form, request: case_co_units_set(
                case_id=case.pk,
                user=user,
                units=form.cleaned_data["units"],
                comment=form.cleaned_data["comment"],
                expected_version=case.version,
            ),
        ),
        CaseAction(
            "repeat",
            gettext_lazy("Link as a repeat"),
            lambda case, user, **kw: admin_forms.RepeatForm(**kw),
            lambda case, user, form, request: case_mark_repeat(
                case_id=case.pk, user=user, **form.cleaned_data
            ),
        ),
        CaseAction(
            "unrepeat",
            gettext_lazy("Unlink from the original"),
            lambda case, user, **kw: admin_forms.CommentForm(**kw),
            lambda case, user, form, request: case_unmark_repeat(
                case_id=case.pk, user=user, **form.cleaned_data
            ),
        ),
        CaseAction(
            "notice",
            gettext_lazy("Set the notice's publication day"),
            lambda case, user, **kw: admin_forms.NoticeForm(
                initial={"starts_on": case.notice_starts_on}, **kw
            ),
            lambda case, user, form, request: notice_publish(
                case_id=case.pk, user=user, **form.cleaned_data
            ),
        ),
        CaseAction(
            "objection",
            gettext_lazy("Record an objection"),
            lambda case, user, **kw: admin_forms.ObjectionForm(**kw),
            lambda case, user, form, request: objection_record(
                case_id=case.pk, user=user, **form.cleaned_data
            ),
        ),
        CaseAction(
            "extension_decide",
            gettext_lazy("Decide the extension request"),
            lambda case, user, **kw: admin_forms.ExtensionDecisionForm(**kw),
            lambda case, user, form, request: extension_request_decide(
                request_id=_pending(ExtensionRequest, request, "request", case).pk,
                user=user,
                approve=form.cleaned_data["decision"] == "yes",
                comment=form.cleaned_data["comment"],
            ),
        ),
        CaseAction(
            "objection_decide",
            gettext_lazy("Decide the objection"),
            lambda case, user, **kw: admin_forms.ObjectionDecisionForm(**kw),
            lambda case, user, form, request: objection_decide(
                objection_id=_pending(Objection, request, "objection", case).pk,
                user=user,
                upheld=form.cleaned_data["decision"] == "yes",
                comment=form.cleaned_data["comment"],
                deadline=form.cleaned_data["deadline"],
            ),
        ),
        CaseAction(
            "milestone_done",
            gettext_lazy("Mark the milestone done"),
            lambda case, user, **kw: admin_forms.MilestoneDoneForm(**kw),
            lambda case, user, form, request: milestone_complete(
                milestone_id=_pending(Milestone, request, "milestone", case).pk,
                user=user,
                done_on=form.cleaned_data["done_on"],
            ),
        ),
    )
}


# --- what a decision page shows of what is decided -----------------------------------------------

REVIEWS = ("verify", "reject", "close", "reopen")


def decision_facts(name: str, case: Case, request: HttpRequest) -> list[tuple[str, str]]:
    """The facts a person deciding needs on the page: for a verification, what the county
    reported and its evidence; for a request, objection or follow-up, what it says."""
    facts: list[tuple[str, str]] = []
    if name in REVIEWS:
        facts += [
            (_("truth finding"), case.get_truth_finding_display() or "—"),
            (_("investigation findings"), case.investigation or "—"),
            (_("rectification measures"), case.rectification_measures or "—"),
            (_("rectification account"), case.rectification_account or "—"),
            (
                _("evidence file"),
                "；".join(str(a) for a in case.attachments.all()) or _("nothing uploaded"),
            ),
        ]
        check = case.field_checks.order_by("-checked_at").first()
        if check is not None:
            facts.append(
                (
                    _("last field check"),
                    f"{timezone.localtime(check.checked_at):%Y-%m-%d} "
                    f"{check.get_result_display()} {check.notes}".strip(),
                )
            )
    elif name == "extension_decide":
        row = ExtensionRequest.objects.filter(pk=request.GET.get("request") or 0, case=case).first()
        if row is not None:
            facts += [
                (_("requested by"), str(row.requested_by)),
                (_("current deadline"), f"{row.current_deadline:%Y-%m-%d}"),
                (_("requested deadline"), f"{row.requested_deadline:%Y-%m-%d}"),
                (_("reason"), row.reason),
            ]
    elif name == "objection_decide":
        row = Objection.objects.filter(pk=request.GET.get("objection") or 0, case=case).first()
        if row is not None:
            facts.append((_("objection"), row.content))
    elif name == "followup_decide":
        row = FollowUp.objects.filter(pk=request.GET.get("follow_up") or 0, case=case).first()
        if row is not None:
            facts += [
                (_("satisfaction"), row.get_result_display()),
                (_("note"), row.note or "—"),
            ]
    return facts
