from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.cases.models import Case
from portal.hall.models import Department
from portal.limits import WORKING_DAYS_MAX, WORKING_DAYS_MIN


class CaseOpenForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    lead_department = forms.ModelChoiceField(label=_("Lead department"), queryset=Department.objects.all())
    source = forms.ChoiceField(label=_("Source"), choices=Case.Source.choices)
    applicant = forms.CharField(
        label=_("Applicant (optional)"), required=False, max_length=150,
        help_text=_("The applicant's user name or mobile number, so they can follow the progress."),
    )

    def clean_applicant(self):
        value = self.cleaned_data["applicant"].strip()
        if not value:
            return None
        person = User.objects.filter(is_active=True).filter(username=value).first() or\
            User.objects.filter(is_active=True, mobile=value).first()
        if person is None:
            raise forms.ValidationError(_("No person with this user name or mobile number."))
        return person


class CaseTaskForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all())
    assignee = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=User.objects.none(),
        help_text=_("An officer of the chosen department."),
    )
    description = forms.CharField(label=_("What to do"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A working day; or give the number of working days below."),
    )
    working_days = forms.IntegerField(
        label=_("Due in working days"), required=False, min_value=WORKING_DAYS_MIN, max_value=WORKING_DAYS_MAX
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only department officers can be responsible; the action checks the department matches.
        self.fields["assignee"].queryset = (
            User.objects.filter(departments__isnull=False, is_active=True).distinct().order_by("display_name")
        )


class CaseTaskCompleteForm(forms.Form):
    note = forms.CharField(
        label=_("Completion note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was done, for the case's history."),
    )


class CaseTaskRescheduleForm(forms.Form):
    due_on = forms.DateField(
        label=_("New due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A working day; or give the number of working days below."),
    )
    working_days = forms.IntegerField(
        label=_("Due in working days"), required=False, min_value=WORKING_DAYS_MIN, max_value=WORKING_DAYS_MAX
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class CaseCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
