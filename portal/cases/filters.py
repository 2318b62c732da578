import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.cases.models import Case, CaseTask
from portal.hall.models import Department


def _case_yes_no(label, method: str) -> django_filters.ChoiceFilter:
    """A strict yes/no filter: anything but true/false is a 400, not silently "all"."""
    return django_filters.ChoiceFilter(
        label=label, method=method, choices=[("true", _("Yes")), ("false", _("No"))], empty_label=_("All"),
    )


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Case.Status.choices, empty_label=_("All"))
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Case.Source.choices, empty_label=_("All"))
    department = django_filters.ModelChoiceFilter(
        label=_("Lead department"), queryset=Department.objects.all(), to_field_name="code",
        field_name="lead_department", empty_label=_("All departments"),
    )
    overdue = _case_yes_no(_("Has overdue tasks"), "filter_overdue")
    search = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=100)

    class Meta:
        model = Case
        fields = ["status", "source", "department", "overdue", "search"]

    def filter_overdue(self, queryset, name, value):
        late = Case.has_overdue_task(timezone.now())
        return queryset.filter(late) if value == "true" else queryset.exclude(late)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))


class CaseTaskFilter(django_filters.FilterSet):
    """Filters of the case board and of "my tasks"."""

    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.all(), to_field_name="code",
        empty_label=_("All departments"),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CaseTask.Status.choices, empty_label=_("All"))
    overdue = _case_yes_no(_("Overdue"), "filter_overdue")
    search = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=100)

    class Meta:
        model = CaseTask
        fields = ["department", "status", "overdue", "search"]

    def filter_overdue(self, queryset, name, value):
        late = CaseTask.overdue_q(timezone.now())
        return queryset.filter(late) if value == "true" else queryset.exclude(late)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(description__icontains=value) | Q(case__title__icontains=value))
