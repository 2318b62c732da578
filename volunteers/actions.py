"""Writes for the volunteers app: memberships, activities, sign-ups, attendance and hours.

Every action validates before it saves and is atomic when it writes more than one row; the person
acting is ``by``. An activity's status moves through ``portal.workflow`` (one action per move,
``Activity.TRANSITIONS``), which writes the history row in the same transaction. Capacity
is enforced by a conditional UPDATE of ``Activity.signed_up`` (row-locked by the database), so it
holds however many people press "sign up" at the same moment, on PostgreSQL and SQLite alike.
"""
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.exceptions import TransitionNotAllowed
from portal.notifications.actions import ReminderDraft, notify, reminders_sweep_batches
from portal.workflow import transition_allowed, transition_move
from volunteers.exceptions import (
    ActivityFull,
    ActivityInvalid,
    AttendanceConflict,
    MembershipConflict,
    NotCaptain,
    SignUpConflict,
)
from volunteers.hooks import hours_approved_publish
from volunteers.models import Activity, ActivityStatusChange, Attendance, Membership, SignUp, Team
from volunteers.selectors import signup_active_get, signups_to_remind, user_can_manage_team

HALF_HOUR = Decimal("0.5")


# --- memberships ------------------------------------------------------------------------------
def membership_add(*, team: Team, user: User, role: str = Membership.Role.MEMBER, joined_on: date | None = None) -> Membership:
    """Add a person to a team. Raises MembershipConflict for a second active membership or captain."""
    if role not in Membership.Role.values:
        raise ActivityInvalid(_("Choose captain or member."), field="role")
    if Membership.objects.filter(team=team, user=user, left_on__isnull=True).exists():
        raise MembershipConflict(_("%(name)s is already a member of this team.") % {"name": user})
    if role == Membership.Role.CAPTAIN and Membership.objects.filter(
        team=team, role=Membership.Role.CAPTAIN, left_on__isnull=True
    ).exists():
        raise MembershipConflict(_("This team already has a captain. End the current captain's term first."))
    try:
        # The partial unique constraints catch the race two simultaneous requests could win.
        with transaction.atomic():
            return Membership.objects.create(
                team=team, user=user, role=role, joined_on=joined_on or timezone.localdate()
            )
    except IntegrityError:
        raise MembershipConflict(_("This team already has a captain or this person is already a member."))


def membership_end(*, membership: Membership, left_on: date | None = None) -> Membership:
    """End a membership; the row stays so the team's history survives people moving."""
    left_on = left_on or timezone.localdate()
    if membership.left_on is not None:
        raise MembershipConflict(_("This membership has already ended."))
    if left_on < membership.joined_on:
        raise ActivityInvalid(_("The leaving date cannot be before the joining date."), field="left_on")
    updated = Membership.objects.filter(pk=membership.pk, left_on__isnull=True).update(left_on=left_on)
    if not updated:
        raise MembershipConflict(_("This membership has already ended."))
    membership.left_on = left_on
    return membership


@transaction.atomic
def team_captain_set(*, team: Team, user: User, on: date | None = None) -> Membership:
    """Make ``user`` the team's captain from ``on``: the previous captain's term ends that day."""
    on = on or timezone.localdate()
    current_rows = Membership.objects.select_for_update().filter(team=team, left_on__isnull=True).filter(
        Q(role=Membership.Role.CAPTAIN) | Q(user=user)
    )
    for current in list(current_rows):
        membership_end(membership=current, left_on=max(on, current.joined_on))
    return membership_add(team=team, user=user, role=Membership.Role.CAPTAIN, joined_on=on)


