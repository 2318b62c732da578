"""Journey 3: a rating period runs from peer review to publication through the pages of a member,
the captain, a committee reviewer and an alliance member, each reaching their work from the
header; the leaderboard shows the result."""
import pytest

from points import actions
from points.models import Period, Stage
from portal.roles import Role
from tests.e2e.conftest import click_through, nav_go, sign_in
from tests.factories import TEST_PASSWORD, MembershipFactory, PeriodFactory, TeamFactory, UserFactory


def _sign_out(page):
    from tests.e2e.conftest import open_menu

    open_menu(page)
    with page.expect_navigation():
        page.locator("#site-nav").get_by_role("button", name="Sign out").click()


def _english(page):
    page.goto(page.base_url + "/")
    page.locator(".language-switch button").click()
    page.wait_for_selector("html[lang=en]")


def _open_period(page, who: str, entry: str) -> None:
    sign_in(page, who, TEST_PASSWORD)
    nav_go(page, entry)
    page.get_by_role("link", name="2026 Q4").click()


def _fill_scores(page, value: str, button: str) -> None:
    fields = page.locator("input[type=number]")
    fields.first.wait_for()  # the form has arrived: count() does not wait
    for index in range(fields.count()):
        fields.nth(index).fill(value)
    click_through(page, page.get_by_role("button", name=button))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("screen", ["phone"], indirect=True)
def test_a_rating_period_runs_to_publication_through_each_roles_pages(screen):
    team = TeamFactory(name="政务先锋红色青年宣讲队", slug="vanguard")
    captain = UserFactory(username="captain", display_name="刘队长", roles=[Role.TEAM_MEMBER, Role.TEAM_CAPTAIN])
    member = UserFactory(username="member", display_name="赵青锋", roles=[Role.TEAM_MEMBER])
    MembershipFactory(team=team, user=captain, role="captain")
    MembershipFactory(team=team, user=member, role="member")
    MembershipFactory(team=team, user=UserFactory(username="teammate", display_name="钱同队", roles=[Role.TEAM_MEMBER]),
                      role="member")
    reviewer = UserFactory(username="reviewer", display_name="周青工", roles=[Role.COMMITTEE_REVIEWER])
    UserFactory(username="alliance", display_name="吴党建", roles=[Role.ALLIANCE_MEMBER])
    period = PeriodFactory(name="2026年第四季度")
    period.name_en = "2026 Q4"
    period.save()
    actions.period_advance(period=period, by=reviewer, to=Stage.PEER_REVIEW)
    page = screen
    _english(page)

    for who in ("member", "teammate"):
        _open_period(page, who, "Rating work")
        page.get_by_role("link", name="Peer-review my teammates").click()
        page.locator("a.button").filter(has_text="Review").first.click()
        _fill_scores(page, "16", "Save review")
        _sign_out(page)

    _open_period(page, "reviewer", "Rating work")
    page.get_by_role("link", name="Close this stage and move on").click()
    click_through(page, page.locator("button[name=confirm]"))  # closing a stage is confirmed on a page of its own
    assert Period.objects.get(pk=period.pk).stage == Stage.CAPTAIN_SCORING
    _sign_out(page)

    _open_period(page, "captain", "Scoring")
    page.get_by_role("link", name="Score my team's members").click()
    for index in range(2):
        page.get_by_role("link", name="Score", exact=True).nth(index).click()
        _fill_scores(page, "19", "Save scores")
    click_through(page, page.get_by_role("button", name="Submit the team's scores to the committee"))
    _sign_out(page)

    _open_period(page, "reviewer", "Rating work")
    page.get_by_role("link", name="Close this stage and move on").click()
    click_through(page, page.locator("button[name=confirm]"))  # closing a stage is confirmed on a page of its own
    page.get_by_label("Decision").first.select_option("approve")
    click_through(page, page.get_by_role("button", name="Record decision"))
    page.get_by_role("link", name="Close this stage and move on").click()
    click_through(page, page.locator("button[name=confirm]"))  # closing a stage is confirmed on a page of its own
    assert Period.objects.get(pk=period.pk).stage == Stage.ALLIANCE_DECISION
    _sign_out(page)

    _open_period(page, "alliance", "Rating work")
    page.get_by_role("link", name="Preview the results").click()
    page.get_by_role("button", name="Decide and publish").click()
    page.wait_for_url("**/leaderboard/?period=*")
    assert Period.objects.get(pk=period.pk).stage == Stage.PUBLISHED
    nav_go(page, "Leaderboard")
    body = page.content()
    assert "赵青锋" in body and "政务先锋红色青年宣讲队" in body and "95" in body
