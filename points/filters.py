"""Query-parameter filters for the points lists. A malformed value is a 400, never ignored."""
import django_filters
from django.utils.translation import gettext_lazy as _

from points.models import Achievement, LedgerEntry, MemberResult, Period, Stage
from portal.filters import IdFilter


class PeriodFilter(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("stage"))

    class Meta:
        model = Period
        fields = ["stage"]


class LedgerFilter(django_filters.FilterSet):
    member = IdFilter(field_name="member_id", label=_("member"))
    period = IdFilter(field_name="period_id", label=_("period"))
    source = django_filters.ChoiceFilter(choices=LedgerEntry.Source.choices, label=_("source"))

    class Meta:
        model = LedgerEntry
        fields = ["member", "period", "source"]


class AchievementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Achievement.Status.choices, label=_("status"))
    period = IdFilter(field_name="period_id", label=_("period"))

    class Meta:
        model = Achievement
        fields = ["status", "period"]


class LeaderboardFilter(django_filters.FilterSet):
    """``?team=`` takes the team's slug; ``?period=`` is read by the selector before this."""

    team = django_filters.CharFilter(field_name="team__slug", label=_("team"))

    class Meta:
        model = MemberResult
        fields = ["team"]
