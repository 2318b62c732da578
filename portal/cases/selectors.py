from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case as SqlCase
from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from portal.accounts.models import User
from portal.accounts.selectors import ME_SECTION_ROWS, me_section, me_todo
from portal.cases.exceptions import CaseForbidden, CaseNotFound, CaseTaskNotFound
from portal.cases.filters import CaseFilter, CaseTaskFilter
from portal.cases.models import Case, CaseEvent, CaseTask
from portal.filters import filters_apply
from portal.hall.models import Department
from portal.notifications.models import Reminder
from portal.roles import Role, has_role


def case_can_manage(user) -> bool:
    """Hall staff open cases, add and move tasks, cancel cases."""
    return has_role(user, Role.HALL_STAFF)


def case_can_see_all(user) -> bool:
    """Hall staff and the committee reviewers (who receive escalations) read every case."""
    return has_role(user, Role.HALL_STAFF, Role.COMMITTEE_REVIEWER)


def case_can_use_board(user) -> bool:
    """The case board is for hall staff, the committee reviewers and department officers."""
    return has_role(user, Role.HALL_STAFF, Role.COMMITTEE_REVIEWER, Role.DEPARTMENT_OFFICER)


def case_task_can_complete(*, task: CaseTask, user) -> bool:
    """An open task can be completed by its responsible person or by hall staff."""
    return task.status == CaseTask.Status.OPEN and (task.assignee_id == user.pk or case_can_manage(user))


def _case_own_departments(user) -> QuerySet:
    return Department.objects.filter(officers=user).values("pk")


def _case_visible(user) -> Q | None:
    """The cases ``user`` may read as a Q, or None for all of them."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if case_can_see_all(user):
        return None
    departments = _case_own_departments(user)
    their_tasks = CaseTask.objects.filter(case=OuterRef("pk")).filter(
        Q(assignee=user) | Q(department__in=departments)
    )
    return Q(applicant=user) | Q(lead_department__in=departments) | Q(Exists(their_tasks))


def case_annotate(queryset: QuerySet) -> QuerySet:
    """Cases with ``tasks_total``, ``tasks_done`` (cancelled tasks do not count) and
    ``next_due_at`` (the soonest open deadline): the list, the admin and /me/ read these."""
    return queryset.annotate(
        tasks_total=Count("tasks", filter=~Q(tasks__status=CaseTask.Status.CANCELLED)),
        tasks_done=Count("tasks", filter=Q(tasks__status=CaseTask.Status.DONE)),
        next_due_at=Min("tasks__due_at", filter=Q(tasks__status=CaseTask.Status.OPEN)),
    )


def _case_annotated(queryset: QuerySet) -> QuerySet:
    return case_annotate(queryset.select_related("lead_department", "applicant", "opened_by"))


def case_progress(case: Case) -> dict:
    """{"done", "total", "percent"} of the tasks that count (cancelled ones do not)."""
    done = getattr(case, "tasks_done", None)
    total = getattr(case, "tasks_total", None)
    if done is None or total is None:
        statuses = [task.status for task in case.tasks.all()]
        total = sum(1 for status in statuses if status != CaseTask.Status.CANCELLED)
        done = sum(1 for status in statuses if status == CaseTask.Status.DONE)
    return {"done": done, "total": total, "percent": round(100 * done / total) if total else 0}


def case_list(*, user, filters=None) -> QuerySet:
    """The cases ``user`` may read, filtered, with progress annotations and tasks prefetched.

    Soonest open deadline first, so overdue work leads; raises ValidationError for bad filters.
    """
    queryset = Case.objects.all()
    visible = _case_visible(user)
    if visible is not None:
        queryset = queryset.filter(visible)
    queryset = filters_apply(CaseFilter, filters, queryset)
    return _case_annotated(queryset).prefetch_related(
        Prefetch("tasks", queryset=CaseTask.objects.select_related("department", "assignee"))
    ).order_by(F("next_due_at").asc(nulls_last=True), "-opened_at", "-id")


def case_is_visible_to(*, user, case: Case) -> bool:
    """Whether ``user`` may read ``case``: the record a case came from links to it only for them.
    No query for hall staff and the committee, one for the others."""
    visible = _case_visible(user)
    return visible is None or Case.objects.filter(visible, pk=case.pk).exists()


def case_get_for_user(*, user, case_id: int, for_change: bool = False) -> Case:
    """One case: 404 when ``user`` may not read it, 403 when they may read but not manage it."""
    case = case_list(user=user).filter(pk=case_id).first()
    if case is None:
        raise CaseNotFound()
    if for_change and not case_can_manage(user):
        raise CaseForbidden(gettext("Only hall staff can change a case."))
    return case


def case_task_get_for_user(*, user, task_id: int, need: str | None = None) -> CaseTask:
    """One task: 404 when ``user`` may not read it; 403 when they may read it but not do ``need``.

    ``need="complete"``: the responsible person or hall staff. ``need="manage"``: hall staff.
    """
    queryset = CaseTask.objects.select_related("case", "case__lead_department", "department", "assignee")
    visible = _case_visible(user)
    if visible is not None:
        queryset = queryset.filter(case__in=Case.objects.filter(visible))
    task = queryset.filter(pk=task_id).first()
    if task is None:
        raise CaseTaskNotFound()
    if need == "complete" and not (task.assignee_id == user.pk or case_can_manage(user)):
        raise CaseForbidden(gettext("Only the responsible person or hall staff can complete this task."))
    if need == "manage" and not case_can_manage(user):
        raise CaseForbidden(gettext("Only hall staff can change a case."))
    return task


def case_task_list_for_assignee(*, user, filters=None) -> QuerySet:
    """ "My tasks": open ones first by deadline, then the closed ones, newest first."""
    queryset = CaseTask.objects.filter(assignee=user) if user.is_authenticated else CaseTask.objects.none()
    queryset = filters_apply(CaseTaskFilter, filters, queryset)
    return queryset.select_related("case", "department").annotate(
        open_first=SqlCase(When(status=CaseTask.Status.OPEN, then=Value(0)), default=Value(1))
    ).order_by("open_first", "due_at", "id")


def case_board(*, user, filters=None) -> QuerySet:
    """The board's tasks by department, overdue (earliest deadline) first. Open tasks by default.

    Staff and reviewers see every department; an officer sees the departments they belong to.
    """
    filters = dict(filters or {})
    filters.setdefault("status", CaseTask.Status.OPEN)
    queryset = CaseTask.objects.all()
    if not case_can_see_all(user):
        queryset = queryset.filter(department__in=_case_own_departments(user)) if user.is_authenticated\
            else queryset.none()
    queryset = filters_apply(CaseTaskFilter, filters, queryset)
    return queryset.select_related("case", "department", "assignee").order_by(
        "department__position", "department__name", "due_at", "id"
    )


def case_event_list(*, case: Case) -> QuerySet:
    return CaseEvent.objects.filter(case=case).select_related("by", "task")


def case_reminder_list(*, case: Case) -> QuerySet:
    """The reminders sent about the case's tasks, newest first, with their recipients."""
    return Reminder.objects.filter(
        subject_type=ContentType.objects.get_for_model(CaseTask),
        subject_id__in=CaseTask.objects.filter(case=case).values("pk"),
    ).prefetch_related("recipients").order_by("-sent_at", "-id")


