"""JSON API of the golden-ideas ledger (API.md, "Golden ideas"). Views parse, call one action or
selector, and render. No response here ever carries the submitter's identity.
"""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.hall.models import Department
from suggestions import actions, selectors
from suggestions.exceptions import NotFound
from suggestions.models import Suggestion, SuggestionAnswer


@extend_schema_field(OpenApiTypes.STR)
class DepartmentField(serializers.RelatedField):
    """A department given by its code (``market``) or its id."""

    # DRF fills messages with str.format: "{value}", not Django's "%(value)s".
    default_error_messages = {"does_not_exist": _("There is no department “{value}”.")}

    def get_queryset(self):
        return Department.objects.all()

    def to_internal_value(self, data):
        value = str(data).strip()
        # isascii: "²".isdigit() is true, but int("²") fails.
        lookup = {"pk": int(value)} if value.isascii() and value.isdigit() else {"code": value}
        try:
            return self.get_queryset().get(**lookup)
        except Department.DoesNotExist:
            self.fail("does_not_exist", value=value[:100])

    def to_representation(self, value):
        return value.code


# --- output -----------------------------------------------------------------------------------
class DepartmentOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField()


class AnswerOut(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField()
    reason = serializers.CharField()
    redirect = serializers.CharField()
    department = DepartmentOut(allow_null=True)
    published_at = serializers.DateTimeField()


class SuggestionOut(serializers.Serializer):
    """One ledger row as the public sees it. Hidden entries keep number and dates, not the text."""

    number = serializers.CharField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    category = serializers.CharField()
    category_display = serializers.CharField(source="get_category_display")
    title = serializers.SerializerMethodField()
    content = serializers.SerializerMethodField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="status_label")
    department = DepartmentOut(allow_null=True)
    answer = AnswerOut(source="published_answer", allow_null=True)
    decision_reason = serializers.CharField()
    decision_redirect = serializers.CharField()
    answer_due_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.SerializerMethodField()
    support_count = serializers.IntegerField()
    reopen_count = serializers.IntegerField()
    merged_into = serializers.CharField(source="merged_into.number", allow_null=True, default=None)
    hidden = serializers.BooleanField(source="is_hidden")
    hidden_reason = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_title(self, obj) -> str:
        return "" if obj.is_hidden else obj.title

    def get_content(self, obj) -> str:
        return "" if obj.is_hidden else obj.content

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()


class EventOut(serializers.Serializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    by = serializers.CharField(source="public_by")
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    at = serializers.DateTimeField()


class SuggestionDetailOut(SuggestionOut):
    history = serializers.SerializerMethodField()
    answers = AnswerOut(source="published_answers", many=True)

    def get_history(self, obj) -> list[dict]:
        # A hidden entry's history notes may quote it; only the moves stay public.
        events = EventOut(obj.events.all(), many=True).data
        if obj.is_hidden:
            for event in events:
                event["note"] = ""
        return events


def _detail(number: str, request) -> Response:
    entry = selectors.suggestion_get_for_user(user=request.user, number=number)
    return Response(SuggestionDetailOut(entry).data)


# --- views ------------------------------------------------------------------------------------
class SuggestionListApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = PageNumberPagination

    class SuggestionListInput(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Suggestion.Kind.choices)
        category = serializers.ChoiceField(choices=Suggestion.Category.choices)
        title = serializers.CharField(max_length=100)
        content = serializers.CharField(max_length=5000)

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=Suggestion.Kind.values),
            OpenApiParameter("status", str, enum=Suggestion.Status.values),
            OpenApiParameter("category", str, enum=Suggestion.Category.values),
            OpenApiParameter("department", str, description="department code"),
            OpenApiParameter("overdue", bool),
            OpenApiParameter("search", str),
        ],
        responses=SuggestionOut(many=True),
    )
    def get(self, request):
        entries = selectors.suggestion_list(user=request.user, filters=request.query_params)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(SuggestionOut(page, many=True).data)

    @extend_schema(request=SuggestionListInput, responses={201: SuggestionDetailOut})
    def post(self, request):
        serializer = self.SuggestionListInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = actions.suggestion_submit(by=request.user, **serializer.validated_data)
        response = _detail(entry.number, request)
        response.status_code = status.HTTP_201_CREATED
        return response


class SuggestionDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=SuggestionDetailOut)
    def get(self, request, number: str):
        return _detail(number, request)


class SuggestionSupportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: inline_serializer("SupportOut", {"support_count": serializers.IntegerField()})})
    def post(self, request, number: str):
        entry = selectors.suggestion_get_for_user(user=request.user, number=number)
        actions.suggestion_support(suggestion=entry, by=request.user)
        return Response({"support_count": entry.support_count}, status=status.HTTP_201_CREATED)


class SuggestionTransitionApi(APIView):
    permission_classes = [IsAuthenticated]

    class SuggestionTransitionInput(serializers.Serializer):
        to = serializers.ChoiceField(choices=Suggestion.Status.choices)
        department = DepartmentField(required=False, allow_null=True)
        answer = serializers.CharField(required=False, allow_blank=True, max_length=5000)
        reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
        redirect = serializers.CharField(required=False, allow_blank=True, max_length=300)

    @extend_schema(request=SuggestionTransitionInput, responses=SuggestionDetailOut)
    def post(self, request, number: str):
        entry = selectors.suggestion_get_for_user(user=request.user, number=number)
        serializer = self.SuggestionTransitionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.suggestion_move(suggestion=entry, by=request.user, **serializer.validated_data)
        return _detail(number, request)


