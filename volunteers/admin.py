"""Admin for hall staff: teams with memberships, activities with sign-ups and attendance, CSV export.

Status moves and hours approval go through the same actions as the pages and the API.
"""
from django import forms
from django.contrib import admin, messages
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from portal.admin import ConflictSafeAdminMixin
from portal.exceptions import DomainError
from portal.exports import csv_response
from volunteers import actions
from volunteers.models import Activity, ActivityStatusChange, Attendance, Membership, SignUp, Team


class MembershipFormSet(forms.BaseInlineFormSet):
    """Checks the team's constraints across all rows of the form, so a second captain is a form error.

    Model validation alone skips them: the inline form leaves out the ``team`` field they are on.
    """

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        active = [f.cleaned_data for f in rows if not f.cleaned_data.get("left_on")]
        others = Membership.objects.none()
        if self.instance.pk:
            shown = [f.instance.pk for f in self.forms if f.instance.pk]
            others = Membership.objects.filter(team=self.instance, left_on__isnull=True).exclude(pk__in=shown)
        captains = sum(1 for row in active if row.get("role") == Membership.Role.CAPTAIN)
        if captains + others.filter(role=Membership.Role.CAPTAIN).count() > 1:
            raise forms.ValidationError(_("A team has one captain at a time. End the current captain's term first."))
        people = [row["user"].pk for row in active if row.get("user")] + list(others.values_list("user_id", flat=True))
        if len(people) != len(set(people)):
            raise forms.ValidationError(_("A person can hold only one active membership in a team."))


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(ConflictSafeAdminMixin, TranslationAdmin):
    list_display = ["name", "positioning", "leader", "captain_name"]
    list_filter = ["positioning"]
    search_fields = ["name", "slug"]
    list_select_related = ["leader"]
    raw_id_fields = ["leader"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(role=Membership.Role.CAPTAIN, left_on__isnull=True).select_related("user"),
                to_attr="active_captains",
            )
        )

    @admin.display(description=_("captain"))
    def captain_name(self, team: Team) -> str:
        return str(team.captain or "—")


class SignUpInline(admin.TabularInline):
    model = SignUp
    extra = 0
    can_delete = False
    fields = ["user", "status", "created_at", "cancelled_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    can_delete = False
    fields = ["user", "checked_in_at", "checked_out_at", "proposed_hours", "approved_hours", "recorded_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class StatusChangeInline(admin.TabularInline):
    model = ActivityStatusChange
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ActivityAdminForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["team", "kind", "title", "description", "starts_at", "ends_at", "place", "capacity", "status"]

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data.get("capacity") is not None:
            try:
                actions.activity_validate(
                    starts_at=data["starts_at"], ends_at=data["ends_at"], capacity=data["capacity"],
                    signed_up=self.instance.signed_up if self.instance.pk else 0,
                )
            except DomainError as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


@admin.register(Activity)
class ActivityAdmin(ConflictSafeAdminMixin, TranslationAdmin):
    form = ActivityAdminForm
    list_display = ["title", "team", "kind", "starts_at", "status", "places", "hours_approved_at"]
    list_filter = ["team", "kind", "status", ("starts_at", admin.DateFieldListFilter)]
    search_fields = ["title", "place", "team__name"]
    list_select_related = ["team"]
    autocomplete_fields = ["team"]
    date_hierarchy = "starts_at"
    inlines = [SignUpInline, AttendanceInline, StatusChangeInline]
    actions = ["open_signup", "close_signup", "cancel", "approve_hours", "export_attendance_csv"]

    def get_readonly_fields(self, request, obj=None):
        # Once created, the status moves only through the actions (with history rows).
        return ["status", "signed_up", "hours_approved_at"] if obj else ["signed_up"]

    @admin.display(description=_("places"))
    def places(self, activity: Activity) -> str:
        return f"{activity.signed_up}/{activity.capacity}"

    # The texts kept in both languages: the form has title_zh_hans and title_en, the actions "title".
    TRANSLATED = ("title", "description", "place")

    def save_model(self, request, obj, form, change):
        cleaned = form.cleaned_data
        data = {name: cleaned[name] for name in actions.EDITABLE_FIELDS if name in cleaned}
        for name in self.TRANSLATED:
            if f"{name}_zh_hans" in cleaned and name in actions.EDITABLE_FIELDS:
                data[name] = cleaned[f"{name}_zh_hans"] or ""
        if change:
            changed = {
                name: value for name, value in data.items()
                if name in form.changed_data or f"{name}_zh_hans" in form.changed_data
            }
            if changed:
                actions.activity_update(activity=obj, data=changed)
        else:
            obj = actions.activity_create(**data, status=cleaned["status"], by=request.user)
            form.instance.pk = obj.pk
        # The action wrote the text in the admin's language; put each language in its own column.
        columns = {f"{name}_{lang}": cleaned[f"{name}_{lang}"] or ("" if lang == "zh_hans" else None)
                   for name in self.TRANSLATED for lang in ("zh_hans", "en") if f"{name}_{lang}" in cleaned}
        if columns:
            Activity.objects.filter(pk=obj.pk).update(**columns)
        form.instance.refresh_from_db()

    def _move(self, request, queryset, move) -> None:
        """Run one move action (activity_open, activity_close, ...) on each selected activity."""
        done = 0
        for activity in queryset:
            try:
                move(activity=activity, by=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{activity}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, _("%(count)d activities updated.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Open for sign-up"))
    def open_signup(self, request, queryset):
        self._move(request, queryset, actions.activity_open)

    @admin.action(description=_("Close sign-up"))
    def close_signup(self, request, queryset):
        self._move(request, queryset, actions.activity_close)

    @admin.action(description=_("Cancel the activity (tells those signed up)"))
    def cancel(self, request, queryset):
        self._move(request, queryset, actions.activity_cancel)

    @admin.action(description=_("Approve the hours of the selected activities"))
    def approve_hours(self, request, queryset):
        done = 0
        for activity in queryset.select_related("team"):
            try:
                actions.activity_hours_approve(activity=activity, by=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{activity}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, _("%(count)d activities updated.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Export attendance and hours (CSV)"))
    def export_attendance_csv(self, request, queryset):
        rows = (
            Attendance.objects.filter(activity__in=queryset)
            .select_related("activity__team", "user")
            .order_by("activity__starts_at", "activity_id", "user_id")
        )
        return csv_response(
            filename=f"attendance-{timezone.localdate():%Y%m%d}.csv",
            header=[
                _("activity"), _("team"), _("date"), _("person"), _("username"), _("checked in at"),
                _("checked out at"), _("proposed hours"), _("approved hours"),
            ],
            rows=(
                [
                    row.activity.title, row.activity.team.name, f"{timezone.localtime(row.activity.starts_at):%Y-%m-%d}",
                    str(row.user), row.user.username,
                    f"{timezone.localtime(row.checked_in_at):%Y-%m-%d %H:%M}" if row.checked_in_at else "",
                    f"{timezone.localtime(row.checked_out_at):%Y-%m-%d %H:%M}" if row.checked_out_at else "",
                    row.proposed_hours, "" if row.approved_hours is None else row.approved_hours,
                ]
                for row in rows
            ),
        )
