from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.roles import HasRole, Role, is_hall_staff
from services import actions, selectors
from services.exceptions import Forbidden, Invalid, NotFound
from services.models import (
    Booking,
    Bundle,
    Evaluation,
    Grade,
    Material,
    PrecheckReason,
    PrecheckUpload,
    Rectification,
    ServiceItem,
)


class _BookingApiMixin:
    filter_backends: list = []


# Serializers: output only; every rule lives in services.actions.
class MaterialOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()


class StepOutput(serializers.Serializer):
    position = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class ServiceItemOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    stage = serializers.CharField()
    stage_label = serializers.CharField(source="get_stage_display")
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    legal_days = serializers.IntegerField()
    promised_days = serializers.IntegerField()
    visits = serializers.IntegerField()
    fee = serializers.DecimalField(max_digits=9, decimal_places=2)
    bookable = serializers.BooleanField()


class ServiceItemDetailOutput(ServiceItemOutput):
    description = serializers.CharField()
    materials = MaterialOutput(many=True, source="materials.all")
    steps = StepOutput(many=True, source="steps.all")
    bundles = serializers.SerializerMethodField()

    def get_bundles(self, item) -> list[dict]:
        return [{"slug": bundle.slug, "name": bundle.name} for bundle in item.bundles.all()]


class SavingsOutput(serializers.Serializer):
    separate_steps = serializers.IntegerField()
    bundle_steps = serializers.IntegerField()
    separate_materials = serializers.IntegerField()
    bundle_materials = serializers.IntegerField()
    separate_visits = serializers.IntegerField()
    bundle_visits = serializers.IntegerField()
    separate_days = serializers.IntegerField()
    bundle_days = serializers.IntegerField()
    steps_saved_percent = serializers.IntegerField()
    materials_saved_percent = serializers.IntegerField()
    visits_saved_percent = serializers.IntegerField()
    days_saved_percent = serializers.IntegerField()


class BundleOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    summary = serializers.CharField()
    item_count = serializers.SerializerMethodField()
    savings = serializers.SerializerMethodField()

    def get_item_count(self, bundle) -> int:
        return len(bundle.bundle_items.all())

    @extend_schema_field(SavingsOutput)
    def get_savings(self, bundle) -> dict:
        return selectors.bundle_savings(bundle)


class BundleEntryOutput(serializers.Serializer):
    position = serializers.IntegerField()
    code = serializers.CharField(source="item.code")
    name = serializers.CharField(source="item.name")
    department = serializers.CharField(source="item.department.name")
    promised_days = serializers.IntegerField(source="item.promised_days")
    visits = serializers.IntegerField(source="item.visits")
    requires = serializers.CharField(source="requires.code", default=None)


class BundleMaterialOutput(MaterialOutput):
    issued_by = serializers.CharField(
        allow_null=True, help_text="Code of the earlier item of the bundle that issues it: nothing to upload or bring."
    )


class BundleDetailOutput(BundleOutput):
    description = serializers.CharField()
    items = BundleEntryOutput(many=True, source="bundle_items.all")
    materials = serializers.SerializerMethodField()

    @extend_schema_field(BundleMaterialOutput(many=True))
    def get_materials(self, bundle) -> list[dict]:
        return [
            {**MaterialOutput(row["material"]).data, "issued_by": row["issued_by"].code if row["issued_by"] else None}
            for row in selectors.bundle_material_rows(bundle)
        ]


