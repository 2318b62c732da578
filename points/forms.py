"""Forms for the points pages. They only parse; the rules live in points.actions."""
from django import forms
from django.utils.translation import gettext_lazy as _


class ScoresForm(forms.Form):
    """One whole-number field per indicator of the period, 0 to the indicator's maximum."""

    def __init__(self, *args, indicators, with_comment: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.fields[f"score_{indicator.code}"] = forms.IntegerField(
                label=_("%(name)s (0–%(max)s)") % {"name": indicator.name, "max": indicator.max_points},
                min_value=0, max_value=indicator.max_points, help_text=indicator.description,
            )
        if with_comment:
            self.fields["comment"] = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea)

    def scores(self) -> dict[str, int]:
        return {ind.code: self.cleaned_data[f"score_{ind.code}"] for ind in self.indicators}


class AchievementForm(forms.Form):
    indicator = forms.ModelChoiceField(queryset=None, label=_("Indicator"))
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea)
    points_claimed = forms.IntegerField(label=_("Points claimed"), min_value=1, max_value=100)
    evidence = forms.FileField(
        label=_("Evidence (optional)"), required=False,
        help_text=_("An image (JPG, PNG, GIF, WebP) or a PDF."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp,application/pdf"}),
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PeriodAdvanceForm(OptionalReasonForm):
    """Close the current stage: the stage to move to rides along, so a stale page cannot skip one."""
    to = forms.CharField(widget=forms.HiddenInput, required=False)


class TeamReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("return", _("Return"))])
    reason = forms.CharField(label=_("Reason (required to return)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AppealDecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"),
                                 choices=[("uphold", _("Uphold the result")), ("reopen", _("Reopen captain scoring"))])
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AchievementDecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    points = forms.IntegerField(label=_("Points to award"), required=False, min_value=0, max_value=100)
    reason = forms.CharField(label=_("Reason (required to reject)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
