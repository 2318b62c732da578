import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from portal.env import env_bool, env_int, env_list

ROOT = django_settings.BASE_DIR


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    base = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=60
    )


SETUP = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','portal.settings'); django.setup(); from django.conf import settings as s; "


def test_it_reads_a_sqlite_url_by_default():
    result = run_python(SETUP + "print(s.DATABASES['default']['ENGINE'])", DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"


def test_it_reads_a_postgres_url():
    result = run_python(
        SETUP + "d=s.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['HOST'], d['PORT'], d['USER'])",
        DEBUG="true",
        DATABASE_URL="postgres://hall:pw@db.example:6543/portal",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "portal", "db.example", "6543", "hall"]


def test_it_uses_redis_for_broker_and_cache_when_redis_url_is_set():
    result = run_python(
        SETUP + "print(s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'], s.CELERY_TASK_ALWAYS_EAGER)",
        DEBUG="true",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert result.stdout.split() == [
        "redis://127.0.0.1:6379/3", "django.core.cache.backends.redis.RedisCache", "False"
    ]


def test_it_runs_tasks_in_process_without_redis():
    result = run_python(SETUP + "print(s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'])", DEBUG="true")
    assert result.stdout.split() == ["True", "django.core.cache.backends.locmem.LocMemCache"]


def test_it_refuses_a_production_start_without_secret_key():
    result = run_python(SETUP, DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_refuses_a_malformed_boolean():
    result = run_python(SETUP, DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_it_refuses_a_malformed_database_url():
    result = run_python(SETUP, DEBUG="true", DATABASE_URL="nosuchdb://x")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_it_passes_the_deploy_check_with_the_documented_variables():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
            "DEBUG": "false",
            "SECRET_KEY": "x9" * 30 + "-a-long-random-production-key",
            "ALLOWED_HOSTS": "hall.example.gov.cn",
            "CSRF_TRUSTED_ORIGINS": "https://hall.example.gov.cn",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_has_chinese_first_and_english_second():
    assert django_settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in django_settings.LANGUAGES] == ["zh-hans", "en"]
    assert django_settings.TIME_ZONE == "Asia/Shanghai"


def test_env_readers_parse_types(monkeypatch):
    monkeypatch.setenv("X_BOOL", "Yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a.example, b.example,")
    assert env_bool("X_BOOL") is True
    assert env_int("X_INT", 0) == 42
    assert env_list("X_LIST") == ["a.example", "b.example"]
    monkeypatch.setenv("X_INT", "forty")
    with pytest.raises(Exception, match="X_INT must be a whole number"):
        env_int("X_INT", 0)


def test_it_reads_task_time_limits_and_keeps_the_outbox_lease_above_them():
    result = run_python(
        SETUP + "print(s.CELERY_TASK_TIME_LIMIT, s.CELERY_TASK_SOFT_TIME_LIMIT, s.NOTIFY_MAX_ATTEMPTS, "
        "s.CELERY_TASK_PUBLISH_RETRY, s.CELERY_BEAT_SCHEDULE['notifications-resend']['schedule'])",
        DEBUG="true", CELERY_TASK_TIME_LIMIT="120", CELERY_TASK_SOFT_TIME_LIMIT="100", NOTIFY_MAX_ATTEMPTS="3",
        NOTIFY_RESEND_SECONDS="30",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["120", "100", "3", "False", "30.0"]
    soft_above = run_python(SETUP, DEBUG="true", CELERY_TASK_TIME_LIMIT="60", CELERY_TASK_SOFT_TIME_LIMIT="60")
    assert "CELERY_TASK_SOFT_TIME_LIMIT (60) must be below" in soft_above.stderr
    short_lease = run_python(SETUP, DEBUG="true", CELERY_TASK_TIME_LIMIT="900", CELERY_TASK_SOFT_TIME_LIMIT="800")
    assert "NOTIFY_LEASE_SECONDS (600) must be above" in short_lease.stderr
