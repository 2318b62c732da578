from django import forms
from django.utils.translation import gettext_lazy as _


class HolidayImportForm(forms.Form):
    file = forms.FileField(
        label=_("Calendar file (CSV)"),
        help_text=_("Columns date, kind and name; kind is off (a day off) or work (a make-up working day). "
                    "Days in the file are added or updated; days not in it stay as they are."),
    )
