"""Benchmark: a booking rush over HTTP on gunicorn + PostgreSQL, and query counts at 1x and 10x.

    DEBUG=true .venv/bin/python bench/booking.py

1. Creates its own PostgreSQL database (``<BENCH_DB_PREFIX>_booking_<pid>``, prefix ``bench`` unless
   set, on BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres) and drops it at the end: it never touches the
   developer's data.
2. Serves the portal with gunicorn on 127.0.0.1 (a free port), and fires a bounded rush of
   RUSH_REQUESTS booking requests from RUSH_CLIENTS concurrent clients (one signed-in user each
   request, Token auth) at a few small slots. Prints bookings per second, the number oversold
   (must be 0) and the number of 5xx answers (must be 0).
3. Prints the SQL query count of the catalogue page, a bundle page and the slots API with the
   catalogue at 1x (the demo's 40 items) and 10x size, side by side: the counts must not grow.
Bounded: a few hundred requests, 10 s timeout each, about a minute in all.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUSH_CLIENTS = 50
RUSH_REQUESTS = 400
SLOTS = 4
CAPACITY = 20
SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = f"{os.environ.get('BENCH_DB_PREFIX', 'bench')}_booking_{os.getpid()}"
server = urlparse(SERVER_URL)
DB_URL = f"{server.scheme}://{server.netloc}/{DB_NAME}"

os.environ["DATABASE_URL"] = DB_URL
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DEBUG", "true")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


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


def _post(port: int, path: str, token: str, body: dict) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(
            "POST", path, body=json.dumps(body),
            headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        )
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return 599  # a dropped connection counts as a server failure
    finally:
        conn.close()


def main() -> int:
    _admin_sql(f'CREATE DATABASE "{DB_NAME}"')
    gunicorn = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from rest_framework.authtoken.models import Token

        from portal.accounts.models import User
        from services.models import Booking, Bundle, Slot
        from tests.factories import BundleFactory, SlotFactory

        # --- 1. the rush ------------------------------------------------------------------
        bundle = BundleFactory(slug="rush", name="青创+餐饮企业一件事")
        from datetime import timedelta

        from django.utils import timezone

        start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
        slots = [SlotFactory(bundle=bundle, capacity=CAPACITY, starts_at=start + timedelta(hours=n)) for n in range(SLOTS)]
        users = User.objects.bulk_create(
            [User(username=f"rush{n}", display_name=f"创业者{n}", password="!") for n in range(RUSH_REQUESTS)]
        )
        tokens = [Token.objects.create(user=user).key for user in users]
        from django.db import connections

        connections.close_all()

        port = _free_port()
        env = {**os.environ, "DATABASE_URL": DB_URL, "DEBUG": "true"}
        gunicorn = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--threads", "8", "--worker-class", "gthread", "--graceful-timeout", "5", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start within 30 s")
        # Warm each worker once (imports, first connection) so the rush measures booking, not start-up.
        for _n in range(4):
            _post(port, "/api/v1/bookings/", tokens[0], {"slot": 0})

        statuses: list[int] = []
        lock = threading.Lock()

        def one(n: int) -> None:
            status = _post(port, "/api/v1/bookings/", tokens[n], {"slot": slots[n % SLOTS].pk, "bundle": "rush"})
            with lock:
                statuses.append(status)

        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=RUSH_CLIENTS) as pool:
            list(pool.map(one, range(RUSH_REQUESTS)))
        elapsed = time.monotonic() - began

        booked = {row["slot"]: row["n"] for row in Booking.objects.filter(status="booked").values("slot").annotate(n=django.db.models.Count("id"))}
        oversold = sum(max(0, booked.get(slot.pk, 0) - slot.capacity) for slot in slots)
        counter_drift = sum(
            abs(Slot.objects.get(pk=slot.pk).booked_count - booked.get(slot.pk, 0)) for slot in slots
        )
        created = statuses.count(201)
        print("== Booking rush: gunicorn (2 workers x 8 threads) on PostgreSQL, over 127.0.0.1 ==")
        print(f"requests             {len(statuses):>8}   from {RUSH_CLIENTS} concurrent clients")
        print(f"places offered       {SLOTS * CAPACITY:>8}   ({SLOTS} slots x {CAPACITY})")
        print(f"201 booked           {created:>8}")
        print(f"409 full             {statuses.count(409):>8}")
        print(f"5xx                  {sum(1 for s in statuses if s >= 500):>8}   (must be 0)")
        print(f"oversold             {oversold:>8}   (must be 0)")
        print(f"counter drift        {counter_drift:>8}   (booked_count vs rows, must be 0)")
        print(f"elapsed              {elapsed:>8.2f} s")
        print(f"requests per second  {len(statuses) / elapsed:>8.1f}")
        print(f"bookings per second  {created / elapsed:>8.1f}")
        wrk_figures = _wrk_rush(port=port, bundle=bundle, start=start + timedelta(days=1))
        if wrk_figures:
            print()
            print("== A second rush driven by wrk (C, 2 threads x 50 connections, 5 s, 600 places) beside the Python client ==")
            print(f"{'':24} {'python':>10} {'wrk':>10}   ratio wrk/python")
            python_rps = len(statuses) / elapsed
            print(f"{'requests per second':24} {python_rps:>10.1f} {wrk_figures['rps']:>10.1f}   {wrk_figures['rps'] / python_rps:.2f}")
            print(f"{'bookings per second':24} {created / elapsed:>10.1f} {wrk_figures['bookings_per_s']:>10.1f}   "
                  f"{wrk_figures['bookings_per_s'] / (created / elapsed):.2f}")
            # A refusal ("full") costs far less than a booking, so compare the mix too.
            print(f"{'share of requests booked':24} {created / len(statuses):>10.0%} {wrk_figures['booked_share']:>10.0%}")
            print(f"{'latency p50 / p99 ms':24} {'':>10} {wrk_figures['p50']:>5.0f}/{wrk_figures['p99']:<5.0f}")
            print(f"{'5xx':24} {sum(1 for s in statuses if s >= 500):>10} {wrk_figures['errors_5xx']:>10}   (must be 0)")
            print(f"{'oversold':24} {oversold:>10} {wrk_figures['oversold']:>10}   (must be 0)")
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(timeout=15)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
            gunicorn.wait(timeout=10)
        gunicorn = None

        # --- 2. query counts at 1x and 10x ------------------------------------------------
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from services import demo

        def measure() -> dict:
            client = Client(HTTP_HOST="127.0.0.1")
            slug = Bundle.objects.order_by("position").values_list("slug", flat=True).first()
            pages = {"catalogue page /services/": "/services/", f"bundle page /bundles/{slug}/": f"/bundles/{slug}/",
                     "slots API /api/v1/slots/": "/api/v1/slots/"}
            counts = {}
            for label, url in pages.items():
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                counts[label] = len(queries)
            return counts

        Booking.objects.all().delete()
        Slot.objects.all().delete()
        Bundle.objects.all().delete()
        from portal import demo as portal_demo
        from portal.hall import demo as hall_demo

        portal_demo.seed()
        hall_demo.seed()
        demo.seed()
        one_x = measure()
        sizes_1x = _sizes()
        _grow_tenfold()
        ten_x = measure()
        sizes_10x = _sizes()
        print()
        print("== SQL queries per request, catalogue at 1x and 10x ==")
        print(f"{'':34} {'1x':>12} {'10x':>12}   ratio")
        print(f"{'items / bundles / slots':34} {sizes_1x:>12} {sizes_10x:>12}")
        for label in one_x:
            print(f"{label:34} {one_x[label]:>12} {ten_x[label]:>12}   {ten_x[label] / one_x[label]:.2f}")
        grew = [label for label in one_x if ten_x[label] > one_x[label]]
        failed = oversold or counter_drift or any(s >= 500 for s in statuses) or grew or (
            wrk_figures and (wrk_figures["oversold"] or wrk_figures["errors_5xx"])
        )
        print()
        print("RESULT:", "FAIL" if failed else "ok")
        return 1 if failed else 0
    finally:
        if gunicorn is not None:
            gunicorn.kill()
            gunicorn.wait(timeout=10)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        _admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


WRK_SCRIPT = """
tokens = {%(tokens)s}
slots = {%(slots)s}
local threads = {}
local counter = 0
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  errors_5xx = 0
  booked = 0