def case_tasks_to_remind(*, now: datetime, after_id: int, size: int) -> list[CaseTask]:
    """One batch of the sweep: open tasks whose reminder marker has passed, by id after ``after_id``."""
    return list(
        CaseTask.objects.filter(status=CaseTask.Status.OPEN, next_reminder_at__lte=now, pk__gt=after_id)
        .select_related("case", "case__lead_department", "department", "assignee")
        .order_by("pk")[:size]
    )


class CaseEscalationRecipients:
    """Who an escalation goes to: the committee reviewers (read once per sweep) plus the lead
    department's officers."""

    def __init__(self) -> None:
        self._reviewers: list[User] | None = None
        self._officers: dict[int, list[User]] = {}

    def prefetch(self, tasks: list[CaseTask]) -> None:
        """Read the officers of these tasks' lead departments in one query (a sweep's batch)."""
        wanted = {task.case.lead_department_id for task in tasks} - set(self._officers)
        if not wanted:
            return
        for department_id in wanted:
            self._officers[department_id] = []
        links = Department.officers.through.objects.filter(
            department_id__in=wanted, user__is_active=True
        ).select_related("user").order_by("pk")
        for link in links:
            self._officers[link.department_id].append(link.user)

    def __call__(self, task: CaseTask) -> list[User]:
        if self._reviewers is None:
            self._reviewers = list(
                User.objects.filter(groups__name=Role.COMMITTEE_REVIEWER, is_active=True).distinct()
            )
        department_id = task.case.lead_department_id
        if department_id not in self._officers:
            self.prefetch([task])
        return self._reviewers + self._officers[department_id]


@me_section(40)
def case_me_section(*, user) -> dict | None:
    """The applicant's cases and their progress on the personal page."""
    cases = list(_case_annotated(Case.objects.filter(applicant=user)).order_by("-opened_at")[:ME_SECTION_ROWS])
    if not cases:
        return None
    for case in cases:
        case.progress = case_progress(case)
    return {"title": gettext("My cases"), "anchor": "my-cases", "template": "cases/case_me_section.html",
            "context": {"cases": cases}}


@me_todo(20)
def case_me_todo(*, user) -> list[dict]:
    """Open case tasks assigned to the person ("my tasks"), one query."""
    count = CaseTask.objects.filter(assignee=user, status=CaseTask.Status.OPEN).count()
    label = ngettext("%(count)d case task to finish", "%(count)d case tasks to finish", count)
    return [{"label": label % {"count": count}, "count": count, "url": reverse("cases:my_tasks")}]
