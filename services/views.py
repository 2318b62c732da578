from collections import OrderedDict
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.exceptions import DomainError, Forbidden, NotFound
from portal.roles import Role, has_role
from services import actions, selectors
from services.exceptions import CaseForbidden
from services.filters import BookingFilter, CaseTaskFilter, ServiceItemFilter
from services.forms import (
    CaseCancelForm,
    CaseOpenForm,
    CaseTaskCompleteForm,
    CaseTaskForm,
    CaseTaskRescheduleForm,
    ReviewForm,
    SlotChoiceForm,
)
from services.models import Booking, CaseTask, Stage

# --- catalogue and booking (issue 3) ---



def _raise_for_page(exc: DomainError) -> None:
    """Not found and forbidden become the real 404/403 pages; other domain errors are shown in the page."""
    if isinstance(exc, NotFound):
        raise Http404(str(exc.message))
    if isinstance(exc, Forbidden):
        raise PermissionDenied(str(exc.message))


def _filter_errors(exc: ValidationError) -> list[str]:
    return [f"{field}: {message}" for field, errors in exc.message_dict.items() for message in errors]


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """The one-thing catalogue (/services/): bundles first, then items, filterable by stage and department."""
    filter_form = ServiceItemFilter(data=request.GET or None).form
    errors: list[str] = []
    try:
        items = selectors.service_item_list(filters=request.GET)
    except ValidationError as exc:
        errors = _filter_errors(exc)
        items = selectors.service_item_list().none()
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    filtering = any(request.GET.get(name) for name in ("stage", "department", "search", "bookable"))
    bundles = [] if filtering else [
        {"bundle": bundle, "savings": selectors.bundle_savings(bundle)}
        for bundle in selectors.bundle_list()
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "services/catalogue.html",
        {
            "filter_form": filter_form,
            "filter_errors": errors,
            "page": page,
            "bundles": bundles,
            "stages": Stage.choices,
            "query": query.urlencode(),
        },
        status=400 if errors else 200,
    )


@require_GET
def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        item = selectors.service_item_get(code=code)
    except DomainError as exc:
        _raise_for_page(exc)
    return render(request, "services/item_detail.html", {"item": item})


@require_GET
def bundle_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        bundle = selectors.bundle_get(slug=slug)
    except DomainError as exc:
        _raise_for_page(exc)
    return render(
        request,
        "services/bundle_detail.html",
        {
            "bundle": bundle,
            "savings": selectors.bundle_savings(bundle),
            "materials": selectors.bundle_materials(bundle),
        },
    )


