from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.models import User
from portal.cases import actions, case_sources, selectors
from portal.cases.exceptions import CaseForbidden
from portal.cases.models import Case
from portal.hall.models import Department
from portal.limits import WORKING_DAYS_MAX, WORKING_DAYS_MIN


class _CaseApiMixin:
    permission_classes = [IsAuthenticated]
    filter_backends: list = []


class CasePersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class CaseDepartmentOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CaseTaskOutput(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    department = CaseDepartmentOutput()
    assignee = CasePersonOutput()
    description = serializers.CharField()
    due_at = serializers.DateTimeField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    overdue = serializers.SerializerMethodField()
    completed_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField()

    def get_overdue(self, task) -> bool:
        return task.is_overdue()


class CaseProgressOutput(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()


class _EmptyAsNullCharField(serializers.CharField):
    def to_representation(self, value):
        return super().to_representation(value) if value else None


class CaseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    source = serializers.CharField()
    source_label = serializers.CharField(source="get_source_display")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    lead_department = CaseDepartmentOutput()
    applicant = CasePersonOutput(allow_null=True)
    # The ledger number of the entry the case was opened from (null for other cases).
    suggestion = _EmptyAsNullCharField(source="source_reference", allow_null=True, default=None)
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    progress = serializers.SerializerMethodField()
    tasks = CaseTaskOutput(many=True, source="tasks.all")

    def get_progress(self, case) -> CaseProgressOutput:
        return selectors.case_progress(case)


class CaseReminderOutput(serializers.Serializer):
    id = serializers.IntegerField()
    task = serializers.IntegerField(source="subject_id")
    kind = serializers.CharField()
    deadline = serializers.DateTimeField()
    sent_at = serializers.DateTimeField()
    message = serializers.CharField()
    recipients = serializers.SerializerMethodField()

    def get_recipients(self, reminder) -> list[str]:
        return [str(user) for user in reminder.recipients.all()]


class CaseDueInput(serializers.Serializer):
    """A deadline as a date or as working days from today: exactly one of the two."""

    due_on = serializers.DateField(label=_("Due date"), required=False, allow_null=True)
    working_days = serializers.IntegerField(
        label=_("Due in working days"), required=False, allow_null=True,
        min_value=WORKING_DAYS_MIN, max_value=WORKING_DAYS_MAX,
    )


def _case_source_record(name: str, reference):
    """The record of the registered case source ``name`` with this reference, or a 400 naming
    the field, exactly as a slug field over the source's records answers."""
    if reference is None:
        return None
    source = case_sources.get(name)
    if source is None:
        raise ImproperlyConfigured(f"no case source {name!r} is registered")
    field = serializers.SlugRelatedField(slug_field=source.slug_field, queryset=source.model._default_manager.all())
    return field.to_internal_value(reference)


class CaseListCreateApi(_CaseApiMixin, generics.ListAPIView):
    """GET: the cases you may read (staff: all; applicant: own). POST: open a case (hall staff)."""

    serializer_class = CaseOutput

    class CaseOpenInput(serializers.Serializer):
        title = serializers.CharField(label=_("Title"), max_length=120)
        description = serializers.CharField(label=_("Description"), max_length=5000)
        lead_department = serializers.SlugRelatedField(
            label=_("Lead department"), slug_field="code", queryset=Department.objects.all()
        )
        applicant = serializers.PrimaryKeyRelatedField(
            label=_("Applicant"), queryset=User.objects.filter(is_active=True), required=False, allow_null=True
        )
        source = serializers.ChoiceField(label=_("Source"), choices=Case.Source.choices)
        # A ledger number: the ideas ledger registers itself as the case source "suggestion".
        suggestion = serializers.CharField(label=_("Ledger entry"), required=False, allow_null=True)

        def validate_suggestion(self, value):
            return _case_source_record("suggestion", value)

    def get_queryset(self):
        return selectors.case_list(user=self.request.user, filters=self.request.query_params)

    @extend_schema(request=CaseOpenInput, responses={201: CaseOutput})
    def post(self, request):
        if not selectors.case_can_manage(request.user):
            raise CaseForbidden(_("Only hall staff can open a case."))
        serializer = self.CaseOpenInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        case = actions.case_open(by=request.user, origin=data.pop("suggestion", None), **data)
        case = selectors.case_get_for_user(user=request.user, case_id=case.pk)
        return Response(CaseOutput(case).data, status=status.HTTP_201_CREATED)


class CaseDetailApi(_CaseApiMixin, APIView):
    @extend_schema(responses=CaseOutput)
    def get(self, request, pk: int):
        case = selectors.case_get_for_user(user=request.user, case_id=pk)
        return Response(CaseOutput(case).data)


class CaseCancelApi(_CaseApiMixin, APIView):
    class CaseCancelInput(serializers.Serializer):
        reason = serializers.CharField(label=_("Reason"), max_length=500, required=False, allow_blank=True)

    @extend_schema(request=CaseCancelInput, responses=CaseOutput)
    def post(self, request, pk: int):
        case = selectors.case_get_for_user(user=request.user, case_id=pk, for_change=True)
        serializer = self.CaseCancelInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.case_cancel(case=case, by=request.user, **serializer.validated_data)
        return Response(CaseOutput(selectors.case_get_for_user(user=request.user, case_id=pk)).data)


class CaseTaskAddApi(_CaseApiMixin, APIView):
    """POST a task to a case (hall staff). The responsible person must be an officer of the department."""

    class CaseTaskAddInput(CaseDueInput):
        department = serializers.SlugRelatedField(
            label=_("Department"), slug_field="code", queryset=Department.objects.all()
        )
        assignee = serializers.PrimaryKeyRelatedField(
            label=_("Responsible person"), queryset=User.objects.filter(is_active=True)
        )
        description = serializers.CharField(label=_("What to do"), max_length=2000)

    @extend_schema(request=CaseTaskAddInput, responses={201: CaseTaskOutput})
    def post(self, request, pk: int):
        case = selectors.case_get_for_user(user=request.user, case_id=pk, for_change=True)
        serializer = self.CaseTaskAddInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = actions.case_task_add(case=case, by=request.user, **serializer.validated_data)
        return Response(CaseTaskOutput(task).data, status=status.HTTP_201_CREATED)


class CaseTaskCompleteApi(_CaseApiMixin, APIView):
    """POST: the responsible person (or hall staff) completes a task with a note. Twice is a 409."""

    class CaseTaskCompleteInput(serializers.Serializer):
        note = serializers.CharField(label=_("Note"), max_length=2000, required=False, allow_blank=True)

    @extend_schema(request=CaseTaskCompleteInput, responses=CaseTaskOutput)
    def post(self, request, pk: int):
        task = selectors.case_task_get_for_user(user=request.user, task_id=pk, need="complete")
        serializer = self.CaseTaskCompleteInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = actions.case_task_complete(task=task, by=request.user, **serializer.validated_data)
        return Response(CaseTaskOutput(task).data)


class CaseTaskRescheduleApi(_CaseApiMixin, APIView):
    """POST a new deadline for an open task (hall staff); the reminders follow it."""

    class CaseTaskRescheduleInput(CaseDueInput):
        reason = serializers.CharField(label=_("Reason"), max_length=500, required=False, allow_blank=True)

    @extend_schema(request=CaseTaskRescheduleInput, responses=CaseTaskOutput)
    def post(self, request, pk: int):
        task = selectors.case_task_get_for_user(user=request.user, task_id=pk, need="manage")
        serializer = self.CaseTaskRescheduleInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = actions.case_task_reschedule(task=task, by=request.user, **serializer.validated_data)
        return Response(CaseTaskOutput(task).data)


class CaseReminderListApi(_CaseApiMixin, generics.ListAPIView):
    """GET the reminders sent about a case's tasks (hall staff and committee reviewers)."""

    serializer_class = CaseReminderOutput

    def get_queryset(self):
        case = selectors.case_get_for_user(user=self.request.user, case_id=self.kwargs["pk"])
        if not selectors.case_can_see_all(self.request.user):
            raise CaseForbidden(_("Only hall staff can read the reminders."))
        return selectors.case_reminder_list(case=case)
