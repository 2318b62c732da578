from django.utils.translation import gettext_lazy as _

from portal.exceptions import Conflict, Forbidden, Invalid, NotFound  # noqa: F401

# --- catalogue and booking (issue 3) ---


class SlotFull(Conflict):
    code = "slot_full"
    default_message = _("This slot is full. Please choose another time.")


class SlotNotBookable(Conflict):
    code = "slot_not_bookable"
    default_message = _("This slot is closed or has already started.")


class AlreadyBooked(Conflict):
    code = "already_booked"
    default_message = _("You already have a booking for this slot.")


class CutoffPassed(Conflict):
    code = "cutoff_passed"


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"


class AlreadyReviewed(Conflict):
    code = "already_reviewed"
    default_message = _("You have already reviewed this booking.")


# --- cross-department cases (issue 4) ---
class CaseNotFound(NotFound):
    code = "case_not_found"


class CaseTaskNotFound(NotFound):
    code = "case_task_not_found"


class CaseForbidden(Forbidden):
    code = "case_forbidden"


class CaseInvalid(Invalid):
    code = "case_invalid"


class CaseConflict(Conflict):
    code = "case_conflict"
