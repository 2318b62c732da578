"""Admin for hall staff: indicators, periods, achievements; the ledger is read-only."""
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from points import actions, selectors
from points.models import Achievement, Appeal, Indicator, LedgerEntry, Period, PeriodEvent, Stage, TeamRating
from portal.admin import ConflictSafeAdminMixin
from portal.exceptions import DomainError
from portal.exports import csv_response


@admin.register(Indicator)
class IndicatorAdmin(ConflictSafeAdminMixin, TranslationAdmin):
    list_display = ["name", "code", "category", "max_points", "position", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "code", "description"]
    list_select_related = []
    prepopulated_fields = {"code": ["name"]}

    def get_readonly_fields(self, request, obj=None):
        # Changing the maximum of an indicator already used in an opened period would change its 100.
        if obj is not None and obj.periods.exclude(stage=Stage.DRAFT).exists():
            return ["code", "max_points"]
        return []


class TeamRatingInline(admin.TabularInline):
    model = TeamRating
    extra = 0
    can_delete = False
    readonly_fields = ["team", "status", "return_reason", "average", "stars", "is_pioneer_post"]

    def has_add_permission(self, request, obj=None):
        return False


class PeriodEventInline(admin.TabularInline):
    model = PeriodEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "from_status", "to_status", "team", "member", "by", "note", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Period)
class PeriodAdmin(ConflictSafeAdminMixin, TranslationAdmin):
    list_display = ["name", "stage", "starts_on", "ends_on", "indicator_total", "published_at"]
    list_filter = ["stage"]
    search_fields = ["name"]
    list_select_related = []
    filter_horizontal = ["indicators"]
    inlines = [TeamRatingInline, PeriodEventInline]

    @admin.display(description=_("indicator points"))
    def indicator_total(self, obj: Period) -> int:
        return selectors.period_indicator_total(period=obj)

    def get_readonly_fields(self, request, obj=None):
        # Stages move only through the actions (pages or API), never by editing the field.
        fields = ["stage", "published_at"]
        if obj is not None and obj.stage != Stage.DRAFT:
            fields += ["indicators", "starts_on", "ends_on"]
        return fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.stage == Stage.DRAFT


@admin.register(Achievement)
class AchievementAdmin(ConflictSafeAdminMixin, admin.ModelAdmin):
    list_display = ["title", "member", "team", "indicator", "period", "points_claimed", "points_awarded", "status"]
    list_filter = ["status", "period", "team", "indicator"]
    search_fields = ["title", "description", "member__username", "member__display_name"]
    list_select_related = ["member", "team", "indicator", "period"]
    raw_id_fields = ["member", "team", "period", "indicator", "decided_by"]
    # The evidence has no public URL (and only the member uploads it, checked by content): staff
    # open it through the same view as everyone else.
    exclude = ["evidence"]
    readonly_fields = ["status", "points_awarded", "decided_by", "decided_at", "decision_reason", "evidence_link"]

    @admin.display(description=_("evidence"))
    def evidence_link(self, obj):
        if obj is None or not obj.evidence:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("points:achievement_evidence", args=[obj.pk]),
                           _("Open the evidence"))


@admin.register(Appeal)
class AppealAdmin(ConflictSafeAdminMixin, admin.ModelAdmin):
    list_display = ["result", "status", "old_total", "new_total", "decided_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["result__member__username", "result__member__display_name", "reason"]
    list_select_related = ["result__member", "result__period", "decided_by"]
    raw_id_fields = ["result", "decided_by"]
    readonly_fields = ["result", "reason", "status", "decision_reason", "decided_by", "old_total", "new_total"]

    def has_add_permission(self, request):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ConflictSafeAdminMixin, admin.ModelAdmin):
    """Read-only: the ledger is append-only; corrections are compensating entries made by the action."""

    list_display = ["created_at", "member", "points", "source", "reason", "period", "author"]
    list_filter = ["source", "period"]
    search_fields = ["member__username", "member__display_name", "reason", "reference"]
    list_select_related = ["member", "period", "author"]
    raw_id_fields = ["member", "author", "period", "indicator", "achievement", "corrects"]
    actions = ["reverse_entries", "export_csv"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Export the selected entries (CSV)"), permissions=["view"])
    def export_csv(self, request, queryset):
        entries = queryset.select_related("member", "author", "period", "indicator").order_by("created_at", "id")
        return csv_response(
            filename=f"points-ledger-{timezone.localdate():%Y%m%d}.csv",
            header=[_("created at"), _("member"), _("username"), _("points"), _("source"), _("reason"),
                    _("period"), _("indicator"), _("author"), _("source reference"), _("corrects")],
            rows=(
                [
                    f"{timezone.localtime(entry.created_at):%Y-%m-%d %H:%M}", str(entry.member),
                    entry.member.username, entry.points, entry.get_source_display(), entry.reason,
                    entry.period.name if entry.period else "", entry.indicator.name if entry.indicator else "",
                    str(entry.author) if entry.author else "", entry.reference, entry.corrects_id,
                ]
                for entry in entries
            ),
        )

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Reverse the selected entries with compensating entries"))
    def reverse_entries(self, request, queryset):
        done = 0
        for entry in queryset:
            try:
                actions.ledger_correct(entry=entry, by=request.user, points=-entry.points,
                                       reason=str(_("Reversed by %(user)s") % {"user": request.user}))
                done += 1
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return
        self.message_user(request, _("%(count)s compensating entries written.") % {"count": done})
