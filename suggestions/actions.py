"""Writes of the golden-ideas ledger. Every write locks the entry row first, validates, then saves
the entry and its history row in one transaction; notifications leave after commit (``notify``).
"""
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.cases.actions import case_open
from portal.cases.models import Case
from portal.hall.models import Department
from portal.hall.workdays import deadline_after_working_days
from portal.notifications.actions import notify, reminder_send_once
from portal.notifications.models import Reminder
from portal.roles import Role, has_role
from suggestions.exceptions import Conflict, Forbidden, Invalid, RateLimited
from suggestions.models import LedgerCounter, Suggestion, SuggestionAnswer, SuggestionEvent, Support

User = get_user_model()

TITLE_MAX = 100
CONTENT_MAX = 5000
REASON_MAX = 2000
REDIRECT_MAX = 300
HIDE_REASON_MAX = 300
OVERDUE_REMINDER_KIND = "suggestion_answer_overdue"


# --- helpers ----------------------------------------------------------------------------------
def is_department_officer(user, department: Department | None) -> bool:
    if department is None or user is None or not user.is_authenticated:
        return False
    return department.officers.filter(pk=user.pk).exists()


def _actor_role(user) -> str:
    return SuggestionEvent.ActorRole.STAFF if has_role(user, Role.HALL_STAFF) else SuggestionEvent.ActorRole.DEPARTMENT


def _hall_staff() -> list:
    return list(User.objects.filter(groups__name=Role.HALL_STAFF, is_active=True))


def _officers(department: Department | None) -> list:
    if department is None:
        return []
    return list(department.officers.filter(is_active=True))


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


def _event(suggestion: Suggestion, *, kind: str, actor, actor_role: str, from_status: str = "",
           to_status: str = "", note: str = "", department: Department | None = None) -> SuggestionEvent:
    return SuggestionEvent.objects.create(
        suggestion=suggestion, kind=kind, by=actor, by_role=actor_role,
        department=department if department is not None else (
            suggestion.department if actor_role == SuggestionEvent.ActorRole.DEPARTMENT else None
        ),
        from_status=from_status, to_status=to_status, note=note,
    )


