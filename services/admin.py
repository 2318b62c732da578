from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from services.models import Department, Holiday


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
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
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "kind"]
    list_filter = ["kind", "date"]
    search_fields = ["name"]
    date_hierarchy = "date"


# --- cross-department cases (issue 4) ---
# isort: split
from datetime import timedelta as _case_timedelta  # noqa: E402

from django.contrib import messages as _case_messages  # noqa: E402
from django.db.models import Count as _CaseCount  # noqa: E402
from django.db.models import Exists as _CaseExists  # noqa: E402
from django.db.models import Min as _CaseMin  # noqa: E402
from django.db.models import OuterRef as _CaseOuterRef  # noqa: E402
from django.db.models import Q as _CaseQ  # noqa: E402
from django.urls import reverse as _case_reverse  # noqa: E402
from django.utils import timezone as _case_timezone  # noqa: E402
from django.utils.html import format_html as _case_format_html  # noqa: E402
from django.utils.html import format_html_join as _case_format_html_join  # noqa: E402

from portal.exceptions import DomainError as _CaseDomainError  # noqa: E402
from services import actions as _case_actions  # noqa: E402
from services import selectors as _case_selectors  # noqa: E402
from services.models import Case, CaseEvent, CaseTask  # noqa: E402


def _case_due_html(due_at, status: str):
    """A deadline cell coloured like the board: red when overdue, amber within two days."""
    if due_at is None:
        return "-"
    now = _case_timezone.now()
    css = ""
    if status == CaseTask.Status.OPEN:
        css = "overdue" if due_at < now else "due-soon" if due_at <= now + _case_timedelta(days=2) else ""
    colour = {"overdue": "#b42318", "due-soon": "#9a6700"}.get(css, "inherit")
    return _case_format_html(
        '<span style="color:{};font-weight:{}">{}</span>', colour, 700 if css else 400,
        f"{_case_timezone.localtime(due_at):%Y-%m-%d}",
    )


class CaseOverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Has overdue tasks")), ("no", _("Nothing overdue"))]

    def queryset(self, request, queryset):
        late = CaseTask.objects.filter(
            case=_CaseOuterRef("pk"), status=CaseTask.Status.OPEN, due_at__lt=_case_timezone.now()
        )
        if self.value() == "yes":
            return queryset.filter(_CaseExists(late))
        if self.value() == "no":
            return queryset.exclude(_CaseExists(late))
        return queryset


class CaseTaskOverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        late = _CaseQ(status=CaseTask.Status.OPEN, due_at__lt=_case_timezone.now())
        if self.value() == "yes":
            return queryset.filter(late)
        if self.value() == "no":
            return queryset.exclude(late)
        return queryset


class CaseTaskInline(admin.TabularInline):
    """Tasks are read here; they are added, completed and moved through the case pages and API,
    so every change goes through the actions that keep history and reminders right."""

    model = CaseTask
    extra = 0
    can_delete = False
    fields = ["department", "assignee", "description", "due", "status", "completed_at", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("due at"))
    def due(self, obj: CaseTask):
        return _case_due_html(obj.due_at, obj.status)


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor", "task", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["title", "lead_department", "status", "source", "applicant", "progress", "next_due", "opened_at"]
    list_filter = [CaseOverdueFilter, "status", "source", "lead_department"]
    search_fields = ["title", "description", "applicant__username", "applicant__display_name"]
    list_select_related = ["lead_department", "applicant"]
    raw_id_fields = ["applicant", "opened_by", "suggestion"]
    date_hierarchy = "opened_at"
    inlines = [CaseTaskInline, CaseEventInline]
    actions = ["cancel_cases"]
    readonly_fields = ["title", "description", "applicant", "source", "lead_department", "suggestion", "status",
                       "opened_by", "opened_at", "closed_at", "reminders_sent"]
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            tasks_total=_CaseCount("tasks", filter=~_CaseQ(tasks__status=CaseTask.Status.CANCELLED)),
            tasks_done=_CaseCount("tasks", filter=_CaseQ(tasks__status=CaseTask.Status.DONE)),
            next_due_at=_CaseMin("tasks__due_at", filter=_CaseQ(tasks__status=CaseTask.Status.OPEN)),
        )

    # Cases are opened on the staff page (services:case_create), which writes their history.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("progress"))
    def progress(self, obj: Case) -> str:
        return f"{obj.tasks_done}/{obj.tasks_total}"

    @admin.display(description=_("next deadline"), ordering="next_due_at")
    def next_due(self, obj: Case):
        return _case_due_html(obj.next_due_at, CaseTask.Status.OPEN)

    @admin.display(description=_("reminders sent"))
    def reminders_sent(self, obj: Case):
        reminders = _case_selectors.case_reminder_list(case=obj)
        if not reminders:
            return "-"
        return _case_format_html(
            "<ul>{}</ul>",
            _case_format_html_join(
                "", "<li>{} · {} · {}</li>",
                ((f"{_case_timezone.localtime(r.sent_at):%Y-%m-%d %H:%M}", r.kind, r.message) for r in reminders),
            ),
        )

    @admin.action(description=_("Cancel the selected cases"), permissions=["change"])
    def cancel_cases(self, request, queryset):
        done = 0
        for case in queryset:
            try:
                _case_actions.case_cancel(case=case, by=request.user, reason=str(_("Cancelled in the admin")))
                done += 1
            except _CaseDomainError as exc:
                self.message_user(request, f"{case}: {exc.message}", _case_messages.WARNING)
        if done:
            self.message_user(request, _("%(count)d case(s) cancelled.") % {"count": done}, _case_messages.SUCCESS)

    def view_on_site(self, obj: Case) -> str:
        return _case_reverse("services:case_detail", args=[obj.pk])


@admin.register(CaseTask)
class CaseTaskAdmin(admin.ModelAdmin):
    list_display = ["description_short", "case", "department", "assignee", "due", "status", "completed_at"]
    list_filter = [CaseTaskOverdueFilter, "status", "department"]
    search_fields = ["description", "case__title", "assignee__username", "assignee__display_name"]
    list_select_related = ["case", "department", "assignee"]
    raw_id_fields = ["case", "assignee", "completed_by"]
    readonly_fields = ["case", "department", "assignee", "description", "due_at", "status", "completed_at",
                       "completed_by", "note", "next_reminder_at", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("what to do"))
    def description_short(self, obj: CaseTask) -> str:
        return obj.description[:60]

    @admin.display(description=_("due at"), ordering="due_at")
    def due(self, obj: CaseTask):
        return _case_due_html(obj.due_at, obj.status)
