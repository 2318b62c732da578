"""Shared fixtures: personas (one per role), API clients, and the real-service fixtures.

Markers ``postgres``, ``worker`` and ``browser`` name what a test needs. Locally, a test whose
database or broker is not configured is deselected with a visible line in the summary. With
REQUIRE_SERVICES=1 (the PostgreSQL/Redis CI run) nothing is deselected, so a missing service is a
failure, never a quiet skip.
"""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import _state as celery_state
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from portal.celery import app as celery_app
from portal.roles import Role
from tests.factories import DepartmentFactory, MembershipFactory, TeamFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_collection_modifyitems(config, items):
    # A test of the SQLite variant (its PostgreSQL twin is marked ``postgres``) runs in the SQLite
    # pass; on PostgreSQL it is deselected with a note, never a silent skip.
    missing = {"sqlite": "DATABASE_URL is PostgreSQL (the SQLite pass runs them)" if _is_postgres() else None}
    if os.environ.get("REQUIRE_SERVICES") != "1":
        missing["postgres"] = None if _is_postgres() else "DATABASE_URL is not PostgreSQL"
        missing["worker"] = None if os.environ.get("REDIS_URL") else "REDIS_URL is not set"
    keep, dropped = [], {}
    for item in items:
        reason = next((missing[m] for m in missing if missing[m] and item.get_closest_marker(m)), None)
        if reason:
            dropped.setdefault(reason, []).append(item)
        else:
            keep.append(item)
    if dropped:
        items[:] = keep
        config.hook.pytest_deselected(items=[i for group in dropped.values() for i in group])
        config._portal_deselected = {reason: len(group) for reason, group in dropped.items()}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    for reason, count in getattr(config, "_portal_deselected", {}).items():
        terminalreporter.write_line(
            f"NOTE: {count} test(s) deselected because {reason}; the other CI pass executes them."
        )


@pytest.fixture
def english():
    """Messages in English: for tests that read what a refusal or a reminder says. The portal's
    default language is Chinese, so without this they would read the Chinese catalogue's text."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _isolated_services(request, settings, tmp_path_factory):
    """Each test starts with an empty cache and its own private-file folder; tasks run in-process
    unless the test wants a worker."""
    cache.clear()
    # A request in English leaves English active in this thread; the next test starts in the
    # hall's default language, as a new process would (records it creates get their Chinese).
    translation.activate(settings.LANGUAGE_CODE)
    settings.PRIVATE_MEDIA_ROOT = tmp_path_factory.mktemp("private")
    # Celery keeps "joining a result would block" in one process-wide flag that each eager
    # task sets and restores; two eager tasks in the live server's threads at once can leave it
    # set, and a later test in the same process could then not wait for a real worker's result.
    celery_state._set_task_join_will_block(False)
    eager = request.node.get_closest_marker("worker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    celery_app.conf.task_eager_propagates = eager
    settings.NOTIFY_WEBHOOK_URL = ""
    # Real hashing costs ~0.3 s a user; tests make hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(scope="session", autouse=True)
def _sqlite_flush_past_the_ledger_trigger():
    """On SQLite, Django's flush (after each transactional test) is a DELETE FROM, which the points
    ledger's append-only trigger refuses; PostgreSQL's flush is a TRUNCATE, which fires no row
    trigger. For the test runner's flush only, lift the delete trigger and put it back after."""
    import importlib

    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    from django.db.backends.sqlite3.base import DatabaseOperations

    trigger = importlib.import_module("points.migrations.0005_ledger_append_only_trigger")
    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                           ["points_ledgerentry_no_delete"])
            present = cursor.fetchone() is not None
            if present:
                cursor.execute("DROP TRIGGER points_ledgerentry_no_delete")
        try:
            original(self, sql_list)
        finally:
            if present:
                with self.connection.cursor() as cursor:
                    # django-test-migrations drops tables through this same method.
                    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s",
                                   ["points_ledgerentry"])
                    if cursor.fetchone() is not None:
                        cursor.execute(trigger.SQLITE_DELETE_TRIGGER)

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


