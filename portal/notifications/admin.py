from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.notifications.actions import delivery_retry
from portal.notifications.models import Delivery, Notification, Reminder


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "created_at", "read_at", "delivered_at"]
    list_filter = ["created_at", "read_at"]
    search_fields = ["title", "user__username", "user__display_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "delivered_at"]


class DeliveryStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("undelivered", _("Not delivered (waiting or given up)")),
            ("failed", _("Given up")),
            ("retrying", _("Failed, will retry")),
            ("delivered", _("Delivered")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "undelivered":
            return queryset.filter(delivered_at__isnull=True)
        if value == "failed":
            return queryset.filter(delivered_at__isnull=True, failed_at__isnull=False)
        if value == "retrying":
            return queryset.filter(delivered_at__isnull=True, failed_at__isnull=True).exclude(last_error="")
        if value == "delivered":
            return queryset.filter(delivered_at__isnull=False)
        return queryset


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The outbox for staff: what did not go out, why (the last error), and "retry now"."""

    list_display = ["notification_title", "recipient", "channel", "state", "attempts", "due_at",
                    "last_error_short", "created_at"]
    list_filter = [DeliveryStateFilter, "channel", "created_at"]
    search_fields = ["notification__title", "notification__user__username", "notification__user__email",
                     "last_error"]
    list_select_related = ["notification__user"]
    raw_id_fields = ["notification"]
    readonly_fields = ["notification", "channel", "created_at", "due_at", "attempts", "last_error",
                       "delivered_at", "failed_at"]
    actions = ["retry_now"]

    @admin.display(description=_("notification"), ordering="notification__title")
    def notification_title(self, obj: Delivery) -> str:
        return obj.notification.title

    @admin.display(description=_("recipient"), ordering="notification__user__username")
    def recipient(self, obj: Delivery):
        return obj.notification.user

    @admin.display(description=_("state"))
    def state(self, obj: Delivery) -> str:
        if obj.delivered_at:
            return _("delivered")
        if obj.failed_at:
            return _("given up")
        if obj.claim and obj.due_at > timezone.now():
            return _("being sent")
        return _("failed, will retry") if obj.last_error else _("waiting")

    @admin.display(description=_("last error"))
    def last_error_short(self, obj: Delivery) -> str:
        return obj.last_error[:120]

    @admin.action(description=_("Retry the selected deliveries now"), permissions=["change"])
    def retry_now(self, request, queryset):
        count = delivery_retry(deliveries=queryset.filter(Q(delivered_at__isnull=True)), by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    # The outbox is written by notify(); staff read it and retry, nobody types a delivery in.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["message", "kind", "deadline", "sent_at", "subject_type"]
    list_filter = ["kind", "subject_type", "sent_at"]
    search_fields = ["message"]
    list_select_related = ["subject_type"]

    # Reminders are a record of what was sent: staff read them, nobody edits them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
