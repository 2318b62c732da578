"""Benchmark: the leaderboard page and API at 1,000 and 10,000 rated members.

    DEBUG=true .venv/bin/python bench/leaderboard.py

Builds its own throw-away SQLite database in a temporary folder (never the developer's data),
fills a published period with 10 teams of 100 members, measures, grows it to 100 teams of 100
members, measures again, and prints the SQL query count and the median time of each request side
by side. Requests go through Django's test client in this process: no network traffic at all.
Bounded: 15 timed requests per measurement, about a minute in all.
"""
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.TemporaryDirectory(prefix="bench-leaderboard-")
os.environ["DATABASE_URL"] = f"sqlite:///{TMP.name}/bench.sqlite3"
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from points.models import Indicator, MemberResult, Period, Stage, TeamRating  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from volunteers.models import Membership, Team  # noqa: E402

MEMBERS_PER_TEAM = 100
REPEAT = 15
URLS = [("page /leaderboard/", "/leaderboard/"), ("API /api/v1/leaderboard/", "/api/v1/leaderboard/")]


def add_teams(period: Period, start: int, count: int) -> None:
    """Teams with a captain and MEMBERS_PER_TEAM rated members, written in bulk."""
    teams = Team.objects.bulk_create([
        Team(name=f"青年服务队{n:03d}", slug=f"team-{n:03d}", positioning="outward") for n in range(start, start + count)
    ])
    people = User.objects.bulk_create([
        User(username=f"t{team.slug}-{m:03d}", display_name=f"队员{team.pk}-{m}", password="!")
        for team in teams for m in range(MEMBERS_PER_TEAM + 1)
    ])
    memberships, results, ratings = [], [], []
    for index, team in enumerate(teams):
        group = people[index * (MEMBERS_PER_TEAM + 1):(index + 1) * (MEMBERS_PER_TEAM + 1)]
        memberships.append(Membership(team=team, user=group[0], role="captain", joined_on=date(2026, 1, 1)))
        totals = []
        for m, person in enumerate(group[1:]):
            total = 55 + (m * 7 + index * 3) % 46
            totals.append(total)
            memberships.append(Membership(team=team, user=person, role="member", joined_on=date(2026, 1, 1)))
            results.append(MemberResult(period=period, team=team, member=person, total=total,
                                        stars=5 if total >= 90 else 4 if total >= 80 else 3 if total >= 70 else 2,
                                        is_good_youth=total >= 99))
        average = sum(totals) / len(totals)
        ratings.append(TeamRating(period=period, team=team, status="approved", average=round(average, 2),
                                  stars=4 if average >= 80 else 3))
    Membership.objects.bulk_create(memberships, batch_size=2000)
    MemberResult.objects.bulk_create(results, batch_size=2000)
    TeamRating.objects.bulk_create(ratings)


def measure(client: Client) -> dict[str, tuple[int, float]]:
    figures = {}
    for label, url in URLS:
        assert client.get(url).status_code == 200  # warm up
        # Django clears connection.queries at each request start, so count with a wrapper instead.
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        figures[label] = (len(queries), statistics.median(times))
    return figures


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    indicators = Indicator.objects.bulk_create([
        Indicator(code=f"ind-{n}", category="service", name=f"指标{n}", max_points=20, position=n) for n in range(5)
    ])
    period = Period.objects.create(name="基准测试期", starts_on=date(2026, 7, 1), ends_on=date(2026, 9, 30),
                                   stage=Stage.PUBLISHED, published_at=timezone.now())
    period.indicators.set(indicators)
    client = Client(SERVER_NAME="127.0.0.1")

    add_teams(period, 0, 10)
    small = measure(client)
    add_teams(period, 10, 90)
    large = measure(client)
    members = MemberResult.objects.filter(period=period).count()

    print(f"Leaderboard benchmark: published period, {TeamRating.objects.count()} teams x {MEMBERS_PER_TEAM} members "
          f"at the end ({members} members); median of {REPEAT} requests; SQLite in {TMP.name}")
    print(f"{'request':28} {'queries@1k':>10} {'queries@10k':>11} {'ms@1k':>8} {'ms@10k':>8} {'time ratio':>10}")
    for label, _url in URLS:
        (q1, t1), (q2, t2) = small[label], large[label]
        print(f"{label:28} {q1:>10} {q2:>11} {t1:>8.1f} {t2:>8.1f} {t2 / t1:>9.2f}x")
    grew = [label for label, _url in URLS if large[label][0] > small[label][0]]
    print("query count grows with members: " + (", ".join(grew) if grew else "no"))
    print(f"total run time {time.perf_counter() - started:.1f} s")
    TMP.cleanup()
    if grew:
        sys.exit(1)


if __name__ == "__main__":
    main()
