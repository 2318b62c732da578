from decimal import Decimal

from django import forms
from django.core.validators import DecimalValidator
from django.utils.translation import gettext_lazy as _


class _HoursField(forms.DecimalField):
    """Django's step check computes a float remainder, which raises ValueError (a 500) for a value
    beyond the float range such as 1e309; the digit limit is checked first so it never sees one."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None:
            DecimalValidator(self.max_digits, self.decimal_places)(value)
        return value


class AttendanceForm(forms.Form):
    """The captain records one signed-up person's attendance and hours."""

    user = forms.TypedChoiceField(label=_("Person"), coerce=int)
    hours = _HoursField(
        label=_("Hours"), max_digits=5, decimal_places=2, min_value=Decimal("0.5"), step_size=Decimal("0.5"),
        help_text=_("Service hours, in half-hour steps."),
    )

    def __init__(self, *args, roster=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [(signup.user_id, str(signup.user)) for signup in roster]


class ActivityCancelForm(forms.Form):
    """The reason sent to everyone signed up when the team cancels an activity."""

    reason = forms.CharField(
        label=_("Reason, sent to everyone signed up (optional)"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
