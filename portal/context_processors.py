from urllib.parse import urlencode

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.roles import Role, has_role

# The main navigation, open to everyone. An entry whose page is not installed yet is left out
# rather than failing.
NAV_ITEMS = [
    ("services:catalogue", _("Services")),
    ("volunteers:activity_list", _("Activities")),
    ("volunteers:team_list", _("Teams")),
    ("suggestions:ledger", _("Golden ideas")),
    ("points:leaderboard", _("Leaderboard")),
    ("dashboard", _("Dashboard")),
]

# What each role comes to do, in the order the header shows it: (roles, url name, query, label).
# A person holding several roles sees each page once (a captain's "Scoring" is their rating work).
ROLE_NAV_ITEMS = [
    ((Role.ENTREPRENEUR,), "services:booking_list", "", _("My bookings")),
    ((Role.ENTREPRENEUR,), "accounts:me", "#my-ideas", _("My ideas")),
    ((Role.ENTREPRENEUR,), "accounts:me", "#my-activities", _("My activities")),
    ((Role.HALL_STAFF,), "cases:case_board", "", _("Cases board")),
    ((Role.HALL_STAFF,), "cases:case_create", "", _("New case")),
    ((Role.HALL_STAFF,), "admin:services_booking_changelist", "today", _("Today's bookings")),
    ((Role.HALL_STAFF,), "services:hall_desk", "", _("Reception desk")),
    ((Role.DEPARTMENT_OFFICER,), "cases:my_tasks", "", _("My tasks")),
    ((Role.DEPARTMENT_OFFICER,), "suggestions:ledger", "department", _("Ideas for my department")),
    ((Role.TEAM_CAPTAIN,), "points:ratings", "", _("Scoring")),
    ((Role.TEAM_CAPTAIN,), "volunteers:hours_to_approve", "", _("Hours to approve")),
    ((Role.TEAM_MEMBER, Role.COMMITTEE_REVIEWER, Role.ALLIANCE_MEMBER), "points:ratings", "", _("Rating work")),
]


# Entries other apps add for a person (e.g. the windows a hall staff member sits at): functions
# registered with ``@nav_provider`` take the user and return ``[{"url", "label"}]``.
_NAV_PROVIDERS: list = []


def nav_provider(func):
    _NAV_PROVIDERS.append(func)
    return func


def _query(kind: str, user) -> str | None:
    """The query string a role entry needs; None when the person has nothing to point it at."""
    if kind == "today":
        from portal.hall.workdays import start_of_day

        # The hall's midnights, written as the admin's own "Today" date filter writes them (an
        # aware datetime's str), so that choice shows as selected (bare dates would be read as
        # naive datetimes).
        today = start_of_day(timezone.localdate())
        tomorrow = today + timezone.timedelta(days=1)
        return "?" + urlencode({"slot__starts_at__gte": str(today), "slot__starts_at__lt": str(tomorrow)})
    if kind == "department":
        from portal.hall.models import Department

        code = Department.objects.filter(officers=user).values_list("code", flat=True).order_by("code").first()
        return f"?department={code}" if code else None
    return kind


def _entry(url_name: str, label, suffix: str = "") -> dict | None:
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        return None
    return {"url": url + suffix, "path": url, "label": label}


def nav_items_for(user) -> list[dict]:
    """The header's entries for this person: the public pages, then what their roles can do."""
    items = [e for e in (_entry(name, label) for name, label in NAV_ITEMS) if e]
    seen = set()
    for roles, url_name, kind, label in ROLE_NAV_ITEMS:
        if not has_role(user, *roles):
            continue
        suffix = _query(kind, user) if kind and not kind.startswith("#") else kind
        if suffix is None:
            continue
        entry = _entry(url_name, label, suffix)
        if entry and entry["url"] not in seen:
            entry["role"] = True
            if suffix.startswith("#"):
                entry["path"] = None  # a section of /me/, never "the current page"
            seen.add(entry["url"])
            items.append(entry)
    if user is not None and user.is_authenticated:
        for provider in _NAV_PROVIDERS:
            for extra in provider(user):
                if extra["url"] not in seen:
                    seen.add(extra["url"])
                    items.append({"url": extra["url"], "path": extra["url"], "label": extra["label"], "role": True})
    if user is not None and user.is_authenticated and user.is_staff:
        entry = _entry("admin:index", _("Admin"))
        if entry:
            entry["role"] = True
            items.append(entry)
    return items


def _mark_current(items: list[dict], path: str) -> None:
    """Mark the one entry whose page the person is on: the longest path that starts the URL."""
    best = None
    for item in items:
        item["current"] = False
        if item["path"] is None:
            continue
        if item["path"] == path or (item["path"] != "/" and path.startswith(item["path"])):
            if best is None or len(item["path"]) > len(best["path"]):
                best = item
    if best is not None:
        best["current"] = True


def portal(request) -> dict:
    """What base.html needs on every page: navigation, role flags, unread notifications, the hall."""
    from portal.notifications.selectors import notification_unread_count

    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    items = nav_items_for(user)
    _mark_current(items, request.path)
    return {
        "nav_items": items,
        "home_is_current": request.path == "/",
        "is_hall_staff": has_role(user, Role.HALL_STAFF),
        "is_officer": has_role(user, Role.DEPARTMENT_OFFICER),
        "is_reviewer": has_role(
            user, Role.TEAM_CAPTAIN, Role.COMMITTEE_REVIEWER, Role.ALLIANCE_MEMBER
        ),
        "unread_notifications": notification_unread_count(user=user) if signed_in else 0,
        "hall": settings.HALL_CONTACT,
    }
