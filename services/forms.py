from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.models import Bundle, Evaluation, Grade, Rectification, ServiceItem


class SlotChoiceForm(forms.Form):
    """The slot picker: one radio button per open slot, grouped by day in the template."""

    slot = forms.IntegerField(label=_("Time"), widget=forms.HiddenInput, error_messages={
        "required": _("Choose a time."), "invalid": _("Choose a time."),
    })
    note = forms.CharField(
        label=_("Note for the hall (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example your company name or what you want to ask."),
    )


_WEEKDAYS = [
    (0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
    (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday")),
]


class SlotBulkOpenForm(forms.Form):
    """The admin's "open slots in bulk" form: date range, weekdays, times and capacity."""

    bundle = forms.ModelChoiceField(label=_("Bundle"), queryset=Bundle.objects.all(), required=False)
    item = forms.ModelChoiceField(
        label=_("Service item"), queryset=ServiceItem.objects.filter(bookable=True), required=False
    )
    date_from = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"), choices=_WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4],
    )
    times = forms.CharField(
        label=_("Times"),
        initial="09:00-09:30, 09:30-10:00, 10:00-10:30, 14:00-14:30, 14:30-15:00",
        help_text=_("Start and end of each slot, separated by commas, e.g. 09:00-09:30, 14:00-14:30."),
    )
    capacity = forms.IntegerField(label=_("Places per slot"), min_value=1, max_value=500, initial=5)
    working_days_only = forms.BooleanField(
        label=_("Skip days off in the holiday calendar (make-up working days are included)"),
        required=False, initial=True,
    )

    def clean_times(self):
        from datetime import datetime

        pairs = []
        for chunk in self.cleaned_data["times"].replace("，", ",").split(","):
            chunk = chunk.strip()
            if not chunk:
                continue
            try:
                start_text, end_text = (part.strip() for part in chunk.split("-"))
                start = datetime.strptime(start_text, "%H:%M").time()
                end = datetime.strptime(end_text, "%H:%M").time()
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a time range like 09:00-09:30."), params={"value": chunk}
                )
            if end <= start:
                raise forms.ValidationError(_("“%(value)s” ends before it starts."), params={"value": chunk})
            pairs.append((start, end))
        if not pairs:
            raise forms.ValidationError(_("Give at least one time range."))
        return pairs

    def clean(self):
        data = super().clean()
        if bool(data.get("bundle")) == bool(data.get("item")):
            raise forms.ValidationError(_("Choose either a bundle or a service item."))
        if data.get("date_from") and data.get("date_to"):
            if data["date_to"] < data["date_from"]:
                self.add_error("date_to", _("The last day must not be before the first."))
            elif data["date_from"] < timezone.localdate():
                self.add_error("date_from", _("Slots cannot be opened in the past."))
        return data


class BookingExportForm(forms.Form):
    date = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the pages of one material); cleaned to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(part, initial) for part in data]
        return [single(data, initial)]


class PrecheckUploadForm(forms.Form):
    material = forms.IntegerField(widget=forms.HiddenInput)
    files = MultipleFileField(
        label=_("Photos or PDF of this document"),
        help_text=_("One photo per page, or one PDF; JPG, PNG, GIF, WebP or PDF."),
        error_messages={"required": _("Choose at least one file (a photo or a PDF).")},
    )


class PrecheckDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept")), ("correct", _("Needs correction"))],
        widget=forms.HiddenInput,
    )
    reason = forms.ChoiceField(label=_("Reason"), required=False)
    reason_text = forms.CharField(label=_("Explanation for the applicant"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        from services.models import PrecheckReason

        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", _("Choose a reason")), *PrecheckReason.choices]


class DeskCheckInForm(forms.Form):
    """The reception desk: a booking's reference, typed or read by the scanner from its QR code."""

    reference = forms.CharField(
        label=_("Booking reference"), max_length=12,
        help_text=_("Scan the QR code on the person's booking page or type the reference."),
        error_messages={"required": _("Enter or scan the booking reference.")},
    )


class WalkInForm(forms.Form):
    """The reception desk: a number for a person without a booking, for one item a window handles."""

    item = forms.ModelChoiceField(
        label=_("Service item"), queryset=ServiceItem.objects.none(),
        error_messages={"required": _("Choose the service item."), "invalid_choice": _("Choose the service item.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = ServiceItem.objects.filter(windows__is_open=True).distinct().order_by("position", "code")


# --- 好差评 ----------------------------------------------------------------------------------------
class EvaluationForm(forms.Form):
    """The five grades (best first) and an optional comment, for one stage of a booking."""

    stage = forms.ChoiceField(choices=Evaluation.Stage.choices, widget=forms.HiddenInput, error_messages={
        "required": _("Choose the stage: at acceptance or at completion."),
        "invalid_choice": _("Choose the stage: at acceptance or at completion."),
    })
    grade = forms.TypedChoiceField(
        label=_("How satisfied are you with the service, the window and the staff member?"),
        coerce=int, choices=Grade.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the five grades."),
                        "invalid_choice": _("Choose one of the five grades.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What went well, or what should change."),
    )


class RectificationCallbackForm(forms.Form):
    contacted = forms.TypedChoiceField(
        label=_("Was the person reached?"), coerce=lambda value: value == "yes",
        choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the person was reached.")},
    )
    contacted_at = forms.DateTimeField(
        label=_("When"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], help_text=_("Leave empty for now."),
    )
    note = forms.CharField(label=_("What the callback found"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("Say what the callback found.")})


class RectificationOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Rectification.Outcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": _("Choose the outcome: rectified, explained or not upheld.")})
    text = forms.CharField(
        label=_("Explanation"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Rectified: what changed. Explained: why no change is possible (no legal basis, ...). "
                    "Not upheld: why."),
        error_messages={"required": _("Explain the outcome: what changed, or why not.")},
    )


class RectificationResponseForm(forms.Form):
    accepted = forms.TypedChoiceField(
        label=_("Do you accept this outcome?"), coerce=lambda value: value == "yes",
        choices=[("yes", _("I accept it")), ("no", _("I do not accept it"))], widget=forms.RadioSelect,
        error_messages={"required": _("Say whether you accept the outcome.")},
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))