# --- activities -------------------------------------------------------------------------------
def activity_validate(*, starts_at: datetime, ends_at: datetime, capacity: int, signed_up: int = 0) -> None:
    """Raise ActivityInvalid (400, tied to a field) for times or a capacity the hall cannot use."""
    if ends_at <= starts_at:
        raise ActivityInvalid(_("The activity must end after it starts."), field="ends_at")
    if capacity is None or capacity <= 0:
        raise ActivityInvalid(_("The capacity must be at least 1."), field="capacity")
    if capacity < signed_up:
        raise ActivityInvalid(
            _("%(count)s people have already signed up; the capacity cannot be lower.") % {"count": signed_up},
            field="capacity",
        )


def activity_create(
    *,
    team: Team,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    capacity: int,
    description: str = "",
    status: str = Activity.Status.PLANNED,
    by: User | None = None,
) -> Activity:
    if kind not in Activity.Kind.values:
        raise ActivityInvalid(_("Choose a kind of activity."), field="kind")
    if status not in (Activity.Status.PLANNED, Activity.Status.OPEN):
        raise ActivityInvalid(_("A new activity is either planned or open for sign-up."), field="status")
    activity_validate(starts_at=starts_at, ends_at=ends_at, capacity=capacity)
    with transaction.atomic():
        activity = Activity.objects.create(
            team=team, kind=kind, title=title, description=description, starts_at=starts_at,
            ends_at=ends_at, place=place, capacity=capacity, status=status,
        )
        ActivityStatusChange.objects.create(
            activity=activity, from_status=Activity.Status.PLANNED, to_status=status, by=by, note=_("Created"),
        )
    return activity


EDITABLE_FIELDS = ("team", "kind", "title", "description", "starts_at", "ends_at", "place", "capacity")


