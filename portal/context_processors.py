from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from portal.roles import Role, has_role

# The main navigation. An entry whose page is not installed yet is left out rather than failing.
NAV_ITEMS = [
    ("services:catalogue", _("Services")),
    ("volunteers:activity_list", _("Activities")),
    ("volunteers:team_list", _("Teams")),
    ("suggestions:ledger", _("Golden ideas")),
    ("points:leaderboard", _("Leaderboard")),
]


def _nav_items() -> list[dict]:
    items = []
    for url_name, label in NAV_ITEMS:
        try:
            items.append({"url": reverse(url_name), "label": label})
        except NoReverseMatch:
            continue
    return items


def portal(request) -> dict:
    """What base.html needs on every page: navigation, role flags, unread notifications."""
    from portal.notifications.selectors import notification_unread_count

    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "nav_items": _nav_items(),
        "is_hall_staff": has_role(user, Role.HALL_STAFF),
        "is_officer": has_role(user, Role.DEPARTMENT_OFFICER),
        "is_reviewer": has_role(
            user, Role.TEAM_CAPTAIN, Role.COMMITTEE_REVIEWER, Role.ALLIANCE_MEMBER
        ),
        "unread_notifications": notification_unread_count(user=user) if signed_in else 0,
    }
