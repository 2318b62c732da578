"""At 375 px the leaderboard is one card a team: the five-star team's five stars are on screen,
with no sideways scrolling to reach them."""
import pytest
from django.core.management import call_command

from tests.e2e.conftest import fits


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_five_star_team_shows_five_stars_on_a_phone(screen):
    from points.models import Period, Stage, TeamRating

    call_command("seed_demo", verbosity=0)
    period = Period.objects.filter(stage=Stage.PUBLISHED).order_by("-published_at").first()
    rating = TeamRating.objects.filter(period=period).first()
    TeamRating.objects.filter(pk=rating.pk).update(stars=5)
    screen.goto(screen.base_url + f"/leaderboard/?period={period.pk}")
    stars = screen.locator("#team-ranks .stars", has_text="★★★★★").first
    assert stars.is_visible()
    box = stars.bounding_box()
    wrap = screen.locator(".table-wrap", has=screen.locator("#team-ranks"))
    visible = wrap.evaluate("w => { const r = w.getBoundingClientRect(); return [r.left, r.left + w.clientWidth]; }")
    # Inside what the region shows without scrolling it sideways, and on the screen.
    assert visible[0] <= box["x"] and box["x"] + box["width"] <= min(visible[1], screen.width)
    assert fits(screen)
    # The team list, with its star levels, fits the phone too.
    screen.goto(screen.base_url + "/teams/")
    assert fits(screen)
