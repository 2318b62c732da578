from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import translation

# Order matters: later apps use the people, departments and teams made by earlier ones.
DEMO_MODULES = [
    "portal.demo", "portal.hall.demo", "services.demo", "portal.cases.demo", "volunteers.demo", "points.demo",
    "suggestions.demo",
]


class Command(BaseCommand):
    help = "Load realistic demo data. Idempotent: running it again changes nothing."

    def handle(self, *args, **options):
        # Demo actions notify people like real ones do; keep those mails off the console and
        # out of a real mailbox (the notifications still show on the site).
        # The demo is written in Chinese, the hall's own language: its texts go to the Chinese
        # columns and each module adds the English beside them, whatever language is active.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), \
                translation.override(settings.LANGUAGE_CODE):
            self._seed()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))

    def _seed(self) -> None:
        for dotted in DEMO_MODULES:
            try:
                module = import_module(dotted)
            except ModuleNotFoundError as exc:
                if exc.name != dotted:
                    raise
                continue
            with transaction.atomic():
                summary = module.seed()
            self.stdout.write(f"{dotted}: {summary}")
