"""The points app's domain errors: each has a stable code and a human message."""
from django.utils.translation import gettext_lazy as _

from portal.exceptions import Conflict, Forbidden, Invalid, NotFound


class PeriodNotFound(NotFound):
    code = "period_not_found"
    default_message = _("This rating period does not exist.")


class WrongStage(Conflict):
    code = "wrong_stage"
    default_message = _("The rating period is not at the stage for this.")


class GuardNotMet(Conflict):
    code = "guard_not_met"
    default_message = _("The stage cannot be closed yet.")


class NotAllowed(Forbidden):
    code = "not_allowed"


class BadScore(Invalid):
    code = "bad_score"
    default_message = _("A score is not valid.")


class IndicatorsNotHundred(Conflict):
    code = "indicators_not_100"
    default_message = _("The period's indicators must add up to exactly 100 points.")


class BadEvidence(Invalid):
    code = "bad_evidence"
    default_message = _("The evidence file is not accepted.")