def _tell_submitter(suggestion: Suggestion, title: str, body: str = "") -> None:
    notify(users=[suggestion.submitter], title=title, body=body, url=_url(suggestion))


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
def suggestion_submit(*, submitter, kind: str, category: str, title: str, content: str) -> Suggestion:
    """Record a new entry with the next ledger number of the year.

    Raises Invalid (a field error) for bad input and RateLimited when ``submitter`` already made
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
        User.objects.select_for_update().filter(pk=submitter.pk).first()
        recent = Suggestion.objects.filter(submitter=submitter, created_at__gte=now - timedelta(hours=1)).count()
        limit = settings.SUGGESTION_HOURLY_LIMIT
        if recent >= limit:
            raise RateLimited(
                _("You can submit at most %(limit)d entries an hour. Please try again later.") % {"limit": limit}
            )
        suggestion = Suggestion.objects.create(
            number=suggestion_next_number(year=timezone.localdate(now).year),
            kind=kind, category=category, title=title, content=content, submitter=submitter,
        )
        _event(
            suggestion, kind=SuggestionEvent.Kind.SUBMIT, actor=submitter,
            actor_role=SuggestionEvent.ActorRole.SUBMITTER, to_status=Suggestion.Status.SUBMITTED,
        )
    return suggestion


def suggestion_support(*, suggestion: Suggestion, user) -> Support:
    """Add ``user``'s "me too". Once per person and entry (a DB constraint); never one's own."""
    with transaction.atomic():
        entry = _locked(suggestion)
        if entry.submitter_id == user.pk:
            raise Invalid(_("You cannot support your own entry."), code="own_entry")
        if entry.is_hidden or entry.status == Suggestion.Status.MERGED:
            raise Conflict(_("This entry no longer takes support."), code="not_supportable")
        try:
            with transaction.atomic():
                support = Support.objects.create(suggestion=entry, user=user)
        except IntegrityError:
            raise Conflict(_("You already support this entry."), code="already_supported")
        Suggestion.objects.filter(pk=entry.pk).update(support_count=F("support_count") + 1)
    suggestion.refresh_from_db(fields=["support_count"])
    return support


# --- the state machine ------------------------------------------------------------------------
def suggestion_transition(
    *,
    suggestion: Suggestion,
    actor,
    to: str,
    department: Department | None = None,
    answer: str = "",
    reason: str = "",
    redirect: str = "",
) -> Suggestion:
    """Move an entry along the ledger's state machine (``Suggestion.TRANSITIONS``).

    Hall staff make every move; the assigned department's officer may decide adoption and mark it
    implemented. Raises Forbidden (403), Conflict (409, a move the machine does not allow, or a
    hidden entry) or Invalid (400, missing department, answer text or reason). Writes the history
    row and tells the submitter, in the same transaction as the move.
    """
    if to not in Suggestion.Status.values:
        raise Invalid(_("Unknown status."), field="to")
    staff = has_role(actor, Role.HALL_STAFF)
    now = timezone.now()
    with transaction.atomic():
        entry = _locked(suggestion)
        officer = is_department_officer(actor, entry.department)
        if not staff and not (officer and (entry.status, to) in Suggestion.OFFICER_MOVES):
            raise Forbidden(_("Only hall staff or the assigned department's officer may move this entry."))
        if entry.is_hidden:
            raise Conflict(_("This entry is hidden and can no longer move."), code="hidden")
        if not entry.can_move_to(to):
            raise Conflict(
                _("An entry that is “%(current)s” cannot become “%(target)s”.")
                % {"current": entry.get_status_display(), "target": Suggestion.Status(to).label},
                code="transition_not_allowed",
            )
        from_status = entry.status
        note = ""
        if to == Suggestion.Status.ACCEPTED:
            entry.accepted_at = now
            entry.answer_due_at = deadline_after_working_days(now, settings.SUGGESTION_ANSWER_WORKING_DAYS)
        elif to == Suggestion.Status.ASSIGNED:
            if department is None:
                raise Invalid(_("Choose the department that should answer."), field="department")
            if from_status == Suggestion.Status.ANSWERED:
                # Reassigned after a "not our department" answer: the new department gets full time.
                entry.answered_at = None
                entry.answer_due_at = deadline_after_working_days(now, settings.SUGGESTION_ANSWER_WORKING_DAYS)
            entry.department = department
            note = str(department)
        elif to == Suggestion.Status.ANSWERED:
            text = _text(answer, field="answer", maximum=CONTENT_MAX, required=False, empty_message="")
            draft = entry.answers.filter(published_at__isnull=True).first()
            if draft is None:
                if not text:
                    raise Invalid(_("An answer needs text."), field="answer")
                draft = SuggestionAnswer(suggestion=entry, department=entry.department, drafted_by=actor)
            if text:
                draft.text = text
            draft.published_at = now
            draft.published_by = actor
            draft.save()
            entry.published_answer = draft
            entry.answered_at = now
            note = draft.text
        elif to == Suggestion.Status.NOT_ADOPTED:
            entry.decision_reason = _text(
                reason, field="reason", maximum=REASON_MAX, required=True,
                empty_message=_("Say why it is not adopted."),
            )
            entry.decision_redirect = _text(
                redirect, field="redirect", maximum=REDIRECT_MAX, required=True,
                empty_message=_("Say where the submitter can go instead."),
            )
            entry.closed_at = now
            note = f"{entry.decision_reason}\n{entry.decision_redirect}"
        elif to == Suggestion.Status.IMPLEMENTED:
            entry.closed_at = now
            note = _text(reason, field="reason", maximum=REASON_MAX, required=False, empty_message="")
        else:
            note = _text(reason, field="reason", maximum=REASON_MAX, required=False, empty_message="")
        entry.status = to
        entry.save()
        _event(
            entry, kind=SuggestionEvent.Kind.MOVE, actor=actor,
            actor_role=SuggestionEvent.ActorRole.STAFF if staff else SuggestionEvent.ActorRole.DEPARTMENT,
            from_status=from_status, to_status=to, note=note,
        )
        _tell_submitter(
            entry,
            _("Your entry %(number)s is now: %(status)s") % {"number": entry.number, "status": entry.status_label},
            note,
        )
        if to == Suggestion.Status.ASSIGNED:
            notify(
                users=_officers(department),
                title=_("A ledger entry awaits your department's answer: %(number)s") % {"number": entry.number},
                body=entry.title,
                url=_url(entry),
            )
    return entry


def suggestion_answer_draft(
    *, suggestion: Suggestion, author, text: str, kind: str = SuggestionAnswer.Kind.REPLY,
    reason: str = "", redirect: str = "",
) -> SuggestionAnswer:
    """The assigned department's officer (or hall staff) writes or rewrites the answer draft.

    Staff publish it by moving the entry to "answered". A "not our department" answer must say
    why and where to go instead. Raises Forbidden, Conflict (not assigned) or Invalid.
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
        staff = has_role(author, Role.HALL_STAFF)
        if not staff and not is_department_officer(author, entry.department):
            raise Forbidden(_("Only the assigned department's officer may draft the answer."))
        if entry.status != Suggestion.Status.ASSIGNED or entry.is_hidden:
            raise Conflict(_("Answers are drafted while the entry is assigned to a department."), code="not_assigned")
        draft, _created = SuggestionAnswer.objects.update_or_create(
            suggestion=entry, published_at__isnull=True,
            defaults={"department": entry.department, "kind": kind, "text": text, "reason": reason,
                      "redirect": redirect, "drafted_by": author},
        )
        _event(entry, kind=SuggestionEvent.Kind.DRAFT, actor=author, actor_role=_actor_role(author),
               department=entry.department)
        if not staff:
            notify(
                users=_hall_staff(),
                title=_("An answer draft awaits publication: %(number)s") % {"number": entry.number},
                body=text, url=_url(entry),
            )
    return draft


