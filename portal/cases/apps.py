from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Cross-department cases (跨部门协同办理): tasks for named officers with deadlines, and the
    reminder ladder that follows them."""

    name = "portal.cases"
    label = "cases"
    verbose_name = _("Cross-department cases")

    def ready(self) -> None:
        # Registers this app's dashboard figures and personal-page section.
        from portal.cases import dashboard, selectors  # noqa: F401