@pytest.fixture(scope="session", autouse=True)
def _postgresql_flush_by_delete():
    """On PostgreSQL, Django's flush after each transactional test is one TRUNCATE of all 71
    tables: 0.6 s on an idle machine, 2 to 3 s beside a second test worker (every table and index
    gets a new file). A DELETE FROM each table empties the few rows a test wrote in 20 ms. Triggers
    (the points ledger's append-only one, the foreign keys' checks) are off for that transaction
    only (``session_replication_role``, a superuser's setting; as any other role the TRUNCATE
    stays). Sequences are not reset either way; a test that asks for that, or for a flush of only
    some apps (a cascade), gets the TRUNCATE."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def superuser(connection) -> bool:
        if not hasattr(connection, "_tests_superuser"):
            with connection.cursor() as cursor:
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                connection._tests_superuser = cursor.fetchone()[0]
        return connection._tests_superuser

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables or not superuser(self.connection):
            return original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET LOCAL session_replication_role = replica",
                *(f"DELETE FROM {self.quote_name(table)}" for table in tables),
                "SET LOCAL session_replication_role = DEFAULT"]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


# --- personas -------------------------------------------------------------------------------
@pytest.fixture
def entrepreneur(db):
    return UserFactory(username="founder", display_name="林小创", roles=[Role.ENTREPRENEUR])


@pytest.fixture
def other_entrepreneur(db):
    return UserFactory(username="founder2", display_name="王二创", roles=[Role.ENTREPRENEUR])


@pytest.fixture
def hall_staff(db):
    return UserFactory(username="staff", display_name="王晓窗", is_staff=True, roles=[Role.HALL_STAFF])


@pytest.fixture
def department(db):
    return DepartmentFactory(code="market", name="区市场监督管理局", short_name="市场监管")


@pytest.fixture
def officer(db, department):
    user = UserFactory(username="officer", display_name="陈部门", is_staff=True, roles=[Role.DEPARTMENT_OFFICER])
    department.officers.add(user)
    return user


@pytest.fixture
def team(db):
    return TeamFactory(name="政务先锋红色青年宣讲队", slug="vanguard")


@pytest.fixture
def captain(db, team):
    user = UserFactory(username="captain", display_name="刘队长", roles=[Role.TEAM_MEMBER, Role.TEAM_CAPTAIN])
    MembershipFactory(team=team, user=user, role="captain")
    return user


@pytest.fixture
def member(db, team):
    user = UserFactory(username="member", display_name="赵青锋", roles=[Role.TEAM_MEMBER])
    MembershipFactory(team=team, user=user, role="member")
    return user


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", display_name="周青工", roles=[Role.COMMITTEE_REVIEWER])


@pytest.fixture
def alliance(db):
    return UserFactory(username="alliance", display_name="吴党建", roles=[Role.ALLIANCE_MEMBER])


# --- clients --------------------------------------------------------------------------------
@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as():
    """``api_as(user)`` gives an APIClient signed in as that user (None: anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def client_as(client):
    """``client_as(user)`` gives the Django test client signed in as that user."""

    def make(user):
        client.force_login(user)
        return client

    return make


# --- real services --------------------------------------------------------------------------
@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """A real ``celery -A portal worker`` on the configured Redis, using the test database.

    Mail sent by the worker lands as files in ``tmp_path / "mail"`` (the file backend), so a test
    can see what the separate process sent. Yields that directory.
    """
    redis_url = os.environ.get("REDIS_URL")
    assert redis_url, "REDIS_URL must be set for tests that need a Celery worker"
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql", "a worker test needs PostgreSQL"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "DEBUG": "true",
    }
    # Start from an empty queue so a leftover message from an earlier run cannot confuse the test.
    celery_app.control.purge()
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=WARNING",
         "--without-heartbeat", "--without-mingle", "--without-gossip", "-n", f"test-{os.getpid()}@%h"],
        env=env, cwd=Path(settings.BASE_DIR),
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if celery_app.control.ping(timeout=0.5):
                break
            assert process.poll() is None, "the Celery worker exited at start-up"
        else:
            raise AssertionError("the Celery worker did not answer a ping within 30 s")
        yield mail_dir
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def _browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if not shutil.which(CHROMIUM):
        message = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if os.environ.get("CI"): pytest.fail(message)  # noqa: E701 - CI never skips a browser test
        pytest.skip(message + " (outside CI only)")  # CI never reaches this line
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(_browser, live_server):
    """A Playwright page in a 375 px wide phone viewport, pointed at the live server."""
    context = _browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    yield page
    context.close()
