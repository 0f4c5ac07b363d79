"""Forms of the case admin's action pages: one per transition or action, each for a service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from cases.services import TransitionSpec
from casework.models import Region, ResponsibleUnit, User


class TransitionForm(forms.Form):
    """The comment, reason or conclusion a transition asks for, and the case fields it takes."""

    def __init__(self, *args: Any, case: Case, spec: TransitionSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        required = set(spec.required(case))
        for name in spec.fields:
            field = Case._meta.get_field(name).formfield()
            field.required = name in required
            field.initial = getattr(case, name)
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
