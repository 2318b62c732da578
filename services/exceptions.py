from django.utils.translation import gettext_lazy as _

# The shared refusals, re-exported so the catalogue's code names its errors in one place.
from portal.exceptions import Conflict, Forbidden, Invalid, NotFound  # noqa: F401


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


class AlreadyRated(Conflict):
    code = "already_rated"
    default_message = _("You have already rated this booking at this stage.")


class PrecheckClosed(Conflict):
    code = "precheck_closed"
    default_message = _("Materials can only be uploaded while the booking is still booked and its time has not passed.")


class PrecheckVersionOpen(Conflict):
    code = "precheck_version_open"
    default_message = _("This material already has a version waiting for the pre-check or accepted.")


class CheckInNotToday(Conflict):
    code = "check_in_wrong_day"
    default_message = _("A booking can only be checked in on its own day.")


class CheckInOutsideWindow(Conflict):
    code = "check_in_outside_window"


class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"
    default_message = _("This booking has already been checked in and has its queue number.")


class NoWindowForService(Conflict):
    code = "no_window"
    default_message = _("No open window handles this service; please ask at the reception desk.")


class NotAtThisWindow(Forbidden):
    code = "not_at_this_window"
    default_message = _("You do not sit at this window.")


class WindowBusy(Conflict):
    code = "window_busy"


class QueueEmpty(Conflict):
    code = "queue_empty"
    default_message = _("Nobody is waiting for this window's services.")


class RecallsNeeded(Conflict):
    code = "recalls_needed"


class PrecheckFileNotYours(Forbidden):
    code = "precheck_file_not_yours"
    default_message = _(
        "Only the applicant, the checking department and the staff of a window serving this booking "
        "may open its files."
    )
