"""The hall's roles, held as Django groups, and the one helper that asks about them.

Groups are created by a data migration (accounts 0002); their permissions are kept in step with
ROLE_PERMISSIONS after every migrate, because permissions only exist once their models do.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class Role(models.TextChoices):
    ENTREPRENEUR = "entrepreneur", _("Young entrepreneur")
    HALL_STAFF = "hall_staff", _("Hall staff")
    DEPARTMENT_OFFICER = "department_officer", _("Department officer")
    TEAM_MEMBER = "team_member", _("Team member")
    TEAM_CAPTAIN = "team_captain", _("Team captain")
    COMMITTEE_REVIEWER = "committee_reviewer", _("Youth work committee reviewer")
    ALLIANCE_MEMBER = "alliance_member", _("Party-building alliance member")


# "app_label.codename" permissions each role's group holds. Apps add theirs here; a missing
# permission (a model not migrated yet) is skipped, not an error.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ENTREPRENEUR: [],
    Role.HALL_STAFF: [
        "accounts.view_user",
        # Sign-in lockouts (django-axes): see them and unlock an account (deleting its attempts).
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "hall.view_department",
        "hall.add_holiday",
        "hall.change_holiday",
        "hall.delete_holiday",
        "hall.view_holiday",
        # The catalogue and booking: keep the catalogue, open slots, check bookings in.
        "services.view_material",
        "services.add_material",
        "services.change_material",
        "services.view_serviceitem",
        "services.add_serviceitem",
        "services.change_serviceitem",
        "services.view_step",
        "services.add_step",
        "services.change_step",
        "services.delete_step",
        "services.view_bundle",
        "services.add_bundle",
        "services.change_bundle",
        "services.view_bundleitem",
        "services.add_bundleitem",
        "services.change_bundleitem",
        "services.delete_bundleitem",
        "services.view_slot",
        "services.add_slot",
        "services.change_slot",
        "services.view_booking",
        "services.change_booking",
        "services.view_bookingevent",
        # 好差评: evaluations and rectifications are read in the admin (the department acts on its own).
        "services.view_evaluation",
        "services.view_rectification",
        "services.view_rectificationevent",
        "services.view_precheckupload",
        "services.view_precheckfile",
        "services.view_precheckevent",
        "services.view_precheckfileaccess",
        # The queue at the windows: keep zones and windows (who sits where), read the tickets.
        "services.view_zone",
        "services.add_zone",
        "services.change_zone",
        "services.view_window",
        "services.add_window",
        "services.change_window",
        "services.view_queueticket",
        "services.view_queueticketevent",
        # Cross-department cases: read in the admin, cancel with the admin action.
        "cases.view_case",
        "cases.change_case",
        "cases.view_casetask",
        "cases.view_caseevent",
        # The notification outbox: see what did not go out and retry it.
        "notifications.view_delivery",
        "notifications.change_delivery",
        "suggestions.view_suggestion",
        "suggestions.change_suggestion",
        "suggestions.view_support",
        "volunteers.view_team",
        "volunteers.add_team",
        "volunteers.change_team",
        "volunteers.view_membership",
        "volunteers.add_membership",
        "volunteers.change_membership",
        "volunteers.view_activity",
        "volunteers.add_activity",
        "volunteers.change_activity",
        "volunteers.view_signup",
        "volunteers.view_attendance",
        "volunteers.view_activitystatuschange",
        "points.view_indicator",
        "points.add_indicator",
        "points.change_indicator",
        "points.view_period",
        "points.add_period",
        "points.change_period",
        "points.view_teamrating",
        "points.view_periodevent",
        "points.view_achievement",
        "points.view_appeal",
        "points.view_ledgerentry",
    ],
    Role.DEPARTMENT_OFFICER: [
        "suggestions.view_suggestion", "hall.view_department", "cases.view_case", "cases.view_casetask",
        # Pre-check of materials: their departments' uploads (the admin scopes the list).
        "services.view_precheckupload", "services.change_precheckupload", "services.view_precheckfile",
        "services.view_precheckevent",
        # 好差评: their departments' rectifications (the admin scopes the list; its actions call the actions).
        "services.view_rectification", "services.change_rectification", "services.view_rectificationevent",
    ],
    Role.TEAM_MEMBER: ["volunteers.view_team"],
    Role.TEAM_CAPTAIN: ["volunteers.view_team", "volunteers.view_membership"],
    Role.COMMITTEE_REVIEWER: ["volunteers.view_team", "volunteers.view_membership"],
    Role.ALLIANCE_MEMBER: ["volunteers.view_team"],
}


def has_role(user, *roles: str) -> bool:
    """True when the signed-in user holds any of the roles. Superusers hold every role.

    Group names are cached on the user object for the request, so asking repeatedly is free.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    names = getattr(user, "_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._role_names = names
    return any(str(role) in names for role in roles)


def is_hall_staff(user) -> bool:
    return has_role(user, Role.HALL_STAFF)


class HasRole(BasePermission):
    """DRF permission: ``permission_classes = [HasRole.of(Role.HALL_STAFF)]``."""

    roles: tuple[str, ...] = ()

    @classmethod
    def of(cls, *roles: str) -> type["HasRole"]:
        return type("HasRole_" + "_".join(roles), (cls,), {"roles": roles})

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, *self.roles)
