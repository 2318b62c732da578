from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from portal.admin import ConflictSafeAdminMixin
from portal.exceptions import DomainError
from portal.hall import actions
from portal.hall.forms import HolidayImportForm
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
    change_list_template = "hall/admin/holiday_change_list.html"
    list_display = ["date", "name", "kind"]
    list_filter = ["kind", "date"]
    search_fields = ["name"]
    date_hierarchy = "date"

    # Every change of the calendar goes through the hall's actions, so deadlines, reminders and
    # slots that depend on it are re-planned in the same transaction as the change.
    def save_model(self, request, obj, form, change):
        try:
            actions.holiday_save(holiday=obj, by=request.user)
        except DomainError as exc:
            # The admin's change view is one transaction; an IntegrityError rolls it back whole
            # and ConflictSafeAdminMixin shows the message.
            raise IntegrityError(str(exc.message)) from exc

    def delete_model(self, request, obj):
        actions.holiday_delete(holidays=[obj], by=request.user)

    def delete_queryset(self, request, queryset):
        actions.holiday_delete(holidays=list(queryset), by=request.user)

    def get_urls(self):
        urls = [path("import/", self.admin_site.admin_view(self.import_view), name="hall_holiday_import")]
        return urls + super().get_urls()

    def import_view(self, request):
        """Upload the year's official calendar (the State Council's notice as a CSV file)."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = HolidayImportForm(request.POST or None, request.FILES or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > actions.HOLIDAY_FILE_MAX_BYTES:
                    data = b"x" * (actions.HOLIDAY_FILE_MAX_BYTES + 1)  # refused by the parser, unread
                else:
                    data = upload.read()
                result = actions.holiday_import(rows=actions.holiday_rows_parse(data), by=request.user)
            except DomainError as exc:
                form.add_error("file", str(exc.message))
                status = exc.status_code
            else:
                messages.success(
                    request,
                    gettext("Calendar imported: %(created)d days added, %(updated)d changed, %(unchanged)d "
                            "unchanged; %(off)d working days became days off, %(on)d days off became "
                            "working days.")
                    % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                       "off": len(result.change.now_off), "on": len(result.change.now_working)},
                )
                return redirect("admin:hall_holiday_changelist")
        elif request.method == "POST":
            status = 400
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": gettext("Import the holiday calendar")}
        return TemplateResponse(request, "hall/admin/holiday_import.html", context, status=status)
