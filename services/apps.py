from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("One-thing services")

    def ready(self) -> None:
        # Registers this app's dashboard figures and personal-page sections.
        from services import dashboard, selectors  # noqa: F401
