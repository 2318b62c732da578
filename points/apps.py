from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = _("Qingfeng index")

    def ready(self) -> None:
        # Registers this app's dashboard figures and personal-page sections.
        from points import dashboard, selectors  # noqa: F401
