"""Benchmark: every public page, list API and signed-in page against the floor, at 1x and 10x the
demo data; the booking rush against a floor write; the leaderboard API at 1,000 and 10,000 members.

    .venv/bin/python bench/pages.py [results.json]      (make bench runs it with the others)

1. Creates its own PostgreSQL database (``<BENCH_DB_PREFIX>_pages`` on BENCH_POSTGRES_URL) and
   drops it at the end; loads the demo data (tests/scale.py).
2. Serves the portal with gunicorn (2 workers, DEBUG off, the page cache on Redis when
   BENCH_REDIS_URL is set, else each worker's memory) on 127.0.0.1 only, with the floor views of
   portal/bench.py mounted (BENCH_FLOOR=true).
3. For each URL: wrk (16 connections, BENCH_SECONDS each) against the page and against the floor
   answering a body of the same size and type through the same server, settings and middleware,
   in the order page, floor, floor, page after a discarded second of the page (both workers
   warm); at 1x also with PAGE_CACHE=false for 1 s each (how fast rendering alone is). Signed-in pages send the demo
   founder's session cookie, and so does their floor.
4. The booking rush: wrk POSTs real bookings (every request a new person, Token auth) beside the
   floor's one-row write; oversold and 5xx must be 0.
5. Grows the data tenfold and measures every URL again.
6. A published rating period with 10 teams of 100 members, then 100 teams of 100: the
   leaderboard API, rendered fresh (PAGE_CACHE=false) and kept.
Writes its rows as JSON for bench/run.py and prints them.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECONDS = int(os.environ.get("BENCH_SECONDS", "2"))  # 1 s runs left p99 at the mercy of one pause
LONG = max(SECONDS, 3)  # the rush and the leaderboard: fewer runs, each longer
RUSH_PEOPLE = 3000  # a booking run's people: more than a run books at 1,000 bookings/s
CONNECTIONS = 16
SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PREFIX = os.environ.get("BENCH_DB_PREFIX", f"bench_{os.getpid()}")
DB_NAME = f"{PREFIX}_pages"
server = urlparse(SERVER_URL)
DB_URL = f"{server.scheme}://{server.netloc}/{DB_NAME}"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "")
PORT = int(os.environ.get("BENCH_PORT", "0")) or None
STATIC = tempfile.mkdtemp(prefix="bench-static-")
CSRF_COOKIE = "csrftoken=" + "b" * 32  # a returning browser has one; pages and floors alike

ENV = {
    "DATABASE_URL": DB_URL, "DEBUG": "false", "SECRET_KEY": "bench-only-" + "k" * 50,
    "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false", "SECURE_HSTS_SECONDS": "0", "BENCH_FLOOR": "true", "STATIC_ROOT": STATIC,
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend", "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "portal.settings", "NOTIFY_WEBHOOK_URL": "",
}
os.environ.update(ENV)
if REDIS_URL:
    os.environ["REDIS_URL"] = REDIS_URL
else:
    os.environ.pop("REDIS_URL", None)

WRK_GET = """
local headers = {%(headers)s}
function request() return wrk.format("GET", "%(path)s", headers) end
function done(summary, latency, requests)
  io.write(string.format("WRK %%d %%f %%f %%f %%d %%d\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""

WRK_POST = """
tokens = {%(tokens)s}
slots = {%(slots)s}
local threads = {}
local counter = 0
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  created = 0
  errors_5xx = 0
end
function request()
  local n = id + counter * 2
  counter = counter + 1
  local token = tokens[(n %% #tokens) + 1]
  local slot = slots[(n %% #slots) + 1]
  return wrk.format("POST", "%(path)s", {["Content-Type"] = "application/json",
    ["Authorization"] = "Token " .. token}, '{"slot": ' .. slot .. ', "bundle": "rush"}')
end
function response(status, headers, body)
  if status == 201 then created = created + 1 end
  if status >= 500 then errors_5xx = errors_5xx + 1 end
end
function done(summary, latency, requests)
  local made, errors = 0, 0
  for _, thread in ipairs(threads) do
    made = made + thread:get("created")
    errors = errors + thread:get("errors_5xx")
  end
  io.write(string.format("WRK %%d %%f %%f %%f %%d %%d %%d\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, made))
end
"""


def _admin_sql(sql: str) -> None:
    conn = psycopg2.connect(SERVER_URL)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn, 2 workers, on 127.0.0.1 only."""

    def __init__(self, *, page_cache: bool):
        self.port = PORT or _free_port()
        env = {**os.environ, "PAGE_CACHE": "true" if page_cache else "false"}
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "portal.wsgi:application", "--bind",
             f"127.0.0.1:{self.port}", "--workers", "2", "--graceful-timeout", "5", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not start within 30 s")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def get(self, path: str, cookie: str) -> tuple[int, bytes, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = conn.getresponse()
            return response.status, response.read(), response.getheader("Content-Type", "")
        finally:
            conn.close()

    def wrk(self, script: str, seconds: int = SECONDS) -> list[float]:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
            handle.write(script)
        try:
            result = subprocess.run(
                ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "10s", "-s",
                 handle.name, f"http://127.0.0.1:{self.port}"],
                capture_output=True, text=True, timeout=seconds + 60,
            )
        finally:
            os.unlink(handle.name)
        line = next((row for row in result.stdout.splitlines() if row.startswith("WRK ")), None)
        if line is None:
            raise SystemExit(f"wrk gave no figures: {result.stdout[-400:]} {result.stderr[-400:]}")
        requests, duration, *rest = (float(v) for v in line.split()[1:])
        return [requests / duration, *rest]

    def load(self, path: str, cookie: str, seconds: int = SECONDS) -> dict:
        headers = f'["Cookie"] = "{cookie}", ["Host"] = "127.0.0.1"'
        rps, p50, p99, non_2xx, socket_errors = self.wrk(WRK_GET % {"headers": headers, "path": path}, seconds)
        return {"rps": rps, "p50": p50, "p99": p99, "errors": int(non_2xx + socket_errors)}


def _urls() -> dict[str, tuple[str, bool]]:
    """{label: (path, signed in)}: the pages of issue 13."""
    from services.models import Booking, Bundle, ServiceItem
    from suggestions.models import Suggestion
    from volunteers.models import Team

    bundle = Bundle.objects.order_by("position", "name").first()
    item = ServiceItem.objects.order_by("position", "code").first()
    idea = Suggestion.objects.filter(hidden_at__isnull=True).order_by("number").first()
    team = Team.objects.order_by("name").first()
    booking = Booking.objects.filter(user__username="founder").order_by("id").first()
    public = ["/", "/services/", f"/bundles/{bundle.slug}/", f"/services/{item.code}/", "/ideas/",
              f"/ideas/{idea.number}/", "/activities/", "/teams/", f"/teams/{team.slug}/", "/leaderboard/",
              "/dashboard/", "/api/v1/services/", "/api/v1/bundles/", "/api/v1/slots/", "/api/v1/activities/",
              "/api/v1/suggestions/", "/api/v1/leaderboard/"]
    signed_in = ["/me/", f"/bundles/{bundle.slug}/book/", f"/bookings/{booking.reference}/"]
    urls = {path: (path, False) for path in public}
    urls.update({f"{path} (signed in)": (path, True) for path in signed_in})
    return urls


def _session_cookie(username: str) -> str:
    from django.test import Client

    from portal.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return f"sessionid={client.cookies['sessionid'].value}; {CSRF_COOKIE}"


def _measure(server: Server, urls: dict, founder_cookie: str, *, floors: bool, seconds: int = SECONDS) -> dict:
    rows = {}
    # The server's own first seconds (its workers' first requests, the collector's first sweeps)
    # fall on no URL's figures.
    server.load("/bench/floor/?size=5000&type=html", CSRF_COOKIE, 2)
    for label, (path, signed_in) in urls.items():
        cookie = founder_cookie if signed_in else CSRF_COOKIE
        for _warm in range(3):
            status, body, content_type = server.get(path, cookie)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        kind = "json" if "json" in content_type else "html"
        floor = f"/bench/floor/?size={len(body)}&type={kind}"
        if not floors:  # rendered on every request: warm after the first few, and no goal
            rows[label] = {"page": server.load(path, cookie, seconds), "bytes": len(body)}
            continue
        # One second of it first, discarded: both workers have served it (their first answer of
        # a page pays for compiling its templates, which is no steady state).
        server.load(path, cookie, 1)
        # Page, floor, floor, page: a drift of the machine over the four runs (another process
        # waking, the CPU's clock) falls on both alike instead of on whichever ran second.
        runs = [server.load(target, cookie, seconds) for target in (path, floor, floor, path)]
        rows[label] = {"page": _pooled(runs[0], runs[3]), "floor": _pooled(runs[1], runs[2]), "bytes": len(body)}
    return rows


def _pooled(first: dict, second: dict) -> dict:
    """Two runs of one URL as one: mean throughput and latency, the worse p99, all errors."""
    return {"rps": (first["rps"] + second["rps"]) / 2, "p50": (first["p50"] + second["p50"]) / 2,
            "p99": max(first["p99"], second["p99"]), "errors": first["errors"] + second["errors"]}


def _rush(server: Server) -> dict:
    """wrk POSTs real bookings beside the floor's one-row write, LONG seconds a run, in the order
    booking, floor, floor, booking (as the pages), each booking run with people of its own."""
    from datetime import timedelta

    from django.db import connections
    from django.db.models import Count, Q
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from portal.accounts.models import User
    from services.models import Bundle, Slot
    from tests.factories import BundleFactory, BundleItemFactory, SlotFactory

    bundle = BundleFactory(slug="rush", name="基准抢约一件事")
    BundleItemFactory(bundle=bundle, item=Bundle.objects.exclude(pk=bundle.pk).first().bundle_items.first().item)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    slots = [SlotFactory(bundle=bundle, capacity=400, starts_at=start + timedelta(hours=n)) for n in range(20)]
    # 3,000 people a booking run: wrk goes round them, and a second booking of one slot is a 409.
    users = User.objects.bulk_create(
        [User(username=f"rush{n}", display_name=f"创业者{n}", password="!") for n in range(RUSH_PEOPLE * 2)]
    )
    keys = [t.key for t in Token.objects.bulk_create([Token(user=user, key=Token.generate_key()) for user in users])]
    connections.close_all()

    def script(path: str, people: list[str]) -> str:
        return WRK_POST % {"tokens": ",".join(f'"{key}"' for key in people),
                           "slots": ",".join(str(s.pk) for s in slots), "path": path}

    plan = [("booking", "/api/v1/bookings/", keys[:RUSH_PEOPLE]), ("floor", "/bench/floor-write/", keys[:RUSH_PEOPLE]),
            ("floor", "/bench/floor-write/", keys[RUSH_PEOPLE:]), ("booking", "/api/v1/bookings/", keys[RUSH_PEOPLE:])]
    runs: dict[str, list[dict]] = {"booking": [], "floor": []}
    for label, path, people in plan:
        rps, p50, p99, errors_5xx, socket_errors, created = server.wrk(script(path, people), LONG)
        runs[label].append({"rps": rps, "created_per_s": created / LONG, "p50": p50, "p99": p99,
                            "errors": int(errors_5xx + socket_errors)})
    figures = {label: {**_pooled(*pair), "created_per_s": (pair[0]["created_per_s"] + pair[1]["created_per_s"]) / 2}
               for label, pair in runs.items()}
    time.sleep(3)  # let the requests wrk left in flight finish
    # One statement, one snapshot: each slot's counter beside its booking rows.
    rows = Slot.objects.filter(pk__in=[s.pk for s in slots]).annotate(
        n=Count("bookings", filter=Q(bookings__status="booked"))).values_list("capacity", "booked_count", "n")
    figures["oversold"] = sum(max(0, n - capacity) + abs(counter - n) for capacity, counter, n in rows)
    return figures


def _leaderboard(teams: int, period=None):
    """A published period with ``teams`` teams of 100 members (added to the one given)."""
    from datetime import date

    from django.utils import timezone

    from points.models import MemberResult, Period, Stage, TeamRating
    from portal.accounts.models import User
    from volunteers.models import Membership, Team

    if period is None:
        period = Period.objects.create(name="基准季度", starts_on=date(2026, 7, 1), ends_on=date(2026, 9, 30),
                                       stage=Stage.PUBLISHED, published_at=timezone.now())
    start = TeamRating.objects.filter(period=period).count()
    for t in range(start, teams):
        team = Team.objects.create(name=f"基准服务队{t}", slug=f"bench-team-{t}")
        people = User.objects.bulk_create(
            [User(username=f"lb{t}-{m}", display_name=f"队员{t}-{m}", password="!") for m in range(100)])
        Membership.objects.bulk_create([Membership(team=team, user=u, joined_on=timezone.localdate())
                                        for u in people])
        MemberResult.objects.bulk_create([MemberResult(period=period, team=team, member=u, total=60 + m % 40,
                                                       stars=3) for m, u in enumerate(people)])
        TeamRating.objects.create(period=period, team=team, average=75, stars=3)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum would do after such a bulk load
            cursor.execute("ANALYZE points_memberresult")
    return period


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    _admin_sql(f'CREATE DATABASE "{DB_NAME}"')
    server = None
    results: dict = {"seconds": SECONDS, "connections": CONNECTIONS, "cache": "redis" if REDIS_URL else "locmem"}
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        from portal.celery import app as celery_app
        from tests import scale

        celery_app.conf.task_always_eager = True  # this process's own writes deliver in-process
        call_command("migrate", verbosity=0)
        call_command("collectstatic", "--noinput", verbosity=0)
        scale.seed_demo()
        urls = _urls()
        cookie = _session_cookie("founder")
        connections.close_all()

        print(f"pages at 1x ({len(urls)} URLs, page cache on, and the floors) ...", flush=True)
        server = Server(page_cache=True)
        results["1x"] = _measure(server, urls, cookie, floors=True)
        print("booking rush ...", flush=True)
        results["rush"] = _rush(server)
        server.stop()
        print("pages at 1x, page cache off ...", flush=True)
        server = Server(page_cache=False)
        results["1x_nocache"] = _measure(server, urls, cookie, floors=False, seconds=1)
        server.stop()

        print("growing the data tenfold ...", flush=True)
        scale.grow_tenfold()
        connections.close_all()
        print("pages at 10x ...", flush=True)
        server = Server(page_cache=True)
        results["10x"] = _measure(server, urls, cookie, floors=True)
        server.stop()

        print("leaderboard at 1,000 and 10,000 members ...", flush=True)
        results["leaderboard"] = {}
        period = None
        for members, teams in ((1000, 10), (10000, 100)):
            period = _leaderboard(teams, period)
            connections.close_all()
            path = f"/api/v1/leaderboard/?period={period.pk}"
            row = {}
            for mode in (False, True):
                server = Server(page_cache=mode)
                row["kept" if mode else "fresh"] = _measure(server, {path: (path, False)}, cookie, floors=not mode,
                                                                   seconds=LONG)[path]
                server.stop()
            server = None
            results["leaderboard"][members] = row
    finally:
        if server is not None:
            server.process.kill()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        shutil.rmtree(STATIC, ignore_errors=True)
        if REDIS_URL:
            _forget_queued_tasks()
    text = json.dumps(results, indent=1, default=str)
    if out:
        out.write_text(text)
    else:
        print(text)
    return 0


def _forget_queued_tasks() -> None:
    """The servers queued notification tasks on the benchmark's own Redis index (no worker runs):
    drop that queue, nothing else."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.delete("celery", "unacked", "unacked_index")


if __name__ == "__main__":
    sys.exit(main())
