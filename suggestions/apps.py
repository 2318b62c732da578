from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = _("Golden ideas")

    def ready(self) -> None:
        from portal.cases import case_sources
        from portal.hall.hooks import calendar_changed_subscriber
        from suggestions import dashboard, selectors  # noqa: F401  (dashboard figures, /me/ sections)
        from suggestions.actions import suggestion_case_link, suggestions_follow_calendar
        from suggestions.models import Suggestion

        # A case can be opened from a ledger entry, named by its number (the case API's
        # "suggestion"); the entry holds the link.
        case_sources.register(
            "suggestion", model=Suggestion, slug_field="number",
            link=lambda entry, case: suggestion_case_link(suggestion=entry, case=case),
            opens=("blocker", "idea"), url=lambda number: reverse("suggestions:detail", kwargs={"number": number}),
        )
        # Answer deadlines are given in working days: they move when the holiday calendar changes.
        calendar_changed_subscriber(suggestions_follow_calendar)
        from portal.accounts.login_reasons import login_reason_register

        # The sign-in page says why it is asked for when a visitor wants to share an idea.
        login_reason_register("suggestions:submit", _(
            "Sign in to share an idea: you are told when it is answered, and can follow it on your page."
        ))
