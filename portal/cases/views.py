from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.cases import actions, case_sources, selectors
from portal.cases.exceptions import CaseForbidden
from portal.cases.filters import CaseTaskFilter
from portal.cases.forms import (
    CaseCancelForm,
    CaseOpenForm,
    CaseTaskCompleteForm,
    CaseTaskForm,
    CaseTaskRescheduleForm,
)
from portal.cases.models import CaseTask
from portal.exceptions import DomainError
from portal.filters import filter_form


def _case_apply_domain_error(form, exc: DomainError) -> None:
    """Show a refusal beside its field when it names one the form has, else above the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


@login_required
@require_GET
def case_board(request: HttpRequest) -> HttpResponse:
    """Staff's board: open tasks by department, overdue first, deadlines coloured."""
    if not selectors.case_can_use_board(request.user):
        raise CaseForbidden(gettext("The case board is for hall staff and department officers."))
    form, errors = filter_form(CaseTaskFilter, request.GET)
    try:
        tasks = selectors.case_board(user=request.user, filters=request.GET)
    except ValidationError:
        tasks = CaseTask.objects.none()
    page = Paginator(tasks, 100).get_page(request.GET.get("page"))
    columns: OrderedDict = OrderedDict()
    for task in page.object_list:
        columns.setdefault(task.department, []).append(task)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "cases/case_board.html", {
        "filter_form": form,
        "filter_errors": errors,
        "columns": list(columns.items()),
        "page": page,
        "query": query.urlencode(),
        "can_manage": selectors.case_can_manage(request.user),
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    if not selectors.case_can_manage(request.user):
        raise CaseForbidden(gettext("Only hall staff can open a case."))
    form = CaseOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = actions.case_open(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _case_apply_domain_error(form, exc)
        else:
            messages.success(request, gettext("The case is open. Now add its tasks."))
            return redirect("cases:case_detail", case_id=case.pk)
    return render(request, "cases/case_form.html", {"form": form})


def _failed_for(form, task):
    """The refused form of this task (to show it again with what was typed), else None."""
    return form if form is not None and getattr(form, "task_id", None) == task.pk else None


def _case_detail_context(request: HttpRequest, case, **forms) -> dict:
    tasks = list(case.tasks.all())
    show_reminders = selectors.case_can_see_all(request.user)
    reminders = list(selectors.case_reminder_list(case=case)) if show_reminders else []
    by_task: dict[int, list] = {}
    for reminder in reminders:
        by_task.setdefault(reminder.subject_id, []).append(reminder)
    # A refused reschedule of one task comes back with what was typed and the errors beside it.
    failed = forms.get("reschedule_form")
    for task in tasks:
        task.reminders = by_task.get(task.pk, [])
        task.can_complete = selectors.case_task_can_complete(task=task, user=request.user)
        task.reschedule_form = failed if failed is not None and failed.task_id == task.pk else None
        task.complete_form = _failed_for(forms.get("complete_form"), task)
    return {
        "case": case,
        "origin_url": case_sources.origin_url(case),
        "tasks": tasks,
        "progress": selectors.case_progress(case),
        "events": selectors.case_event_list(case=case),
        "reminders": reminders,
        "can_manage": selectors.case_can_manage(request.user),
        "case_active": case.is_active,
        "show_reminders": show_reminders,
        "task_form": forms.get("task_form") or CaseTaskForm(initial={"department": case.lead_department_id}),
        "cancel_form": forms.get("cancel_form") or CaseCancelForm(),
        "complete_form": CaseTaskCompleteForm(),
    }


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case page: tasks as a timeline, progress, history and (for staff) the reminders sent."""
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    return render(request, "cases/case_detail.html", _case_detail_context(request, case))


@login_required
@require_POST
def case_task_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id, for_change=True)
    form = CaseTaskForm(request.POST)
    if form.is_valid():
        try:
            actions.case_task_add(case=case, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _case_apply_domain_error(form, exc)
        else:
            messages.success(request, gettext("The task is added and its responsible person told."))
            return redirect("cases:case_detail", case_id=case.pk)
    context = _case_detail_context(request, case, task_form=form)
    return render(request, "cases/case_detail.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def case_cancel(request: HttpRequest, case_id: int) -> HttpResponse:
    """Cancelling a case cannot be undone: GET says what happens (on templates/confirm.html), POST does it."""
    case = selectors.case_get_for_user(user=request.user, case_id=case_id, for_change=True)
    form = CaseCancelForm(request.POST if request.method == "POST" else None)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.case_cancel(case=case, by=request.user, **form.cleaned_data)
            except DomainError as exc:
                _case_apply_domain_error(form, exc)
                status = exc.status_code
            else:
                messages.success(request, gettext("The case is cancelled."))
                return redirect("cases:case_detail", case_id=case.pk)
        else:
            status = 400
    open_tasks = case.tasks.filter(status=CaseTask.Status.OPEN).count()
    return render(request, "confirm.html", {
        "heading": gettext("Cancel this case?"), "subject": case.title,
        "back_url": reverse("cases:case_detail", kwargs={"case_id": case.pk}), "back_label": case.title,
        "allowed": case.is_active, "error": error, "form": form,
        "refusal": gettext("This case is %(status)s; it can no longer be cancelled.")
        % {"status": case.get_status_display()},
        "consequences": [
            gettext("The case is cancelled for good; it cannot be reopened."),
            ngettext("Its %(count)s open task is cancelled too and its department gets no more reminders.",
                     "Its %(count)s open tasks are cancelled too and their departments get no more reminders.",
                     open_tasks) % {"count": open_tasks},
            gettext("Tasks already done stay done, and the reason is written in the case's history."),
        ],
        "button": gettext("Yes, cancel the case"), "keep_label": gettext("No, keep it"),
    }, status=status)


@login_required
@require_POST
def case_task_complete(request: HttpRequest, task_id: int) -> HttpResponse:
    """The responsible person (or staff) completes a task with a note, from the case page or "my tasks"."""
    task = selectors.case_task_get_for_user(user=request.user, task_id=task_id, need="complete")
    form = CaseTaskCompleteForm(request.POST)
    form.task_id = task.pk
    on_my_tasks = request.POST.get("next") == "my_tasks"
    status = 400
    if form.is_valid():
        try:
            actions.case_task_complete(task=task, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _case_apply_domain_error(form, exc)
            status = exc.status_code
        else:
            messages.success(request, gettext("Task completed. Thank you."))
            if on_my_tasks:
                return redirect("cases:my_tasks")
            return redirect("cases:case_detail", case_id=task.case_id)
    # A refusal shows the page again with the note as typed and the error beside it.
    if on_my_tasks:
        return _my_tasks_render(request, complete_form=form, status=status)
    case = selectors.case_get_for_user(user=request.user, case_id=task.case_id)
    return render(request, "cases/case_detail.html", _case_detail_context(request, case, complete_form=form),
                  status=status)


@login_required
@require_POST
def case_task_reschedule(request: HttpRequest, task_id: int) -> HttpResponse:
    """Hall staff move an open task's deadline; its reminders follow the new date. A refusal
    shows the case page again with what was typed and each error beside its field."""
    task = selectors.case_task_get_for_user(user=request.user, task_id=task_id, need="manage")
    form = CaseTaskRescheduleForm(request.POST)
    form.task_id = task.pk
    status = 400
    if form.is_valid():
        try:
            actions.case_task_reschedule(task=task, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _case_apply_domain_error(form, exc)
            status = exc.status_code
        else:
            messages.success(request, gettext("The deadline is moved and the responsible person told."))
            return redirect("cases:case_detail", case_id=task.case_id)
    case = selectors.case_get_for_user(user=request.user, case_id=task.case_id)
    return render(request, "cases/case_detail.html", _case_detail_context(request, case, reschedule_form=form),
                  status=status)


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The responsible person's tasks: open ones by deadline first, with a complete button each."""
    return _my_tasks_render(request)


def _my_tasks_render(request: HttpRequest, complete_form=None, status: int | None = None) -> HttpResponse:
    # The page has no filter form (links carry ?status=): a bad value is said in the box above the list.
    form, errors = filter_form(CaseTaskFilter, request.GET, fields=())
    try:
        tasks = selectors.case_task_list_for_assignee(user=request.user, filters=request.GET)
    except ValidationError:
        tasks = CaseTask.objects.none()
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    if complete_form is not None:
        for task in page.object_list:
            task.complete_form = _failed_for(complete_form, task)
    return render(request, "cases/case_my_tasks.html", {
        "page": page, "filter_errors": errors, "complete_form": CaseTaskCompleteForm(),
    }, status=status or (400 if form.errors else 200))
