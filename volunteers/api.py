"""JSON API for teams and activities (API.md, "Teams and activities"). Thin: parse, authorise, call."""
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from volunteers import actions, selectors
from volunteers.models import Activity, Attendance, SignUp, Team


class TeamOutput(serializers.ModelSerializer):
    positioning_display = serializers.CharField(source="get_positioning_display")
    leader = serializers.SerializerMethodField()
    captain = serializers.SerializerMethodField()
    member_count = serializers.IntegerField()
    approved_hours = serializers.DecimalField(max_digits=9, decimal_places=2)
    star_level = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = [
            "slug", "name", "positioning", "positioning_display", "description", "leader", "captain",
            "member_count", "approved_hours", "star_level",
        ]

    def get_leader(self, team) -> str | None:
        return str(team.leader) if team.leader else None

    def get_captain(self, team) -> dict | None:
        captain = team.captain
        return {"id": captain.pk, "name": str(captain)} if captain else None

    def get_star_level(self, team) -> int | None:
        # Annotated by the provider an app registered in volunteers.hooks (points); None without one.
        return getattr(team, "star_level", None)


class TeamListApi(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = TeamOutput
    filter_backends: list = []

    def get_queryset(self):
        return selectors.team_list(user=self.request.user)


class TeamDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=TeamOutput)
    def get(self, request, slug: str):
        team = selectors.team_get_for_user(user=request.user, slug=slug)
        return Response(TeamOutput(team).data)


class ActivityOutput(serializers.ModelSerializer):
    team = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display")
    status_display = serializers.CharField(source="get_status_display")
    remaining = serializers.IntegerField()

    class Meta:
        model = Activity
        fields = [
            "id", "team", "kind", "kind_display", "title", "description", "starts_at", "ends_at", "place",
            "capacity", "signed_up", "remaining", "status", "status_display", "hours_approved_at",
        ]

    def get_team(self, activity) -> dict:
        return {"slug": activity.team.slug, "name": activity.team.name}


class ActivityListApi(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = ActivityOutput
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("team", str, description="team slug"),
            OpenApiParameter("kind", str, enum=Activity.Kind.values),
            OpenApiParameter("status", str, enum=Activity.Status.values),
            OpenApiParameter("date_from", str, description="YYYY-MM-DD"),
            OpenApiParameter("date_to", str, description="YYYY-MM-DD"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # A malformed filter raises ValidationError, which the API answers as 400 with the fields.
        return selectors.activity_list(user=self.request.user, filters=self.request.query_params)


class ActivityDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ActivityOutput)
    def get(self, request, pk: int):
        activity = selectors.activity_get_for_user(user=request.user, activity_id=pk)
        return Response(ActivityOutput(activity).data)


class SignUpOutput(serializers.ModelSerializer):
    activity = serializers.IntegerField(source="activity_id")
    remaining = serializers.IntegerField(source="activity.remaining")

    class Meta:
        model = SignUp
        fields = ["id", "activity", "status", "created_at", "cancelled_at", "remaining"]


class ActivitySignUpApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: SignUpOutput})
    def post(self, request, pk: int):
        activity = selectors.activity_get_for_user(user=request.user, activity_id=pk)
        signup = actions.activity_signup(activity=activity, by=request.user)
        signup.activity = activity
        return Response(SignUpOutput(signup).data, status=status.HTTP_201_CREATED)


class ActivitySignUpCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=SignUpOutput)
    def post(self, request, pk: int):
        activity = selectors.activity_get_for_user(user=request.user, activity_id=pk)
        signup = actions.activity_signup_cancel(activity=activity, by=request.user)
        signup.activity = activity
        return Response(SignUpOutput(signup).data)


class AttendanceOutput(serializers.ModelSerializer):
    activity = serializers.IntegerField(source="activity_id")
    user = serializers.IntegerField(source="user_id")

    class Meta:
        model = Attendance
        fields = ["id", "activity", "user", "checked_in_at", "checked_out_at", "proposed_hours", "approved_hours"]


class AttendanceInput(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all(), label=_("Person"))
    hours = serializers.DecimalField(max_digits=5, decimal_places=2, label=_("Hours"))


class ActivityAttendanceApi(APIView):
    """The captain or staff record a person's attendance and hours."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=AttendanceInput, responses=AttendanceOutput)
    def post(self, request, pk: int):
        activity = selectors.activity_get_for_user(user=request.user, activity_id=pk, manage=True)
        serializer = AttendanceInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        attendance = actions.attendance_record(
            activity=activity,
            person=serializer.validated_data["user"],
            hours=serializer.validated_data["hours"],
            by=request.user,
        )
        return Response(AttendanceOutput(attendance).data)


class ActivityCheckInApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=AttendanceOutput)
    def post(self, request, pk: int):
        activity = selectors.activity_get_for_user(user=request.user, activity_id=pk)
        return Response(AttendanceOutput(actions.attendance_check_in(activity=activity, by=request.user)).data)


class ActivityCheckOutApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=AttendanceOutput)
    def post(self, request, pk: int):
        activity = selectors.activity_get_for_user(user=request.user, activity_id=pk)
        return Response(AttendanceOutput(actions.attendance_check_out(activity=activity, by=request.user)).data)


class ActivityHoursApproveApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ActivityOutput)
    def post(self, request, pk: int):
        activity = selectors.activity_get_for_user(user=request.user, activity_id=pk, manage=True)
        activity = actions.activity_hours_approve(activity=activity, by=request.user)
        return Response(ActivityOutput(activity).data)
