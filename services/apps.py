from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("One-thing services")

    def ready(self) -> None:
        from portal.hall.hooks import department_item_count_provider
        from services import dashboard, selectors  # noqa: F401  (dashboard figures, /me/ section)

        # The hall's departments list counts each department's catalogue items.
        department_item_count_provider(selectors.department_item_count)
