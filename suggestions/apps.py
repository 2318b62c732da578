from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = _("Golden ideas")

    def ready(self) -> None:
        # Registers this app's dashboard figures and personal-page sections.
        from suggestions import dashboard, selectors  # noqa: F401
