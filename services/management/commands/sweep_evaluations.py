from portal.management.jobs import PeriodicJobCommand
from services.actions import evaluation_invitations_send, rectification_reminders_sweep


class Command(PeriodicJobCommand):
    help = (
        "好差评: invite, once, the people who have not rated a booking completed EVALUATION_INVITE_DAYS "
        "ago, and remind departments of rectifications due and overdue (escalating to the committee). "
        "The job Celery beat runs, for sites that use cron; safe to run often."
    )
    job_name = "evaluation-sweep"

    def run(self, **options) -> str:
        invited = evaluation_invitations_send()
        return f"{invited} invitation(s) and {rectification_reminders_sweep()} rectification reminder(s) sent"
