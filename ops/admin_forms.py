"""The admin's login form behind the same limits on guessing as the API (casework.login_guard)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm

from casework.login_guard import TooManyFailures, login_authenticate


class GuardedAdminAuthenticationForm(AdminAuthenticationForm):
    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = login_authenticate(
                    self.request, username=username, password=password
                )
            except TooManyFailures as exc:
                raise forms.ValidationError(exc.message, code="too_many_failures") from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
