"""Each person's notifications come in the language they chose (User.language), and the links in
mail and webhook messages are absolute (SITE_URL)."""
import json
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from portal.notifications.actions import ReminderDraft, notify, outbox_resend, reminders_send_once
from portal.notifications.models import Notification
from services import actions
from tests.factories import DepartmentFactory, SlotFactory, UserFactory


@pytest.fixture
def english_person(db):
    return UserFactory(username="emma", email="emma@example.com", language="en")


@pytest.fixture
def chinese_person(db):
    return UserFactory(username="wang", email="wang@example.com", language="zh-hans")


def _book(person, capture):
    slot = SlotFactory()
    with capture(execute=True):
        return actions.booking_create(slot=slot, bundle=slot.bundle, by=person)


@pytest.mark.django_db
def test_it_writes_a_booking_confirmation_in_each_persons_language(english_person, chinese_person, english,
                                                                   django_capture_on_commit_callbacks):
    mail.outbox.clear()
    theirs = _book(english_person, django_capture_on_commit_callbacks)
    mine = _book(chinese_person, django_capture_on_commit_callbacks)

    english_note = Notification.objects.get(user=english_person)
    chinese_note = Notification.objects.get(user=chinese_person)
    assert english_note.title.startswith(f"Booking {theirs.reference} confirmed for ")
    assert chinese_note.title.startswith(f"预约 {mine.reference} 已确认")
    # The mail is the same text as the site's copy, in the same language.
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects == {"emma@example.com": english_note.title, "wang@example.com": chinese_note.title}


@pytest.mark.django_db
def test_it_writes_in_the_halls_language_for_someone_who_chose_none(django_capture_on_commit_callbacks):
    person = UserFactory(username="li", language="")
    booking = _book(person, django_capture_on_commit_callbacks)
    assert Notification.objects.get(user=person).title.startswith(f"预约 {booking.reference} 已确认")


@pytest.mark.django_db
def test_it_writes_a_batch_once_per_language(english_person, chinese_person):
    calls = []

    def title() -> str:
        calls.append(None)
        return gettext("Booked")

    people = [english_person, chinese_person, UserFactory(username="zhao", language="zh-hans"),
              UserFactory(username="ella", language="en")]
    drafts = [ReminderDraft(subject=DepartmentFactory(), kind="test", deadline=timezone.now(),
                            recipients=people, title=title)]
    assert len(reminders_send_once(drafts=drafts)) == 1
    titles = dict(Notification.objects.values_list("user__username", "title"))
    assert titles["emma"] == titles["ella"] == "Booked"
    assert titles["wang"] == titles["zhao"] != "Booked"
    # Once per language among the recipients, and once for the record (in the hall's language).
    assert len(calls) == 3


@pytest.mark.django_db
def test_mail_and_webhook_links_start_with_the_site_url(english_person, settings):
    settings.SITE_URL = "https://hall.example.cn"
    settings.NOTIFY_WEBHOOK_URL = "https://chat.example.cn/hook"
    mail.outbox.clear()
    sent = []

    class Answer:
        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

    def urlopen(request, timeout):
        sent.append(json.loads(request.data))
        return Answer()

    notify(users=[english_person], title=lambda: gettext("Booked"), body="", url="/bookings/K7M2QX/")
    with mock.patch("portal.notifications.channels.urllib.request.urlopen", urlopen):
        assert outbox_resend() == 2
    assert mail.outbox[0].body.strip().splitlines()[-1] == "https://hall.example.cn/bookings/K7M2QX/"
    assert sent[0]["url"] == "https://hall.example.cn/bookings/K7M2QX/"
    assert sent[0]["title"] == "Booked"


@pytest.mark.django_db
def test_it_remembers_the_language_a_signed_in_person_switches_to(client, chinese_person):
    client.force_login(chinese_person)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/me/"})
    assert response.status_code == 302 and response["Location"] == "/me/"
    chinese_person.refresh_from_db()
    assert chinese_person.language == "en"
    # A language the site does not offer changes nothing.
    client.post(reverse("set_language"), {"language": "xx", "next": "/me/"})
    chinese_person.refresh_from_db()
    assert chinese_person.language == "en"


@pytest.mark.django_db
def test_a_visitor_switches_language_without_an_account(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


@pytest.mark.django_db
def test_it_keeps_the_language_chosen_on_the_profile_page(client, chinese_person):
    client.force_login(chinese_person)
    page = client.get(reverse("accounts:profile"))
    assert 'name="language"' in page.content.decode()
    response = client.post(reverse("accounts:profile"), {
        "display_name": "王", "email": "wang@example.com", "mobile": "", "company_name": "", "language": "en"})
    assert response.status_code == 302
    chinese_person.refresh_from_db()
    assert chinese_person.language == "en"
    assert response.cookies["django_language"].value == "en"
    bad = client.post(reverse("accounts:profile"), {
        "display_name": "王", "email": "wang@example.com", "mobile": "", "company_name": "", "language": "fr"})
    assert bad.status_code == 200 and "language" in bad.context["form"].errors
    chinese_person.refresh_from_db()
    assert chinese_person.language == "en"


@pytest.mark.django_db
def test_a_new_account_keeps_the_language_it_signed_up_in(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(reverse("accounts:signup"), {
        "username": "newfounder", "email": "new@example.com", "password1": "a-Long-pass-9876",
        "password2": "a-Long-pass-9876", "display_name": "", "mobile": "", "company_name": ""})
    assert response.status_code == 302
    from portal.accounts.models import User

    assert User.objects.get(username="newfounder").language == "en"
