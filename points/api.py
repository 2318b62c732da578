"""JSON API for the Qingfeng index: thin views that parse, authorise, and call actions or selectors."""
from django.core.paginator import Paginator as DjangoPaginator
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from points import actions, selectors
from points.models import (
    Achievement,
    Appeal,
    Indicator,
    LedgerEntry,
    MemberResult,
    Period,
    PeriodEvent,
    Stage,
    TeamRating,
)
from portal.pagecache import memoize


class TakesPart(IsAuthenticated):
    """Members, captains, reviewers, the alliance and hall staff."""

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and selectors.takes_part(request.user)


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "code", "category", "name", "description", "max_points"]


class PeriodEventSerializer(serializers.ModelSerializer):
    # The JSON keeps the names clients know; the history row uses the portal-wide field names.
    from_stage = serializers.CharField(source="from_status", read_only=True)
    to_stage = serializers.CharField(source="to_status", read_only=True)
    team = serializers.StringRelatedField()
    member = serializers.StringRelatedField()
    actor = serializers.StringRelatedField(source="by")
    reason = serializers.CharField(source="note", read_only=True)
    created_at = serializers.DateTimeField(source="at", read_only=True)

    class Meta:
        model = PeriodEvent
        fields = ["kind", "from_stage", "to_stage", "team", "member", "actor", "reason", "created_at"]


class PeriodSerializer(serializers.ModelSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)
    next_stage = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Period
        fields = ["id", "name", "starts_on", "ends_on", "stage", "next_stage", "peer_review_due",
                  "captain_scoring_due", "committee_review_due", "alliance_decision_due", "published_at",
                  "indicators"]


class TeamRatingSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)

    class Meta:
        model = TeamRating
        fields = ["team", "team_name", "status", "return_reason", "average", "stars", "is_pioneer_post"]


class IndicatorListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=IndicatorSerializer(many=True))
    def get(self, request):
        return Response(IndicatorSerializer(selectors.indicator_list(), many=True).data)


class PeriodListApi(APIView):
    permission_classes = [TakesPart]
    pagination_class = PageNumberPagination

    @extend_schema(responses=PeriodSerializer(many=True), parameters=[
        OpenApiParameter("stage", OpenApiTypes.STR, enum=Stage.values),
    ])
    def get(self, request):
        qs = selectors.period_list(user=request.user, filters=request.query_params)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(PeriodSerializer(page, many=True).data)


class PeriodDetailApi(APIView):
    permission_classes = [TakesPart]

    @extend_schema(responses=PeriodSerializer)
    def get(self, request, pk: int):
        period = selectors.period_get_for_user(user=request.user, period_id=pk)
        data = PeriodSerializer(period).data
        data["history"] = PeriodEventSerializer(selectors.period_history(period=period), many=True).data
        if selectors.is_points_reviewer(request.user):
            data["teams"] = [
                {
                    **TeamRatingSerializer(row["rating"]).data,
                    "captain": str(row["captain"]) if row["captain"] else None,
                    "members": row["members"],
                    "peer_review_missing": [str(m) for m in row["peer_missing"]],
                    "not_scored": [str(m) for m in row["unscored"]],
                }
                for row in selectors.period_progress(period=period)
            ]
        return Response(data)


class PeriodAdvanceApi(APIView):
    """POST ``{to, reason}``: move the period one stage forward (409 backwards or out of order)."""

    permission_classes = [IsAuthenticated]

    class PeriodAdvanceInputSerializer(serializers.Serializer):
        to = serializers.ChoiceField(choices=[s for s, _label in Period._meta.get_field("stage").choices])
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    InputSerializer = PeriodAdvanceInputSerializer

    @extend_schema(request=InputSerializer, responses=PeriodSerializer)
    def post(self, request, pk: int):
        period = selectors.period_get_for_user(user=request.user, period_id=pk)
        data = _valid(self.InputSerializer, request)
        period = actions.period_advance(period=period, by=request.user, to=data["to"], reason=data["reason"])
        return Response(PeriodSerializer(period).data)


