import pytest
from django.core.management import call_command

from portal.demo import DEMO_PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_person_signs_in_by_keyboard_on_a_phone(page):
    call_command("seed_demo")
    page.goto(page.base_url + "/accounts/login/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_label("用户名").fill("founder")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/me/")
    assert "林小创" in page.content()
