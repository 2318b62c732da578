from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from portal.admin import ConflictSafeAdminMixin, SafeAutocompleteAdminMixin
from portal.exceptions import DomainError
from portal.exports import csv_response
from portal.roles import is_hall_staff
from services import actions as service_actions
from services import selectors
from services.forms import BookingExportForm, SlotBulkOpenForm
from services.models import (
    Booking,
    BookingEvent,
    Bundle,
    BundleItem,
    Evaluation,
    Material,
    PrecheckEvent,
    PrecheckFile,
    PrecheckFileAccess,
    PrecheckReason,
    PrecheckUpload,
    QueueTicket,
    QueueTicketEvent,
    Rectification,
    RectificationEvent,
    ServiceItem,
    Slot,
    Step,
    Window,
    Zone,
)


@admin.register(Material)
class MaterialAdmin(ConflictSafeAdminMixin, TranslationAdmin):
    list_display = ["name", "description", "item_count"]
    search_fields = ["name", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count("service_items"))

    @admin.display(description=_("used by items"), ordering="item_count")
    def item_count(self, obj: Material) -> int:
        return obj.item_count


class StepInline(TranslationTabularInline):
    model = Step
    extra = 1
    fields = ["position", "name", "kind"]


@admin.register(ServiceItem)
class ServiceItemAdmin(ConflictSafeAdminMixin, TranslationAdmin):
    list_display = ["code", "name", "stage", "department", "legal_days", "promised_days", "visits", "bookable", "position"]
    list_editable = ["position"]
    list_filter = ["stage", "department", "bookable"]
    search_fields = ["code", "name", "description"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]
    filter_horizontal = ["materials", "issues_materials"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [StepInline]


class BundleItemFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        items = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            if form.cleaned_data.get("item"):
                items.add(form.cleaned_data["item"].pk)
        for form in self.forms:
            requires = (form.cleaned_data or {}).get("requires")
            if requires and not form.cleaned_data.get("DELETE") and requires.pk not in items:
                form.add_error("requires", _("Choose an item of this bundle."))


class BundleItemInline(SafeAutocompleteAdminMixin, admin.TabularInline):
    model = BundleItem
    formset = BundleItemFormSet
    fk_name = "bundle"
    extra = 1
    fields = ["position", "item", "requires"]
    autocomplete_fields = ["item", "requires"]


@admin.register(Bundle)
class BundleAdmin(ConflictSafeAdminMixin, TranslationAdmin):
    list_display = ["name", "slug", "item_count", "steps_saved", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug", "summary"]
    list_filter = ["items__stage"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [BundleItemInline]

    def get_queryset(self, request):
        return selectors.bundle_list().order_by("position", "name")

    @admin.display(description=_("items"))
    def item_count(self, obj: Bundle) -> int:
        return len(obj.bundle_items.all())

    @admin.display(description=_("steps saved"))
    def steps_saved(self, obj: Bundle) -> str:
        savings = selectors.bundle_savings(obj)
        return f"{savings['separate_steps']} → {savings['bundle_steps']} (-{savings['steps_saved_percent']}%)"


class SlotAdminForm(forms.ModelForm):
    class Meta:
        model = Slot
        fields = ["bundle", "item", "starts_at", "ends_at", "capacity", "is_open"]

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk and capacity < self.instance.booked_count:
            raise forms.ValidationError(
                _("%(count)s places are already booked; the capacity cannot be lower."),
                params={"count": self.instance.booked_count},
            )
        return capacity


@admin.register(Slot)
class SlotAdmin(ConflictSafeAdminMixin, admin.ModelAdmin):
    form = SlotAdminForm
    change_list_template = "services/admin/slot_change_list.html"
    list_display = ["starts_at", "ends_at", "subject", "capacity", "booked_count", "remaining_places", "is_open"]
    list_filter = ["is_open", "bundle", ("starts_at", admin.DateFieldListFilter)]
    date_hierarchy = "starts_at"
    search_fields = ["bundle__name", "item__name", "item__code"]
    list_select_related = ["bundle", "item"]
    autocomplete_fields = ["bundle", "item"]
    readonly_fields = ["booked_count"]
    actions = ["close_slots"]

    @admin.display(description=_("for"))
    def subject(self, obj: Slot) -> str:
        return str(obj.subject)

    @admin.display(description=_("places left"))
    def remaining_places(self, obj: Slot):
        return format_html('<span class="{}">{}</span>', "tone-bad" if obj.remaining == 0 else "", obj.remaining)

    @admin.action(description=_("Close the selected slots to new bookings"))
    def close_slots(self, request, queryset):
        for slot in queryset:
            service_actions.slot_close(slot=slot)
        self.message_user(request, _("%(count)s slots closed.") % {"count": queryset.count()}, messages.SUCCESS)

    def get_urls(self):
        urls = [
            path("open/", self.admin_site.admin_view(self.open_view), name="services_slot_open"),
        ]
        return urls + super().get_urls()

    def open_view(self, request):
        """Open slots in bulk: date range, weekdays, times and capacity, without typing each one."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SlotBulkOpenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                opened, skipped = service_actions.slot_open_bulk(
                    bundle=data["bundle"],
                    item=data["item"],
                    date_from=data["date_from"],
                    date_to=data["date_to"],
                    weekdays=data["weekdays"],
                    times=data["times"],
                    capacity=data["capacity"],
                    working_days_only=data["working_days_only"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                self.message_user(
                    request,
                    _("%(opened)s slots opened, %(skipped)s already existed.") % {"opened": opened, "skipped": skipped},
                    messages.SUCCESS,
                )
                return redirect("admin:services_slot_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Open slots in bulk"),
        }
        return TemplateResponse(request, "services/admin/slot_open.html", context)


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


def _bookings_csv(bookings, filename: str) -> HttpResponse:
    return csv_response(
        filename=filename,
        header=[_("reference"), _("starts at"), _("for"), _("applicant"), _("mobile"), _("company"), _("status"),
                _("note")],
        rows=(
            [
                booking.reference,
                f"{timezone.localtime(booking.slot.starts_at):%Y-%m-%d %H:%M}",
                str(booking.slot.subject),
                str(booking.user),
                booking.user.mobile,
                booking.user.company_name,
                booking.get_status_display(),
                booking.note,
            ]
            for booking in bookings
        ),
    )


class PrecheckUploadInline(admin.TabularInline):
    model = PrecheckUpload
    extra = 0
    can_delete = False
    fields = ["material", "version", "department", "status", "uploaded_at", "decided_by", "reason", "reason_text",
              "files_deleted_at"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("material", "department", "decided_by")


@admin.register(Booking)
class BookingAdmin(ConflictSafeAdminMixin, admin.ModelAdmin):
    change_list_template = "services/admin/booking_change_list.html"
    list_display = ["reference", "applicant", "mobile", "subject", "starts_at", "coloured_status", "prechecked",
                    "settled_in_one_visit"]
    list_filter = ["status", ("slot__starts_at", admin.DateFieldListFilter), "slot__bundle", "settled_in_one_visit"]
    search_fields = ["reference", "user__mobile", "user__display_name", "user__username"]
    list_select_related = ["user", "slot__bundle", "slot__item"]
    raw_id_fields = ["user", "slot"]
    readonly_fields = ["reference", "user", "slot", "status", "note", "settled_in_one_visit", "created_at",
                       "updated_at"]
    fields = readonly_fields
    inlines = [PrecheckUploadInline, BookingEventInline]
    actions = ["check_in", "complete", "complete_not_settled", "mark_no_show", "export_csv"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            accepted_count=Count("precheck_uploads", filter=Q(precheck_uploads__status=PrecheckUpload.Status.ACCEPTED)),
            waiting_count=Count("precheck_uploads", filter=Q(precheck_uploads__status=PrecheckUpload.Status.SUBMITTED)),
        )

    @admin.display(description=_("pre-check: accepted (waiting)"))
    def prechecked(self, obj: Booking) -> str:
        return f"{obj.accepted_count} ({obj.waiting_count})"
    date_hierarchy = "slot__starts_at"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("applicant"), ordering="user__display_name")
    def applicant(self, obj: Booking) -> str:
        return str(obj.user)

    @admin.display(description=_("mobile"))
    def mobile(self, obj: Booking) -> str:
        return obj.user.mobile

    @admin.display(description=_("for"))
    def subject(self, obj: Booking) -> str:
        return str(obj.slot.subject)

    @admin.display(description=_("starts at"), ordering="slot__starts_at")
    def starts_at(self, obj: Booking):
        return obj.slot.starts_at

    @admin.display(description=_("status"), ordering="status")
    def coloured_status(self, obj: Booking):
        tones = {"booked": "tone-info", "checked_in": "tone-ok", "completed": "tone-ok"}
        return format_html('<strong class="{}">{}</strong>', tones.get(obj.status, "tone-bad"), obj.get_status_display())

    def _run(self, request, queryset, action, done_message):
        done, refused = 0, []
        for booking in queryset.select_related("slot"):
            try:
                action(booking=booking, by=request.user)
                done += 1
            except DomainError as exc:
                refused.append(f"{booking.reference}: {exc.message}")
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description=_("Check in the selected bookings"))
    def check_in(self, request, queryset):
        self._run(request, queryset, service_actions.booking_check_in, _("%(count)s bookings checked in."))

    @admin.action(description=_("Mark the selected bookings as completed (settled in one visit)"))
    def complete(self, request, queryset):
        self._run(request, queryset, service_actions.booking_complete, _("%(count)s bookings completed."))

    @admin.action(description=_("Mark the selected bookings as completed, NOT settled in one visit"))
    def complete_not_settled(self, request, queryset):
        def complete(*, booking, by):
            return service_actions.booking_complete(booking=booking, by=by, settled_in_one_visit=False)

        self._run(request, queryset, complete, _("%(count)s bookings completed."))

    @admin.action(description=_("Mark the selected bookings as no-shows"))
    def mark_no_show(self, request, queryset):
        self._run(request, queryset, service_actions.booking_mark_no_show, _("%(count)s bookings marked as no-shows."))

    @admin.action(description=_("Export the selected bookings as CSV"))
    def export_csv(self, request, queryset):
        bookings = queryset.select_related("user", "slot__bundle", "slot__item").order_by("slot__starts_at", "reference")
        return _bookings_csv(bookings, "bookings.csv")

    def get_urls(self):
        urls = [
            path("export-day/", self.admin_site.admin_view(self.export_day_view), name="services_booking_export_day"),
        ]
        return urls + super().get_urls()

    def export_day_view(self, request):
        """The day's list as CSV (?date=YYYY-MM-DD, today by default), for the window and the queue screen."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = BookingExportForm(request.GET or {"date": timezone.localdate().isoformat()})
        if not form.is_valid():
            return HttpResponse(str(_("Give the day as YYYY-MM-DD.")), status=400, content_type="text/plain; charset=utf-8")
        day = form.cleaned_data["date"]
        bookings = (
            Booking.objects.filter(slot__starts_at__date=day)
            .select_related("user", "slot__bundle", "slot__item")
            .order_by("slot__starts_at", "reference")
        )
        return _bookings_csv(bookings, f"bookings-{day:%Y-%m-%d}.csv")


# --- pre-check of materials (材料预审) ---------------------------------------------------------
class PrecheckFileInline(admin.TabularInline):
    model = PrecheckFile
    extra = 0
    can_delete = False
    fields = ["position", "open_link", "content_type", "size", "pages"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def open_link(self, obj: PrecheckFile):
        if not obj.file:
            return format_html("{} <em>({})</em>", obj.original_name, _("deleted"))
        # Served by the portal's view, which checks who asks and records the access.
        return format_html('<a href="{}">{}</a>', reverse("services:precheck_file", args=[obj.pk]), obj.original_name)


class PrecheckEventInline(admin.TabularInline):
    model = PrecheckEvent
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class PrecheckActionForm(ActionForm):
    reason = forms.ChoiceField(label=_("Reason"), required=False, choices=[("", "---------"), *PrecheckReason.choices])
    reason_text = forms.CharField(label=_("Explanation"), required=False, max_length=500)


class DepartmentWorkAdminMixin:
    """Work a department does on records the portal opens (pre-check uploads, rectifications):
    hall staff see every one, an officer those of their departments; nobody adds or deletes them
    here, they come and go with their booking or evaluation."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser or is_hall_staff(request.user):
            return queryset
        return queryset.filter(department__in=request.user.departments.all())

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PrecheckUpload)
class PrecheckUploadAdmin(DepartmentWorkAdminMixin, admin.ModelAdmin):
    """Department officers pre-check here as on /precheck/: accept, or send back with a reason
    (choose it, and/or type it, in the action bar). Officers see their departments' uploads only."""

    action_form = PrecheckActionForm
    list_display = ["booking", "material", "version", "department", "coloured_status", "due", "decided_by"]
    list_filter = ["status", "department", ("due_at", admin.DateFieldListFilter)]
    search_fields = ["booking__reference", "material__name", "booking__user__display_name"]
    list_select_related = ["booking", "material", "department", "decided_by"]
    raw_id_fields = ["booking", "material", "uploaded_by", "decided_by"]
    readonly_fields = ["booking", "material", "department", "version", "status", "uploaded_by", "uploaded_at",
                       "due_at", "decided_at", "decided_by", "reason", "reason_text", "files_deleted_at"]
    fields = readonly_fields
    inlines = [PrecheckFileInline, PrecheckEventInline]
    actions = ["accept", "needs_correction"]
    date_hierarchy = "uploaded_at"

    @admin.display(description=_("status"), ordering="status")
    def coloured_status(self, obj: PrecheckUpload):
        colours = {"submitted": "#0550ae", "accepted": "#1a7f37", "needs_correction": "#cf222e"}
        return format_html('<strong style="color:{}">{}</strong>', colours.get(obj.status, "#57606a"),
                           obj.get_status_display())

    @admin.display(description=_("pre-check due"), ordering="due_at")
    def due(self, obj: PrecheckUpload):
        colours = {"overdue": "#cf222e", "due_today": "#9a6700"}
        local = timezone.localtime(obj.due_at)
        return format_html('<span style="color:{}">{}</span>', colours.get(obj.due_state(), "inherit"),
                           f"{local:%Y-%m-%d %H:%M}")

    def _decide(self, request, queryset, decide, done_message):
        done, refused = 0, []
        for upload in queryset.select_related("booking__user", "material", "department"):
            try:
                decide(upload=upload, by=request.user)
                done += 1
            except DomainError as exc:
                refused.append(f"{upload}: {exc.message}")
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description=_("Accept the selected materials"), permissions=["change"])
    def accept(self, request, queryset):
        self._decide(request, queryset, service_actions.precheck_upload_accept, _("%(count)s materials accepted."))

    @admin.action(description=_("Send the selected materials back for correction (reason below)"),
                  permissions=["change"])
    def needs_correction(self, request, queryset):
        reason = request.POST.get("reason", "")
        reason_text = request.POST.get("reason_text", "")

        def decide(*, upload, by):
            return service_actions.precheck_upload_request_correction(
                upload=upload, by=by, reason=reason, reason_text=reason_text
            )

        self._decide(request, queryset, decide, _("%(count)s materials sent back for correction."))


@admin.register(PrecheckFileAccess)
class PrecheckFileAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "by", "file", "booking"]
    list_filter = [("at", admin.DateFieldListFilter)]
    search_fields = ["by__username", "by__display_name", "file__upload__booking__reference"]
    list_select_related = ["by", "file__upload__booking"]
    raw_id_fields = ["file", "by"]
    readonly_fields = ["at", "by", "file"]
    date_hierarchy = "at"

    @admin.display(description=_("booking"))
    def booking(self, obj: PrecheckFileAccess) -> str:
        return obj.file.upload.booking.reference

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Zone)
class ZoneAdmin(ConflictSafeAdminMixin, TranslationAdmin):
    list_display = ["letter", "name", "window_count"]
    search_fields = ["name", "letter"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(window_count=Count("windows"))

    @admin.display(description=_("windows"), ordering="window_count")
    def window_count(self, obj: Zone) -> int:
        return obj.window_count


@admin.register(Window)
class WindowAdmin(ConflictSafeAdminMixin, admin.ModelAdmin):
    list_display = ["number", "zone", "is_open", "item_list", "staff_list"]
    list_filter = ["zone", "is_open"]
    search_fields = ["=number", "items__name", "staff__username"]
    list_select_related = ["zone"]
    autocomplete_fields = ["items", "staff"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("items", "staff")

    @admin.display(description=_("service items"))
    def item_list(self, obj: Window) -> str:
        return ", ".join(item.name for item in obj.items.all())

    @admin.display(description=_("staff"))
    def staff_list(self, obj: Window) -> str:
        return ", ".join(person.get_username() for person in obj.staff.all())


class QueueTicketEventInline(admin.TabularInline):
    model = QueueTicketEvent
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "window", "by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(QueueTicket)
class QueueTicketAdmin(admin.ModelAdmin):
    """Read-only: tickets move only through the desk and the windows' pages (services.actions)."""

    list_display = ["code", "day", "kind", "subject", "status", "window", "recalls", "checked_in_at", "called_at",
                    "done_at"]
    list_filter = ["day", "zone", "status", "kind", "window"]
    search_fields = ["booking__reference", "=number"]
    list_select_related = ["zone", "window", "item", "bundle"]
    raw_id_fields = ["booking"]
    date_hierarchy = "day"
    inlines = [QueueTicketEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- 好差评: evaluations and rectifications --------------------------------------------------------
@admin.register(Evaluation)
class EvaluationAdmin(ConflictSafeAdminMixin, admin.ModelAdmin):
    list_display = ["booking", "stage", "grade", "item", "window", "staff", "department", "created_at"]
    list_filter = ["stage", "grade", "department", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["booking__reference", "comment", "staff__display_name"]
    list_select_related = ["booking", "item", "window", "staff", "department"]
    raw_id_fields = ["booking", "item", "window", "staff", "department"]
    readonly_fields = ["booking", "stage", "grade", "comment", "item", "window", "staff", "department", "created_at"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RectificationEventInline(admin.TabularInline):
    model = RectificationEvent
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class RectificationActionForm(ActionForm):
    outcome = forms.ChoiceField(label=_("Outcome"), required=False,
                                choices=[("", "---------"), *Rectification.Outcome.choices])
    text = forms.CharField(label=_("What the callback found, or the outcome explained"), required=False,
                           max_length=2000)


@admin.register(Rectification)
class RectificationAdmin(DepartmentWorkAdminMixin, admin.ModelAdmin):
    """The department's officers act here as on /rectifications/: record the callback, then give
    the outcome (type the text, and choose the outcome, in the action bar). Officers see their
    departments' rectifications only; hall staff read them all."""

    action_form = RectificationActionForm
    list_display = ["evaluation", "department", "status", "due", "contacted", "outcome", "answered_at"]
    list_filter = ["status", "outcome", "department", ("due_at", admin.DateFieldListFilter)]
    search_fields = ["evaluation__booking__reference", "evaluation__comment", "callback_note", "outcome_text"]
    list_select_related = ["evaluation__booking", "department"]
    raw_id_fields = ["evaluation", "department"]
    readonly_fields = ["evaluation", "department", "status", "opened_at", "due_at", "due_working_days",
                       "due_counted_from", "contacted", "contacted_at", "callback_note", "called_back_at", "outcome",
                       "outcome_text", "answered_at", "response_note", "responded_at"]
    fields = readonly_fields
    inlines = [RectificationEventInline]
    actions = ["callback_reached", "callback_not_reached", "give_outcome"]
    date_hierarchy = "opened_at"

    @admin.display(description=_("due"), ordering="due_at")
    def due(self, obj: Rectification):
        colours = {"overdue": "#cf222e", "due_today": "#9a6700"}
        return format_html('<span style="color:{}">{}</span>', colours.get(obj.due_state(), "inherit"),
                           f"{timezone.localtime(obj.due_at):%Y-%m-%d}")

    def _act(self, request, queryset, act, done_message):
        done, refused = 0, []
        for rectification in queryset.select_related("department", "evaluation__booking__user", "evaluation__item"):
            try:
                act(rectification)
                done += 1
            except DomainError as exc:
                refused.append(f"{rectification}: {exc.message}")
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    def _callback(self, request, queryset, contacted: bool):
        text = request.POST.get("text", "")
        self._act(request, queryset, lambda r: service_actions.rectification_callback(
            rectification=r, contacted=contacted, note=text, by=request.user), _("%(count)s callbacks recorded."))

    @admin.action(description=_("Record the callback: person reached (what it found below)"), permissions=["change"])
    def callback_reached(self, request, queryset):
        self._callback(request, queryset, True)

    @admin.action(description=_("Record the callback: person not reached (note below)"), permissions=["change"])
    def callback_not_reached(self, request, queryset):
        self._callback(request, queryset, False)

    @admin.action(description=_("Give the outcome (choose it and explain it below)"), permissions=["change"])
    def give_outcome(self, request, queryset):
        outcome, text = request.POST.get("outcome", ""), request.POST.get("text", "")
        self._act(request, queryset, lambda r: service_actions.rectification_answer(
            rectification=r, outcome=outcome, text=text, by=request.user), _("%(count)s outcomes given."))
