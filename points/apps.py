from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = _("Qingfeng index")

    def ready(self) -> None:
        # Registers this app's dashboard figures and personal-page sections.
        from points import dashboard, selectors  # noqa: F401
        from points.actions import service_hours_award_for_activity
        from volunteers.hooks import hours_approved_subscribe, team_star_level_provider

        # Volunteers knows nothing of points: approved hours become ledger entries, and team lists
        # show the star level, through the registries volunteers offers.
        hours_approved_subscribe(service_hours_award_for_activity)
        team_star_level_provider(selectors.team_star_level_subquery)
