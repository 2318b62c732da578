import pytest

from tests.factories import TEST_PASSWORD, ActivityFactory, UserFactory
from volunteers.models import SignUp


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_young_person_finds_an_activity_and_signs_up_on_a_phone(page):
    UserFactory(username="xiaoqing", display_name="陈小青")
    activity = ActivityFactory(title="青创夜校：开办一家餐饮店", capacity=3)
    page.goto(page.base_url + "/activities/?week=" + f"{activity.starts_at:%Y-%m-%d}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("link", name="青创夜校：开办一家餐饮店").click()
    # Not signed in: the page offers sign-in first, then comes back here.
    page.locator("a[href*='/login/?next=']").click()
    page.locator("input[name=username]").fill("xiaoqing")
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/activities/{activity.pk}/")
    page.locator(f"form[action='/activities/{activity.pk}/signup/'] button").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".message-success")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert SignUp.objects.filter(activity=activity, user__username="xiaoqing", status="active").exists()
    assert "2" in page.locator("dl.facts").inner_text()
