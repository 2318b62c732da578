from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("One-thing services")

    def ready(self) -> None:
        from portal.accounts.login_reasons import login_reason_register
        from portal.hall.hooks import calendar_changed_subscriber, department_item_count_provider
        from services import dashboard, metrics, selectors  # noqa: F401  (dashboard figures, /metrics gauges, /me/ section)
        from services.actions import rectifications_follow_calendar, slots_follow_calendar

        # The hall's departments list counts each department's catalogue items.
        department_item_count_provider(selectors.department_item_count)
        # A new day off closes its slots; the people booked there are offered another time.
        calendar_changed_subscriber(slots_follow_calendar)
        # The sign-in page says why it is asked for when a visitor pressed "book".
        booking_reason = _(
            "To book a time, sign in or create an account (it takes a minute): your booking, its "
            "reference and QR code, and the reminders before your visit are kept in your account."
        )
        for name in ("services:bundle_book", "services:item_book"):
            login_reason_register(name, booking_reason)
        for name in ("services:booking_detail", "services:booking_list", "services:booking_cancel",
                     "services:booking_reschedule"):
            login_reason_register(name, _("Sign in to see and manage your bookings."))
        # A rectification's deadline in working days moves with the calendar, its reminders follow.
        calendar_changed_subscriber(rectifications_follow_calendar)
