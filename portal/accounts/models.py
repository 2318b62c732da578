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

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def shown_name(self) -> str:
        return str(self)