@transaction.atomic
def activity_update(*, activity: Activity, data: dict) -> Activity:
    """Change an activity's details (not its status: that is one of the moves below)."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ActivityInvalid(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    if locked.is_final:
        raise TransitionNotAllowed(_("A finished or cancelled activity can no longer be changed."))
    for field, value in data.items():
        setattr(locked, field, value)
    activity_validate(
        starts_at=locked.starts_at, ends_at=locked.ends_at, capacity=locked.capacity, signed_up=locked.signed_up
    )
    locked.save(update_fields=list(data))
    return locked


def _activity_move(*, activity: Activity, to: str, by: User | None, reason: str) -> Activity:
    """Lock the activity, read its status as it is now, and move it through Activity.TRANSITIONS.

    Must run inside the caller's transaction. Returns the locked, moved activity.
    """
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    refusal = _("An activity that is %(current)s cannot become %(target)s.") % {
        "current": locked.get_status_display(), "target": Activity.Status(to).label,
    }
    if not transition_allowed(locked, to):
        raise TransitionNotAllowed(refusal)
    if to == Activity.Status.DONE and locked.starts_at > timezone.now():
        raise TransitionNotAllowed(_("An activity cannot be done before it has started."))
    return transition_move(
        locked, to=to, by=by, history=ActivityStatusChange, link="activity", note=reason[:300], message=refusal,
    )


@transaction.atomic
def activity_open(*, activity: Activity, by: User | None = None, reason: str = "") -> Activity:
    """Open a planned activity for sign-up, or open a closed one again. 409 from any other status."""
    return _activity_move(activity=activity, to=Activity.Status.OPEN, by=by, reason=reason)


@transaction.atomic
def activity_close(*, activity: Activity, by: User | None = None, reason: str = "") -> Activity:
    """Close sign-up of an open activity. 409 from any other status."""
    return _activity_move(activity=activity, to=Activity.Status.CLOSED, by=by, reason=reason)


@transaction.atomic
def activity_complete(*, activity: Activity, by: User | None = None, reason: str = "") -> Activity:
    """Mark an open or closed activity done, once it has started. 409 otherwise."""
    return _activity_move(activity=activity, to=Activity.Status.DONE, by=by, reason=reason)


@transaction.atomic
def activity_cancel(*, activity: Activity, by: User | None = None, reason: str = "") -> Activity:
    """Cancel an activity that is not done yet, and tell everyone signed up. 409 otherwise."""
    activity = _activity_move(activity=activity, to=Activity.Status.CANCELLED, by=by, reason=reason)
    people = [s.user for s in activity.signups.filter(status=SignUp.Status.ACTIVE).select_related("user")]
    notify(
        users=people,
        # Written in each person's language (User.language).
        title=lambda: _("Activity cancelled: %(title)s") % {"title": activity.title},
        body=reason or (lambda: _("The team has cancelled this activity. We are sorry for the change.")),
        url=f"/activities/{activity.pk}/",
    )
    return activity


# --- sign-ups ---------------------------------------------------------------------------------
def _signup_refusal(activity: Activity) -> Exception:
    """Why the conditional UPDATE matched no row, read from the row as it is now."""
    activity.refresh_from_db(fields=["status", "starts_at", "signed_up", "capacity"])
    if activity.status == Activity.Status.CANCELLED:
        return SignUpConflict(_("This activity has been cancelled."))
    if activity.starts_at <= timezone.now():
        return SignUpConflict(_("This activity has already started; sign-up is closed."))
    if activity.status != Activity.Status.OPEN:
        return SignUpConflict(_("This activity is not open for sign-up."))
    return ActivityFull()


def activity_signup(*, activity: Activity, by: User) -> SignUp:
    """Sign ``by`` up. Raises SignUpConflict or ActivityFull (409); never exceeds capacity."""
    if signup_active_get(activity=activity, user=by) is not None:
        raise SignUpConflict(_("You have already signed up for this activity."))
    with transaction.atomic():
        # The database locks the row and re-checks the WHERE for each request in turn, so the
        # count can never pass the capacity, whatever the number of simultaneous sign-ups.
        taken = Activity.objects.filter(
            pk=activity.pk,
            status=Activity.Status.OPEN,
            starts_at__gt=timezone.now(),
            signed_up__lt=F("capacity"),
        ).update(signed_up=F("signed_up") + 1)
        if not taken:
            raise _signup_refusal(activity)
        try:
            with transaction.atomic():
                signup = SignUp.objects.create(activity=activity, user=by)
        except IntegrityError:
            # Same person, two tabs: the second one loses and its seat is given back by the rollback.
            raise SignUpConflict(_("You have already signed up for this activity."))
    activity.refresh_from_db(fields=["signed_up"])
    return signup


@transaction.atomic
def activity_signup_cancel(*, activity: Activity, by: User) -> SignUp:
    """Cancel the person's own sign-up before the activity starts and free the seat."""
    signup = (
        SignUp.objects.select_for_update()
        .filter(activity=activity, user=by, status=SignUp.Status.ACTIVE)
        .first()
    )
    if signup is None or not transition_allowed(signup, SignUp.Status.CANCELLED):
        raise SignUpConflict(_("You have not signed up for this activity."))
    if activity.starts_at <= timezone.now():
        raise SignUpConflict(_("This activity has already started; the sign-up can no longer be cancelled."))
    if Attendance.objects.filter(activity=activity, user=by).exists():
        raise SignUpConflict(_("Your attendance is already recorded; the sign-up can no longer be cancelled."))
    signup.status = SignUp.Status.CANCELLED
    signup.cancelled_at = timezone.now()
    signup.save(update_fields=["status", "cancelled_at"])
    Activity.objects.filter(pk=activity.pk, signed_up__gt=0).update(signed_up=F("signed_up") - 1)
    activity.refresh_from_db(fields=["signed_up"])
    return signup


# --- attendance and hours ---------------------------------------------------------------------
def _hours_between(start: datetime, end: datetime) -> Decimal:
    """Whole half-hours between two moments (service hours are counted in half-hour steps)."""
    seconds = max((end - start).total_seconds(), 0)
    halves = (Decimal(seconds) / Decimal(1800)).to_integral_value(rounding=ROUND_FLOOR)
    return halves * HALF_HOUR


def _require_signup(activity: Activity, person: User) -> None:
    if signup_active_get(activity=activity, user=person) is None:
        raise AttendanceConflict(
            _("%(name)s did not sign up for this activity; attendance cannot be recorded.") % {"name": person}
        )


