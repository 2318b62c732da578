from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from portal.admin import ConflictSafeAdminMixin
from portal.cases import actions, selectors
from portal.cases.models import Case, CaseEvent, CaseTask
from portal.exceptions import DomainError


def _case_due_html(due_at, status: str):
    """A deadline cell coloured like the board: red when overdue, amber when due soon."""
    if due_at is None:
        return "-"
    state = CaseTask.deadline_state(due_at, status=status)
    text = f"{timezone.localtime(due_at):%Y-%m-%d}"
    if not state:
        return text
    tone = {"overdue": "tone-bad", "due-soon": "tone-warn"}.get(state, "")
    return format_html('<strong class="{}">{}</strong>', tone, text)


class CaseOverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Has overdue tasks")), ("no", _("Nothing overdue"))]

    def queryset(self, request, queryset):
        late = Case.has_overdue_task(timezone.now())
        if self.value() == "yes":
            return queryset.filter(late)
        if self.value() == "no":
            return queryset.exclude(late)
        return queryset


class CaseTaskOverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        late = CaseTask.overdue_q(timezone.now())
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
    fields = ["at", "kind", "by", "task", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ConflictSafeAdminMixin, admin.ModelAdmin):
    list_display = ["title", "lead_department", "status", "source", "applicant", "progress", "next_due", "opened_at"]
    list_filter = [CaseOverdueFilter, "status", "source", "lead_department"]
    search_fields = ["title", "description", "source_reference", "applicant__username", "applicant__display_name"]
    list_select_related = ["lead_department", "applicant"]
    raw_id_fields = ["applicant", "opened_by"]
    date_hierarchy = "opened_at"
    inlines = [CaseTaskInline, CaseEventInline]
    actions = ["cancel_cases"]
    readonly_fields = ["title", "description", "applicant", "source", "lead_department", "source_reference",
                       "status", "opened_by", "opened_at", "closed_at", "reminders_sent"]
    fields = readonly_fields

    def get_queryset(self, request):
        return selectors.case_annotate(super().get_queryset(request))

    # Cases are opened on the staff page (cases:case_create), which writes their history.
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
        reminders = selectors.case_reminder_list(case=obj)
        if not reminders:
            return "-"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li>{} · {} · {}</li>",
                ((f"{timezone.localtime(r.sent_at):%Y-%m-%d %H:%M}", r.kind, r.message) for r in reminders),
            ),
        )

    @admin.action(description=_("Cancel the selected cases"), permissions=["change"])
    def cancel_cases(self, request, queryset):
        done = 0
        for case in queryset:
            try:
                actions.case_cancel(case=case, by=request.user, reason=str(_("Cancelled in the admin")))
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{case}: {exc.message}", messages.WARNING)
        if done:
            self.message_user(request, _("%(count)d case(s) cancelled.") % {"count": done}, messages.SUCCESS)

    def view_on_site(self, obj: Case) -> str:
        return reverse("cases:case_detail", args=[obj.pk])


@admin.register(CaseTask)
class CaseTaskAdmin(ConflictSafeAdminMixin, admin.ModelAdmin):
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
