import django_filters
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.filters import StrictBooleanFilter
from portal.hall.models import Department
from services.models import Booking, Bundle, PrecheckUpload, ServiceItem, Slot, Stage


def _both_languages(field: str, value: str) -> Q:
    """Search the Chinese and the English text, whatever the page's language: a founder reading
    in English may still type 餐饮, and one reading Chinese may type "restaurant"."""
    return Q(**{f"{field}_zh_hans__icontains": value}) | Q(**{f"{field}_en__icontains": value})


class ServiceItemFilter(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(label=_("Life-cycle stage"), choices=Stage.choices, empty_label=_("All stages"))
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        queryset=Department.objects.all(),
        to_field_name="code",
        empty_label=_("All departments"),
    )
    bookable = StrictBooleanFilter(label=_("Can be booked"))
    search = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=100)

    class Meta:
        model = ServiceItem
        fields = ["stage", "department", "bookable", "search"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            _both_languages("name", value) | Q(code__icontains=value) | _both_languages("description", value)
            | _both_languages("department__name", value) | _both_languages("department__short_name", value)
        )


class BundleFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=100)
    service = django_filters.ModelChoiceFilter(
        label=_("Contains the item"), queryset=ServiceItem.objects.all(), to_field_name="code", field_name="items"
    )

    class Meta:
        model = Bundle
        fields = ["search", "service"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            _both_languages("name", value) | _both_languages("summary", value) | Q(slug__icontains=value)
        )


class SlotFilter(django_filters.FilterSet):
    bundle = django_filters.ModelChoiceFilter(
        label=_("Bundle"), queryset=Bundle.objects.all(), to_field_name="slug"
    )
    service = django_filters.ModelChoiceFilter(
        label=_("Service item"), queryset=ServiceItem.objects.all(), to_field_name="code", field_name="item"
    )
    date_from = django_filters.DateFilter(label=_("From"), field_name="starts_at", method="filter_date_from")
    date_to = django_filters.DateFilter(label=_("Until"), field_name="starts_at", method="filter_date_to")
    available = StrictBooleanFilter(label=_("Only with places left"), method="filter_available")

    class Meta:
        model = Slot
        fields = ["bundle", "service", "date_from", "date_to", "available"]

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(starts_at__date__gte=value)

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(starts_at__date__lte=value)

    def filter_available(self, queryset, name, value):
        bookable = Q(is_open=True, booked_count__lt=F("capacity"), starts_at__gt=timezone.now())
        return queryset.filter(bookable) if value else queryset.exclude(bookable)


class BookingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Booking.Status.choices, empty_label=_("All"))
    date = django_filters.DateFilter(label=_("Date"), field_name="slot__starts_at", lookup_expr="date")
    bundle = django_filters.ModelChoiceFilter(
        label=_("Bundle"), queryset=Bundle.objects.all(), to_field_name="slug", field_name="slot__bundle"
    )
    search = django_filters.CharFilter(label=_("Reference or phone"), method="filter_search", max_length=40)

    class Meta:
        model = Booking
        fields = ["status", "date", "bundle", "search"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(reference__iexact=value) | Q(user__mobile__icontains=value))


class PrecheckUploadFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=PrecheckUpload.Status.choices, empty_label=_("All statuses")
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.all(), to_field_name="code",
        empty_label=_("All departments"),
    )
    booking = django_filters.CharFilter(label=_("Booking reference"), method="filter_booking", max_length=20)

    class Meta:
        model = PrecheckUpload
        fields = ["status", "department", "booking"]

    def filter_booking(self, queryset, name, value):
        return queryset.filter(booking__reference=value.strip().upper())
