"""deploy/: the environment file names every setting and passes Django's deploy check as given;
the nginx site is rendered from the settings; a malformed setting stops the start with its name."""
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal.management.commands.nginx_conf import render_nginx_conf

ROOT = Path(settings.BASE_DIR)
TEMPLATE = ROOT / "deploy" / "portal.env.template"


def _variables_the_settings_read() -> set[str]:
    source = (ROOT / "portal" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r'env_[a-z]+\(\s*"([A-Z][A-Z0-9_]*)"', source))


def _template_entries() -> dict[str, str]:
    entries = {}
    for line in TEMPLATE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            entries[match.group(2)] = (match.group(1) is None, match.group(3).strip().strip('"'))
    return entries


def test_it_lists_every_setting_in_the_environment_template():
    read = _variables_the_settings_read()
    assert len(read) > 80  # the regex still finds the settings
    missing = read - set(_template_entries())
    assert not missing, f"add these to deploy/portal.env.template: {sorted(missing)}"


def test_it_passes_the_deploy_check_with_the_template_filled_in(tmp_path):
    values = {name: value for name, (active, value) in _template_entries().items() if active}
    values["SECRET_KEY"] = "k" * 60 + "-only-for-this-test"
    values["STATIC_ROOT"] = str(tmp_path / "static")
    base = {k: v for k, v in os.environ.items() if k not in _template_entries() and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env={**base, **values}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_renders_the_nginx_site_from_the_settings(settings):
    settings.REQUEST_MAX_BYTES = 3 * 1024 * 1024
    settings.STATIC_ROOT = Path("/srv/portal/static")
    text = render_nginx_conf(server_name="hall.example.gov.cn", certificate="/etc/ssl/hall.pem",
                             key="/etc/ssl/hall.key")
    assert "{{" not in text
    assert f"client_max_body_size {3 * 1024 * 1024};" in text
    assert "alias /srv/portal/static/;" in text
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text
    assert "return 301 https://$host$request_uri;" in text


def _settings_with(monkeypatch, **env):
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEBUG", "true")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "portal" / "settings.py"))


@pytest.mark.parametrize(("name", "value"), [
    ("DATABASE_URL", "postgres://db.example:five/portal"),
    ("DATABASE_URL", "mysql://db.example/portal"),
    ("REDIS_URL", "127.0.0.1:6379"),
    ("REDIS_TIMEOUT", "soon"),
    ("TRUSTED_PROXY_IPS", "127.0.0.1,nginx.local"),
    ("METRICS_ALLOWED_IPS", "10.0.0.0/33"),
    ("LOG_FORMAT", "xml"),
    ("LOG_LEVEL", "LOUD"),
    ("TIME_ZONE", "Mars/Olympus_Mons"),
    ("SITE_URL", "hall.example.gov.cn"),
    ("EMAIL_PORT", "smtp"),
    ("SECURE_PROXY_SSL_HEADER", "maybe"),
])
def test_it_refuses_a_malformed_setting_by_name(monkeypatch, name, value):
    with pytest.raises(ImproperlyConfigured, match=name):
        _settings_with(monkeypatch, **{name: value})


def test_it_refuses_a_production_start_without_allowed_hosts(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS is not set"):
        _settings_with(monkeypatch, DEBUG="false", SECRET_KEY="s" * 60)


def test_it_stops_the_process_at_start_with_the_variables_name():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
         "'portal.settings'); django.setup()"],
        cwd=ROOT, env={**env, "DEBUG": "true", "REDIS_URL": "redis://127.0.0.1:6379/0", "REDIS_TIMEOUT": "1s"},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "REDIS_TIMEOUT must be a whole number" in result.stderr


def test_a_web_process_keeps_what_it_loaded_out_of_the_collectors_full_sweeps():
    """portal.wsgi (what gunicorn loads) freezes the objects of the loaded application, so a
    full garbage collection does not walk them on a busy page's request."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", "import gc, portal.wsgi; print(gc.get_freeze_count())"],
        cwd=ROOT, env={**env, "DEBUG": "true"}, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[-1]) > 50_000
