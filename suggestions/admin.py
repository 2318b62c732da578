"""Admin for hall staff: the ledger with filters and search, its history read-only, actions to
accept and assign (the same actions as the pages and the API), and the CSV export of the ledger.

Entries are never typed in or edited here: people submit them, and every change is a move.
"""
from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.admin import ConflictSafeAdminMixin
from portal.exceptions import DomainError
from portal.exports import csv_response
from portal.hall.models import Department
from suggestions import actions
from suggestions.models import Suggestion, SuggestionAnswer, SuggestionEvent, Support
from suggestions.selectors import suggestion_admin_list, suggestion_submitter_visible_to

# Fields that name the person who submitted (or acted as the submitter): hall staff only.
SUBMITTER_FIELDS = {"submitter"}


class SuggestionEventInline(admin.TabularInline):
    model = SuggestionEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "from_status", "to_status", "by", "by_role", "department", "note"]
    readonly_fields = fields

    def get_fields(self, request, obj=None):
        # "by" names the submitter on the events they caused; others see the role ("by_role") only.
        if suggestion_submitter_visible_to(user=request.user):
            return self.fields
        return [name for name in self.fields if name != "by"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        # Whoever may see the entry sees its history and answers: they are part of the entry.
        return request.user.has_perm("suggestions.view_suggestion")


class SuggestionAnswerInline(admin.StackedInline):
    model = SuggestionAnswer
    fk_name = "suggestion"
    extra = 0
    can_delete = False
    fields = ["department", "kind", "text", "reason", "redirect", "drafted_by", "drafted_at", "published_by",
              "published_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        # Whoever may see the entry sees its history and answers: they are part of the entry.
        return request.user.has_perm("suggestions.view_suggestion")


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all())


class HiddenFilter(admin.SimpleListFilter):
    title = _("hidden")
    parameter_name = "hidden"

    def lookups(self, request, model_admin):
        return [("yes", _("Hidden")), ("no", _("Shown"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(hidden_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(hidden_at__isnull=True)
        return queryset


CSV_COLUMNS = [
    (_("Number"), lambda s: s.number),
    (_("Date submitted"), lambda s: f"{timezone.localtime(s.created_at):%Y-%m-%d}"),
    (_("Kind"), lambda s: s.get_kind_display()),
    (_("Category"), lambda s: s.get_category_display()),
    (_("Title"), lambda s: s.title),
    (_("Department"), lambda s: str(s.department or "")),
    (_("Status"), lambda s: s.status_label),
    (_("Answer"), lambda s: s.published_answer.text if s.published_answer else ""),
    (_("Answering department"), lambda s: str(s.published_answer.department) if s.published_answer else ""),
    (_("Date accepted"), lambda s: f"{timezone.localtime(s.accepted_at):%Y-%m-%d}" if s.accepted_at else ""),
    (_("Answer due"), lambda s: f"{timezone.localtime(s.answer_due_at):%Y-%m-%d}" if s.answer_due_at else ""),
    (_("Date answered"), lambda s: f"{timezone.localtime(s.answered_at):%Y-%m-%d}" if s.answered_at else ""),
    (_("Date closed"), lambda s: f"{timezone.localtime(s.closed_at):%Y-%m-%d}" if s.closed_at else ""),
    (_("Supporters"), lambda s: s.support_count),
    (_("Merged into"), lambda s: s.merged_into.number if s.merged_into else ""),
    (_("Hidden"), lambda s: s.hidden_reason if s.hidden_at else ""),
]


@admin.register(Suggestion)
class SuggestionAdmin(ConflictSafeAdminMixin, admin.ModelAdmin):
    list_display = ["number", "created_at", "kind", "category", "title", "department", "status_badge",
                    "answer_due", "support_count", "is_hidden"]
    list_filter = ["kind", "status", "category", "department", HiddenFilter]
    search_fields = ["number", "title", "content"]
    list_select_related = ["department", "published_answer", "published_answer__department", "merged_into"]
    raw_id_fields = ["submitter", "merged_into", "published_answer"]
    date_hierarchy = "created_at"
    inlines = [SuggestionAnswerInline, SuggestionEventInline]
    actions = ["accept_selected", "assign_selected", "export_csv"]

    def get_queryset(self, request):
        return suggestion_admin_list(user=request.user, queryset=super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if suggestion_submitter_visible_to(user=request.user):
            return fields
        return [name for name in fields if name not in SUBMITTER_FIELDS]

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # Django lets a URL filter on any local field (?submitter=42): that would tell an officer
        # which entries one person submitted, so the submitter is no filter for them.
        if lookup.split("__", 1)[0] in SUBMITTER_FIELDS and not suggestion_submitter_visible_to(user=request.user):
            return False
        return super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # numbers never disappear from the ledger

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj: Suggestion):
        return format_html('<span class="tone-{}">{}</span>', obj.status_tone, obj.status_label)

    @admin.display(description=_("answer due"), ordering="answer_due_at")
    def answer_due(self, obj: Suggestion):
        if not obj.answer_due_at:
            return "–"
        text = f"{timezone.localtime(obj.answer_due_at):%Y-%m-%d}"
        if obj.is_overdue():
            return format_html('<strong class="tone-bad">{} ({})</strong>', text, _("overdue"))
        return text

    @admin.display(description=_("hidden"), boolean=True)
    def is_hidden(self, obj: Suggestion) -> bool:
        return obj.is_hidden

    def _run(self, request, queryset, call) -> None:
        done = 0
        for entry in queryset:
            try:
                call(entry)
            except DomainError as exc:
                self.message_user(request, f"{entry.number}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, _("%(count)d entries updated.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Accept the selected entries"), permissions=["change"])
    def accept_selected(self, request, queryset):
        self._run(request, queryset, lambda entry: actions.suggestion_accept(suggestion=entry, by=request.user))

    @admin.action(description=_("Assign the selected entries to a department"), permissions=["change"])
    def assign_selected(self, request, queryset):
        form = AssignForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            department = form.cleaned_data["department"]
            self._run(request, queryset, lambda entry: actions.suggestion_assign(
                suggestion=entry, department=department, by=request.user))

            return None
        return TemplateResponse(request, "admin/suggestions/assign.html", {
            **self.admin_site.each_context(request),
            "title": _("Assign to a department"),
            "form": form,
            "entries": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })

    @admin.action(description=_("Export the ledger as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        entries = queryset.select_related(*self.list_select_related).order_by("number")
        return csv_response(
            filename=f"ledger-{timezone.localdate():%Y%m%d}.csv",
            header=[label for label, _value in CSV_COLUMNS],
            rows=([value(entry) for _label, value in CSV_COLUMNS] for entry in entries),
        )


@admin.register(Support)
class SupportAdmin(ConflictSafeAdminMixin, admin.ModelAdmin):
    list_display = ["suggestion", "user", "created_at"]
    search_fields = ["suggestion__number"]
    list_select_related = ["suggestion", "user"]
    raw_id_fields = ["suggestion", "user"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
