from django.contrib import admin

from portal.notifications.models import Notification, Reminder


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "created_at", "read_at", "delivered_at"]
    list_filter = ["created_at", "read_at"]
    search_fields = ["title", "user__username", "user__display_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "delivered_at"]


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
