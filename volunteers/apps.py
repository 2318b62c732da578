from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Youth service teams")

    def ready(self) -> None:
        # Registers this app's dashboard figures and personal-page sections.
        from volunteers import dashboard, selectors  # noqa: F401
