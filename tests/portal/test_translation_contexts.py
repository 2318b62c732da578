"""One English word, two meanings: each meaning has its own context, so the Chinese is not shared.

"To do" is an open case task (待办) and a peer review still to give (待评); "Sign up" creates an
account (注册) and joins an activity (报名); "activities" is the admin's name for the model (活动).
Before the contexts, the case board said 待评, the activity button 注册 and the admin 场.
"""
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from portal.cases.models import CaseTask
from tests.factories import ActivityFactory
from volunteers.models import Activity

pytestmark = pytest.mark.django_db


def test_it_does_not_call_an_open_case_task_a_review_to_give():
    with translation.override("zh-hans"):
        peer_review_to_do = gettext("To do")
        assert peer_review_to_do == "待评"  # the catalogue's text for the peer review badge
        assert str(CaseTask.Status.OPEN.label) != peer_review_to_do


def test_it_does_not_call_joining_an_activity_creating_an_account(client, entrepreneur):
    activity = ActivityFactory()
    client.force_login(entrepreneur)
    body = client.get(f"/activities/{activity.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    form = rf'action="/activities/{activity.pk}/signup/"[^>]*>.*?<button[^>]*>([^<]+)</button>'
    button = re.search(form, body, re.S)
    assert button, "the sign-up form is on the page"
    with translation.override("zh-hans"):
        assert button.group(1).strip() != gettext("Sign up") == "注册"


def test_it_names_activities_in_the_admin_as_activities_not_as_a_counter_word():
    with translation.override("zh-hans"):
        assert str(Activity._meta.verbose_name_plural) != "场"
