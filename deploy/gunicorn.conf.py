"""gunicorn's settings for the portal (deploy/systemd/portal-web.service starts it with this file).

Each value can be changed from the environment file (/etc/portal/portal.env)."""
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# About two a core; each process holds one database connection at a time (DATABASE_CONN_MAX_AGE).
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# nginx buffers whole requests and responses, so a process is busy only while the portal works.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# A process is replaced after this many requests (a slow leak never grows for long).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The portal writes its own JSON access line (portal.access); gunicorn's errors go to journald.
accesslog = None
errorlog = "-"
# Only nginx on this machine talks to gunicorn; it is the proxy whose X-Forwarded-* count.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXY_IPS", "127.0.0.1,::1")


def child_exit(server, worker):
    # Prometheus in multi-process mode: a finished process's live gauges are dropped.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
