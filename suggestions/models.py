from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Suggestion(models.Model):
    """One entry of the public golden-ideas ledger (金点子台账): an idea or a blocker (堵点).

    The submitter is kept for notifications and limits; the public ledger never shows them.
    Numbers never disappear: a duplicate is merged (it points at the original) and an abusive
    entry is hidden, but both rows stay.
    """

    class Kind(models.TextChoices):
        IDEA = "idea", _("Golden idea")
        BLOCKER = "blocker", _("Blocker")

    class Category(models.TextChoices):
        BUSINESS_ENVIRONMENT = "business_environment", _("Business environment")
        POLICY = "policy", _("Policy implementation")
        SERVICE = "service", _("Service handling")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        ASSIGNED = "assigned", _("Assigned")
        ANSWERED = "answered", _("Answered")
        ADOPTED = "adopted", _("Adopted")
        NOT_ADOPTED = "not_adopted", _("Not adopted")
        IMPLEMENTED = "implemented", _("Implemented")
        MERGED = "merged", _("Merged into another entry")

    # The state machine as data: every move an entry can make, each made by its own action in
    # suggestions/actions.py through portal.workflow. Who makes which: the hall makes HALL_MOVES,
    # the submitter reopens an answered entry (REOPENABLE_STATES -> assigned) and hall staff merge
    # a duplicate (MERGEABLE_STATES -> merged).
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.SUBMITTED: (Status.ACCEPTED, Status.MERGED),
        Status.ACCEPTED: (Status.ASSIGNED, Status.MERGED),
        Status.ASSIGNED: (Status.ANSWERED, Status.MERGED),
        Status.ANSWERED: (Status.ADOPTED, Status.NOT_ADOPTED, Status.ASSIGNED, Status.MERGED),
        Status.ADOPTED: (Status.IMPLEMENTED, Status.ASSIGNED, Status.MERGED),
        Status.NOT_ADOPTED: (Status.ASSIGNED,),
        Status.IMPLEMENTED: (Status.ASSIGNED,),
        Status.MERGED: (),
    }
    # The hall's moves: hall staff make them from the entry's page and the transition endpoint.
    # Answered -> assigned is the "reassign" after a "not our department" answer.
    HALL_MOVES: frozenset[tuple[str, str]] = frozenset({
        (Status.SUBMITTED, Status.ACCEPTED),
        (Status.ACCEPTED, Status.ASSIGNED),
        (Status.ASSIGNED, Status.ANSWERED),
        (Status.ANSWERED, Status.ADOPTED),
        (Status.ANSWERED, Status.NOT_ADOPTED),
        (Status.ANSWERED, Status.ASSIGNED),
        (Status.ADOPTED, Status.IMPLEMENTED),
    })
    # The hall's moves the assigned department's officer may make as well as staff. Publishing an
    # answer (-> answered) stays with hall staff: officers draft, staff publish.
    OFFICER_MOVES: frozenset[tuple[str, str]] = frozenset({
        (Status.ANSWERED, Status.ADOPTED),
        (Status.ANSWERED, Status.NOT_ADOPTED),
        (Status.ADOPTED, Status.IMPLEMENTED),
    })
    # States where nothing more is expected from the hall; the follow-up question is asked later.
    CLOSED_STATES = (Status.NOT_ADOPTED, Status.IMPLEMENTED)
    # States whose published answer the submitter may call "not solved" (within the window).
    REOPENABLE_STATES = (Status.ANSWERED, Status.ADOPTED, Status.NOT_ADOPTED, Status.IMPLEMENTED)
    # States a duplicate can be merged from: neither closed nor merged already.
    MERGEABLE_STATES = (Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED, Status.ANSWERED, Status.ADOPTED)
    # States in which an answer is awaited: the deadline runs and overdue reminders go out.
    AWAITING_ANSWER_STATES = (Status.ACCEPTED, Status.ASSIGNED)

    number = models.CharField(_("ledger number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    title = models.CharField(_("title"), max_length=100)
    content = models.TextField(_("content"), max_length=5000)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("submitter")
    )
    department = models.ForeignKey(
        "hall.Department", on_delete=models.PROTECT, null=True, blank=True,
        related_name="suggestions", verbose_name=_("department"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    answer_due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    # The answer deadline is given in working days: the count and the day it was counted from are
    # kept so that a change of the holiday calendar moves the deadline and keeps the count.
    answer_working_days = models.PositiveSmallIntegerField(_("answer due in working days"), null=True,
                                                           blank=True, editable=False)
    answer_counted_from = models.DateField(_("working days counted from"), null=True, blank=True,
                                           editable=False)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    published_answer = models.ForeignKey(
        "SuggestionAnswer", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("published answer"),
    )
    decision_reason = models.TextField(_("reason"), max_length=2000, blank=True)
    decision_redirect = models.CharField(_("where to go instead"), max_length=300, blank=True)
    support_count = models.PositiveIntegerField(_("supporters"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates",
        verbose_name=_("merged into"),
    )
    # The cross-department case this blocker became. The link lives here, with the ideas ledger:
    # the cases app knows the entry only as the ledger number it keeps (Case.source_reference).
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("case"),
    )
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    followup_asked_at = models.DateTimeField(_("follow-up asked at"), null=True, blank=True)
    resolved = models.BooleanField(_("resolved (submitter's answer)"), null=True, blank=True)
    resolved_answered_at = models.DateTimeField(_("follow-up answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("golden-ideas ledger")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="not_adopted") | (~Q(decision_reason="") & ~Q(decision_redirect="")),
                name="suggestion_not_adopted_says_why_and_where",
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="suggestion_merged_points_at_original",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "accepted"]) | Q(status="merged") | Q(department__isnull=False),
                name="suggestion_assigned_has_department",
            ),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="suggestion_hidden_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "answer_due_at"]),
            models.Index(fields=["submitter", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def hall_moves(self, *, officer: bool = False) -> list[str]:
        """The statuses the hall may move the entry to now, in the machine's order: hall staff's
        moves, or with ``officer`` those of the assigned department's officer."""
        moves = self.OFFICER_MOVES if officer else self.HALL_MOVES
        return [to for to in self.TRANSITIONS.get(self.status, ()) if (self.status, to) in moves]

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_reopenable(self) -> bool:
        return self.status in self.REOPENABLE_STATES and self.answered_at is not None and not self.is_hidden

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATES

    @property
    def is_mergeable(self) -> bool:
        return self.status in self.MERGEABLE_STATES

    # "Overdue" for one entry and, as a Q, for a query: keep the two in step.
    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status in self.AWAITING_ANSWER_STATES
            and self.answer_due_at is not None
            and self.answer_due_at < now
        )

    @classmethod
    def overdue_q(cls, now) -> Q:
        return Q(status__in=cls.AWAITING_ANSWER_STATES, answer_due_at__lt=now)

    @classmethod
    def answered_on_time_q(cls) -> Q:
        """Answered, and no later than the answer was due."""
        return Q(answered_at__isnull=False, answered_at__lte=F("answer_due_at"))

    @property
    def status_tone(self) -> str:
        """The CSS badge tone of the status (status-ok / warn / bad)."""
        if self.status in (self.Status.ADOPTED, self.Status.IMPLEMENTED):
            return "ok"
        if self.status in (self.Status.NOT_ADOPTED, self.Status.MERGED):
            return "bad"
        return "warn"

    @property
    def status_label(self) -> str:
        # A blocker's "implemented" is what the hall calls "solved".
        if self.kind == self.Kind.BLOCKER and self.status == self.Status.IMPLEMENTED:
            return str(_("Solved"))
        return self.get_status_display()


class LedgerCounter(models.Model):
    """The last ledger number handed out in one year. Incremented with a conditional UPDATE that
    takes the row lock, so simultaneous submissions get consecutive, distinct numbers."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("ledger counter")
        verbose_name_plural = _("ledger counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class SuggestionAnswer(models.Model):
    """An answer drafted by the assigned department's officer and published by hall staff.

    At most one unpublished draft per entry; published answers are kept, so a reopened entry keeps
    the answer that did not solve it.
    """

    class Kind(models.TextChoices):
        REPLY = "reply", _("Answer")
        NOT_OURS = "not_ours", _("Not our department")

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="answers", verbose_name=_("ledger entry")
    )
    department = models.ForeignKey(
        "hall.Department", on_delete=models.PROTECT, related_name="suggestion_answers",
        verbose_name=_("answering department"),
    )
    kind = models.CharField(_("kind of answer"), max_length=10, choices=Kind.choices, default=Kind.REPLY)
    text = models.TextField(_("answer"), max_length=5000)
    reason = models.TextField(_("why"), max_length=2000, blank=True)
    redirect = models.CharField(_("where to go instead"), max_length=300, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafted by")
    )
    drafted_at = models.DateTimeField(_("drafted at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-drafted_at", "-id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion"], condition=Q(published_at__isnull=True), name="one_answer_draft_per_suggestion"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="suggestion_answer_has_text"),
            models.CheckConstraint(
                condition=~Q(kind="not_ours") | (~Q(reason="") & ~Q(redirect="")),
                name="suggestion_answer_not_ours_says_why_and_where",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.suggestion.number}: {self.department}"


class SuggestionEvent(models.Model):
    """History of an entry: every move, merge, hiding and reopening, with who, when and a note.

    ``by_role`` is what the public page shows; the person (``by``) is for staff only, since
    the submitter must never be identified publicly.
    """

    class ActorRole(models.TextChoices):
        SUBMITTER = "submitter", _("Submitter")
        STAFF = "staff", _("Hall staff")
        DEPARTMENT = "department", _("Department")
        SYSTEM = "system", _("System")

    class Kind(models.TextChoices):
        SUBMIT = "submit", _("Submitted")
        MOVE = "move", _("Status changed")
        DRAFT = "draft", _("Answer drafted")
        REOPEN = "reopen", _("Reopened: not solved")
        MERGE = "merge", _("Merged")
        HIDE = "hide", _("Hidden")
        CASE = "case", _("Turned into a case")
        FEEDBACK = "feedback", _("Follow-up answered")
        DEADLINE = "deadline", _("Answer deadline moved")

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="events", verbose_name=_("ledger entry")
    )
    kind = models.CharField(_("event"), max_length=10, choices=Kind.choices, default=Kind.MOVE)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    by_role = models.CharField(_("by (role)"), max_length=12, choices=ActorRole.choices)
    department = models.ForeignKey(
        "hall.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("department"),
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Suggestion.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Suggestion.Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self) -> str:
        return f"{self.suggestion_id}: {self.from_status} -> {self.to_status}"

    @property
    def public_by(self) -> str:
        if self.by_role == self.ActorRole.DEPARTMENT and self.department_id:
            return str(self.department)
        return self.get_by_role_display()


class Support(models.Model):
    """One person's "me too" for one entry; once per person and entry (a DB constraint)."""

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="supports", verbose_name=_("ledger entry")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suggestion_supports",
        verbose_name=_("supporter"),
    )
    created_at = models.DateTimeField(_("supported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "user"], name="one_support_per_person_and_entry")
        ]

    def __str__(self) -> str:
        return f"{self.suggestion_id} + {self.user_id}"
