"""The production setup, run here: Debian's nginx on 127.0.0.1 with a throwaway certificate, the
site rendered from deploy/nginx/portal.conf.template, in front of gunicorn started with
deploy/gunicorn.conf.py and the production settings (DEBUG off, collected static files).

Marked ``postgres``: gunicorn is another process and must share the test database."""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import override_settings

from portal.management.commands.nginx_conf import render_nginx_conf

pytestmark = [pytest.mark.postgres, pytest.mark.nginx]

ROOT = Path(settings.BASE_DIR)
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{what} exited at start-up"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{what} did not listen on {port} within {seconds} s")


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    process.send_signal(sig)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def production_env(tmp_path: Path, **extra) -> dict:
    db = settings.DATABASES["default"]
    base = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    return {
        **base,
        "DEBUG": "false",
        "SECRET_KEY": "nginx-test-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_PROXY_SSL_HEADER": "true",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "LOG_FORMAT": "json",
        "ACCESS_LOG": "true",
        **extra,
    }


@pytest.fixture(scope="module")
def stack(django_db_setup, tmp_path_factory):
    """nginx (HTTP and HTTPS ports) → gunicorn → the test database, once for this file. Yields a
    dict of what the tests need: ports, the certificate, the log files."""
    tmp_path = tmp_path_factory.mktemp("nginx")
    if not os.path.exists(NGINX):
        message = f"{NGINX} is missing: apt-get install -y nginx"
        if os.environ.get("CI") or os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message + " (outside CI only)")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30,
    )
    env = production_env(tmp_path)
    # Only our own files: the admin's and Swagger's are not needed by the pages this test reads.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0", "-i", "admin",
         "-i", "drf_spectacular_sidecar", "-i", "rest_framework", "-i", "django_filters"],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=60,
    )
    web_port, http_port, https_port = free_port(), free_port(), free_port()
    web_log = (tmp_path / "web.log").open("w")
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "portal.wsgi:application"],
        cwd=ROOT, env={**env, "GUNICORN_BIND": f"127.0.0.1:{web_port}", "GUNICORN_WORKERS": "1"},
        stdout=web_log, stderr=subprocess.STDOUT,
    )
    with override_settings(STATIC_ROOT=tmp_path / "static"):  # what gunicorn's env says
        site = render_nginx_conf(
            server_name="127.0.0.1", certificate=str(cert), key=str(key), upstream=f"127.0.0.1:{web_port}",
            http_port=http_port, https_port=https_port, listen_address="127.0.0.1",
            access_log=str(tmp_path / "nginx-access.log"),
        )
    (tmp_path / "site.conf").write_text(site)
    temp = tmp_path / "nginx-temp"
    temp.mkdir()
    # As root (CI), nginx's workers would run as nobody, who cannot read pytest's private tmp dir.
    user = "user root;" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(f"""
{user}
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {tmp_path}/site.conf;
}}
""")
    nginx = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-e", str(tmp_path / "nginx-error.log"), "-c", str(tmp_path / "nginx.conf"),
         "-g", "daemon off;"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(https_port, nginx, "nginx")
        wait_for_port(web_port, web, "gunicorn")
        yield {"http": http_port, "https": https_port, "cert": cert, "web_log": tmp_path / "web.log",
               "nginx_log": tmp_path / "nginx-access.log"}
    finally:
        stop(nginx)
        stop(web, signal.SIGQUIT)  # gunicorn's quick shutdown
        web_log.close()


def https(stack, *, source: str = "127.0.0.1") -> http.client.HTTPSConnection:
    context = ssl.create_default_context(cafile=str(stack["cert"]))
    return http.client.HTTPSConnection("127.0.0.1", stack["https"], context=context, timeout=10,
                                       source_address=(source, 0))


def test_it_serves_the_portal_behind_nginx(transactional_db, stack):
    # A page over HTTPS: the portal believes nginx's X-Forwarded-Proto (no redirect loop, HSTS set).
    conn = https(stack)
    conn.request("GET", "/")
    page = conn.getresponse()
    html = page.read().decode()
    assert page.status == 200
    assert page.getheader("Strict-Transport-Security", "").startswith("max-age=")
    assert page.getheader("X-Request-ID")

    # A hashed static file, from nginx itself, kept for a year, gzipped from whitenoise's .gz.
    css = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', html)
    assert css, "the page links the hashed stylesheet (ManifestStaticFilesStorage)"
    conn.request("GET", css.group(1), headers={"Accept-Encoding": "gzip"})
    static = conn.getresponse()
    static.read()
    assert static.status == 200
    assert static.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert static.getheader("Content-Encoding") == "gzip"
    assert static.getheader("X-Request-ID") is None  # never reached gunicorn

    # Plain HTTP is sent to the same address over HTTPS.
    plain = http.client.HTTPConnection("127.0.0.1", stack["http"], timeout=10)
    plain.request("GET", "/accounts/login/?next=/me/")
    redirect = plain.getresponse()
    redirect.read()
    assert redirect.status == 301
    assert redirect.getheader("Location") == f"https://127.0.0.1:{stack['https']}/accounts/login/?next=/me/"

    # A body larger than REQUEST_MAX_BYTES is refused by nginx before gunicorn sees a byte.
    big = https(stack)
    big.putrequest("POST", "/api/v1/auth/token/")
    big.putheader("Content-Type", "application/json")
    big.putheader("Content-Length", str(settings.REQUEST_MAX_BYTES + 1))
    big.endheaders()
    refused = big.getresponse()
    body = refused.read().decode()
    assert refused.status == 413
    assert "nginx" in body and refused.getheader("X-Request-ID") is None


def test_it_throttles_the_clients_address_not_nginxs(transactional_db, stack):
    # The client connects from 127.0.0.2 and claims another address; nginx passes what it saw.
    conn = https(stack, source="127.0.0.2")
    conn.request("POST", "/api/v1/auth/token/", body=json.dumps({"username": "zhang", "password": "wrong"}),
                 headers={"Content-Type": "application/json", "X-Forwarded-For": "203.0.113.9"})
    response = conn.getresponse()
    response.read()
    assert response.status == 400
    request_id = response.getheader("X-Request-ID")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["127.0.0.2"]

    # The same request id in nginx's log line and the portal's JSON access line.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and request_id not in stack["web_log"].read_text():
        time.sleep(0.1)
    web_lines = [json.loads(line) for line in stack["web_log"].read_text().splitlines() if line.startswith("{")]
    access = [line for line in web_lines if line.get("logger") == "portal.access" and line["request_id"] == request_id]
    assert len(access) == 1
    assert access[0]["client_ip"] == "127.0.0.2" and access[0]["status"] == 400
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and request_id not in stack["nginx_log"].read_text():
        time.sleep(0.1)
    nginx_lines = [json.loads(line) for line in stack["nginx_log"].read_text().splitlines()]
    assert any(line["request_id"] == request_id and line["client_ip"] == "127.0.0.2" for line in nginx_lines)
