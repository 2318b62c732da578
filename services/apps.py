from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("One-thing services")

    def ready(self) -> None:
        from portal.hall.hooks import calendar_changed_subscriber, department_item_count_provider
        from services import dashboard, selectors  # noqa: F401  (dashboard figures, /me/ section)
        from services.actions import rectifications_follow_calendar, slots_follow_calendar

        # The hall's departments list counts each department's catalogue items.
        department_item_count_provider(selectors.department_item_count)
        # A new day off closes its slots; the people booked there are offered another time.
        calendar_changed_subscriber(slots_follow_calendar)
        # A rectification's deadline in working days moves with the calendar, its reminders follow.
        calendar_changed_subscriber(rectifications_follow_calendar)