# --- the submitter's side: "not solved" and the follow-up question ----------------------------
def suggestion_reopen(*, suggestion: Suggestion, user, note: str = "") -> Suggestion:
    """The submitter says the published answer did not solve it: back to the department.

    Allowed within SUGGESTION_REOPEN_DAYS of the answer. Counted in ``reopen_count``; the
    department gets a fresh answer deadline and is told. Raises Forbidden or Conflict.
    """
    note = _text(note, field="note", maximum=REASON_MAX, required=False, empty_message="")
    now = timezone.now()
    with transaction.atomic():
        entry = _locked(suggestion)
        if entry.submitter_id != user.pk:
            raise Forbidden(_("Only the submitter can say an answer did not solve it."))
        if entry.status not in Suggestion.REOPENABLE_STATES or entry.answered_at is None or entry.is_hidden:
            raise Conflict(_("Only an entry with a published answer can be reopened."), code="not_reopenable")
        if now > entry.answered_at + timedelta(days=settings.SUGGESTION_REOPEN_DAYS):
            raise Conflict(
                _("An answer can be marked not solved within %(days)d days of its publication.")
                % {"days": settings.SUGGESTION_REOPEN_DAYS},
                code="reopen_window_closed",
            )
        from_status = entry.status
        entry.status = Suggestion.Status.ASSIGNED
        entry.reopen_count = F("reopen_count") + 1
        entry.answered_at = None
        entry.closed_at = None
        entry.followup_asked_at = None
        entry.resolved = None
        entry.resolved_answered_at = None
        entry.answer_due_at = deadline_after_working_days(now, settings.SUGGESTION_ANSWER_WORKING_DAYS)
        entry.save()
        entry.refresh_from_db(fields=["reopen_count"])
        _event(entry, kind=SuggestionEvent.Kind.REOPEN, actor=user, actor_role=SuggestionEvent.ActorRole.SUBMITTER,
               from_status=from_status, to_status=entry.status, note=note)
        notify(
            users=_officers(entry.department) or _hall_staff(),
            title=_("Marked not solved by the submitter: %(number)s") % {"number": entry.number},
            body=note or entry.title, url=_url(entry),
        )
    return entry


