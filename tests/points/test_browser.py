"""The member's main flow on a 375 px phone, by keyboard: peer-review a teammate."""
import pytest

from points.models import PeerScore, Stage
from tests.factories import TEST_PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_member_peer_reviews_a_teammate_on_a_phone(page, period, drive, member, teammate):
    drive(period, Stage.PEER_REVIEW)
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill("member")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/me/")
    page.goto(page.base_url + f"/points/periods/{period.pk}/peer-review/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("link", name="Review").or_(page.get_by_role("link", name="评分")).first.click()
    fields = page.locator("input[type=number]")
    for index in range(fields.count()):
        fields.nth(index).fill("16")
    fields.nth(fields.count() - 1).press("Enter")
    page.wait_for_url(f"**/points/periods/{period.pk}/peer-review/")
    assert PeerScore.objects.filter(reviewer=member, member=teammate).count() == 5
    page.goto(page.base_url + "/leaderboard/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
