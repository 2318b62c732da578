"""Writes of the golden-ideas ledger. Every write locks the entry row first, validates, then saves
the entry and its history row in one transaction; notifications leave after commit (``notify``).
Each move of the state machine (``Suggestion.TRANSITIONS``) is its own action over
``portal.workflow.transition_move``.
"""
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.cases.actions import case_open
from portal.cases.models import Case
from portal.exceptions import TransitionNotAllowed
from portal.hall.models import Department
from portal.hall.workdays import deadline_after_working_days
from portal.notifications.actions import Text, notify, reminder_send_once
from portal.notifications.models import Reminder
from portal.roles import Role, has_role
from portal.workflow import transition_move
from suggestions import selectors
from suggestions.exceptions import Conflict, Forbidden, Invalid, RateLimited
from suggestions.models import LedgerCounter, Suggestion, SuggestionAnswer, SuggestionEvent, Support

TITLE_MAX = 100
CONTENT_MAX = 5000
REASON_MAX = 2000
REDIRECT_MAX = 300
HIDE_REASON_MAX = 300
OVERDUE_REMINDER_KIND = "suggestion_answer_overdue"


# --- helpers ----------------------------------------------------------------------------------
def _url(suggestion: Suggestion) -> str:
    return reverse("suggestions:detail", kwargs={"number": suggestion.number})