def _require_hours_open(activity: Activity) -> None:
    if activity.status not in Activity.TAKES_PLACE:
        raise AttendanceConflict(_("Attendance can only be recorded for an activity that takes place."))
    if activity.hours_approved_at is not None:
        raise AttendanceConflict(_("The hours of this activity are already approved."))


def _check_window_open(activity: Activity, now: datetime) -> None:
    opens = activity.starts_at - timedelta(minutes=settings.VOLUNTEER_CHECK_IN_OPENS_MINUTES)
    closes = activity.ends_at + timedelta(hours=settings.VOLUNTEER_CHECK_OUT_GRACE_HOURS)
    if now < opens:
        raise AttendanceConflict(_("Check-in opens shortly before the activity starts."))
    if now > closes:
        raise AttendanceConflict(_("Check-in and check-out have closed for this activity."))


@transaction.atomic
def attendance_check_in(*, activity: Activity, by: User) -> Attendance:
    """The signed-up person checks themselves in at the activity, in the check-in window."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_hours_open(activity)
    _require_signup(activity, by)
    now = timezone.now()
    _check_window_open(activity, now)
    attendance, _created = Attendance.objects.get_or_create(activity=activity, user=by)
    if attendance.checked_in_at is not None:
        raise AttendanceConflict(_("You have already checked in."))
    attendance.checked_in_at = now
    attendance.save(update_fields=["checked_in_at", "updated_at"])
    return attendance


@transaction.atomic
def attendance_check_out(*, activity: Activity, by: User) -> Attendance:
    """Check out; proposes the hours spent inside the activity's time, in half-hour steps."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_hours_open(activity)
    attendance = Attendance.objects.filter(activity=activity, user=by).first()
    if attendance is None or attendance.checked_in_at is None:
        raise AttendanceConflict(_("Check in first."))
    if attendance.checked_out_at is not None:
        raise AttendanceConflict(_("You have already checked out."))
    now = timezone.now()
    _check_window_open(activity, now)
    attendance.checked_out_at = now
    fields = ["checked_out_at", "updated_at"]
    if attendance.recorded_by_id is None:
        # Hours recorded by the captain win over the clock.
        attendance.proposed_hours = _hours_between(
            max(attendance.checked_in_at, activity.starts_at), min(now, activity.ends_at)
        )
        fields.append("proposed_hours")
    attendance.save(update_fields=fields)
    return attendance


def _require_manager(user: User, team: Team) -> None:
    if not user_can_manage_team(user=user, team=team):
        raise NotCaptain()


@transaction.atomic
def attendance_record(*, activity: Activity, person: User, hours: Decimal, by: User) -> Attendance:
    """The captain or staff (``by``) record the attendance of ``person`` with the hours they served.

    Raises NotCaptain (403), ActivityInvalid for hours out of range (400), AttendanceConflict
    (409) when the person did not sign up, the activity has not started or hours are approved.
    """
    _require_manager(by, activity.team)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    hours = Decimal(hours)
    if hours <= 0:
        raise ActivityInvalid(_("Hours must be more than zero."), field="hours")
    if hours > activity.duration_hours:
        raise ActivityInvalid(
            _("Hours cannot be more than the activity lasts (%(hours)s h).")
            % {"hours": activity.duration_hours.quantize(Decimal("0.01"))},
            field="hours",
        )
    _require_hours_open(activity)
    if activity.starts_at > timezone.now():
        raise AttendanceConflict(_("Attendance can be recorded once the activity has started."))
    _require_signup(activity, person)
    attendance, _created = Attendance.objects.get_or_create(activity=activity, user=person)
    attendance.proposed_hours = hours.quantize(Decimal("0.01"))
    attendance.recorded_by = by
    attendance.save(update_fields=["proposed_hours", "recorded_by", "updated_at"])
    return attendance


