"""The sign-in form (password, and a code for staff who use a second factor) and the code form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from arrears.identity import second_factor

_six_digits = RegexValidator(r"^\d{6}$", _("Enter the 6 digits the app shows."))


class SignInForm(AuthenticationForm):
    """Username and password; plus the authenticator code for staff whose second factor is on.

    A right password without a code asks for the code (not counted as a failure); a wrong code
    counts as a failed sign-in, so django-axes locks out code guessing like password guessing.
    """

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=10,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": r"\d*"}
        ),
    )

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.asks_for_code = False
        self.otp_device: Any = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.get_user()
        if user is None or second_factor.confirmed_device(user) is None:
            return cleaned
        self.asks_for_code = True
        token = (cleaned.get("otp_token") or "").replace(" ", "")
        if not token:
            self.user_cache = None
            raise forms.ValidationError(
                {
                    "otp_token": _(
                        "Your sign-in needs the 6-digit code from your authenticator app:"
                        " enter your password again with the code."
                    )
                }
            )
        device = second_factor.verify_sign_in_code(user=user, token=token)
        if device is None:
            self.user_cache = None
            user_login_failed.send(
                sender=__name__,
                credentials={"username": cleaned.get("username")},
                request=self.request,
            )
            raise forms.ValidationError(
                {"otp_token": _("That code is not right. Enter the new code the app shows.")}
            )
        self.otp_device = device
        return cleaned


class CodeForm(forms.Form):
    """A current code from the staff member's authenticator app."""

    otp_token = forms.CharField(
        label=_("Code from the app"),
        max_length=6,
        validators=[_six_digits],
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": r"\d{6}"}
        ),
    )
