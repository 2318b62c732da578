from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.exceptions import DomainError, Forbidden, Invalid, NotFound
from portal.files import private_file_response
from portal.filters import filter_form
from portal.roles import is_hall_staff
from services import actions, forms, selectors
from services.filters import BookingFilter, PrecheckUploadFilter, ServiceItemFilter
from services.forms import (
    DeskCheckInForm,
    PrecheckDecisionForm,
    PrecheckUploadForm,
    SlotChoiceForm,
    WalkInForm,
)
from services.models import Booking, Material, PrecheckUpload, Rectification, Stage


def _raise_for_page(exc: DomainError) -> None:
    """Not found and forbidden become the real 404/403 pages; other domain errors are shown in the page."""
    if isinstance(exc, NotFound):
        raise Http404(str(exc.message))
    if isinstance(exc, Forbidden):
        raise PermissionDenied(str(exc.message))


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """The one-thing catalogue (/services/): bundles first, then items, filterable by stage and department."""
    # "Can be booked" is the home page's link, not a field of this page's form.
    form, errors = filter_form(ServiceItemFilter, request.GET, fields=("stage", "department", "search"))
    try:
        items = selectors.service_item_list(filters=request.GET)
    except ValidationError:
        items = selectors.service_item_list().none()
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    filtering = any(request.GET.get(name) for name in ("stage", "department", "bookable"))
    # A search (the home page's) looks through the bundles too; the other filters are the items'.
    search = request.GET.get("search", "").strip()
    if filtering or form.errors:
        bundles = []
    elif search:
        bundles = [
            {"bundle": bundle, "savings": selectors.bundle_savings(bundle), "item_count": bundle.bundle_items.count()}
            for bundle in selectors.bundle_list(filters={"search": search[:100]})
        ]
    else:
        bundles = selectors.bundle_cards()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "services/catalogue.html",
        {
            "filter_form": form,
            "filter_errors": errors,
            "page": page,
            "bundles": bundles,
            "stages": Stage.choices,
            "query": query.urlencode(),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        item = selectors.service_item_get(code=code)
    except DomainError as exc:
        _raise_for_page(exc)
    offer = selectors.booking_offer(item=item) if item.bookable else None
    return render(request, "services/item_detail.html", {"item": item, "offer": offer})


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
            "material_rows": selectors.bundle_material_rows(bundle),
            "offer": selectors.booking_offer(bundle=bundle),
        },
    )


def _picker_day(request: HttpRequest) -> str:
    """The day the picker's strip shows: ``?day=`` on a GET; after a refused POST, the chosen time's day."""
    return request.GET.get("day", "") if request.method == "GET" else ""