class SuggestionAnswerDraftApi(APIView):
    permission_classes = [IsAuthenticated]

    class SuggestionAnswerDraftInput(serializers.Serializer):
        text = serializers.CharField(max_length=5000)
        kind = serializers.ChoiceField(choices=SuggestionAnswer.Kind.choices, default=SuggestionAnswer.Kind.REPLY)
        reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
        redirect = serializers.CharField(required=False, allow_blank=True, max_length=300)

    @extend_schema(request=SuggestionAnswerDraftInput, responses=inline_serializer("DraftOut", {
        "kind": serializers.CharField(), "text": serializers.CharField(), "drafted_at": serializers.DateTimeField(),
    }))
    def post(self, request, number: str):
        entry = selectors.suggestion_get_for_user(user=request.user, number=number)
        serializer = self.SuggestionAnswerDraftInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        draft = actions.suggestion_answer_draft(suggestion=entry, by=request.user, **serializer.validated_data)
        return Response({"kind": draft.kind, "text": draft.text, "drafted_at": draft.drafted_at})


class SuggestionReopenApi(APIView):
    permission_classes = [IsAuthenticated]

    class SuggestionReopenInput(serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    @extend_schema(request=SuggestionReopenInput, responses=SuggestionDetailOut)
    def post(self, request, number: str):
        entry = selectors.suggestion_get_for_user(user=request.user, number=number)
        serializer = self.SuggestionReopenInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.suggestion_reopen(suggestion=entry, by=request.user, **serializer.validated_data)
        return _detail(number, request)


class SuggestionFeedbackApi(APIView):
    permission_classes = [IsAuthenticated]

    class SuggestionFeedbackInput(serializers.Serializer):
        resolved = serializers.BooleanField()

    @extend_schema(request=SuggestionFeedbackInput, responses=SuggestionDetailOut)
    def post(self, request, number: str):
        entry = selectors.suggestion_get_for_user(user=request.user, number=number)
        serializer = self.SuggestionFeedbackInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.suggestion_feedback(suggestion=entry, by=request.user, **serializer.validated_data)
        return _detail(number, request)


class SuggestionMergeApi(APIView):
    permission_classes = [IsAuthenticated]

    class SuggestionMergeInput(serializers.Serializer):
        into = serializers.CharField(max_length=20)

    @extend_schema(request=SuggestionMergeInput, responses=SuggestionDetailOut)
    def post(self, request, number: str):
        entry = selectors.suggestion_get_for_user(user=request.user, number=number)
        serializer = self.SuggestionMergeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            original = selectors.suggestion_get_for_user(user=request.user, number=serializer.validated_data["into"])
        except NotFound as exc:  # an unknown target is a field error, not a 404 of the URL
            raise serializers.ValidationError({"into": [str(exc.message)]})
        actions.suggestion_merge(duplicate=entry, original=original, by=request.user)
        return _detail(number, request)


class SuggestionHideApi(APIView):
    permission_classes = [IsAuthenticated]

    class SuggestionHideInput(serializers.Serializer):
        reason = serializers.CharField(max_length=300)

    @extend_schema(request=SuggestionHideInput, responses=SuggestionDetailOut)
    def post(self, request, number: str):
        entry = selectors.suggestion_get_for_user(user=request.user, number=number)
        serializer = self.SuggestionHideInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.suggestion_hide(suggestion=entry, by=request.user, **serializer.validated_data)
        return _detail(number, request)


class SuggestionSimilarApi(APIView):
    permission_classes = [AllowAny]

    class SuggestionSimilarInput(serializers.Serializer):
        title = serializers.CharField(max_length=100)
        content = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    @extend_schema(parameters=[SuggestionSimilarInput], responses=SuggestionOut(many=True))
    def get(self, request):
        serializer = self.SuggestionSimilarInput(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        similar = selectors.suggestion_similar(
            title=serializer.validated_data["title"], content=serializer.validated_data.get("content", "")
        )
        return Response(SuggestionOut(similar, many=True).data)


class SuggestionStatsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=inline_serializer("SuggestionStats", {
        "ideas": serializers.IntegerField(), "adopted": serializers.IntegerField(),
        "blockers": serializers.IntegerField(), "solved": serializers.IntegerField(),
        "on_time_percent": serializers.IntegerField(allow_null=True), "departments": serializers.ListField(),
    }))
    def get(self, request):
        counts = selectors.suggestion_headline_counts()
        departments = [
            {**row, "department": DepartmentOut(row["department"]).data}
            for row in selectors.suggestion_department_stats()
        ]
        return Response({**counts, "departments": departments})


class SuggestionCaseApi(APIView):
    permission_classes = [IsAuthenticated]

    class SuggestionCaseInput(serializers.Serializer):
        lead_department = DepartmentField()

    @extend_schema(request=SuggestionCaseInput, responses={201: inline_serializer("SuggestionCaseOut", {
        "case": serializers.IntegerField(), "number": serializers.CharField(),
    })})
    def post(self, request, number: str):
        entry = selectors.suggestion_get_for_user(user=request.user, number=number)
        serializer = self.SuggestionCaseInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = actions.suggestion_case_open(suggestion=entry, by=request.user, **serializer.validated_data)
        return Response({"case": case.pk, "number": entry.number}, status=status.HTTP_201_CREATED)
