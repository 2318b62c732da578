from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.accounts.validators import mainland_mobile_validator


class SignUpForm(UserCreationForm):
    email = forms.EmailField(label=_("E-mail"), help_text=_("For booking confirmations and password resets."))
    display_name = forms.CharField(label=_("Display name"), max_length=60, required=False)
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=11,
        required=False,
        validators=[mainland_mobile_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    company_name = forms.CharField(label=_("Company name"), max_length=120, required=False)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email", "display_name", "mobile", "company_name"]


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Language of notifications and e-mails"), required=False,
        choices=[("", _("The hall's default (Simplified Chinese)")), *settings.LANGUAGES],
        help_text=_("Switching the page language while signed in changes it too."),
    )

    class Meta:
        model = User
        fields = ["display_name", "email", "mobile", "company_name", "language"]
        widgets = {"mobile": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"})}


__all__ = ["SignUpForm", "ProfileForm", "password_validation"]
