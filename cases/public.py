"""The public notice page (公示): no login, readable on a phone. It lists the cases in their notice
window with the notice text and takes objections through a form with a simple challenge and a
per-address limit; each objection arrives on the case as pending and blocks its close-out."""

from __future__ import annotations

import random

from django import forms
from django.core import signing
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from cases.models import Case
from cases.notice import MAX_OBJECTION_CHARS, notice_text, objection_file_public
from casework import clock
from casework.errors import ApplicationError, InvalidInput
from casework.login_guard import client_address, count_attempt

CHALLENGE_SALT = "casework.public.objection"
CHALLENGE_MAX_AGE = 2 * 60 * 60
# Every attempt counts, right or wrong: the sum is a speed bump, this is the limit.
ATTEMPTS_PER_ADDRESS_PER_HOUR = 10


class ObjectionForm(forms.Form):
    content = forms.CharField(
        label=gettext_lazy("Your objection"),
        max_length=MAX_OBJECTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    contact = forms.CharField(
        label=gettext_lazy("How to reach you (optional)"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("A phone number or an address, if you wish to be answered."),
    )
    answer = forms.IntegerField(label=gettext_lazy("Answer"), min_value=0, max_value=99)
    token = forms.CharField(widget=forms.HiddenInput)
    # Left empty by people; filled by robots that fill every field.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1"}))

    def __init__(self, *args: object, case_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.case_id = case_id

    def clean(self) -> dict:  # type: ignore[type-arg]
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(_("Your objection could not be accepted."))
        try:
            challenge = signing.loads(
                data.get("token") or "", salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE
            )
        except signing.BadSignature:
            raise forms.ValidationError(
                _("The page has expired; please answer the new question.")
            ) from None
        if challenge.get("case") != self.case_id or data.get("answer") != challenge.get("sum"):
            self.add_error("answer", _("The answer is not right; please try again."))
        return data


def _challenge(case_id: int) -> tuple[str, str]:
    """A small sum to answer, and its signed answer for this case (valid two hours)."""
    a, b = random.randint(1, 9), random.randint(1, 9)
    return f"{a} + {b} = ?", signing.dumps({"sum": a + b, "case": case_id}, salt=CHALLENGE_SALT)


def _ask_again(form: ObjectionForm, case_id: int) -> str:
    """Shown again with a new question: the text typed is kept, the old answer is not."""
    question, token = _challenge(case_id)
    form.data = form.data.copy()
    form.data["token"] = token
    form.data["answer"] = ""
    return question


@require_http_methods(["GET"])
def notice_list(request: HttpRequest) -> HttpResponse:
    cases = (
        Case.objects.in_public_notice(clock.today())
        .select_related("region", "unit")
        .order_by("notice_ends_on", "id")
    )
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    return render(request, "public/notice_list.html", {"page": page, "today": clock.today()})


@require_http_methods(["GET", "POST"])
def notice_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = (
        Case.objects.in_public_notice(clock.today())
        .select_related("region", "unit", "source")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404
    status = 200
    if request.method == "POST":
        form = ObjectionForm(request.POST, case_id=case.pk)
        key = f"public-objection:{client_address(request)}"
        over_limit = cache.get(key, 0) >= ATTEMPTS_PER_ADDRESS_PER_HOUR
        count_attempt(key, 60 * 60)
        if over_limit:
            form.is_valid()
            form.add_error(
                None,
                _("Too many objections from here in the last hour; please try later or call."),
            )
            status = 429
        elif form.is_valid():
            try:
                objection_file_public(
                    case_id=case.pk,
                    content=form.cleaned_data["content"],
                    contact=form.cleaned_data["contact"],
                )
            except InvalidInput as exc:
                for name, messages in exc.field_errors.items():
                    for message in messages:
                        form.add_error(name if name in form.fields else None, message)
            except ApplicationError:
                raise Http404 from None
            else:
                return HttpResponseRedirect(
                    reverse("public-notice-detail", args=[case.pk]) + "?sent=1"
                )
        question = _ask_again(form, case.pk)
        status = 400 if status == 200 else status
    else:
        question, token = _challenge(case.pk)
        form = ObjectionForm(case_id=case.pk, initial={"token": token})
    context = {
        "case": case,
        "notice": notice_text(case),
        "form": form,
        "question": question,
        "sent": request.GET.get("sent") == "1",
    }
    return render(request, "public/notice_detail.html", context, status=status)
