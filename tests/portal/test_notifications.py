import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal.notifications.actions import notify, reminder_send_once
from portal.notifications.models import Notification, Reminder
from tests.factories import DepartmentFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_it_notifies_on_the_site_and_by_mail_after_commit():
    person = UserFactory(email="p@example.com")
    notify(users=[person], title="您的预约已确认", body="请携带身份证。", url="/me/")
    assert Notification.objects.get(user=person).title == "您的预约已确认"
    assert mail.outbox[0].subject == "您的预约已确认"
    assert Notification.objects.get(user=person).delivered_at is not None


@pytest.mark.django_db
def test_it_sends_a_reminder_once_per_subject_kind_and_deadline(django_capture_on_commit_callbacks):
    person = UserFactory()
    subject = DepartmentFactory()
    deadline = timezone.now() + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = reminder_send_once(subject=subject, kind="due_soon", deadline=deadline, recipients=[person], title="明天到期")
        again = reminder_send_once(subject=subject, kind="due_soon", deadline=deadline, recipients=[person], title="明天到期")
        moved = reminder_send_once(
            subject=subject, kind="due_soon", deadline=deadline + timedelta(days=2), recipients=[person], title="新期限"
        )
    assert first is not None and again is None and moved is not None
    assert Reminder.objects.count() == 2
    assert Notification.objects.filter(user=person).count() == 2
    assert list(first.recipients.all()) == [person]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_sends_a_reminder_once_under_concurrent_sweeps():
    person = UserFactory()
    subject = DepartmentFactory()
    deadline = timezone.now() + timedelta(days=1)
    barrier = threading.Barrier(8)
    results = []

    def sweep():
        barrier.wait()
        try:
            results.append(
                reminder_send_once(subject=subject, kind="overdue", deadline=deadline, recipients=[person], title="逾期")
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(1 for result in results if result is not None) == 1
    assert Reminder.objects.count() == 1
    assert Notification.objects.filter(user=person).count() == 1


@pytest.mark.django_db
def test_it_lists_and_marks_notifications_read(client):
    person = UserFactory()
    notify(users=[person], title="材料已受理")
    client.force_login(person)
    page = client.get(reverse("accounts:notifications"))
    assert "材料已受理" in page.content.decode()
    client.post(reverse("accounts:notifications_mark_read"))
    assert not Notification.objects.filter(user=person, read_at__isnull=True).exists()
