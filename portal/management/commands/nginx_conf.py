"""Print the nginx site for this portal: deploy/nginx/portal.conf.template with the settings'
values (REQUEST_MAX_BYTES as client_max_body_size, STATIC_ROOT) and the machine's (name, ports,
certificate, where gunicorn listens).

    manage.py nginx_conf --server-name hall.example.gov.cn \\
        --certificate /etc/ssl/certs/hall.pem --key /etc/ssl/private/hall.key \\
        > /etc/nginx/sites-available/portal
"""
import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

TEMPLATE = Path(settings.BASE_DIR) / "deploy" / "nginx" / "portal.conf.template"


def render_nginx_conf(*, server_name: str, certificate: str, key: str, upstream: str = "127.0.0.1:8000",
                      http_port: int = 80, https_port: int = 443, listen_address: str = "",
                      access_log: str = "/var/log/nginx/portal.access.log") -> str:
    values = {
        "SERVER_NAME": server_name,
        "SSL_CERTIFICATE": certificate,
        "SSL_CERTIFICATE_KEY": key,
        "UPSTREAM": upstream,
        "LISTEN_ADDRESS": f"{listen_address}:" if listen_address else "",
        "HTTP_PORT": str(http_port),
        "HTTPS_PORT": str(https_port),
        "HTTPS_PORT_SUFFIX": "" if https_port == 443 else f":{https_port}",
        "CLIENT_MAX_BODY_SIZE": str(settings.REQUEST_MAX_BYTES),
        "STATIC_ROOT": str(Path(settings.STATIC_ROOT)).rstrip("/"),
        "ACCESS_LOG": access_log,
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    missing = set(re.findall(r"\{\{(\w+)\}\}", text)) - set(values)
    if missing:
        raise CommandError(f"The template names values this command does not know: {sorted(missing)}")
    for name, value in values.items():
        if re.search(r"[\s;{}'\"]", value):
            raise CommandError(f"{name} may not contain spaces, quotes, braces or semicolons: {value!r}")
        text = text.replace("{{" + name + "}}", value)
    return text


class Command(BaseCommand):
    help = "Print the nginx site for this portal (deploy/nginx/portal.conf.template filled in)."

    def add_arguments(self, parser):
        parser.add_argument("--server-name", required=True, help="The host name people use (ALLOWED_HOSTS).")
        parser.add_argument("--certificate", required=True, help="The TLS certificate (full chain), PEM.")
        parser.add_argument("--key", required=True, help="The certificate's private key, PEM.")
        parser.add_argument("--upstream", default="127.0.0.1:8000", help="Where gunicorn listens.")
        parser.add_argument("--http-port", type=int, default=80)
        parser.add_argument("--https-port", type=int, default=443)
        parser.add_argument("--listen-address", default="", help="Listen on this address only.")
        parser.add_argument("--access-log", default="/var/log/nginx/portal.access.log")

    def handle(self, *args, **options):
        self.stdout.write(render_nginx_conf(
            server_name=options["server_name"], certificate=options["certificate"], key=options["key"],
            upstream=options["upstream"], http_port=options["http_port"], https_port=options["https_port"],
            listen_address=options["listen_address"], access_log=options["access_log"],
        ), ending="")
