from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class AttendanceForm(forms.Form):
    """The captain records one signed-up person's attendance and hours."""

    user = forms.TypedChoiceField(label=_("Person"), coerce=int)
    hours = forms.DecimalField(
        label=_("Hours"), max_digits=5, decimal_places=2, min_value=Decimal("0.5"), step_size=Decimal("0.5"),
        help_text=_("Service hours, in half-hour steps."),
    )

    def __init__(self, *args, roster=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [(signup.user_id, str(signup.user)) for signup in roster]
