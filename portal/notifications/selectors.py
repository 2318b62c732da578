from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from portal.notifications.models import Notification, Reminder


def notification_list(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def reminder_sent(*, model: type[models.Model], kind: str, deadline: str) -> models.Exists:
    """``Exists`` of the Reminder of ``kind`` for the outer row of ``model`` at the time in the
    outer field ``deadline`` (``"slot__starts_at"``, ``"activity__starts_at"``): a sweep excludes
    what it reminded already, so each batch reads only what is still owed."""
    return models.Exists(Reminder.objects.filter(
        subject_type=ContentType.objects.get_for_model(model), subject_id=models.OuterRef("pk"),
        kind=kind, deadline=models.OuterRef(deadline),
    ))
