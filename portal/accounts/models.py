from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.validators import mainland_mobile_validator


class User(AbstractUser):
    """A person with an account: entrepreneurs, staff, officers, team members and reviewers alike.

    Roles are groups (see portal.roles); the profile fields live here so a booking list or an
    export never needs a second query per person.
    """

    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    mobile = models.CharField(
        _("mobile number"), max_length=11, blank=True, validators=[mainland_mobile_validator]
    )
    company_name = models.CharField(_("company name"), max_length=120, blank=True)
    # The language the person's notifications and mail are written in; empty means the hall's
    # default (LANGUAGE_CODE). Set when they switch language while signed in, and on the profile.
    language = models.CharField(
        _("language"), max_length=10, blank=True, default="", db_default="", choices=settings.LANGUAGES,
        help_text=_("The language of your notifications and e-mails."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def shown_name(self) -> str:
        return str(self)

    @property
    def notification_language(self) -> str:
        """The language to write this person's notifications in."""
        return self.language or settings.LANGUAGE_CODE