@transaction.atomic
def activity_hours_approve(*, activity: Activity, by: User) -> Activity:
    """The captain (or staff) approves the whole activity's proposed hours at once.

    Approved hours are the only hours that count. Runs once per activity: a second approval is a
    409. The activity becomes done, and the apps subscribed through ``volunteers.hooks`` (points
    turns the hours into ledger entries) run in the same transaction, so all of it or none stands.
    """
    _require_manager(by, activity.team)
    now = timezone.now()
    claimed = Activity.objects.filter(
        pk=activity.pk, hours_approved_at__isnull=True, ends_at__lte=now, status__in=Activity.TAKES_PLACE,
    ).update(hours_approved_at=now, hours_approved_by=by)
    if not claimed:
        activity.refresh_from_db()
        if activity.hours_approved_at is not None:
            raise AttendanceConflict(_("The hours of this activity are already approved."))
        if activity.status not in Activity.TAKES_PLACE:
            raise AttendanceConflict(_("Only the hours of an activity that took place can be approved."))
        raise AttendanceConflict(_("Hours can be approved once the activity has ended."))
    attendances = Attendance.objects.filter(activity=activity, proposed_hours__gt=0)
    if not attendances.exists():
        raise AttendanceConflict(_("Nothing to approve: no attendance with hours is recorded."))
    attendances.update(approved_hours=F("proposed_hours"))
    activity.refresh_from_db()
    if activity.status != Activity.Status.DONE:
        activity = activity_complete(activity=activity, by=by, reason=_("Hours approved"))
    hours_approved_publish(activity=activity, by=by)
    return activity


# --- Reminders: the day before an activity, to everyone signed up --------------------------------
# Keyed by the activity's start: a moved activity gets a fresh reminder, the old one is never sent.
ACTIVITY_REMINDER_DAY_BEFORE = "activity_day_before"


def _activity_reminder_title(activity: Activity) -> str:
    start = timezone.localtime(activity.starts_at)
    return _("Reminder: %(title)s on %(when)s") % {"title": activity.title, "when": f"{start:%Y-%m-%d %H:%M}"}


def _activity_reminder_body(activity: Activity) -> str:
    start, end = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
    return _(
        "You signed up for %(title)s, on %(when)s until %(end)s at %(place)s. If you cannot come, "
        "cancel your sign-up so that someone else can take the place."
    ) % {"title": activity.title, "when": f"{start:%Y-%m-%d %H:%M}", "end": f"{end:%H:%M}", "place": activity.place}


def activity_reminders_sweep(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Remind everyone signed up for an activity ACTIVITY_REMINDER_HOURS before it starts (site,
    mail, webhook); returns how many reminders were sent.

    Exactly once per sign-up and start time (the shared Reminder record, unique in the database),
    so repeated or concurrent sweeps send nothing twice; a fixed number of statements per batch of
    ACTIVITY_REMINDER_BATCH_SIZE sign-ups; catches up after downtime until the activity starts.
    """
    now = now or timezone.now()
    size = batch_size or settings.ACTIVITY_REMINDER_BATCH_SIZE
    hours = settings.ACTIVITY_REMINDER_HOURS
    if hours <= 0:
        return 0
    return reminders_sweep_batches(
        fetch=lambda after_id, size: signups_to_remind(
            kind=ACTIVITY_REMINDER_DAY_BEFORE, starts_after=now, starts_until=now + timedelta(hours=hours),
            after_id=after_id, size=size),
        draft=_activity_reminder_draft, size=size,
    )


def _activity_reminder_draft(signup) -> ReminderDraft:
    return ReminderDraft(
        subject=signup, kind=ACTIVITY_REMINDER_DAY_BEFORE, deadline=signup.activity.starts_at,
        recipients=[signup.user], title=partial(_activity_reminder_title, signup.activity),
        body=partial(_activity_reminder_body, signup.activity),
        url=reverse("volunteers:activity_detail", kwargs={"pk": signup.activity_id}),
    )