def _book(request: HttpRequest, *, bundle=None, item=None) -> HttpResponse:
    subject = bundle or item
    form = SlotChoiceForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            booking = actions.booking_create(
                user=request.user,
                slot_id=form.cleaned_data["slot"],
                bundle=bundle,
                item=item,
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            _raise_for_page(exc)
            form.add_error("slot" if exc.field in (None, "slot") else exc.field, str(exc.message))
            status = exc.status_code
        else:
            messages.success(request, _("Your booking is confirmed."))
            return redirect("services:booking_detail", reference=booking.reference)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "services/book.html",
        {
            "subject": subject,
            "bundle": bundle,
            "item": item,
            "form": form,
            "days": selectors.slot_picker(bundle=bundle, item=item),
            "chosen": request.POST.get("slot", ""),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def bundle_book(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        bundle = selectors.bundle_get(slug=slug)
    except DomainError as exc:
        _raise_for_page(exc)
    return _book(request, bundle=bundle)


@login_required
@require_http_methods(["GET", "POST"])
def item_book(request: HttpRequest, code: str) -> HttpResponse:
    try:
        item = selectors.service_item_get(code=code)
    except DomainError as exc:
        _raise_for_page(exc)
    if not item.bookable:
        raise Http404(_("This item cannot be booked; come to the hall or book a bundle that includes it."))
    return _book(request, item=item)


def _booking(request: HttpRequest, reference: str) -> Booking:
    try:
        return selectors.booking_get_for_user(user=request.user, reference=reference)
    except DomainError as exc:
        _raise_for_page(exc)


@login_required
@require_GET
def booking_list(request: HttpRequest) -> HttpResponse:
    """My bookings, with cancel, reschedule and review."""
    filter_form = BookingFilter(data=request.GET or None).form
    errors: list[str] = []
    try:
        bookings = selectors.booking_list(user=request.user, filters=request.GET, mine=True)
    except ValidationError as exc:
        errors = _filter_errors(exc)
        bookings = Booking.objects.none()
    page = Paginator(bookings, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "services/booking_list.html",
        {"page": page, "filter_form": filter_form, "filter_errors": errors},
        status=400 if errors else 200,
    )


@login_required
@require_GET
def booking_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The confirmation: reference, QR code, calendar download, what to bring and what happens next."""
    booking = _booking(request, reference)
    subject, materials = selectors.booking_subject_with_materials(booking)
    return render(
        request,
        "services/booking_detail.html",
        {
            "booking": booking,
            "subject": subject,
            "materials": materials,
            "qr_svg": selectors.booking_qr_svg(booking.reference),
            "can_change": selectors.booking_can_change(booking) and booking.user_id == request.user.pk,
            "can_review": booking.status == Booking.Status.COMPLETED
            and booking.user_id == request.user.pk
            and not hasattr(booking, "review"),
            "review_form": ReviewForm(),
        },
    )


@login_required
@require_GET
def booking_ics(request: HttpRequest, reference: str) -> HttpResponse:
    from services.api import booking_ics_response

    booking = _booking(request, reference)
    if booking.user_id != request.user.pk:
        raise PermissionDenied(_("Only the applicant can download the calendar entry."))
    return booking_ics_response(booking)


@login_required
@require_POST
def booking_cancel(request: HttpRequest, reference: str) -> HttpResponse:
    booking = _booking(request, reference)
    try:
        actions.booking_cancel(booking=booking, actor=request.user)
    except DomainError as exc:
        _raise_for_page(exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your booking was cancelled and its place is free for others."))
    return redirect("services:booking_detail", reference=booking.reference)


@login_required
@require_http_methods(["GET", "POST"])
def booking_reschedule(request: HttpRequest, reference: str) -> HttpResponse:
    booking = _booking(request, reference)
    if booking.user_id != request.user.pk:
        raise PermissionDenied(_("Only the applicant can move a booking."))
    form = SlotChoiceForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.booking_reschedule(booking=booking, actor=request.user, slot_id=form.cleaned_data["slot"])
        except DomainError as exc:
            form.add_error("slot" if exc.field in (None, "slot") else exc.field, str(exc.message))
            status = exc.status_code
            booking = _booking(request, reference)
        else:
            messages.success(request, _("Your booking was moved to the new time."))
            return redirect("services:booking_detail", reference=booking.reference)
    elif request.method == "POST":
        status = 400
    slot = booking.slot
    return render(
        request,
        "services/reschedule.html",
        {
            "booking": booking,
            "form": form,
            "can_change": selectors.booking_can_change(booking),
            "days": selectors.slot_picker(bundle=slot.bundle, item=slot.item, exclude=[slot.pk]),
            "chosen": request.POST.get("slot", ""),
        },
        status=status,
    )


@login_required
@require_POST
def booking_review(request: HttpRequest, reference: str) -> HttpResponse:
    booking = _booking(request, reference)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("services:booking_detail", reference=booking.reference)
    try:
        actions.review_create(booking=booking, user=request.user, **form.cleaned_data)
    except DomainError as exc:
        _raise_for_page(exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Thank you for your review."))
    return redirect("services:booking_detail", reference=booking.reference)




# --- cross-department cases (issue 4) ---




def _case_filter_errors(exc: ValidationError) -> list[str]:
    return [f"{field}: {message}" for field, errors in exc.message_dict.items() for message in errors]


def _case_apply_domain_error(form, exc: DomainError) -> None:
    """Show a refusal beside its field when it names one the form has, else above the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _case_due_state(task: CaseTask, now, soon) -> str:
    if task.status != CaseTask.Status.OPEN:
        return ""
    if task.due_at < now:
        return "overdue"
    if task.due_at <= soon:
        return "due-soon"
    return ""


def _case_mark_due(tasks, now=None) -> None:
    """Colour deadlines: overdue, due within two days, or neither."""
    now = now or timezone.now()
    soon = now + timedelta(days=2)
    for task in tasks:
        task.due_state = _case_due_state(task, now, soon)


@login_required
@require_GET
def case_board(request: HttpRequest) -> HttpResponse:
    """Staff's board: open tasks by department, overdue first, deadlines coloured."""
    if not has_role(request.user, Role.HALL_STAFF, Role.COMMITTEE_REVIEWER,
                          Role.DEPARTMENT_OFFICER):
        raise CaseForbidden(gettext("The case board is for hall staff and department officers."))
    errors: list[str] = []
    try:
        tasks = selectors.case_board(user=request.user, filters=request.GET)
    except ValidationError as exc:
        errors = _case_filter_errors(exc)
        tasks = CaseTask.objects.none()
    page = Paginator(tasks, 100).get_page(request.GET.get("page"))
    _case_mark_due(page.object_list)
    columns: OrderedDict = OrderedDict()
    for task in page.object_list:
        columns.setdefault(task.department, []).append(task)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "services/case_board.html", {
        "filter_form": CaseTaskFilter(data=request.GET or None).form,
        "filter_errors": errors,
        "columns": list(columns.items()),
        "page": page,
        "query": query.urlencode(),
        "can_manage": selectors.case_can_manage(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    if not selectors.case_can_manage(request.user):
        raise CaseForbidden(gettext("Only hall staff can open a case."))
    form = CaseOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = actions.case_open(opened_by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _case_apply_domain_error(form, exc)
        else:
            messages.success(request, gettext("The case is open. Now add its tasks."))
            return redirect("services:case_detail", case_id=case.pk)
    return render(request, "services/case_form.html", {"form": form})


def _case_detail_context(request: HttpRequest, case, **forms) -> dict:
    tasks = list(case.tasks.all())
    _case_mark_due(tasks)
    reminders = list(selectors.case_reminder_list(case=case)) if selectors.case_can_see_all(
        request.user) else []
    by_task: dict[int, list] = {}
    for reminder in reminders:
        by_task.setdefault(reminder.subject_id, []).append(reminder)
    for task in tasks:
        task.reminders = by_task.get(task.pk, [])
        task.can_complete = task.status == CaseTask.Status.OPEN and (
            task.assignee_id == request.user.pk or selectors.case_can_manage(request.user)
        )
    return {
        "case": case,
        "tasks": tasks,
        "progress": selectors.case_progress(case),
        "events": selectors.case_event_list(case=case),
        "reminders": reminders,
        "can_manage": selectors.case_can_manage(request.user),
        "case_active": case.status in case.ACTIVE,
        "show_reminders": selectors.case_can_see_all(request.user),
        "task_form": forms.get("task_form") or CaseTaskForm(initial={"department": case.lead_department_id}),
        "cancel_form": forms.get("cancel_form") or CaseCancelForm(),
        "complete_form": CaseTaskCompleteForm(),
    }


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case page: tasks as a timeline, progress, history and (for staff) the reminders sent."""
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    return render(request, "services/case_detail.html", _case_detail_context(request, case))


@login_required
@require_POST
def case_task_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id, for_change=True)
    form = CaseTaskForm(request.POST)
    if form.is_valid():
        try:
            actions.case_task_add(case=case, added_by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _case_apply_domain_error(form, exc)
        else:
            messages.success(request, gettext("The task is added and its responsible person told."))
            return redirect("services:case_detail", case_id=case.pk)
    context = _case_detail_context(request, case, task_form=form)
    return render(request, "services/case_detail.html", context, status=400)


@login_required
@require_POST
def case_cancel(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id, for_change=True)
    form = CaseCancelForm(request.POST)
    if form.is_valid():
        try:
            actions.case_cancel(case=case, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, gettext("The case is cancelled."))
    return redirect("services:case_detail", case_id=case.pk)


@login_required
@require_POST
def case_task_complete(request: HttpRequest, task_id: int) -> HttpResponse:
    """The responsible person (or staff) completes a task with a note, from the case page or "my tasks"."""
    task = selectors.case_task_get_for_user(user=request.user, task_id=task_id, need="complete")
    form = CaseTaskCompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        try:
            actions.case_task_complete(task=task, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, gettext("Task completed. Thank you."))
    if request.POST.get("next") == "my_tasks":
        return redirect("services:my_tasks")
    return redirect("services:case_detail", case_id=task.case_id)


@login_required
@require_POST
def case_task_reschedule(request: HttpRequest, task_id: int) -> HttpResponse:
    """Hall staff move an open task's deadline; its reminders follow the new date."""
    task = selectors.case_task_get_for_user(user=request.user, task_id=task_id, need="manage")
    form = CaseTaskRescheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        try:
            actions.case_task_reschedule(task=task, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, gettext("The deadline is moved and the responsible person told."))
    return redirect("services:case_detail", case_id=task.case_id)


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The responsible person's tasks: open ones by deadline first, with a complete button each."""
    errors: list[str] = []
    try:
        tasks = selectors.case_task_list_for_assignee(user=request.user, filters=request.GET)
    except ValidationError as exc:
        errors = _case_filter_errors(exc)
        tasks = CaseTask.objects.none()
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    _case_mark_due(page.object_list)
    return render(request, "services/case_my_tasks.html", {
        "page": page, "filter_errors": errors, "complete_form": CaseTaskCompleteForm(),
    })

