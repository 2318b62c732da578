import django_filters
from django.utils.translation import gettext_lazy as _

from volunteers.models import Activity, Team


class ActivityFilter(django_filters.FilterSet):
    """Filters of the activity list and API. A malformed value makes the FilterSet invalid (400)."""

    team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.all(), to_field_name="slug", label=_("Team"), empty_label=_("All teams")
    )
    kind = django_filters.ChoiceFilter(choices=Activity.Kind.choices, label=_("Kind"), empty_label=_("All kinds"))
    status = django_filters.ChoiceFilter(choices=Activity.Status.choices, label=_("Status"), empty_label=_("Any status"))
    date_from = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = Activity
        fields = ["team", "kind", "status", "date_from", "date_to"]
