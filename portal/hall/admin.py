from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from portal.admin import ConflictSafeAdminMixin
from portal.hall.models import Department, Holiday


@admin.register(Department)
class DepartmentAdmin(ConflictSafeAdminMixin, TranslationAdmin):
    list_display = ["name", "short_name", "code", "window", "officer_count", "position"]
    list_editable = ["position"]
    search_fields = ["name", "short_name", "code"]
    list_filter = ["window"]
    filter_horizontal = ["officers"]
    prepopulated_fields = {"code": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("officers")

    @admin.display(description=_("officers"))
    def officer_count(self, obj: Department) -> int:
        return len(obj.officers.all())


@admin.register(Holiday)
class HolidayAdmin(ConflictSafeAdminMixin, admin.ModelAdmin):
    list_display = ["date", "name", "kind"]
    list_filter = ["kind", "date"]
    search_fields = ["name"]
    date_hierarchy = "date"
