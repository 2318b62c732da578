"""The volunteers app's refusals. Each maps to one HTTP status through portal.exceptions."""
from django.utils.translation import gettext_lazy as _

from portal.exceptions import Conflict, Forbidden, Invalid, NotFound


class ActivityInvalid(Invalid):
    code = "activity_invalid"


class ActivityFull(Conflict):
    code = "activity_full"
    default_message = _("This activity is full.")


class SignUpConflict(Conflict):
    code = "signup_conflict"


class AttendanceConflict(Conflict):
    code = "attendance_conflict"


class MembershipConflict(Conflict):
    code = "membership_conflict"


class NotCaptain(Forbidden):
    code = "not_captain"
    default_message = _("Only the team's captain or hall staff can do this.")


__all__ = [
    "ActivityFull",
    "ActivityInvalid",
    "AttendanceConflict",
    "Conflict",
    "Forbidden",
    "Invalid",
    "MembershipConflict",
    "NotCaptain",
    "NotFound",
    "SignUpConflict",
]