def _book(request: HttpRequest, *, bundle=None, item=None) -> HttpResponse:
    subject = bundle or item
    form = SlotChoiceForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            booking = actions.booking_create(
                slot=selectors.slot_get(slot_id=form.cleaned_data["slot"]),
                bundle=bundle,
                item=item,
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except DomainError as exc:
            _raise_for_page(exc)
            form.add_error("slot" if exc.field in (None, "slot") else exc.field, str(exc.message))
            status = exc.status_code
        else:
            # The booking page shows its confirmation panel once, after this redirect (?booked=1).
            url = reverse("services:booking_detail", kwargs={"reference": booking.reference})
            return redirect(f"{url}?booked=1#booked")
    elif request.method == "POST":
        status = 400
    # ?slot= preselects the time offered when the hall closed the booked day.
    chosen = request.POST.get("slot") or request.GET.get("slot", "")
    days = selectors.slot_picker(bundle=bundle, item=item)
    active = selectors.booking_active_for_subject(user=request.user, bundle=bundle, item=item)
    max_active = settings.BOOKING_MAX_ACTIVE_PER_PERSON
    return render(
        request,
        "services/book.html",
        {
            "subject": subject,
            "bundle": bundle,
            "item": item,
            "form": form,
            "days": days,
            "picker": selectors.slot_picker_days(days, chosen=chosen, day=_picker_day(request)),
            "chosen": chosen,
            "active": active,
            "max_active": max_active,
            "at_limit": bool(max_active) and len(active) >= max_active,
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
    form, errors = filter_form(BookingFilter, request.GET, fields=("status",))
    try:
        bookings = selectors.booking_list(user=request.user, filters=request.GET, mine=True)
    except ValidationError:
        bookings = Booking.objects.none()
    page = Paginator(bookings, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "services/booking_list.html",
        {"page": page, "filter_form": form, "filter_errors": errors},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def booking_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The confirmation: reference, QR code, calendar download, what to bring and what happens next."""
    return _booking_detail_render(request, _booking(request, reference))


@login_required
@require_GET
def booking_ics(request: HttpRequest, reference: str) -> HttpResponse:
    from services.api import booking_ics_response

    booking = _booking(request, reference)
    if booking.user_id != request.user.pk:
        raise PermissionDenied(_("Only the applicant can download the calendar entry."))
    return booking_ics_response(booking)


@login_required
@require_http_methods(["GET", "POST"])
def booking_cancel(request: HttpRequest, reference: str) -> HttpResponse:
    """Cancelling cannot be undone: GET says what will happen, POST (the page's button) cancels."""
    booking = _booking(request, reference)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            actions.booking_cancel(booking=booking, by=request.user)
        except DomainError as exc:
            _raise_for_page(exc)
            error, status = str(exc.message), exc.status_code
        else:
            messages.success(request, _("Your booking was cancelled and its place is free for others."))
            return redirect("services:booking_detail", reference=booking.reference)
    owner = booking.user_id == request.user.pk
    if booking.user_id != request.user.pk and not is_hall_staff(request.user):
        raise PermissionDenied(_("Only the applicant or hall staff can cancel a booking."))
    can_cancel = booking.status == Booking.Status.BOOKED and (
        selectors.booking_can_change(booking) or is_hall_staff(request.user)
    )
    return render(
        request,
        "services/booking_cancel.html",
        {"booking": booking, "subject": booking.slot.subject, "can_cancel": can_cancel, "owner": owner,
         "error": error, "cutoff_hours": settings.BOOKING_CANCEL_CUTOFF_HOURS},
        status=status,
    )


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
            actions.booking_reschedule(
                booking=booking, slot=selectors.slot_get(slot_id=form.cleaned_data["slot"]), by=request.user
            )
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
    # ?slot= preselects the time offered when the hall closed the booked day.
    chosen = request.POST.get("slot") or request.GET.get("slot", "")
    days = selectors.slot_picker(bundle=slot.bundle, item=slot.item, exclude=[slot.pk])
    return render(
        request,
        "services/reschedule.html",
        {
            "booking": booking,
            "form": form,
            "can_change": selectors.booking_can_change(booking),
            "days": days,
            "picker": selectors.slot_picker_days(days, chosen=chosen, day=_picker_day(request)),
            "chosen": chosen,
        },
        status=status,
    )


# --- pre-check of materials (材料预审) ---------------------------------------------------------
def _booking_detail_render(request: HttpRequest, booking: Booking, *, precheck_errors: dict | None = None,
                           evaluation_form=None, status: int = 200) -> HttpResponse:
    subject, materials = selectors.booking_subject_with_materials(booking)
    precheck = selectors.booking_precheck(booking)
    opens = selectors.precheck_file_opener(user=request.user, bookings=[booking])
    for row in precheck["rows"]:
        row["files_open"] = row["latest"] is not None and opens(row["latest"])
    owner = booking.user_id == request.user.pk
    ticket = selectors.booking_ticket(booking)
    # Before its window on the booking's own day, the page says when self check-in opens.
    check_in_opens = None
    if owner and ticket is None and booking.status == Booking.Status.BOOKED and selectors.booking_is_today(booking):
        opens, _closes = selectors.booking_check_in_window(booking)
        check_in_opens = opens if timezone.now() < opens else None
    book_again_url = ""
    if owner and booking.status in (Booking.Status.CANCELLED, Booking.Status.NO_SHOW):
        slot = booking.slot
        book_again_url = (reverse("services:bundle_book", kwargs={"slug": slot.bundle.slug}) if slot.bundle_id
                          else reverse("services:item_book", kwargs={"code": slot.item.code}))
    return render(
        request,
        "services/booking_detail.html",
        {
            "booking": booking,
            "ticket": ticket,
            "ahead": selectors.queue_ahead(ticket=ticket) if ticket else 0,
            "can_check_in": owner and ticket is None and selectors.booking_check_in_open(booking),
            "check_in_opens": check_in_opens,
            "just_booked": owner and booking.status == Booking.Status.BOOKED and request.GET.get("booked") == "1",
            "book_again_url": book_again_url,
            "subject": subject,
            "materials": materials,
            "precheck": precheck,
            "precheck_open": owner and selectors.booking_precheck_open(booking),
            "precheck_errors": precheck_errors or {},
            "upload_form": PrecheckUploadForm(),
            "qr_svg": selectors.booking_qr_svg(booking.reference),
            "can_change": selectors.booking_can_change(booking) and owner,
            **_booking_evaluation_context(booking, owner=owner, evaluation_form=evaluation_form),
        },
        status=status,
    )


@login_required
@require_POST
def booking_precheck_upload(request: HttpRequest, reference: str) -> HttpResponse:
    """The applicant uploads one material (one or more files) from the booking page."""
    booking = _booking(request, reference)
    form = PrecheckUploadForm(request.POST, request.FILES)
    material_id = request.POST.get("material", "")
    if not form.is_valid():
        message = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return _booking_detail_render(request, booking, precheck_errors={material_id: message}, status=400)
    material = Material.objects.filter(pk=form.cleaned_data["material"]).first()
    try:
        if material is None:
            raise Invalid(_("This booking does not need this material."), field="material")
        actions.precheck_upload_create(booking=booking, material=material, files=form.cleaned_data["files"],
                                       by=request.user)
    except DomainError as exc:
        _raise_for_page(exc)
        return _booking_detail_render(request, booking, precheck_errors={material_id: str(exc.message)},
                                      status=exc.status_code)
    messages.success(request, _("Uploaded. The department will check it and tell you the result."))
    return redirect(reverse("services:booking_detail", kwargs={"reference": booking.reference}) + "#precheck")


def _upload(request: HttpRequest, upload_id: int) -> PrecheckUpload:
    try:
        return selectors.precheck_upload_get_for_user(user=request.user, upload_id=upload_id)
    except DomainError as exc:
        _raise_for_page(exc)


@login_required
@require_http_methods(["GET", "POST"])
def precheck_withdraw(request: HttpRequest, upload_id: int) -> HttpResponse:
    """Withdrawing deletes the files at once: GET asks first (templates/confirm.html), POST withdraws."""
    upload = _upload(request, upload_id)
    back = reverse("services:booking_detail", kwargs={"reference": upload.booking.reference}) + "#precheck"
    if request.method == "GET":
        if upload.booking.user_id != request.user.pk:
            raise PermissionDenied(_("Only the applicant can withdraw an upload."))
        return render(request, "confirm.html", {
            "heading": _("Withdraw this upload?"), "subject": f"{upload.material.name} · {upload.booking.reference}",
            "back_url": back, "back_label": _("Booking %(reference)s") % {"reference": upload.booking.reference},
            "allowed": upload.status == PrecheckUpload.Status.SUBMITTED,
            "refusal": _("Only an upload still waiting for the pre-check can be withdrawn."),
            "consequences": [
                _("Its files are deleted at once and cannot be restored; the department no longer checks them."),
                _("The record that it was uploaded and withdrawn stays in the booking's history."),
                _("You can upload this material again afterwards."),
            ],
            "button": _("Yes, withdraw and delete the files"), "keep_label": _("No, keep it"),
        })
    try:
        actions.precheck_upload_withdraw(upload=upload, by=request.user)
    except DomainError as exc:
        _raise_for_page(exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The upload was withdrawn and its files deleted."))
    return redirect(back)


def _precheck_list_render(request: HttpRequest, *, status: int = 200, errors: dict | None = None) -> HttpResponse:
    if not (is_hall_staff(request.user) or request.user.departments.exists()):
        raise PermissionDenied(_("Only department officers and hall staff pre-check materials."))
    query = request.GET.copy()
    query.setdefault("status", PrecheckUpload.Status.SUBMITTED)
    form, filter_errors = filter_form(PrecheckUploadFilter, query, fields=("status", "booking"))
    try:
        uploads = selectors.precheck_upload_list(user=request.user, filters=query).exclude(
            booking__user=request.user
        )
    except ValidationError:
        uploads = PrecheckUpload.objects.none()
        status = 400
    page = Paginator(uploads, 30).get_page(request.GET.get("page"))
    department_ids = set(request.user.departments.values_list("pk", flat=True))
    opens = selectors.precheck_file_opener(user=request.user, bookings={upload.booking for upload in page})
    rows = [
        {"upload": upload, "files_open": opens(upload),
         "may_decide": selectors.precheck_may_decide(upload=upload, user=request.user, department_ids=department_ids),
         "form": PrecheckDecisionForm(auto_id=f"id_%s_{upload.pk}"), "error": (errors or {}).get(upload.pk)}
        for upload in page
    ]
    return render(
        request,
        "services/precheck_list.html",
        {"page": page, "rows": rows, "filter_form": form,
         "filter_errors": filter_errors, "status": query.get("status")},
        status=status,
    )


@login_required
@require_GET
def precheck_list(request: HttpRequest) -> HttpResponse:
    """The department officer's work list: uploads waiting for their departments' pre-check."""
    return _precheck_list_render(request)


@login_required
@require_POST
def precheck_decide(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = _upload(request, upload_id)
    form = PrecheckDecisionForm(request.POST)
    if not form.is_valid():
        message = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return _precheck_list_render(request, status=400, errors={upload.pk: message})
    try:
        if form.cleaned_data["decision"] == "accept":
            actions.precheck_upload_accept(upload=upload, by=request.user)
        else:
            actions.precheck_upload_request_correction(
                upload=upload, by=request.user, reason=form.cleaned_data["reason"],
                reason_text=form.cleaned_data["reason_text"],
            )
    except DomainError as exc:
        _raise_for_page(exc)
        return _precheck_list_render(request, status=exc.status_code, errors={upload.pk: str(exc.message)})
    messages.success(request, _("Decision saved; the applicant has been told."))
    return redirect("services:precheck_list")


@login_required
@require_GET
def precheck_file(request: HttpRequest, file_id: int) -> HttpResponse:
    """One uploaded file, to the applicant, the checking department or the staff of a window serving
    the booking (``selectors.precheck_file_opener``); each access recorded."""
    try:
        file = selectors.precheck_file_get_for_user(user=request.user, file_id=file_id)
    except DomainError as exc:
        _raise_for_page(exc)
    actions.precheck_file_open(file=file, by=request.user)
    return private_file_response(file.file, filename=file.original_name, content_type=file.content_type,
                                 inline=file.content_type.startswith("image/"))


# --- The queue at the windows -----------------------------------------------------------------
def _require_hall_staff(request: HttpRequest) -> None:
    if not is_hall_staff(request.user):
        raise PermissionDenied(_("Only hall staff can use this page."))


@login_required
@require_POST
def booking_check_in(request: HttpRequest, reference: str) -> HttpResponse:
    """The applicant, inside the hall on the day, presses "check in" and gets a queue number."""
    booking = _booking(request, reference)
    try:
        ticket = actions.queue_check_in(booking=booking, by=request.user)
    except DomainError as exc:
        _raise_for_page(exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("You are checked in. Your number is %(number)s.") % {"number": ticket.code})
    return redirect("services:booking_detail", reference=booking.reference)


@login_required
@require_http_methods(["GET", "POST"])
def hall_desk(request: HttpRequest) -> HttpResponse:
    """The reception desk (/hall/desk/): check bookings in by reference or QR code, give walk-ins a number."""
    _require_hall_staff(request)
    check_in_form = DeskCheckInForm(prefix="checkin")
    walk_in_form = WalkInForm(prefix="walkin")
    status = 200
    if request.method == "POST":
        try:
            if "checkin-reference" in request.POST:
                check_in_form = DeskCheckInForm(request.POST, prefix="checkin")
                if not check_in_form.is_valid():
                    raise Invalid(_("Enter or scan the booking reference."))
                booking = selectors.booking_get_for_user(
                    user=request.user, reference=check_in_form.cleaned_data["reference"]
                )
                ticket = actions.queue_check_in(booking=booking, by=request.user)
            else:
                walk_in_form = WalkInForm(request.POST, prefix="walkin")
                if not walk_in_form.is_valid():
                    raise Invalid(_("Choose the service item."))
                ticket = actions.queue_walk_in(item=walk_in_form.cleaned_data["item"], by=request.user)
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise PermissionDenied(str(exc.message))
            messages.error(request, str(exc.message))
            status = 404 if isinstance(exc, NotFound) else exc.status_code
        else:
            messages.success(
                request, _("Number %(number)s for %(subject)s.") % {"number": ticket.code, "subject": ticket.subject}
            )
            return redirect("services:hall_desk")
    return render(
        request,
        "services/hall_desk.html",
        {
            "check_in_form": check_in_form,
            "walk_in_form": walk_in_form,
            "windows": selectors.window_list(user=request.user),
            "times": selectors.queue_times_today(),
        },
        status=status,
    )


def _window_seated(request: HttpRequest, window_id: int):
    try:
        window = selectors.window_get_for_user(user=request.user, window_id=window_id)
    except DomainError as exc:
        if not is_hall_staff(request.user):
            raise PermissionDenied(_("Only hall staff can use this page."))
        _raise_for_page(exc)
    if not selectors.window_is_seat(window=window, user=request.user):
        raise PermissionDenied(_("You do not sit at this window."))
    return window


@login_required
@require_GET
def hall_window(request: HttpRequest, window_id: int) -> HttpResponse:
    """A window's page (/hall/windows/<id>/) for the staff who sit at it: call next, recall, no-show, done."""
    window = _window_seated(request, window_id)
    current = selectors.queue_window_current(window=window)
    waiting = list(selectors.queue_waiting_for_window(window=window)[:20])
    # The called person's pre-checked materials: staff compare the originals with what was accepted.
    precheck = None
    if current is not None and current.booking_id:
        precheck = selectors.booking_precheck(current.booking)
        opens = selectors.precheck_file_opener(user=request.user, bookings=[current.booking])
        for row in precheck["rows"]:
            row["files_open"] = row["latest"] is not None and opens(row["latest"])
    return render(
        request,
        "services/hall_window.html",
        {
            "window": window,
            "current": current,
            "waiting": waiting,
            "waiting_count": selectors.queue_waiting_for_window(window=window).count(),
            "max_recalls": settings.QUEUE_MAX_RECALLS,
            "can_no_show": current is not None and current.recalls >= settings.QUEUE_MAX_RECALLS,
            "times": selectors.queue_times_today(window=window),
            "precheck": precheck,
        },
    )


@login_required
@require_POST
def hall_window_call(request: HttpRequest, window_id: int) -> HttpResponse:
    window = _window_seated(request, window_id)
    try:
        ticket = actions.queue_call_next(window=window, by=request.user)
    except DomainError as exc:
        _raise_for_page(exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Calling %(number)s.") % {"number": ticket.code})
    return redirect("services:hall_window", window_id=window.pk)


_TICKET_MOVES = {
    "recall": (actions.queue_recall, _("Number called again.")),
    "no-show": (actions.queue_no_show, _("Marked as a no-show.")),
    "done": (actions.queue_done, _("Done.")),
}


@login_required
@require_POST
def hall_ticket_move(request: HttpRequest, window_id: int, ticket_id: int, move: str) -> HttpResponse:
    """One press on the window's page: recall, no-show or done, for the number at this window."""
    window = _window_seated(request, window_id)
    if move not in _TICKET_MOVES:
        raise Http404()
    action, done_message = _TICKET_MOVES[move]
    try:
        ticket = selectors.queue_ticket_get_for_user(user=request.user, ticket_id=ticket_id)
        if ticket.window_id != window.pk:
            raise NotFound(_("This number is not at this window."))
        action(ticket=ticket, by=request.user)
    except DomainError as exc:
        _raise_for_page(exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, str(done_message))
    return redirect("services:hall_window", window_id=window.pk)


@require_GET
def hall_screen(request: HttpRequest) -> HttpResponse:
    """The hall's calling screen (/hall/screen/): no sign-in, numbers and windows only, reloads itself."""
    return render(
        request,
        "services/hall_screen.html",
        {**selectors.queue_screen(), "refresh_seconds": settings.QUEUE_SCREEN_REFRESH_SECONDS},
    )


# --- 好差评: evaluating a booking, rectifications, the figures' CSV -------------------------------
def _booking_evaluation_context(booking: Booking, *, owner: bool, evaluation_form=None) -> dict:
    """The booking page's evaluation card: the stages still open, those given (with their
    rectification), and the 办不成事 link to the ideas form, pre-filled (services imports nothing
    of suggestions: the template reverses its URL by name and the form reads these parameters)."""
    from urllib.parse import urlencode

    if not owner:
        return {"evaluations": None}
    subject = booking.slot.subject
    item = booking.slot.item
    department = item.department.name if item is not None else ""
    blocker = urlencode({
        "kind": "blocker", "category": "service",
        "title": _("Could not get it done: %(service)s") % {"service": subject},
        "content": _("Booking %(reference)s, %(service)s%(department)s: the matter could not be settled. What happened: ")
        % {"reference": booking.reference, "service": subject,
           "department": f" ({department})" if department else ""},
    })
    evaluations = selectors.booking_evaluations(booking)
    form = forms.EvaluationForm()
    refused: list[str] = []
    if evaluation_form is not None:
        if evaluation_form.data.get("stage") in list(evaluations["open"])[:1]:
            # The refused form again, with the grade and comment as given and each error beside its field.
            form = evaluation_form
            refused = [str(error) for error in evaluation_form.non_field_errors()]
            refused += [str(error) for error in evaluation_form.errors.get("stage", [])]
        else:
            # Its stage is no longer offered (given meanwhile, or a stale page): say why above the card.
            refused = [str(error) for errors in evaluation_form.errors.values() for error in errors]
    return {"evaluations": evaluations, "evaluation_form": form, "evaluation_refused": refused,
            "blocker_query": blocker}


@login_required
@require_POST
def booking_evaluate(request: HttpRequest, reference: str) -> HttpResponse:
    """The applicant rates the booking at the stage the form names (好差评, one per stage)."""
    booking = _booking(request, reference)
    form = forms.EvaluationForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            evaluation = actions.evaluation_create(booking=booking, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _raise_for_page(exc)
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            status = exc.status_code
        else:
            if hasattr(evaluation, "rectification"):
                messages.success(request, _("Thank you. We are sorry it did not go well: the department will call "
                                            "you back and tell you what it changed."))
            else:
                messages.success(request, _("Thank you for your evaluation."))
            return redirect(reverse("services:booking_detail", kwargs={"reference": booking.reference}) + "#evaluate")
    # A refusal shows the booking page again, the grade and comment as given, each error beside its field.
    return _booking_detail_render(request, booking, evaluation_form=form, status=status)


def _rectification(request: HttpRequest, rectification_id) -> Rectification:
    try:
        return selectors.rectification_get_for_user(user=request.user, rectification_id=rectification_id)
    except DomainError as exc:
        _raise_for_page(exc)


@login_required
@require_GET
def rectification_list(request: HttpRequest) -> HttpResponse:
    """The rectifications of the officer's departments (all of them for hall staff and reviewers),
    pending first by deadline."""
    if not selectors.rectification_can_use_list(request.user):
        raise PermissionDenied(_("The rectifications are for the departments' officers and hall staff."))
    status = request.GET.get("status", "")
    page = Paginator(selectors.rectification_list(user=request.user, status=status), 30).get_page(request.GET.get("page"))
    return render(request, "services/rectification_list.html", {
        "page": page, "status": status, "statuses": Rectification.Status.choices,
        "can_export": is_hall_staff(request.user),
    })


def _rectification_render(request: HttpRequest, rectification: Rectification, *, forms_bound: dict | None = None,
                          status: int = 200) -> HttpResponse:
    officer = selectors.rectification_officer_is(rectification=rectification, user=request.user)
    person = rectification.evaluation.booking.user_id == request.user.pk
    bound = forms_bound or {}
    return render(request, "services/rectification_detail.html", {
        "rectification": rectification, "evaluation": rectification.evaluation,
        "events": selectors.rectification_events(rectification), "officer": officer, "person": person,
        "callback_form": bound.get("callback") or forms.RectificationCallbackForm(),
        "outcome_form": bound.get("outcome") or forms.RectificationOutcomeForm(),
        "response_form": bound.get("response") or forms.RectificationResponseForm(),
    }, status=status)


@login_required
@require_GET
def rectification_detail(request: HttpRequest, rectification_id: int) -> HttpResponse:
    return _rectification_render(request, _rectification(request, rectification_id))


def _rectification_post(request, rectification_id, *, key: str, form_class, act) -> HttpResponse:
    rectification = _rectification(request, rectification_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(rectification, form.cleaned_data)
        except DomainError as exc:
            _raise_for_page(exc)
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            return _rectification_render(request, rectification, forms_bound={key: form}, status=exc.status_code)
        messages.success(request, _("Saved."))
        return redirect("services:rectification_detail", rectification_id=rectification.pk)
    return _rectification_render(request, rectification, forms_bound={key: form}, status=400)


@login_required
@require_POST
def rectification_callback(request: HttpRequest, rectification_id: int) -> HttpResponse:
    def act(rectification, data):
        contacted_at = data["contacted_at"]
        if contacted_at is not None and timezone.is_naive(contacted_at):
            contacted_at = timezone.make_aware(contacted_at)
        actions.rectification_callback(rectification=rectification, contacted=data["contacted"], note=data["note"],
                                       contacted_at=contacted_at, by=request.user)
    return _rectification_post(request, rectification_id, key="callback", form_class=forms.RectificationCallbackForm,
                               act=act)


@login_required
@require_POST
def rectification_outcome(request: HttpRequest, rectification_id: int) -> HttpResponse:
    def act(rectification, data):
        actions.rectification_answer(rectification=rectification, outcome=data["outcome"], text=data["text"],
                                     by=request.user)
    return _rectification_post(request, rectification_id, key="outcome", form_class=forms.RectificationOutcomeForm,
                               act=act)


@login_required
@require_POST
def rectification_respond(request: HttpRequest, rectification_id: int) -> HttpResponse:
    def act(rectification, data):
        actions.rectification_respond(rectification=rectification, accepted=data["accepted"], note=data["note"],
                                      by=request.user)
    return _rectification_post(request, rectification_id, key="response", form_class=forms.RectificationResponseForm,
                               act=act)


EVALUATION_CSV_GROUPS = ("item", "window", "staff", "department", "month")


@login_required
@require_GET
def evaluation_csv(request: HttpRequest) -> HttpResponse:
    """Hall staff: the 好差评 figures as CSV, one row per service item, window, staff member,
    department and month (``?by=`` one of them; all by default)."""
    from portal.exports import csv_response

    if not is_hall_staff(request.user):
        raise PermissionDenied(_("Only hall staff can export the evaluation figures."))
    wanted = request.GET.get("by", "")
    if wanted and wanted not in EVALUATION_CSV_GROUPS:
        return HttpResponse(_("by is one of: %(groups)s") % {"groups": ", ".join(EVALUATION_CSV_GROUPS)},
                            status=400, content_type="text/plain; charset=utf-8")
    groups = [wanted] if wanted else list(EVALUATION_CSV_GROUPS)
    names = {"item": _("Service item"), "window": _("Window"), "staff": _("Staff member"),
             "department": _("Department"), "month": _("Month")}
    columns = ["evaluations", "satisfaction", "very_satisfied_share", "bad", "rectifications", "called_back",
               "callback_rate", "answered", "rectification_rate", "on_time", "on_time_rate"]

    def rows():
        for group in groups:
            for row in selectors.evaluation_figures(by=group):
                yield [names[group], row["label"] or "—", *[row[column] for column in columns]]

    return csv_response(
        filename=f"evaluations-{timezone.localdate():%Y%m%d}.csv",
        header=[_("Per"), _("Name"), _("Evaluations"), _("Satisfaction (%)"), _("Very satisfied (%)"),
                _("Bad reviews"), _("Rectifications"), _("Called back"), _("Callback rate (%)"),
                _("Outcome given"), _("Rectification rate (%)"), _("On time"), _("On-time rate (%)")],
        rows=rows(),
    )
