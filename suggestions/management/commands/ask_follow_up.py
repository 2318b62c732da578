from portal.management.jobs import PeriodicJobCommand
from suggestions.actions import suggestion_ask_follow_up


class Command(PeriodicJobCommand):
    help = (
        'Ask submitters "was this resolved?" SUGGESTION_FOLLOWUP_DAYS after their entry closed (once '
        "per entry). The job Celery beat runs hourly, for sites that use cron. Two runs at once: one "
        "runs, the other says so and exits."
    )
    job_name = "suggestions-follow-up"

    def run(self, **options) -> str:
        return f"{suggestion_ask_follow_up()} question(s) sent"
