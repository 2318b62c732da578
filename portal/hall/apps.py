from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    """The hall's shared parts: its departments with their officers and the holiday calendar."""

    name = "portal.hall"
    label = "hall"
    verbose_name = _("Youth service hall")