class ScoresField(serializers.DictField):
    """``{"<indicator code>": points, ...}``: ranges are checked against the period's indicators."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.IntegerField(), **kwargs)


class PeerReviewApi(APIView):
    permission_classes = [IsAuthenticated]

    class PeerReviewInputSerializer(serializers.Serializer):
        member = serializers.IntegerField(label=_("member"))
        scores = ScoresField(label=_("scores"))

    InputSerializer = PeerReviewInputSerializer

    @extend_schema(request=InputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, pk: int):
        period = selectors.period_get_for_user(user=request.user, period_id=pk)
        data = _valid(self.InputSerializer, request)
        member = selectors.member_get(member_id=data["member"])
        saved = actions.peer_review_submit(period=period, by=request.user, member=member, scores=data["scores"])
        return Response(
            {"member": data["member"], "scores": {s.indicator.code: s.points for s in saved}},
            status=status.HTTP_201_CREATED,
        )


class CaptainScoreApi(APIView):
    permission_classes = [IsAuthenticated]

    class CaptainScoreInputSerializer(serializers.Serializer):
        """Per-indicator ``scores``, or one ``score`` out of 100 spread over the indicators."""

        member = serializers.IntegerField(label=_("member"))
        scores = ScoresField(label=_("scores"), required=False)
        score = serializers.IntegerField(label=_("score"), required=False)
        comment = serializers.CharField(required=False, allow_blank=True, default="", label=_("comment"))

        def validate(self, attrs):
            if ("scores" in attrs) == ("score" in attrs):
                raise serializers.ValidationError(
                    {"scores": [_("Give either the scores per indicator or one score out of 100.")]}
                )
            return attrs

    InputSerializer = CaptainScoreInputSerializer

    @extend_schema(request=InputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int):
        period = selectors.period_get_for_user(user=request.user, period_id=pk)
        data = _valid(self.InputSerializer, request)
        member = selectors.member_get(member_id=data["member"])
        result = actions.captain_score_set(period=period, by=request.user, member=member,
                                           scores=data.get("scores"), total=data.get("score"),
                                           comment=data["comment"])
        scores = selectors.captain_scores_of(period=period, member_id=result.member_id)
        return Response({"member": result.member_id, "score": sum(scores.values()),
                         "scores": scores, "comment": result.captain_comment})


class CaptainSubmitApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=TeamRatingSerializer)
    def post(self, request, pk: int):
        period = selectors.period_get_for_user(user=request.user, period_id=pk)
        rating = actions.team_scores_submit(period=period, by=request.user)
        return Response(TeamRatingSerializer(rating).data)


class CommitteeReviewApi(APIView):
    permission_classes = [IsAuthenticated]

    class CommitteeReviewInputSerializer(serializers.Serializer):
        team = serializers.SlugField(label=_("team"))
        decision = serializers.ChoiceField(choices=["approve", "return"], label=_("decision"))
        reason = serializers.CharField(required=False, allow_blank=True, default="", label=_("reason"))

    InputSerializer = CommitteeReviewInputSerializer

    @extend_schema(request=InputSerializer, responses=TeamRatingSerializer)
    def post(self, request, pk: int):
        period = selectors.period_get_for_user(user=request.user, period_id=pk)
        data = _valid(self.InputSerializer, request)
        rating = selectors.team_rating_get(period=period, slug=data["team"])
        if rating is None:
            raise serializers.ValidationError({"team": [_("This team is not rated in this period.")]})
        review = {"approve": actions.team_scores_approve, "return": actions.team_scores_return}[data["decision"]]
        rating = review(rating=rating, by=request.user, reason=data["reason"])
        return Response(TeamRatingSerializer(rating).data)


class DecisionApi(APIView):
    permission_classes = [IsAuthenticated]

    class DecisionInputSerializer(serializers.Serializer):
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    InputSerializer = DecisionInputSerializer

    @extend_schema(request=InputSerializer, responses=PeriodSerializer)
    def post(self, request, pk: int):
        period = selectors.period_get_for_user(user=request.user, period_id=pk)
        data = _valid(self.InputSerializer, request)
        period = actions.period_publish(period=period, by=request.user, reason=data["reason"])
        return Response(PeriodSerializer(period).data)


class AppealSerializer(serializers.ModelSerializer):
    period = serializers.IntegerField(source="result.period_id", read_only=True)
    member = serializers.IntegerField(source="result.member_id", read_only=True)

    class Meta:
        model = Appeal
        fields = ["id", "period", "member", "reason", "status", "decision_reason", "old_total", "new_total",
                  "created_at"]


class AppealCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    class AppealCreateInputSerializer(serializers.Serializer):
        reason = serializers.CharField(label=_("reason"))

    InputSerializer = AppealCreateInputSerializer

    @extend_schema(request=InputSerializer, responses=AppealSerializer)
    def post(self, request, pk: int):
        period = selectors.period_get_for_user(user=request.user, period_id=pk)
        data = _valid(self.InputSerializer, request)
        appeal = actions.appeal_file(period=period, by=request.user, reason=data["reason"])
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)


class AppealDecideApi(APIView):
    permission_classes = [IsAuthenticated]

    class AppealDecideInputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=["uphold", "reopen"], label=_("decision"))
        reason = serializers.CharField(required=False, allow_blank=True, default="", label=_("reason"))

    InputSerializer = AppealDecideInputSerializer

    @extend_schema(request=InputSerializer, responses=AppealSerializer)
    def post(self, request, pk: int):
        appeal = selectors.appeal_get_for_user(user=request.user, appeal_id=pk)
        data = _valid(self.InputSerializer, request)
        decide = {"uphold": actions.appeal_uphold, "reopen": actions.appeal_reopen}[data["decision"]]
        appeal = decide(appeal=appeal, by=request.user, reason=data["reason"])
        return Response(AppealSerializer(appeal).data)


class AchievementSerializer(serializers.ModelSerializer):
    member = serializers.StringRelatedField()
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    # The page that serves the file to those allowed to see it; never a public /media/ address.
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = Achievement
        fields = ["id", "member", "team", "period", "indicator", "title", "description", "evidence",
                  "points_claimed", "points_awarded", "status", "decision_reason", "created_at"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_evidence(self, achievement: Achievement) -> str | None:
        if not achievement.evidence:
            return None
        url = reverse("points:achievement_evidence", args=[achievement.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class AchievementListApi(APIView):
    permission_classes = [TakesPart]
    pagination_class = PageNumberPagination

    class AchievementListInputSerializer(serializers.Serializer):
        indicator = serializers.SlugField(label=_("indicator"))
        title = serializers.CharField(max_length=120, label=_("title"))
        description = serializers.CharField(label=_("description"))
        points_claimed = serializers.IntegerField(label=_("points claimed"))
        period = serializers.PrimaryKeyRelatedField(
            queryset=Period.objects.all(), required=False, allow_null=True, default=None, label=_("period"),
            error_messages={
                "does_not_exist": _("Choose a rating period in progress."),
                "incorrect_type": serializers.IntegerField.default_error_messages["invalid"],
            },
        )
        evidence = serializers.FileField(required=False, allow_null=True, default=None, label=_("evidence"))

    InputSerializer = AchievementListInputSerializer

    @extend_schema(responses=AchievementSerializer(many=True), parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, enum=Achievement.Status.values),
        OpenApiParameter("period", OpenApiTypes.INT, description="A period's id."),
    ])
    def get(self, request):
        qs = selectors.achievement_list(user=request.user, filters=request.query_params)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(AchievementSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(request=InputSerializer, responses=AchievementSerializer)
    def post(self, request):
        data = _valid(self.InputSerializer, request)
        indicator = Indicator.objects.filter(code=data["indicator"]).first()
        if indicator is None:
            raise serializers.ValidationError({"indicator": [_("Unknown indicator.")]})
        achievement = actions.achievement_create(
            by=request.user, indicator=indicator, title=data["title"], description=data["description"],
            points_claimed=data["points_claimed"], evidence=data["evidence"], period=data["period"],
        )
        return Response(AchievementSerializer(achievement, context={"request": request}).data, status=status.HTTP_201_CREATED)


class AchievementDecideApi(APIView):
    permission_classes = [IsAuthenticated]

    class AchievementDecideInputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=["approve", "reject"], label=_("decision"))
        points = serializers.IntegerField(required=False, allow_null=True, default=None, label=_("points"))
        reason = serializers.CharField(required=False, allow_blank=True, default="", label=_("reason"))

    InputSerializer = AchievementDecideInputSerializer

    @extend_schema(request=InputSerializer, responses=AchievementSerializer)
    def post(self, request, pk: int):
        achievement = selectors.achievement_get_for_user(user=request.user, achievement_id=pk)
        data = _valid(self.InputSerializer, request)
        if data["decision"] == "approve":
            achievement = actions.achievement_approve(achievement=achievement, by=request.user,
                                                      points=data["points"], reason=data["reason"])
        else:
            achievement = actions.achievement_reject(achievement=achievement, by=request.user, reason=data["reason"])
        return Response(AchievementSerializer(achievement, context={"request": request}).data)


class LedgerEntrySerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.__str__", read_only=True)
    author = serializers.StringRelatedField()
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = LedgerEntry
        fields = ["id", "member", "member_name", "points", "reason", "source", "author", "period", "indicator",
                  "corrects", "created_at"]


class LedgerListApi(APIView):
    """GET only: the ledger is append-only, so it has no write endpoints at all."""

    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination

    @extend_schema(responses=LedgerEntrySerializer(many=True), parameters=[
        OpenApiParameter("member", OpenApiTypes.INT, description="A member's user id."),
        OpenApiParameter("period", OpenApiTypes.INT, description="A period's id."),
        OpenApiParameter("source", OpenApiTypes.STR, enum=LedgerEntry.Source.values),
    ])
    def get(self, request):
        qs = selectors.ledger_list(user=request.user, filters=request.query_params)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(LedgerEntrySerializer(page, many=True).data)


class LeaderboardMemberSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="member_id")
    name = serializers.CharField(source="member.__str__")
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    team_name = serializers.CharField(source="team.name")
    rank = serializers.IntegerField(read_only=True, help_text="Tied totals share a rank (1, 2, 2, 4).")

    class Meta:
        model = MemberResult
        fields = ["rank", "member", "name", "team", "team_name", "total", "stars", "is_good_youth"]


class LeaderboardPagination(PageNumberPagination):
    """The members' page, with the period it ranks and its teams beside it."""

    def get_paginated_response_schema(self, schema):
        page = super().get_paginated_response_schema(schema)
        page["required"] = ["count", "results", "period", "teams"]
        page["properties"]["period"] = {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "published_at": {"type": "string", "format": "date-time", "nullable": True},
            },
        }
        page["properties"]["teams"] = {"type": "array", "items": {"type": "object"}}
        return page


