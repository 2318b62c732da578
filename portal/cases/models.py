from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.hall.models import Department


class Case(models.Model):
    """A hard problem handled by several departments (跨部门协同办理), led by one of them.

    It is listed, assigned to named people and finished within a time limit: its tasks carry the
    people and the deadlines. A case is done when all its (not cancelled) tasks are done.

    Where a case came from is data: ``source`` and, when another app opened it from one of its
    records (a ledger entry), that record's ``source_reference`` (the ledger number). The app that
    holds the record also holds the link (see ``portal.cases.case_sources``).
    """

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("case status", "Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        BLOCKER = "blocker", _("Blocker from the ideas ledger")
        IDEA = "idea", _("Golden idea")
        WALK_IN = "walk_in", _("Walk-in at the youth zone")
        STAFF = "staff", _("Raised by hall staff")

    # The only moves a case may make, each through portal.workflow; anything else is a 409.
    TRANSITIONS: dict[str, set[str]] = {
        Status.OPEN: {Status.IN_PROGRESS, Status.DONE, Status.CANCELLED},
        Status.IN_PROGRESS: {Status.DONE, Status.CANCELLED},
        Status.DONE: set(),
        Status.CANCELLED: set(),
    }
    ACTIVE = (Status.OPEN, Status.IN_PROGRESS)
    CLOSED = (Status.DONE, Status.CANCELLED)

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="cases_applied", verbose_name=_("applicant"),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.WALK_IN)
    # So far only the ideas ledger opens cases from its records, hence the label.
    source_reference = models.CharField(_("ledger entry"), max_length=40, blank=True, editable=False)
    lead_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="cases_led", verbose_name=_("lead department")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases_opened",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        # The tables keep the names they got when cases lived in the services app.
        db_table = "services_case"
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["status", "lead_department"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["done", "cancelled"], closed_at__isnull=False)
                | models.Q(status__in=["open", "in_progress"], closed_at__isnull=True),
                name="case_closed_at_matches_status",
            )
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @staticmethod
    def has_overdue_task(now: datetime) -> models.Exists:
        """For ``filter()``: the case has an open task past its deadline (the list and the admin)."""
        return models.Exists(CaseTask.objects.filter(CaseTask.overdue_q(now), case=models.OuterRef("pk")))


class CaseTask(models.Model):
    """One department's part of a case: a named responsible person and a deadline.

    ``next_reminder_at`` is the sweep's marker: when the next reminder of the ladder falls due.
    The sweep only reads tasks whose marker has passed, so its cost follows the reminders due.
    """

    class Status(models.TextChoices):
        # "To do" is also the peer-review badge (a review still to give): its own context here.
        OPEN = "open", pgettext_lazy("case task status", "To do")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS: dict[str, set[str]] = {
        Status.OPEN: {Status.DONE, Status.CANCELLED},
        Status.DONE: set(),
        Status.CANCELLED: set(),
    }
    # An open deadline this close is coloured "due soon" on the board, the case page and the admin.
    DUE_SOON = timedelta(days=2)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("case"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="case_tasks", verbose_name=_("department")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_tasks",
        verbose_name=_("responsible person"),
    )
    description = models.TextField(_("what to do"), max_length=2000)
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("completed by"),
    )
    note = models.TextField(_("completion note"), max_length=2000, blank=True)
    next_reminder_at = models.DateTimeField(_("next reminder at"), null=True, blank=True, editable=False)
    # A deadline given as "N working days" keeps N and the day it was counted from, so that a
    # change of the holiday calendar moves it (the count stays, the date follows the calendar).
    # Both empty for a deadline given as a date.
    due_working_days = models.PositiveSmallIntegerField(_("due in working days"), null=True, blank=True,
                                                        editable=False)
    due_counted_from = models.DateField(_("working days counted from"), null=True, blank=True, editable=False)

    class Meta:
        db_table = "services_casetask"
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["next_reminder_at"], name="casetask_next_reminder"),
            models.Index(fields=["assignee", "status", "due_at"], name="casetask_assignee_due"),
            models.Index(fields=["department", "status", "due_at"], name="casetask_department_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="done", completed_at__isnull=False)
                | (~models.Q(status="done") & models.Q(completed_at__isnull=True)),
                name="casetask_completed_at_matches_status",
            ),
            # Closed tasks are never reminded: the marker must be empty.
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(next_reminder_at__isnull=True),
                name="casetask_no_reminder_when_closed",
            ),
        ]
        verbose_name = _("case task")
        verbose_name_plural = _("case tasks")

    def __str__(self) -> str:
        return f"{self.department}: {self.description[:40]}"

    # "Overdue" and "due soon" for one task, for a bare deadline (the admin's next deadline of a
    # case) and, as a Q, for a query: the board, the case page, the admin and the API share them.
    @classmethod
    def deadline_state(cls, due_at: datetime | None, *, status: str = Status.OPEN,
                       now: datetime | None = None) -> str:
        """"overdue", "due-soon" (within DUE_SOON) or "" (not open, no deadline, or later)."""
        if due_at is None or status != cls.Status.OPEN:
            return ""
        now = now or timezone.now()
        if due_at < now:
            return "overdue"
        if due_at <= now + cls.DUE_SOON:
            return "due-soon"
        return ""

    def due_state(self, now: datetime | None = None) -> str:
        return self.deadline_state(self.due_at, status=self.status, now=now)

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.due_state(now) == "overdue"

    @classmethod
    def overdue_q(cls, now: datetime, prefix: str = "") -> models.Q:
        return models.Q(**{f"{prefix}status": cls.Status.OPEN, f"{prefix}due_at__lt": now})


class CaseEvent(models.Model):
    """The case's history (办理记录): append-only, written in the same transaction as the change."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Case opened")
        TASK_ADDED = "task_added", _("Task added")
        TASK_COMPLETED = "task_completed", _("Task completed")
        TASK_RESCHEDULED = "task_rescheduled", _("Deadline moved")
        TASK_CANCELLED = "task_cancelled", _("Task cancelled")
        STATUS_CHANGED = "status_changed", _("Status changed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case"))
    task = models.ForeignKey(
        CaseTask, on_delete=models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("task")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        db_table = "services_caseevent"
        ordering = ["at", "id"]
        verbose_name = _("case history entry")
        verbose_name_plural = _("case history")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.at:%Y-%m-%d %H:%M}"
