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
        from portal.cases.actions import case_tasks_follow_calendar
        from portal.hall.hooks import calendar_changed_subscriber

        # Deadlines in working days move when the holiday calendar changes.
        calendar_changed_subscriber(case_tasks_follow_calendar)
