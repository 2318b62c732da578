from django import forms
from django.utils.translation import gettext_lazy as _

from portal.hall.models import Department
from suggestions.models import Suggestion, SuggestionAnswer


class SuggestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Suggestion.Kind.choices, widget=forms.RadioSelect)
    category = forms.ChoiceField(label=_("Category"), choices=Suggestion.Category.choices)
    title = forms.CharField(label=_("Title"), max_length=100)
    content = forms.CharField(
        label=_("Content"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened or what you propose, and where. Please leave out personal details."),
    )

    @classmethod
    def initial_from(cls, params) -> dict:
        """A pre-filled form from GET parameters (``kind``, ``category``, ``title``, ``content``):
        the booking page's 办不成事 link opens a blocker about its service and department. Unknown
        choices are dropped and texts cut to their limits; the person still reviews and submits."""
        initial = {}
        if params.get("kind") in Suggestion.Kind.values:
            initial["kind"] = params["kind"]
        if params.get("category") in Suggestion.Category.values:
            initial["category"] = params["category"]
        for name in ("title", "content"):
            value = (params.get(name) or "").strip()
            if value:
                initial[name] = value[: cls.base_fields[name].max_length]
        return initial


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to"), choices=())
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False,
        help_text=_("Needed when assigning."),
    )
    answer = forms.CharField(
        label=_("Answer"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("When publishing: leave empty to publish the department's draft as it is."),
    )
    reason = forms.CharField(
        label=_("Reason or note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when not adopted: say why."),
    )
    redirect = forms.CharField(
        label=_("Where to go instead"), required=False, max_length=300,
        help_text=_("Required when not adopted."),
    )

    def __init__(self, *args, suggestion: Suggestion, officer_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        moves = suggestion.hall_moves(officer=officer_only)
        self.fields["to"].choices = [(to, Suggestion.Status(to).label) for to in moves]



class AnswerDraftForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=SuggestionAnswer.Kind.choices)
    text = forms.CharField(label=_("Answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    reason = forms.CharField(
        label=_("Why"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for “not our department”."),
    )
    redirect = forms.CharField(
        label=_("Where to go instead"), required=False, max_length=300,
        help_text=_("Required for “not our department”."),
    )


class ReopenForm(forms.Form):
    note = forms.CharField(
        label=_("What is still not solved?"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason for hiding"), max_length=300)


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Original entry number"), max_length=20, help_text=_("For example JDZ-2026-0001."))


class CaseOpenForm(forms.Form):
    lead_department = forms.ModelChoiceField(label=_("Lead department"), queryset=Department.objects.all())