class LeaderboardApi(APIView):
    """GET ``?period=&team=``: teams with star levels and the members' ranking of a published period."""

    permission_classes = [AllowAny]
    pagination_class = LeaderboardPagination

    @extend_schema(responses=LeaderboardMemberSerializer(many=True), parameters=[
        OpenApiParameter("period", OpenApiTypes.INT, description="A published period's id; the latest when left out."),
        OpenApiParameter("team", OpenApiTypes.STR, description="A team's slug."),
    ])
    def get(self, request):
        period = selectors.leaderboard_period(period_id=request.query_params.get("period"))
        members = selectors.leaderboard_members(period=period, filters=request.query_params)
        # Published results change only by a write, so the count and the teams are kept until
        # the next one: a page of 10,000 members costs what a page of 1,000 does.
        count = memoize(f"leaderboard-count:{period.pk}:{request.query_params.get('team', '')}", members.count)
        paginator = _KnownCountPagination(count)
        page = paginator.paginate_queryset(members, request, view=self)
        page = selectors.leaderboard_ranked(rows=page, members=members)
        response = paginator.get_paginated_response(LeaderboardMemberSerializer(page, many=True).data)
        response.data["period"] = {"id": period.pk, "name": period.name, "published_at": period.published_at}
        response.data["teams"] = memoize(f"leaderboard-teams:{period.pk}", lambda: [
            {**TeamRatingSerializer(rating).data, "member_count": rating.member_count}
            for rating in selectors.leaderboard_teams(period=period)
        ])
        return response


class _KnownCountPaginator(DjangoPaginator):
    def __init__(self, *args, known_count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_count = known_count

    @cached_property
    def count(self) -> int:
        return self.known_count


class _KnownCountPagination(PageNumberPagination):
    def __init__(self, count: int):
        self.known_count = count

    def django_paginator_class(self, object_list, per_page):
        return _KnownCountPaginator(object_list, per_page, known_count=self.known_count)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data