def suggestion_feedback(*, suggestion: Suggestion, user, resolved: bool) -> Suggestion:
    """The submitter answers "was this resolved?" once the entry is closed. Once only."""
    with transaction.atomic():
        entry = _locked(suggestion)
        if entry.submitter_id != user.pk:
            raise Forbidden(_("Only the submitter can answer this question."))
        if not entry.is_closed:
            raise Conflict(_("This question is asked once the entry is closed."), code="not_closed")
        if entry.resolved is not None:
            raise Conflict(_("You already answered this question."), code="already_answered")
        entry.resolved = bool(resolved)
        entry.resolved_answered_at = timezone.now()
        entry.save(update_fields=["resolved", "resolved_answered_at"])
        _event(entry, kind=SuggestionEvent.Kind.FEEDBACK, actor=user, actor_role=SuggestionEvent.ActorRole.SUBMITTER,
               note=_("Resolved") if resolved else _("Not resolved"))
    return entry


# --- staff: merging and hiding ----------------------------------------------------------------
def suggestion_merge(*, duplicate: Suggestion, original: Suggestion, actor) -> Suggestion:
    """Merge ``duplicate`` into ``original``: the duplicate keeps its number, points at the
    original, and its supporters (and its submitter) now support the original. Staff only.
    """
    if not has_role(actor, Role.HALL_STAFF):
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
        if dup.status in (Suggestion.Status.MERGED, *Suggestion.CLOSED_STATES):
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
        from_status = dup.status
        dup.status = Suggestion.Status.MERGED
        dup.merged_into = orig
        dup.support_count = 0
        dup.save()
        orig.support_count = Support.objects.filter(suggestion=orig).count()
        orig.save(update_fields=["support_count"])
        _event(dup, kind=SuggestionEvent.Kind.MERGE, actor=actor, actor_role=SuggestionEvent.ActorRole.STAFF,
               from_status=from_status, to_status=dup.status, note=orig.number)
        _event(orig, kind=SuggestionEvent.Kind.MERGE, actor=actor, actor_role=SuggestionEvent.ActorRole.STAFF,
               note=dup.number)
        _tell_submitter(
            dup,
            _("Your entry %(number)s was merged into %(original)s") % {"number": dup.number, "original": orig.number},
            _("The same matter is followed up in %(original)s; you now support it.") % {"original": orig.number},
        )
    return dup


def suggestion_hide(*, suggestion: Suggestion, actor, reason: str) -> Suggestion:
    """Hide an abusive entry. It keeps its number and shows as hidden, with the reason."""
    if not has_role(actor, Role.HALL_STAFF):
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
        _event(entry, kind=SuggestionEvent.Kind.HIDE, actor=actor, actor_role=SuggestionEvent.ActorRole.STAFF,
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
        Suggestion.objects.filter(
            status__in=Suggestion.AWAITING_ANSWER_STATES, answer_due_at__lt=now, hidden_at__isnull=True
        )
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
            staff = staff if staff is not None else _hall_staff()
            recipients = staff
        reminder = reminder_send_once(
            subject=entry, kind=OVERDUE_REMINDER_KIND, deadline=entry.answer_due_at, recipients=recipients,
            title=_("Overdue answer: %(number)s %(title)s") % {"number": entry.number, "title": entry.title},
            body=_("The answer was due on %(due)s.") % {"due": f"{timezone.localtime(entry.answer_due_at):%Y-%m-%d}"},
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
                _("Was your entry %(number)s resolved?") % {"number": entry.number},
                _("Please tell us on the entry's page whether the answer resolved it."),
            )
            asked += 1
    return asked


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
        _event(entry, kind=SuggestionEvent.Kind.CASE, actor=by, actor_role=SuggestionEvent.ActorRole.STAFF,
               note=str(lead_department), department=lead_department)
        _tell_submitter(
            entry,
            _("Your blocker %(number)s became a cross-department case") % {"number": entry.number},
            _("%(department)s leads it; you can follow its progress on your page.") % {"department": lead_department},
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