end
function request()
  -- each thread walks its own share of the people, so most requests are first bookings
  local n = id + counter * %(threads)d
  counter = counter + 1
  local token = tokens[(n %% #tokens) + 1]
  local slot = slots[(n %% #slots) + 1]
  return wrk.format("POST", "/api/v1/bookings/", {
    ["Content-Type"] = "application/json", ["Authorization"] = "Token " .. token,
  }, '{"slot": ' .. slot .. ', "bundle": "rush"}')
end
function response(status, headers, body)
  if status >= 500 then errors_5xx = errors_5xx + 1 end
  if status == 201 then booked = booked + 1 end
end
function done(summary, latency, requests)
  local errors, booked_all = 0, 0
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("errors_5xx")
    booked_all = booked_all + thread:get("booked")
  end
  io.write(string.format("WRK %%d %%f %%d %%d %%f %%f %%d\\n", summary.requests, summary.duration / 1e6,
    errors, summary.errors.connect + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, booked_all))
end
"""


def _wrk_rush(*, port: int, bundle, start) -> dict | None:
    """The rush again, driven by wrk (C, so the load generator barely competes for the two cores).

    Returns None (with a note) when wrk is not installed: apt-get install wrk.
    """
    import shutil
    import tempfile
    from datetime import timedelta

    from django.db import connections
    from rest_framework.authtoken.models import Token

    from portal.accounts.models import User
    from services.models import Booking, Slot
    from tests.factories import SlotFactory

    if not shutil.which("wrk"):
        print("\n(wrk is not installed: apt-get install wrk, for the wrk figures)")
        return None
    capacity, count, people, threads = 150, 4, 3000, 2
    slots = [SlotFactory(bundle=bundle, capacity=capacity, starts_at=start + timedelta(hours=n)) for n in range(count)]
    users = User.objects.bulk_create(
        [User(username=f"wrk{n}", display_name=f"创业者{n}", password="!") for n in range(people)]
    )
    tokens = Token.objects.bulk_create([Token(user=user, key=Token.generate_key()) for user in users])
    connections.close_all()
    script = WRK_SCRIPT % {
        "tokens": ",".join(f'"{token.key}"' for token in tokens),
        "slots": ",".join(str(slot.pk) for slot in slots),
        "threads": threads,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    result = subprocess.run(
        ["wrk", "-t", str(threads), "-c", "50", "-d", "5s", "--timeout", "10s", "-s", handle.name,
         f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, timeout=60,
    )
    os.unlink(handle.name)
    if os.environ.get("BENCH_VERBOSE"):
        print(result.stdout, result.stderr)
    line = next((row for row in result.stdout.splitlines() if row.startswith("WRK ")), None)
    if line is None:
        print("\nwrk gave no figures:", result.stdout[-500:], result.stderr[-500:])
        return None
    requests, seconds, errors_5xx, socket_errors, p50, p99, booked = line.split()[1:]
    booked = int(booked)  # 201s answered within the run (the database also has those still in flight)
    # wrk stops without waiting for the requests still in flight; counting rows and counters
    # while they commit showed a drift that was not there.
    time.sleep(3)
    slot_ids = [slot.pk for slot in slots]
    oversold = sum(
        max(0, Booking.objects.filter(slot_id=pk, status="booked").count() - capacity) for pk in slot_ids
    )
    drift = sum(abs(Slot.objects.get(pk=pk).booked_count - Booking.objects.filter(slot_id=pk, status="booked").count())
                for pk in slot_ids)
    return {
        "rps": int(requests) / float(seconds), "bookings_per_s": booked / float(seconds),
        "booked_share": booked / max(int(requests), 1),
        "errors_5xx": int(errors_5xx) + int(socket_errors), "oversold": oversold + drift,
        "p50": float(p50), "p99": float(p99),
    }


def _sizes() -> str:
    from services.models import Bundle, ServiceItem, Slot

    return f"{ServiceItem.objects.count()}/{Bundle.objects.count()}/{Slot.objects.count()}"


def _grow_tenfold() -> None:
    """Nine more copies of every item (with steps and materials) and bundle (with slots)."""
    from services.models import Bundle, BundleItem, ServiceItem, Slot, Step

    items = list(ServiceItem.objects.prefetch_related("materials", "steps"))
    bundles = list(Bundle.objects.prefetch_related("bundle_items"))
    slots = list(Slot.objects.filter(bundle__isnull=False))
    for copy in range(1, 10):
        mapping = {}
        for item in items:
            twin = ServiceItem.objects.create(
                code=f"{item.code}-x{copy}", name=f"{item.name}（{copy}）", stage=item.stage,
                department_id=item.department_id, legal_days=item.legal_days, promised_days=item.promised_days,
                visits=item.visits, bookable=item.bookable, position=item.position,
            )
            twin.materials.set(item.materials.all())
            Step.objects.bulk_create([Step(item=twin, position=s.position, name=s.name, kind=s.kind) for s in item.steps.all()])
            mapping[item.pk] = twin.pk
        bundle_map = {}
        for bundle in bundles:
            twin = Bundle.objects.create(slug=f"{bundle.slug}-x{copy}", name=f"{bundle.name}（{copy}）", position=bundle.position)
            BundleItem.objects.bulk_create([
                BundleItem(bundle=twin, item_id=mapping[e.item_id], position=e.position,
                           requires_id=mapping.get(e.requires_id) if e.requires_id else None)
                for e in bundle.bundle_items.all()
            ])
            bundle_map[bundle.pk] = twin.pk
        Slot.objects.bulk_create([
            Slot(bundle_id=bundle_map[s.bundle_id], starts_at=s.starts_at, ends_at=s.ends_at, capacity=s.capacity)
            for s in slots
        ])


if __name__ == "__main__":
    sys.exit(main())
