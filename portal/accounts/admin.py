from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.accounts.actions import user_unlock
from portal.accounts.models import User
from portal.admin import ConflictSafeAdminMixin


@admin.register(User)
class UserAdmin(ConflictSafeAdminMixin, BaseUserAdmin):
    list_display = ["username", "display_name", "mobile", "company_name", "email", "is_staff", "roles"]
    list_filter = ["is_staff", "is_active", "groups"]
    search_fields = ["username", "display_name", "mobile", "company_name", "email"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Profile"), {"fields": ("display_name", "mobile", "company_name", "language")}),
    )

    actions = ["unlock_sign_in"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return ", ".join(group.name for group in obj.groups.all())

    def has_unlock_permission(self, request) -> bool:
        return request.user.has_perm("axes.delete_accessattempt")

    @admin.action(description=_("Unlock sign-in for the selected accounts"), permissions=["unlock"])
    def unlock_sign_in(self, request, queryset):
        for user in queryset:
            user_unlock(user=user, by=request.user)
        self.message_user(
            request, _("Sign-in unlocked for %(count)d accounts.") % {"count": len(queryset)}, messages.SUCCESS
        )
