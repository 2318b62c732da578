from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Youth service teams")

    def ready(self) -> None:
        from portal.accounts.login_reasons import login_reason_register
        from volunteers import dashboard, selectors  # noqa: F401  (dashboard figures, /me/ sections)

        # The sign-in page says why it is asked for when a visitor pressed "sign in to sign up".
        login_reason_register("volunteers:activity_detail", _(
            "Sign in to sign up for this activity: your place, check-in and service hours are kept in your account."
        ))
