from django.contrib import admin

from volunteers.models import Membership, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "positioning", "leader"]
    list_filter = ["positioning"]
    search_fields = ["name", "slug"]
    list_select_related = ["leader"]
    raw_id_fields = ["leader"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
