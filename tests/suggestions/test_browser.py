import pytest
from django.core.management import call_command

from portal.demo import DEMO_PASSWORD
from suggestions.models import Suggestion


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_founder_submits_a_blocker_on_a_phone_and_sees_it_in_the_ledger(page):
    call_command("seed_demo")
    page.goto(page.base_url + "/accounts/login/")
    page.locator("#id_username").fill("founder")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/me/")
    assert "JDZ-" in page.content()  # my ideas on the personal page

    page.goto(page.base_url + "/ideas/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator("a.button[href='/ideas/new/']").click()
    page.wait_for_url("**/ideas/new/")
    page.locator("#id_kind_1").check()  # blocker
    page.locator("#id_category").select_option("service")
    page.locator("#id_title").fill("营业执照自助打印机经常缺纸")
    page.locator("#id_content").fill("大厅的营业执照自助打印机周末经常缺纸，无法打印。")
    page.locator("#id_content").press("Tab")
    page.keyboard.press("Enter")  # the submit button follows the last field
    # The demo ledger already has a similar entry: the form offers it before submitting.
    page.wait_for_selector("button[name=confirm]")
    assert "营业执照自助打印" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator("button[name=confirm]").click()
    page.wait_for_url("**/ideas/JDZ-*/")
    entry = Suggestion.objects.get(title="营业执照自助打印机经常缺纸")
    assert entry.number in page.content() and entry.kind == "blocker"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(page.base_url + "/ideas/?kind=blocker")
    assert entry.number in page.content()
    assert "林小创" not in page.content()
