from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.admin import ConflictSafeAdminMixin


@admin.register(User)
class UserAdmin(ConflictSafeAdminMixin, BaseUserAdmin):
    list_display = ["username", "display_name", "mobile", "company_name", "email", "is_staff", "roles"]
    list_filter = ["is_staff", "is_active", "groups"]
    search_fields = ["username", "display_name", "mobile", "company_name", "email"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Profile"), {"fields": ("display_name", "mobile", "company_name")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return ", ".join(group.name for group in obj.groups.all())
