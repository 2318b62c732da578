"""Each public page, list API and signed-in page runs a fixed number of SQL queries, the same at
the demo data and at ten times the demo data (tests/scale.py): rendered fresh after a write, and
served from the page cache afterwards."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal import pagecache
from tests import scale

# url (or a function of the data giving it): (queries rendered fresh, queries served again)
PUBLIC = {
    "/": (14, 0),
    "/services/": (8, 0),
    "item": (5, 0),
    "bundle": (5, 0),
    "/ideas/": (6, 0),
    "idea": (3, 0),
    "/activities/": (2, 0),
    "/teams/": (2, 0),
    "team": (6, 0),
    "/leaderboard/": (6, 0),  # the page's ranks: one histogram of the totals above it
    "/dashboard/": (27, 0),  # +2: the 好差评 figures (overall and per month)
    "/api/v1/services/": (2, 0),
    "/api/v1/bundles/": (5, 0),
    "/api/v1/slots/": (2, 0),
    "/api/v1/activities/": (2, 0),
    "/api/v1/suggestions/": (2, 0),
    "/api/v1/leaderboard/": (5, 0),
}
# Signed in as the demo founder: the session and the person are read on every request.
SIGNED_IN = {
    "/me/": (22, 2),
    "picker": (10, 2),
    "booking": (19, 2),  # +1: the evaluations given at each stage
}


def _urls() -> dict[str, str]:
    from services.models import Booking, Bundle, ServiceItem
    from suggestions.models import Suggestion
    from volunteers.models import Team

    bundle = Bundle.objects.order_by("position", "name").first()
    return {
        "item": f"/services/{ServiceItem.objects.order_by('position', 'code').first().code}/",
        "bundle": f"/bundles/{bundle.slug}/",
        "idea": f"/ideas/{Suggestion.objects.filter(hidden_at__isnull=True).order_by('number').first().number}/",
        "team": f"/teams/{Team.objects.order_by('name').first().slug}/",
        "picker": f"/bundles/{bundle.slug}/book/",
        "booking": f"/bookings/{Booking.objects.filter(user__username='founder').order_by('id').first().reference}/",
    }


def _measure(client, table: dict) -> dict:
    urls = _urls()
    counts = {}
    for name in table:
        url = urls.get(name, name)
        pagecache.bump()
        with CaptureQueriesContext(connection) as fresh:
            first = client.get(url)
        with CaptureQueriesContext(connection) as again:
            second = client.get(url)
        assert first.status_code == second.status_code == 200, (url, first.status_code, second.status_code)
        assert first.content == second.content or b"csrfmiddlewaretoken" in first.content, url
        counts[name] = (len(fresh), len(again))
    return counts


@pytest.mark.django_db
def test_it_runs_the_same_fixed_number_of_queries_at_1x_and_10x_the_demo_data(client, settings):
    from portal.accounts.models import User

    # Kept pages also expire with the clock; a window of 31 years keeps a minute's turn from
    # making the second request of a pair a miss.
    settings.PAGE_CACHE_SECONDS = 10**9

    scale.seed_demo()
    founder = User.objects.get(username="founder")
    signed_in = type(client)()
    signed_in.force_login(founder)
    one_x = {**_measure(client, PUBLIC), **_measure(signed_in, SIGNED_IN)}
    scale.grow_tenfold()
    ten_x = {**_measure(client, PUBLIC), **_measure(signed_in, SIGNED_IN)}
    assert one_x == {**PUBLIC, **SIGNED_IN}
    assert ten_x == {**PUBLIC, **SIGNED_IN}
