import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.filters import StrictBooleanFilter
from portal.hall.models import Department
from suggestions.models import Suggestion


class SuggestionFilter(django_filters.FilterSet):
    """The public ledger's filters. An unknown value is a 400 (API) or a form error (page)."""

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Suggestion.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Suggestion.Status.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Suggestion.Category.choices)
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.all(), to_field_name="code"
    )
    overdue = StrictBooleanFilter(label=_("Overdue"), method="filter_overdue")
    search = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=100)

    class Meta:
        model = Suggestion
        fields = ["kind", "status", "category", "department", "overdue", "search"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # The submitter is never searchable: only what the public ledger shows.
        return queryset.filter(
            Q(number__icontains=value) | Q(title__icontains=value) | Q(content__icontains=value),
            hidden_at__isnull=True,
        )

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Suggestion.overdue_q(timezone.now()) & Q(hidden_at__isnull=True)

        return queryset.filter(overdue) if value else queryset.exclude(overdue)