class SlotOutput(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    remaining = serializers.IntegerField()
    is_open = serializers.BooleanField()
    bundle = serializers.CharField(source="bundle.slug", default=None)
    service = serializers.CharField(source="item.code", default=None)


class BookingOutput(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    slot = serializers.IntegerField(source="slot_id")
    starts_at = serializers.DateTimeField(source="slot.starts_at")
    ends_at = serializers.DateTimeField(source="slot.ends_at")
    bundle = serializers.CharField(source="slot.bundle.slug", default=None)
    service = serializers.CharField(source="slot.item.code", default=None)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    settled_in_one_visit = serializers.BooleanField(allow_null=True)
    can_change = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField()

    def get_can_change(self, booking) -> bool:
        return selectors.booking_can_change(booking)

    def get_ics_url(self, booking) -> str:
        return reverse("api-booking-ics", kwargs={"reference": booking.reference})


def _filters_params(*names: str) -> list:
    return [OpenApiParameter(name, str, required=False) for name in names]


class ServiceItemListApi(_BookingApiMixin, generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = ServiceItemOutput

    @extend_schema(parameters=_filters_params("stage", "department", "bookable", "search"))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.service_item_list(filters=self.request.query_params)


class ServiceItemDetailApi(_BookingApiMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ServiceItemDetailOutput)
    def get(self, request, code: str):
        return Response(ServiceItemDetailOutput(selectors.service_item_get(code=code)).data)


class BundleListApi(_BookingApiMixin, generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = BundleOutput

    @extend_schema(parameters=_filters_params("search", "service"))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.bundle_list(filters=self.request.query_params)


class BundleDetailApi(_BookingApiMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=BundleDetailOutput)
    def get(self, request, slug: str):
        return Response(BundleDetailOutput(selectors.bundle_get(slug=slug)).data)


class SlotListApi(_BookingApiMixin, generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = SlotOutput

    @extend_schema(parameters=_filters_params("bundle", "service", "date_from", "date_to", "available"))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.slot_list(filters=self.request.query_params)


class BookingListCreateApi(_BookingApiMixin, generics.ListAPIView):
    """GET: my bookings (hall staff: all). POST: book a slot."""

    permission_classes = [IsAuthenticated]
    serializer_class = BookingOutput

    class BookingCreateInputSerializer(serializers.Serializer):
        slot = serializers.IntegerField(label=_("Slot"))
        bundle = serializers.SlugField(label=_("Bundle"), required=False, allow_blank=True)
        service = serializers.SlugField(label=_("Service item"), required=False, allow_blank=True)
        note = serializers.CharField(label=_("Note"), required=False, allow_blank=True, max_length=500, default="")

        def validate(self, data):
            if data.get("bundle") and data.get("service"):
                raise serializers.ValidationError({"service": [_("Choose a bundle or a service item, not both.")]})
            # The slot with its bundle and item in one query; the bundle or item named is looked
            # up on its own only when it is not the slot's (to tell which error it is).
            try:
                slot = selectors.slot_get(slot_id=data["slot"])
            except Invalid:
                slot = None  # told by booking_create's own slot_get, after the subject's errors
            data["found_slot"] = slot
            data["bundle"] = self._subject(slot and slot.bundle, data.get("bundle"), Bundle, "slug", "bundle",
                                           _("There is no bundle with this name."))
            data["service"] = self._subject(slot and slot.item, data.get("service"), ServiceItem, "code",
                                            "service", _("There is no service item with this code."))
            return data

        @staticmethod
        def _subject(of_slot, wanted: str | None, model, key: str, field: str, missing: str):
            if not wanted:
                return None
            if of_slot is not None and getattr(of_slot, key) == wanted:
                return of_slot
            found = model.objects.filter(**{key: wanted}).first()
            if found is None:
                raise serializers.ValidationError({field: [missing]})
            return found

    @extend_schema(parameters=_filters_params("status", "date", "bundle", "search"))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.booking_list(user=self.request.user, filters=self.request.query_params)

    @extend_schema(request=BookingCreateInputSerializer, responses={201: BookingOutput})
    def post(self, request):
        serializer = self.BookingCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        booking = actions.booking_create(
            slot=data["found_slot"] or selectors.slot_get(slot_id=data["slot"]),  # the latter: a 400
            bundle=data.get("bundle"),
            item=data.get("service"),
            note=data.get("note", ""),
            by=request.user,
        )
        # The booking in hand has its slot, bundle and item: no need to read it back.
        return Response(BookingOutput(booking).data, status=status.HTTP_201_CREATED)


class _BookingObjectApi(_BookingApiMixin, APIView):
    permission_classes = [IsAuthenticated]

    def booking(self, reference: str) -> Booking:
        return selectors.booking_get_for_user(user=self.request.user, reference=reference)

    def fresh(self, booking: Booking) -> Response:
        booking = selectors.booking_get_for_user(user=self.request.user, reference=booking.reference)
        return Response(BookingOutput(booking).data)


class BookingDetailApi(_BookingObjectApi):
    @extend_schema(responses=BookingOutput)
    def get(self, request, reference: str):
        return Response(BookingOutput(self.booking(reference)).data)


class BookingCancelApi(_BookingObjectApi):
    @extend_schema(request=None, responses=BookingOutput)
    def post(self, request, reference: str):
        booking = actions.booking_cancel(booking=self.booking(reference), by=request.user)
        return self.fresh(booking)


class BookingRescheduleApi(_BookingObjectApi):
    class BookingRescheduleInputSerializer(serializers.Serializer):
        slot = serializers.IntegerField(label=_("Slot"))

    @extend_schema(request=BookingRescheduleInputSerializer, responses=BookingOutput)
    def post(self, request, reference: str):
        booking = self.booking(reference)
        serializer = self.BookingRescheduleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = actions.booking_reschedule(
            booking=booking, slot=selectors.slot_get(slot_id=serializer.validated_data["slot"]), by=request.user
        )
        return self.fresh(booking)


class BookingCheckInApi(_BookingObjectApi):
    @extend_schema(request=None, responses=BookingOutput)
    def post(self, request, reference: str):
        return self.fresh(actions.booking_check_in(booking=self.booking(reference), by=request.user))


class BookingCompleteApi(_BookingObjectApi):
    class BookingCompleteInputSerializer(serializers.Serializer):
        settled_in_one_visit = serializers.BooleanField(
            label=_("Settled in one visit"), required=False, default=True,
            help_text="false when the applicant has to come back (最多跑一次 not met).",
        )

    @extend_schema(request=BookingCompleteInputSerializer, responses=BookingOutput)
    def post(self, request, reference: str):
        booking = self.booking(reference)
        serializer = self.BookingCompleteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.fresh(actions.booking_complete(
            booking=booking, by=request.user, settled_in_one_visit=serializer.validated_data["settled_in_one_visit"],
        ))


class BookingNoShowApi(_BookingObjectApi):
    @extend_schema(request=None, responses=BookingOutput)
    def post(self, request, reference: str):
        return self.fresh(actions.booking_mark_no_show(booking=self.booking(reference), by=request.user))


class BookingIcsApi(_BookingObjectApi):
    @extend_schema(responses={(200, "text/calendar"): bytes})
    def get(self, request, reference: str):
        booking = self.booking(reference)
        if booking.user_id != request.user.pk:
            raise Forbidden(_("Only the applicant can download the calendar entry."))
        return booking_ics_response(booking)


def booking_ics_response(booking: Booking) -> HttpResponse:
    response = HttpResponse(selectors.booking_calendar(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="booking-{booking.reference}.ics"'
    return response


# --- pre-check of materials (材料预审) ---------------------------------------------------------
class PrecheckFileOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    pages = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="Download (each access is recorded); null once deleted.")

    def get_url(self, file) -> str | None:
        return reverse("api-precheck-file", kwargs={"file_id": file.pk}) if file.file else None


class PrecheckUploadOutput(serializers.Serializer):
    id = serializers.IntegerField()
    booking = serializers.CharField(source="booking.reference")
    material = serializers.IntegerField(source="material_id")
    material_name = serializers.CharField(source="material.name")
    department = serializers.CharField(source="department.code")
    version = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    uploaded_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    due_state = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    reason_label = serializers.CharField(source="get_reason_display")
    reason_text = serializers.CharField()
    files_deleted_at = serializers.DateTimeField(allow_null=True)
    files = PrecheckFileOutput(many=True, source="files.all")


class PrecheckMaterialOutput(serializers.Serializer):
    material = serializers.IntegerField(source="material.pk")
    name = serializers.CharField(source="material.name")
    department = serializers.CharField(source="department.code")
    issued_by = serializers.CharField(source="issued_by.code", default=None, allow_null=True)
    can_upload = serializers.BooleanField()
    latest = PrecheckUploadOutput(allow_null=True)
    versions = PrecheckUploadOutput(many=True)


class BookingPrecheckOutput(serializers.Serializer):
    needed = serializers.IntegerField()
    accepted = serializers.IntegerField()
    ready = serializers.BooleanField()
    open = serializers.BooleanField(help_text="Whether uploads are still taken.")
    materials = PrecheckMaterialOutput(many=True, source="rows")


class BookingPrecheckApi(_BookingObjectApi):
    """GET: what the booking needs, each material's latest and earlier versions, and readiness.
    POST (multipart, the applicant): upload a version of one material, ``files`` repeated per page."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class PrecheckUploadInputSerializer(serializers.Serializer):
        material = serializers.IntegerField(label=_("Material"))
        files = serializers.ListField(child=serializers.FileField(), label=_("Files"), allow_empty=False,
                                      help_text="One or more images (JPEG, PNG, GIF, WebP) or PDFs.")

    def _out(self, booking: Booking) -> dict:
        readiness = selectors.booking_precheck(booking)
        readiness["open"] = selectors.booking_precheck_open(booking)
        return BookingPrecheckOutput(readiness).data

    @extend_schema(responses=BookingPrecheckOutput)
    def get(self, request, reference: str):
        return Response(self._out(self.booking(reference)))

    @extend_schema(
        request={"multipart/form-data": PrecheckUploadInputSerializer},
        responses={201: PrecheckUploadOutput},
    )
    def post(self, request, reference: str):
        booking = self.booking(reference)
        data = request.data
        if hasattr(data, "getlist"):  # multipart: every "files" part, not only the last
            data = {"material": data.get("material"), "files": request.FILES.getlist("files")}
        serializer = self.PrecheckUploadInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        material = Material.objects.filter(pk=serializer.validated_data["material"]).first()
        if material is None:
            raise Invalid(_("This booking does not need this material."), code="material_not_needed", field="material")
        upload = actions.precheck_upload_create(
            booking=booking, material=material, files=serializer.validated_data["files"], by=request.user
        )
        upload = selectors.precheck_upload_get_for_user(user=request.user, upload_id=upload.pk)
        return Response(PrecheckUploadOutput(upload).data, status=status.HTTP_201_CREATED)


class PrecheckUploadListApi(_BookingApiMixin, generics.ListAPIView):
    """Uploads: a department officer sees their departments', hall staff all, an applicant their own."""

    permission_classes = [IsAuthenticated]
    serializer_class = PrecheckUploadOutput

    @extend_schema(parameters=_filters_params("status", "department", "booking"))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.precheck_upload_list(user=self.request.user, filters=self.request.query_params)


class _PrecheckUploadObjectApi(_BookingApiMixin, APIView):
    permission_classes = [IsAuthenticated]

    def upload(self, upload_id) -> PrecheckUpload:
        return selectors.precheck_upload_get_for_user(user=self.request.user, upload_id=upload_id)

    def fresh(self, upload: PrecheckUpload) -> Response:
        return Response(PrecheckUploadOutput(self.upload(upload.pk)).data)


_DECISION_RESPONSES = {200: PrecheckUploadOutput}


class PrecheckUploadDetailApi(_PrecheckUploadObjectApi):
    @extend_schema(responses={200: PrecheckUploadOutput})
    def get(self, request, upload_id: int):
        return Response(PrecheckUploadOutput(self.upload(upload_id)).data)


class PrecheckUploadAcceptApi(_PrecheckUploadObjectApi):
    @extend_schema(request=None, responses=_DECISION_RESPONSES)
    def post(self, request, upload_id: int):
        return self.fresh(actions.precheck_upload_accept(upload=self.upload(upload_id), by=request.user))


class PrecheckUploadCorrectionApi(_PrecheckUploadObjectApi):
    class PrecheckCorrectionInputSerializer(serializers.Serializer):
        reason = serializers.ChoiceField(label=_("Reason"), choices=PrecheckReason.choices, required=False,
                                         allow_blank=True, default="")
        reason_text = serializers.CharField(label=_("Explanation"), required=False, allow_blank=True,
                                            max_length=500, default="")

    @extend_schema(request=PrecheckCorrectionInputSerializer, responses=_DECISION_RESPONSES)
    def post(self, request, upload_id: int):
        upload = self.upload(upload_id)
        serializer = self.PrecheckCorrectionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.fresh(actions.precheck_upload_request_correction(
            upload=upload, by=request.user, **serializer.validated_data
        ))


class PrecheckUploadWithdrawApi(_PrecheckUploadObjectApi):
    @extend_schema(request=None, responses=_DECISION_RESPONSES)
    def post(self, request, upload_id: int):
        return self.fresh(actions.precheck_upload_withdraw(upload=self.upload(upload_id), by=request.user))


class PrecheckFileApi(_BookingApiMixin, APIView):
    """One uploaded file, to the applicant, the checking department or the staff of a window serving
    the booking (403 for other hall staff); each access recorded."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, file_id: int):
        from portal.files import private_file_response

        file = selectors.precheck_file_get_for_user(user=request.user, file_id=file_id)
        actions.precheck_file_open(file=file, by=request.user)
        return private_file_response(file.file, filename=file.original_name, content_type=file.content_type)


# --- The queue at the windows -----------------------------------------------------------------
class QueueTicketOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(source="code", help_text="The queue number as shown and called, e.g. A012.")
    zone = serializers.CharField(source="zone.letter")
    day = serializers.DateField()
    kind = serializers.CharField(help_text="booked or walk_in.")
    status = serializers.CharField()
    service = serializers.CharField(source="item.code", allow_null=True, default=None)
    bundle = serializers.CharField(source="bundle.slug", allow_null=True, default=None)
    booking = serializers.CharField(source="booking.reference", allow_null=True, default=None)
    window = serializers.IntegerField(source="window.number", allow_null=True, default=None)
    recalls = serializers.IntegerField()
    checked_in_at = serializers.DateTimeField()
    called_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, ticket):
        data = super().to_representation(ticket)
        data["kind"] = "booked" if ticket.kind == ticket.Kind.BOOKED else "walk_in"
        return data


class MyQueueTicketOutput(QueueTicketOutput):
    ahead = serializers.IntegerField(help_text="Waiting people who will be called before this number.")


class WindowOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    zone = serializers.CharField(source="zone.letter")
    zone_name = serializers.CharField(source="zone.name")
    is_open = serializers.BooleanField()
    services = serializers.SerializerMethodField()
    staff = serializers.SerializerMethodField()
    seated = serializers.SerializerMethodField(help_text="Whether the requester sits at this window.")

    def get_services(self, window) -> list[str]:
        return [item.code for item in window.items.all()]

    def get_staff(self, window) -> list[str]:
        return [person.get_username() for person in window.staff.all()]

    def get_seated(self, window) -> bool:
        return selectors.window_is_seat(window=window, user=self.context["request"].user)


class WindowListApi(_BookingApiMixin, generics.ListAPIView):
    """The hall's windows with their services and staff (hall staff only)."""

    permission_classes = [HasRole.of(Role.HALL_STAFF)]
    serializer_class = WindowOutput

    def get_queryset(self):
        return selectors.window_list(user=self.request.user)


def _ticket_response(ticket, *, user, status_code: int = status.HTTP_200_OK) -> Response:
    ticket = selectors.queue_ticket_get_for_user(user=user, ticket_id=ticket.pk) if is_hall_staff(user) else ticket
    return Response(QueueTicketOutput(ticket).data, status=status_code)


class QueueCheckInApi(APIView):
    """Check a booking in on its day and give it a number: hall staff at the desk for anyone booked
    today, the applicant themselves around their slot's time. 409 on another day, twice, or outside
    the self check-in window."""

    permission_classes = [IsAuthenticated]

    class QueueCheckInInputSerializer(serializers.Serializer):
        reference = serializers.CharField(label=_("Booking reference"), max_length=12)

    @extend_schema(request=QueueCheckInInputSerializer, responses={201: QueueTicketOutput})
    def post(self, request):
        serializer = self.QueueCheckInInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = selectors.booking_get_for_user(user=request.user, reference=serializer.validated_data["reference"])
        ticket = actions.queue_check_in(booking=booking, by=request.user)
        return _ticket_response(ticket, user=request.user, status_code=status.HTTP_201_CREATED)


class QueueWalkInApi(APIView):
    """A number for a person without a booking, for one service item (hall staff)."""

    permission_classes = [HasRole.of(Role.HALL_STAFF)]

    class QueueWalkInInputSerializer(serializers.Serializer):
        service = serializers.SlugField(label=_("Service item"))

        def validate_service(self, value):
            item = ServiceItem.objects.filter(code=value).first()
            if item is None:
                raise serializers.ValidationError(_("There is no service item with this code."))
            return item

    @extend_schema(request=QueueWalkInInputSerializer, responses={201: QueueTicketOutput})
    def post(self, request):
        serializer = self.QueueWalkInInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = actions.queue_walk_in(item=serializer.validated_data["service"], by=request.user)
        return _ticket_response(ticket, user=request.user, status_code=status.HTTP_201_CREATED)


class WindowCallNextApi(APIView):
    """Call the next person for this window's services: only staff who sit at it (else 403); 409
    while a number is still at the window or when nobody waits."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=QueueTicketOutput)
    def post(self, request, window_id: int):
        window = selectors.window_get_for_user(user=request.user, window_id=window_id)
        return _ticket_response(actions.queue_call_next(window=window, by=request.user), user=request.user)


class _QueueTicketMoveApi(APIView):
    permission_classes = [IsAuthenticated]
    move = staticmethod(actions.queue_done)

    @extend_schema(request=None, responses=QueueTicketOutput)
    def post(self, request, ticket_id: int):
        ticket = selectors.queue_ticket_get_for_user(user=request.user, ticket_id=ticket_id)
        return _ticket_response(type(self).move(ticket=ticket, by=request.user), user=request.user)


class QueueTicketRecallApi(_QueueTicketMoveApi):
    """Call the number again (staff at the window it was called to; else 403)."""

    move = staticmethod(actions.queue_recall)


class QueueTicketNoShowApi(_QueueTicketMoveApi):
    """The person did not come: allowed after QUEUE_MAX_RECALLS recalls (409 before)."""

    move = staticmethod(actions.queue_no_show)


class QueueTicketDoneApi(_QueueTicketMoveApi):
    """The window has served the person."""

    move = staticmethod(actions.queue_done)


class BookingTicketApi(_BookingObjectApi):
    """The booking's queue number and how many are ahead (the applicant or hall staff); 404 before check-in."""

    @extend_schema(responses=MyQueueTicketOutput)
    def get(self, request, reference: str):
        booking = self.booking(reference)
        ticket = selectors.booking_ticket(booking)
        if ticket is None:
            raise NotFound(_("This booking has not been checked in yet."))
        ticket.ahead = selectors.queue_ahead(ticket=ticket)
        return Response(MyQueueTicketOutput(ticket).data)


class QueueCallOutput(serializers.Serializer):
    window = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    spoken = serializers.CharField(help_text="The call as read aloud, in the request's language.")


class QueueStateOutput(serializers.Serializer):
    windows = QueueCallOutput(many=True)
    latest = QueueCallOutput(allow_null=True)
    waiting = serializers.IntegerField(help_text="People waiting in the hall now.")


class QueueStateApi(APIView):
    """What the calling screen shows, for other screens: numbers and windows only, no sign-in."""

    permission_classes = [AllowAny]

    @extend_schema(responses=QueueStateOutput)
    def get(self, request):
        screen = selectors.queue_screen()
        latest = screen["latest"]
        return Response(QueueStateOutput({
            "windows": [
                {"window": row["window"].number, "number": row["ticket"].code if row["ticket"] else None,
                 "spoken": row["spoken"]}
                for row in screen["windows"]
            ],
            "latest": {"window": latest.window.number, "number": latest.code, "spoken": screen["latest_spoken"]}
            if latest else None,
            "waiting": screen["waiting"],
        }).data)


# --- 好差评: evaluations and rectifications -------------------------------------------------------
class EvaluationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    booking = serializers.CharField(source="booking.reference")
    stage = serializers.CharField()
    grade = serializers.IntegerField(help_text="5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意 (2 and 1 are bad reviews).")
    grade_label = serializers.CharField(source="get_grade_display")
    comment = serializers.CharField()
    service = serializers.CharField(source="item.code", default=None)
    window = serializers.IntegerField(source="window.number", default=None)
    staff = serializers.CharField(source="staff.display_name", default=None)
    created_at = serializers.DateTimeField()
    rectification = serializers.SerializerMethodField()

    def get_rectification(self, evaluation) -> int | None:
        rectification = getattr(evaluation, "rectification", None) if evaluation.is_bad else None
        return rectification.pk if rectification else None


class EvaluationListCreateApi(_BookingApiMixin, generics.ListAPIView):
    """GET the person's own evaluations; POST rates one of their bookings at one stage (好差评):
    409 ``already_rated`` at a stage rated before, 404 for another person's booking."""

    permission_classes = [IsAuthenticated]
    serializer_class = EvaluationOutput

    class EvaluationInputSerializer(serializers.Serializer):
        booking = serializers.CharField(label=_("Booking reference"), max_length=12)
        stage = serializers.ChoiceField(label=_("Stage"), choices=Evaluation.Stage.choices)
        grade = serializers.ChoiceField(label=_("Grade"), choices=Grade.choices)
        comment = serializers.CharField(label=_("Comment"), required=False, allow_blank=True, max_length=1000,
                                        default="")

    def get_queryset(self):
        return selectors.evaluation_list(user=self.request.user)

    @extend_schema(request=EvaluationInputSerializer, responses={201: EvaluationOutput})
    def post(self, request):
        serializer = self.EvaluationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        booking = selectors.booking_get_for_user(user=request.user, reference=data["booking"])
        evaluation = actions.evaluation_create(booking=booking, stage=data["stage"], grade=data["grade"],
                                               comment=data["comment"], by=request.user)
        return Response(EvaluationOutput(evaluation).data, status=status.HTTP_201_CREATED)


class RectificationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    booking = serializers.CharField(source="evaluation.booking.reference")
    stage = serializers.CharField(source="evaluation.stage")
    grade = serializers.IntegerField(source="evaluation.grade")
    comment = serializers.CharField(source="evaluation.comment")
    service = serializers.CharField(source="evaluation.item.code", default=None)
    window = serializers.IntegerField(source="evaluation.window.number", default=None)
    opened_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    due_state = serializers.CharField()
    contacted = serializers.BooleanField(allow_null=True)
    contacted_at = serializers.DateTimeField(allow_null=True)
    callback_note = serializers.CharField()
    outcome = serializers.CharField()
    outcome_text = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    response_note = serializers.CharField()
    responded_at = serializers.DateTimeField(allow_null=True)


class RectificationListApi(_BookingApiMixin, generics.ListAPIView):
    """Rectifications: an officer sees their departments', hall staff and committee reviewers all,
    the person those of their own reviews."""

    permission_classes = [IsAuthenticated]
    serializer_class = RectificationOutput

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=Rectification.Status.values)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.rectification_list(user=self.request.user, status=self.request.query_params.get("status"))


class _RectificationObjectApi(_BookingApiMixin, APIView):
    permission_classes = [IsAuthenticated]

    def rectification(self, rectification_id) -> Rectification:
        return selectors.rectification_get_for_user(user=self.request.user, rectification_id=rectification_id)

    def fresh(self, rectification: Rectification) -> Response:
        return Response(RectificationOutput(self.rectification(rectification.pk)).data)


class RectificationDetailApi(_RectificationObjectApi):
    @extend_schema(responses=RectificationOutput)
    def get(self, request, rectification_id: int):
        return Response(RectificationOutput(self.rectification(rectification_id)).data)


class RectificationCallbackApi(_RectificationObjectApi):
    """The department's officer records the callback (回访); once."""

    class RectificationCallbackInputSerializer(serializers.Serializer):
        contacted = serializers.BooleanField(label=_("Person reached"))
        contacted_at = serializers.DateTimeField(label=_("When"), required=False, allow_null=True, default=None)
        note = serializers.CharField(label=_("What the callback found"), max_length=2000)

    @extend_schema(request=RectificationCallbackInputSerializer, responses=RectificationOutput)
    def post(self, request, rectification_id: int):
        rectification = self.rectification(rectification_id)
        serializer = self.RectificationCallbackInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.fresh(actions.rectification_callback(rectification=rectification, by=request.user,
                                                         **serializer.validated_data))


class RectificationOutcomeApi(_RectificationObjectApi):
    """The department's officer gives the outcome, with its required text (400 without)."""

    class RectificationOutcomeInputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(label=_("Outcome"), choices=Rectification.Outcome.choices)
        text = serializers.CharField(label=_("Explanation"), max_length=2000)

    @extend_schema(request=RectificationOutcomeInputSerializer, responses=RectificationOutput)
    def post(self, request, rectification_id: int):
        rectification = self.rectification(rectification_id)
        serializer = self.RectificationOutcomeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.fresh(actions.rectification_answer(rectification=rectification, by=request.user,
                                                       **serializer.validated_data))


class _RectificationResponseInputSerializer(serializers.Serializer):
    note = serializers.CharField(label=_("Note"), required=False, allow_blank=True, max_length=1000, default="")


class RectificationAcceptApi(_RectificationObjectApi):
    """The person accepts the outcome."""

    accepted = True

    @extend_schema(request=_RectificationResponseInputSerializer, responses=RectificationOutput)
    def post(self, request, rectification_id: int):
        rectification = self.rectification(rectification_id)
        serializer = _RectificationResponseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.fresh(actions.rectification_respond(rectification=rectification, accepted=self.accepted,
                                                        note=serializer.validated_data["note"], by=request.user))


class RectificationRejectApi(RectificationAcceptApi):
    """The person does not accept the outcome."""

    accepted = False

    @extend_schema(request=_RectificationResponseInputSerializer, responses=RectificationOutput)
    def post(self, request, rectification_id: int):
        return super().post(request, rectification_id)
