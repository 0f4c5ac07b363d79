"""Forms of the case admin's action pages: one per transition or action, each for a service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Case, EvidenceKind, FeedbackOutcome, FollowUpMethod, Satisfaction
from cases.services import TransitionSpec
from casework.models import Region, ResponsibleUnit, User


class TransitionForm(forms.Form):
    """The comment, reason or conclusion a transition asks for, and the case fields it takes."""

    def __init__(self, *args: Any, case: Case, spec: TransitionSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        required = set(spec.required(case))
        given = set(spec.given(case))
        for name in spec.fields:
            field = Case._meta.get_field(name).formfield()
            field.required = name in required or name in given
            # A value the user must give anew (a new deadline) starts empty.
            field.initial = None if name in given else getattr(case, name)
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"})
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.update(rows=4)
            self.fields[name] = field
        self.fields["comment"] = forms.CharField(
            label=spec.comment_label,
            required=spec.comment_required,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = {
            name: self.cleaned_data[name]
            for name in self.spec.fields
            if self.cleaned_data.get(name) not in (None, "")
        }
        return {"transition": self.spec.name, "comment": self.cleaned_data["comment"], "data": data}


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("progress"), widget=forms.Textarea(attrs={"rows": 4}))
    percent = forms.IntegerField(label=_("percent complete"), min_value=0, max_value=100)


class ExtensionForm(forms.Form):
    requested_deadline = forms.DateField(
        label=_("requested deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 3}))


class ReassignForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("new responsible unit"), queryset=ResponsibleUnit.objects.none()
    )
    region = forms.ModelChoiceField(
        label=_("new region (if it moves)"), queryset=Region.objects.none(), required=False
    )
    comment = forms.CharField(
        label=_("reason for reassigning"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            ResponsibleUnit.objects.visible_to(user).filter(is_active=True).select_related("region")
        )
        self.fields["region"].queryset = Region.objects.visible_to(user).exclude(
            kind__in=["province", "city"]
        )


class CoUnitsForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("co-operating units"),
        queryset=ResponsibleUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Their county's officers see the case and may report progress; the lead unit "
            "answers for it. Untick a unit to remove it."
        ),
    )
    comment = forms.CharField(
        label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, case: Case, user: User, **kwargs: Any) -> None:
        super().__init__(*args, initial={"units": list(case.co_units.all())}, **kwargs)
        self.fields["units"].queryset = (
            ResponsibleUnit.objects.visible_to(user)
            .filter(is_active=True)
            .exclude(pk=case.unit_id)
            .select_related("region")
            .order_by("region__path", "name")
        )


class ObjectionForm(forms.Form):
    content = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 4}))
    received_on = forms.DateField(
        label=_("received on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"),
        widget=forms.RadioSelect,
        choices=[("yes", _("Approve / uphold")), ("no", _("Reject / dismiss"))],
    )
    comment = forms.CharField(
        label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=_("done on"), widget=forms.DateInput(attrs={"type": "date"}))


class FeedbackForm(forms.Form):
    """A petition's feedback (办理情况反馈): the outcome and the ledger's columns with it."""

    outcome = forms.ChoiceField(
        label=_("feedback outcome"), widget=forms.RadioSelect, choices=FeedbackOutcome.choices
    )
    truth_finding = Case._meta.get_field("truth_finding").formfield(required=True)
    investigation = forms.CharField(
        label=_("investigation findings"), widget=forms.Textarea(attrs={"rows": 4})
    )
    rectification_account = forms.CharField(
        label=_("rectification account"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required for 办结 unless the petition was found untrue."),
    )
    accountability_account = forms.CharField(
        label=_("accountability of those responsible"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    rectification_measures = forms.CharField(
        label=_("rectification measures"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for 阶段性办结: the measures that continue."),
    )
    rectification_deadline = forms.DateField(
        label=_("rectification deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "阶段性办结: the rectification deadline (整改时限); 正在办理: the date by which the "
            "petition will be concluded. It becomes the deadline that is chased."
        ),
    )
    comment = forms.CharField(
        label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (
            "truth_finding",
            "investigation",
            "rectification_account",
            "accountability_account",
            "rectification_measures",
        ):
            self.fields[name].initial = getattr(case, name)


class ExtensionDecisionForm(DecisionForm):
    decision = forms.ChoiceField(
        label=_("decision"),
        widget=forms.RadioSelect,
        choices=[("yes", _("Approve the extension")), ("no", _("Refuse the extension"))],
    )


class ObjectionDecisionForm(DecisionForm):
    """Deciding an objection: an upheld one sends the case back to a new deadline."""

    deadline = forms.DateField(
        label=_("new deadline (if upheld)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class AttachmentForm(forms.Form):
    """Adding to the evidence file: the kind of material and the file (checked by the service)."""

    kind = forms.ChoiceField(label=_("kind of material"), choices=EvidenceKind.choices)
    file = forms.FileField(
        label=_("file"),
        help_text=_("PDF, JPEG, PNG, WebP, Word (.docx) or Excel (.xlsx); at most 20 MB."),
    )
    description = forms.CharField(label=_("description"), required=False, max_length=200)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        missing = case.evidence_missing("submit") or case.evidence_missing("close")
        if missing:
            self.fields["kind"].help_text = _("Still required: %(names)s.") % {
                "names": "、".join(str(label) for label in missing)
            }


class FollowUpForm(forms.Form):
    visited_on = forms.DateField(
        label=_("followed up on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(label=_("method"), choices=FollowUpMethod.choices)
    result = forms.ChoiceField(
        label=_("satisfaction"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the complainant is not satisfied: say with what."),
    )


class FollowUpDecisionForm(forms.Form):
    """Deciding a dissatisfied follow-up."""

    decision = forms.ChoiceField(
        label=_("decision"),
        widget=forms.RadioSelect,
        choices=[
            ("back", _("Send the case back for rectification")),
            ("accept", _("Allow closure, with the reason recorded")),
        ],
    )
    deadline = forms.DateField(
        label=_("new deadline (if sent back)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    comment = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class NoticeForm(forms.Form):
    starts_on = forms.DateField(
        label=_("public notice starts on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the notice was really published; its end is counted from it."),
    )


class RepeatForm(forms.Form):
    original_number = forms.CharField(
        label=_("acceptance number of the original"),
        max_length=64,
        help_text=_(
            "From now on the repeat follows the original: its outcome, deadlines and close-out."
        ),
    )
    comment = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))