def _text(value, *, field: str, maximum: int, required: bool, empty_message: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid(empty_message, field=field)
    if len(value) > maximum:
        raise Invalid(
            _("Please keep this to at most %(max)d characters (it has %(len)d).") % {"max": maximum, "len": len(value)},
            field=field,
        )
    return value


def _locked(suggestion: Suggestion) -> Suggestion:
    """The entry re-read with its row locked: concurrent moves of one entry queue up here."""
    return Suggestion.objects.select_for_update(of=("self",)).select_related("department").get(pk=suggestion.pk)


def _event(suggestion: Suggestion, *, kind: str, by: User, by_role: str, from_status: str = "",
           to_status: str = "", note: str = "", department: Department | None = None) -> SuggestionEvent:
    """A history row that is no move of the machine (submitted, drafted, merged into, hidden, ...)."""
    return SuggestionEvent.objects.create(
        suggestion=suggestion, kind=kind, by=by, by_role=by_role,
        department=department if department is not None else (
            suggestion.department if by_role == SuggestionEvent.ActorRole.DEPARTMENT else None
        ),
        from_status=from_status, to_status=to_status, note=note,
    )


def _tell_submitter(suggestion: Suggestion, title: Text, body: Text = "") -> None:
    """Tell the submitter; give ``title`` and ``body`` as functions to write them in their language."""
    notify(users=[suggestion.submitter], title=title, body=body, url=_url(suggestion))


def _answer_due(now: datetime) -> dict:
    """The answer deadline of an entry accepted, reassigned or reopened at ``now``, as the fields
    to write: the deadline, and the working-day count with the day it runs from (so that a change
    of the holiday calendar can move it)."""
    days = settings.SUGGESTION_ANSWER_WORKING_DAYS
    return {"answer_due_at": deadline_after_working_days(now, days), "answer_working_days": days,
            "answer_counted_from": timezone.localdate(now)}



# --- numbering --------------------------------------------------------------------------------
def suggestion_next_number(*, year: int) -> str:
    """Hand out the next ledger number of ``year`` (JDZ-<year>-<4 digits>), sequential per year.

    The conditional UPDATE takes the counter row's write lock (a row lock on PostgreSQL, the
    database write lock on SQLite) until the caller's transaction ends, so simultaneous submissions
    queue here and each reads its own value. Call it inside the transaction that saves the entry,
    so a rolled-back submission gives its number back. The counter starts after the highest number
    already in the ledger for that year (entries imported or made before the counter existed).
    """
    if not LedgerCounter.objects.filter(year=year).update(last=F("last") + 1):
        prefix = f"JDZ-{year}-"
        existing = Suggestion.objects.filter(number__startswith=prefix).values_list("number", flat=True)
        highest = max((int(n[len(prefix):]) for n in existing if n[len(prefix):].isdigit()), default=0)
        try:
            with transaction.atomic():
                LedgerCounter.objects.create(year=year, last=highest + 1)
        except IntegrityError:
            # Another submission created the year's row first: take the next number after theirs.
            LedgerCounter.objects.filter(year=year).update(last=F("last") + 1)
    last = LedgerCounter.objects.filter(year=year).values_list("last", flat=True).get()
    return f"JDZ-{year}-{last:04d}"


# --- submitting and supporting ----------------------------------------------------------------
def suggestion_submit(*, kind: str, category: str, title: str, content: str, by: User) -> Suggestion:
    """``by`` records a new entry with the next ledger number of the year, as its submitter.

    Raises Invalid (a field error) for bad input and RateLimited when ``by`` already made
    SUGGESTION_HOURLY_LIMIT entries in the last hour. Nothing is written when it raises.
    """
    if kind not in Suggestion.Kind.values:
        raise Invalid(_("Choose a golden idea or a blocker."), field="kind")
    if category not in Suggestion.Category.values:
        raise Invalid(_("Choose one of the listed categories."), field="category")
    title = _text(title, field="title", maximum=TITLE_MAX, required=True, empty_message=_("Please give a title."))
    content = _text(
        content, field="content", maximum=CONTENT_MAX, required=True,
        empty_message=_("Please describe the idea or the blocker."),
    )
    now = timezone.now()
    with transaction.atomic():
        # Lock the person's row so two simultaneous submissions cannot both pass the count.
        User.objects.select_for_update().filter(pk=by.pk).first()
        recent = Suggestion.objects.filter(submitter=by, created_at__gte=now - timedelta(hours=1)).count()
        limit = settings.SUGGESTION_HOURLY_LIMIT
        if recent >= limit:
            raise RateLimited(
                _("You can submit at most %(limit)d entries an hour. Please try again later.") % {"limit": limit}
            )
        suggestion = Suggestion.objects.create(
            number=suggestion_next_number(year=timezone.localdate(now).year),
            kind=kind, category=category, title=title, content=content, submitter=by,
        )
        _event(
            suggestion, kind=SuggestionEvent.Kind.SUBMIT, by=by,
            by_role=SuggestionEvent.ActorRole.SUBMITTER, to_status=Suggestion.Status.SUBMITTED,
        )
    return suggestion


def suggestion_support(*, suggestion: Suggestion, by: User) -> Support:
    """Add ``by``'s "me too". Once per person and entry (a DB constraint); never one's own."""
    with transaction.atomic():
        entry = _locked(suggestion)
        if entry.submitter_id == by.pk:
            raise Invalid(_("You cannot support your own entry."), code="own_entry")
        if entry.is_hidden or entry.status == Suggestion.Status.MERGED:
            raise Conflict(_("This entry no longer takes support."), code="not_supportable")
        try:
            with transaction.atomic():
                support = Support.objects.create(suggestion=entry, user=by)

        except IntegrityError:
            raise Conflict(_("You already support this entry."), code="already_supported")
        Suggestion.objects.filter(pk=entry.pk).update(support_count=F("support_count") + 1)
    suggestion.refresh_from_db(fields=["support_count"])
    return support


# --- the hall's moves ---------------------------------------------------------------------------
def _refusal(entry: Suggestion, to: str) -> str:
    return _("An entry that is “%(current)s” cannot become “%(target)s”.") % {
        "current": entry.get_status_display(), "target": Suggestion.Status(to).label,
    }


def _hall_move_role(entry: Suggestion, to: str, by: User) -> str:
    """Refuse a move of the hall that ``by`` may not make on the (locked) entry now, else return
    the role it is made in. Forbidden (403) unless hall staff or, for the officer's moves, the
    assigned department's officer; Conflict (409) for a hidden entry or a move the hall does not
    make from the entry's status.
    """
    staff = has_role(by, Role.HALL_STAFF)
    if not staff and not (
        to in entry.hall_moves(officer=True) and selectors.suggestion_officer_is(user=by, suggestion=entry)
    ):
        raise Forbidden(_("Only hall staff or the assigned department's officer may move this entry."))
    if entry.is_hidden:
        raise Conflict(_("This entry is hidden and can no longer move."), code="hidden")
    if to not in entry.hall_moves():
        raise TransitionNotAllowed(_refusal(entry, to))
    return SuggestionEvent.ActorRole.STAFF if staff else SuggestionEvent.ActorRole.DEPARTMENT


def _hall_move(entry: Suggestion, *, to: str, by: User, role: str, note: str = "",
               changes: dict | None = None) -> Suggestion:
    """Make the move (status, ``changes`` and history row, through portal.workflow) and tell the
    submitter, in the caller's transaction."""
    transition_move(
        entry, to=to, by=by, history=SuggestionEvent, link="suggestion", note=note, changes=changes,
        history_extra={
            "kind": SuggestionEvent.Kind.MOVE, "by_role": role,
            "department": entry.department if role == SuggestionEvent.ActorRole.DEPARTMENT else None,
        },
        message=_refusal(entry, to),
    )
    _tell_submitter(
        entry,
        lambda: _("Your entry %(number)s is now: %(status)s") % {"number": entry.number, "status": entry.status_label},
        note,
    )
    return entry


def suggestion_accept(*, suggestion: Suggestion, by: User) -> Suggestion:
    """Hall staff accept a submitted entry: its answer deadline starts to run."""
    with transaction.atomic():
        entry = _locked(suggestion)
        role = _hall_move_role(entry, Suggestion.Status.ACCEPTED, by)
        now = timezone.now()
        return _hall_move(
            entry, to=Suggestion.Status.ACCEPTED, by=by, role=role,
            changes={"accepted_at": now, **_answer_due(now)},
        )


def suggestion_assign(*, suggestion: Suggestion, department: Department | None, by: User) -> Suggestion:
    """Hall staff hand an accepted entry to the department that should answer it, or reassign it
    after a "not our department" answer; the department's officers are told. Raises Invalid
    without a department.
    """
    with transaction.atomic():
        entry = _locked(suggestion)
        role = _hall_move_role(entry, Suggestion.Status.ASSIGNED, by)
        if department is None:
            raise Invalid(_("Choose the department that should answer."), field="department")
        changes = {"department": department}
        if entry.status == Suggestion.Status.ANSWERED:
            # Reassigned after a "not our department" answer: the new department gets full time.
            changes.update(answered_at=None, **_answer_due(timezone.now()))
        _hall_move(entry, to=Suggestion.Status.ASSIGNED, by=by, role=role, note=str(department), changes=changes)
        notify(
            users=selectors.department_officer_list(department=department),
            title=lambda: _("A ledger entry awaits your department's answer: %(number)s") % {"number": entry.number},
            body=entry.title,
            url=_url(entry),
        )
    return entry


def suggestion_answer(*, suggestion: Suggestion, answer: str = "", by: User) -> Suggestion:
    """Hall staff publish the answer of an assigned entry: the department's draft (see
    ``suggestion_answer_draft``), with ``answer`` as its text when given, or ``answer`` alone when
    there is no draft. Raises Invalid when there is no text at all.
    """
    with transaction.atomic():
        entry = _locked(suggestion)
        role = _hall_move_role(entry, Suggestion.Status.ANSWERED, by)
        text = _text(answer, field="answer", maximum=CONTENT_MAX, required=False, empty_message="")
        draft = entry.answers.filter(published_at__isnull=True).first()
        if draft is None:
            if not text:
                raise Invalid(_("An answer needs text."), field="answer")
            draft = SuggestionAnswer(suggestion=entry, department=entry.department, drafted_by=by)
        if text:
            draft.text = text
        now = timezone.now()
        draft.published_at = now
        draft.published_by = by
        draft.save()
        return _hall_move(
            entry, to=Suggestion.Status.ANSWERED, by=by, role=role, note=draft.text,
            changes={"published_answer": draft, "answered_at": now},
        )


def suggestion_adopt(*, suggestion: Suggestion, note: str = "", by: User) -> Suggestion:
    """Hall staff or the assigned department's officer adopt an answered entry."""
    with transaction.atomic():
        entry = _locked(suggestion)
        role = _hall_move_role(entry, Suggestion.Status.ADOPTED, by)
        note = _text(note, field="note", maximum=REASON_MAX, required=False, empty_message="")
        return _hall_move(entry, to=Suggestion.Status.ADOPTED, by=by, role=role, note=note)


def suggestion_decline(*, suggestion: Suggestion, reason: str, redirect: str, by: User) -> Suggestion:
    """Hall staff or the assigned department's officer decide an answered entry is not adopted,
    saying why and where the submitter can go instead; this closes it. Raises Invalid without
    either.
    """
    with transaction.atomic():
        entry = _locked(suggestion)
        role = _hall_move_role(entry, Suggestion.Status.NOT_ADOPTED, by)
        reason = _text(reason, field="reason", maximum=REASON_MAX, required=True,
                       empty_message=_("Say why it is not adopted."))
        redirect = _text(redirect, field="redirect", maximum=REDIRECT_MAX, required=True,
                         empty_message=_("Say where the submitter can go instead."))
        return _hall_move(
            entry, to=Suggestion.Status.NOT_ADOPTED, by=by, role=role, note=f"{reason}\n{redirect}",
            changes={"decision_reason": reason, "decision_redirect": redirect, "closed_at": timezone.now()},
        )


def suggestion_implement(*, suggestion: Suggestion, note: str = "", by: User) -> Suggestion:
    """Hall staff or the assigned department's officer mark an adopted idea implemented (a
    blocker: solved); this closes it."""
    with transaction.atomic():
        entry = _locked(suggestion)
        role = _hall_move_role(entry, Suggestion.Status.IMPLEMENTED, by)
        note = _text(note, field="note", maximum=REASON_MAX, required=False, empty_message="")
        return _hall_move(
            entry, to=Suggestion.Status.IMPLEMENTED, by=by, role=role, note=note,
            changes={"closed_at": timezone.now()},
        )


def suggestion_move(
    *,
    suggestion: Suggestion,
    to: str,
    department: Department | None = None,
    answer: str = "",
    reason: str = "",
    redirect: str = "",
    by: User,
) -> Suggestion:
    """The hall's "move to" as the entry's page and the transition endpoint take it: runs the
    move's own action, chosen by the status asked for. Raises Invalid for an unknown status; one
    that no move of the hall leads to ("submitted", "merged") is refused (403/409) like any move
    the person may not make.
    """
    moves = {
        Suggestion.Status.ACCEPTED: lambda: suggestion_accept(suggestion=suggestion, by=by),
        Suggestion.Status.ASSIGNED: lambda: suggestion_assign(suggestion=suggestion, department=department, by=by),
        Suggestion.Status.ANSWERED: lambda: suggestion_answer(suggestion=suggestion, answer=answer, by=by),
        Suggestion.Status.ADOPTED: lambda: suggestion_adopt(suggestion=suggestion, note=reason, by=by),
        Suggestion.Status.NOT_ADOPTED: lambda: suggestion_decline(
            suggestion=suggestion, reason=reason, redirect=redirect, by=by
        ),
        Suggestion.Status.IMPLEMENTED: lambda: suggestion_implement(suggestion=suggestion, note=reason, by=by),
    }
    if to not in Suggestion.Status.values:
        raise Invalid(_("Unknown status."), field="to")
    if to not in moves:
        with transaction.atomic():
            _hall_move_role(_locked(suggestion), to, by)  # refuses: no move of the hall leads there
        raise TransitionNotAllowed(_refusal(suggestion, to))
    return moves[to]()



def suggestion_answer_draft(
    *, suggestion: Suggestion, text: str, kind: str = SuggestionAnswer.Kind.REPLY,
    reason: str = "", redirect: str = "", by: User,
) -> SuggestionAnswer:
    """The assigned department's officer (or hall staff) writes or rewrites the answer draft.

    Staff publish it with ``suggestion_answer``. A "not our department" answer must say why and
    where to go instead. Raises Forbidden, Conflict (not assigned) or Invalid.
    """
    if kind not in SuggestionAnswer.Kind.values:
        raise Invalid(_("Unknown kind of answer."), field="kind")
    text = _text(text, field="text", maximum=CONTENT_MAX, required=True, empty_message=_("An answer needs text."))
    not_ours = kind == SuggestionAnswer.Kind.NOT_OURS
    reason = _text(reason, field="reason", maximum=REASON_MAX, required=not_ours,
                   empty_message=_("Say why it is not your department's matter."))
    redirect = _text(redirect, field="redirect", maximum=REDIRECT_MAX, required=not_ours,
                     empty_message=_("Say where the submitter can go instead."))
    with transaction.atomic():
        entry = _locked(suggestion)
        staff = has_role(by, Role.HALL_STAFF)
        if not staff and not selectors.suggestion_officer_is(user=by, suggestion=entry):
            raise Forbidden(_("Only the assigned department's officer may draft the answer."))
        if entry.status != Suggestion.Status.ASSIGNED or entry.is_hidden:
            raise Conflict(_("Answers are drafted while the entry is assigned to a department."), code="not_assigned")
        draft, _created = SuggestionAnswer.objects.update_or_create(
            suggestion=entry, published_at__isnull=True,
            defaults={"department": entry.department, "kind": kind, "text": text, "reason": reason,
                      "redirect": redirect, "drafted_by": by},
        )
        _event(
            entry, kind=SuggestionEvent.Kind.DRAFT, by=by,
            by_role=SuggestionEvent.ActorRole.STAFF if staff else SuggestionEvent.ActorRole.DEPARTMENT,
            department=entry.department,
        )
        if not staff:
            notify(
                users=selectors.hall_staff_list(),
                title=lambda: _("An answer draft awaits publication: %(number)s") % {"number": entry.number},
                body=text, url=_url(entry),
            )
    return draft


# --- the submitter's side: "not solved" and the follow-up question ----------------------------
def suggestion_reopen(*, suggestion: Suggestion, note: str = "", by: User) -> Suggestion:
    """The submitter says the published answer did not solve it: back to the department.

    Allowed within SUGGESTION_REOPEN_DAYS of the answer. Counted in ``reopen_count``; the
    department gets a fresh answer deadline and is told. Raises Forbidden or Conflict.
    """
    note = _text(note, field="note", maximum=REASON_MAX, required=False, empty_message="")
    now = timezone.now()
    with transaction.atomic():
        entry = _locked(suggestion)
        if entry.submitter_id != by.pk:
            raise Forbidden(_("Only the submitter can say an answer did not solve it."))
        if not entry.is_reopenable:
            raise Conflict(_("Only an entry with a published answer can be reopened."), code="not_reopenable")
        if now > entry.answered_at + timedelta(days=settings.SUGGESTION_REOPEN_DAYS):
            raise Conflict(
                _("An answer can be marked not solved within %(days)d days of its publication.")
                % {"days": settings.SUGGESTION_REOPEN_DAYS},
                code="reopen_window_closed",
            )
        transition_move(
            entry, to=Suggestion.Status.ASSIGNED, by=by, history=SuggestionEvent, link="suggestion", note=note,
            changes={
                "reopen_count": F("reopen_count") + 1, "answered_at": None, "closed_at": None,
                "followup_asked_at": None, "resolved": None, "resolved_answered_at": None,
                **_answer_due(now),
            },
            history_extra={"kind": SuggestionEvent.Kind.REOPEN, "by_role": SuggestionEvent.ActorRole.SUBMITTER},
        )
        entry.refresh_from_db(fields=["reopen_count"])
        notify(
            users=selectors.department_officer_list(department=entry.department) or selectors.hall_staff_list(),
            title=lambda: _("Marked not solved by the submitter: %(number)s") % {"number": entry.number},
            body=note or entry.title, url=_url(entry),
        )
    return entry


def suggestion_feedback(*, suggestion: Suggestion, resolved: bool, by: User) -> Suggestion:
    """The submitter answers "was this resolved?" once the entry is closed. Once only."""
    with transaction.atomic():
        entry = _locked(suggestion)
        if entry.submitter_id != by.pk:
            raise Forbidden(_("Only the submitter can answer this question."))
        if not entry.is_closed:
            raise Conflict(_("This question is asked once the entry is closed."), code="not_closed")
        if entry.resolved is not None:
            raise Conflict(_("You already answered this question."), code="already_answered")
        entry.resolved = bool(resolved)
        entry.resolved_answered_at = timezone.now()
        entry.save(update_fields=["resolved", "resolved_answered_at"])
        _event(entry, kind=SuggestionEvent.Kind.FEEDBACK, by=by, by_role=SuggestionEvent.ActorRole.SUBMITTER,
               note=_("Resolved") if resolved else _("Not resolved"))
    return entry


# --- staff: merging and hiding ----------------------------------------------------------------
def suggestion_merge(*, duplicate: Suggestion, original: Suggestion, by: User) -> Suggestion:
    """Merge ``duplicate`` into ``original``: the duplicate keeps its number, points at the
    original, and its supporters (and its submitter) now support the original. Staff only.
    """
    if not has_role(by, Role.HALL_STAFF):
        raise Forbidden(_("Only hall staff may merge entries."))
    if duplicate.pk == original.pk:
        raise Invalid(_("An entry cannot be merged into itself."), field="into")
    with transaction.atomic():
        # Lock both rows in id order, so two merges of the same pair cannot deadlock.
        locked = {
            row.pk: row
            for row in Suggestion.objects.select_for_update().filter(pk__in=[duplicate.pk, original.pk]).order_by("pk")
        }
        dup, orig = locked[duplicate.pk], locked[original.pk]
        if not dup.is_mergeable:
            raise Conflict(_("This entry is already closed or merged."), code="not_mergeable")
        if orig.status == Suggestion.Status.MERGED or orig.is_hidden:
            raise Conflict(_("Merge into an entry that is itself not merged or hidden."), code="not_mergeable")
        already = Support.objects.filter(suggestion=orig).values("user_id")
        Support.objects.filter(suggestion=dup).exclude(user_id__in=already).exclude(user_id=orig.submitter_id).update(
            suggestion=orig
        )
        Support.objects.filter(suggestion=dup).delete()
        if dup.submitter_id != orig.submitter_id:
            Support.objects.get_or_create(suggestion=orig, user_id=dup.submitter_id)
        transition_move(
            dup, to=Suggestion.Status.MERGED, by=by, history=SuggestionEvent, link="suggestion", note=orig.number,
            changes={"merged_into": orig, "support_count": 0},
            history_extra={"kind": SuggestionEvent.Kind.MERGE, "by_role": SuggestionEvent.ActorRole.STAFF},
        )
        orig.support_count = Support.objects.filter(suggestion=orig).count()
        orig.save(update_fields=["support_count"])
        _event(orig, kind=SuggestionEvent.Kind.MERGE, by=by, by_role=SuggestionEvent.ActorRole.STAFF,
               note=dup.number)
        _tell_submitter(
            dup,
            lambda: _("Your entry %(number)s was merged into %(original)s") % {
                "number": dup.number, "original": orig.number},
            lambda: _("The same matter is followed up in %(original)s; you now support it.") % {"original": orig.number},
        )
    return dup


def suggestion_hide(*, suggestion: Suggestion, reason: str, by: User) -> Suggestion:
    """Hide an abusive entry. It keeps its number and shows as hidden, with the reason."""
    if not has_role(by, Role.HALL_STAFF):
        raise Forbidden(_("Only hall staff may hide entries."))
    reason = _text(reason, field="reason", maximum=HIDE_REASON_MAX, required=True,
                   empty_message=_("Say why the entry is hidden."))
    with transaction.atomic():
        entry = _locked(suggestion)
        if entry.is_hidden:
            raise Conflict(_("This entry is already hidden."), code="already_hidden")
        entry.hidden_at = timezone.now()
        entry.hidden_reason = reason
        entry.save(update_fields=["hidden_at", "hidden_reason"])
        _event(entry, kind=SuggestionEvent.Kind.HIDE, by=by, by_role=SuggestionEvent.ActorRole.STAFF,
               note=reason)

    return entry


# --- periodic jobs ----------------------------------------------------------------------------
def suggestion_remind_overdue(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Remind the department officer (hall staff while no department is assigned) of every entry
    whose answer is overdue. Exactly once per entry and deadline (``reminder_send_once``); entries
    already reminded are left out of the query, so a backlog drains batch by batch. Returns the
    number of reminders sent.
    """
    now = now or timezone.now()
    batch = batch or settings.SUGGESTION_SWEEP_BATCH
    reminded = Reminder.objects.filter(
        subject_type=ContentType.objects.get_for_model(Suggestion), subject_id=OuterRef("pk"),
        kind=OVERDUE_REMINDER_KIND, deadline=OuterRef("answer_due_at"),
    )
    due = (
        Suggestion.objects.filter(Suggestion.overdue_q(now), hidden_at__isnull=True)
        .filter(~Exists(reminded))
        .select_related("department")
        .prefetch_related("department__officers")
        .order_by("answer_due_at", "pk")[:batch]
    )
    staff = None
    sent = 0
    for entry in due:
        recipients = [u for u in entry.department.officers.all() if u.is_active] if entry.department else []
        if not recipients:
            staff = staff if staff is not None else selectors.hall_staff_list()

            recipients = staff
        reminder = reminder_send_once(
            subject=entry, kind=OVERDUE_REMINDER_KIND, deadline=entry.answer_due_at, recipients=recipients,
            title=lambda entry=entry: _("Overdue answer: %(number)s %(title)s") % {
                "number": entry.number, "title": entry.title},
            body=lambda entry=entry: _("The answer was due on %(due)s.") % {
                "due": f"{timezone.localtime(entry.answer_due_at):%Y-%m-%d}"},
            url=_url(entry),
        )
        sent += reminder is not None
    return sent


def suggestion_ask_follow_up(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Ask submitters "was this resolved?" SUGGESTION_FOLLOWUP_DAYS after their entry closed.

    Each entry is claimed with a conditional UPDATE on ``followup_asked_at``, so a sweep that runs
    twice (or two beats) asks once. Returns the number of questions sent.
    """
    now = now or timezone.now()
    batch = batch or settings.SUGGESTION_SWEEP_BATCH
    cutoff = now - timedelta(days=settings.SUGGESTION_FOLLOWUP_DAYS)
    candidates = (
        Suggestion.objects.filter(
            status__in=Suggestion.CLOSED_STATES, closed_at__lte=cutoff, followup_asked_at__isnull=True,
            hidden_at__isnull=True, resolved__isnull=True,
        )
        .select_related("submitter")
        .order_by("closed_at", "pk")[:batch]
    )
    asked = 0
    for entry in candidates:
        with transaction.atomic():
            claimed = Suggestion.objects.filter(pk=entry.pk, followup_asked_at__isnull=True).update(
                followup_asked_at=now
            )
            if not claimed:
                continue
            _tell_submitter(
                entry,
                lambda entry=entry: _("Was your entry %(number)s resolved?") % {"number": entry.number},
                lambda: _("Please tell us on the entry's page whether the answer resolved it."),
            )
            asked += 1
    return asked


def suggestions_follow_calendar(*, change, by: User | None = None) -> int:
    """Move the answer deadlines of entries awaiting an answer after a change of the holiday
    calendar (``portal.hall.hooks``); returns how many moved. Runs inside the calendar's
    transaction.

    Each deadline keeps its working-day count from the day it was counted from. The overdue
    reminder is keyed by the deadline, so a moved deadline is reminded once, on its new date.
    """
    last = max(change.days)
    entries = (
        Suggestion.objects.filter(
            status__in=Suggestion.AWAITING_ANSWER_STATES, answer_working_days__isnull=False,
            answer_counted_from__lt=last,
        )
        .select_related("department")
        .order_by("pk")
    )
    moved = 0
    for entry in entries:
        new_due = deadline_after_working_days(
            timezone.make_aware(datetime.combine(entry.answer_counted_from, time(12))), entry.answer_working_days
        )
        if new_due == entry.answer_due_at:
            continue
        # Conditional on what was read: an entry answered or moved meanwhile is left as it is.
        if not Suggestion.objects.filter(
            pk=entry.pk, status=entry.status, answer_due_at=entry.answer_due_at
        ).update(answer_due_at=new_due):
            continue
        old_day, new_day = timezone.localdate(entry.answer_due_at), timezone.localdate(new_due)
        _event(
            entry, kind=SuggestionEvent.Kind.DEADLINE, by=by,
            by_role=SuggestionEvent.ActorRole.STAFF if by else SuggestionEvent.ActorRole.SYSTEM,
            note=_("Answer due %(new)s instead of %(old)s: the holiday calendar changed.")
            % {"old": f"{old_day:%Y-%m-%d}", "new": f"{new_day:%Y-%m-%d}"},
        )
        notify(
            users=selectors.department_officer_list(department=entry.department) if entry.department
            else selectors.hall_staff_list(),
            title=lambda entry=entry, new_day=new_day: _(
                "New answer deadline %(due)s for %(number)s: the holiday calendar changed")
            % {"due": f"{new_day:%Y-%m-%d}", "number": entry.number},
            body=entry.title,
            url=_url(entry),
        )
        moved += 1
    return moved


# --- a blocker becomes a cross-department case ------------------------------------------------
def suggestion_case_open(*, suggestion: Suggestion, lead_department: Department, by: User) -> Case:
    """Turn a blocker that needs several departments into a case (``portal.cases.actions.case_open``).

    The entry holds the link (``Suggestion.case``, one-to-one, so a second case is refused with a
    409 even under a race); the case keeps the ledger number. Hall staff only; ideas, hidden and
    merged entries are refused.
    """
    if not has_role(by, Role.HALL_STAFF):
        raise Forbidden(_("Only hall staff may open a case."))
    with transaction.atomic():
        entry = _locked(suggestion)
        if entry.kind != Suggestion.Kind.BLOCKER:
            raise Conflict(_("Only a blocker can become a cross-department case."), code="not_a_blocker")
        if entry.is_hidden or entry.status == Suggestion.Status.MERGED:
            raise Conflict(_("A hidden or merged entry cannot become a case."), code="not_open")
        if entry.case_id is not None:
            raise Conflict(_("This ledger entry already has a case."), code="suggestion_has_case")
        case = case_open(
            by=by,
            title=f"{entry.number} {entry.title}",
            description=entry.content,
            lead_department=lead_department,
            applicant=entry.submitter,
            source=Case.Source.BLOCKER,
            origin=entry,
        )
        _event(entry, kind=SuggestionEvent.Kind.CASE, by=by, by_role=SuggestionEvent.ActorRole.STAFF,
               note=str(lead_department), department=lead_department)
        _tell_submitter(
            entry,
            lambda: _("Your blocker %(number)s became a cross-department case") % {"number": entry.number},
            lambda: _("%(department)s leads it; you can follow its progress on your page.") % {
                "department": lead_department},
        )
    suggestion.case = case
    return case


def suggestion_case_link(*, suggestion: Suggestion, case: Case) -> None:
    """Link a case just opened from ``suggestion``: the ledger's hook in ``portal.cases.case_sources``,
    run inside the opening's transaction. Raises Conflict (409 ``suggestion_has_case``) when the
    entry has a case already; the conditional UPDATE decides between two openings at once."""
    linked = Suggestion.objects.filter(pk=suggestion.pk, case__isnull=True).update(case=case)
    if not linked:
        raise Conflict(_("This ledger entry already has a case."), code="suggestion_has_case")
    suggestion.case = case
