"""Give each pytest-xdist worker its own Redis database.

Loaded with ``python -m pytest -p tests.plugins.xdist_services`` (`make test`), so it runs before
pytest-django reads the settings. Each worker already gets its own test database from
pytest-django (``test_<name>_gw0``, ...); without this, two workers would share one broker, and a
worker test's ``purge()`` or its Celery worker process would take the other test's tasks.
"""
import os
from urllib.parse import urlsplit, urlunsplit

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_url = os.environ.get("REDIS_URL", "")
if _worker.startswith("gw") and _url:
    parts = urlsplit(_url)
    base = int(parts.path.strip("/") or 0)
    index = base + int(_worker[2:]) + 1
    os.environ["REDIS_URL"] = urlunsplit(parts._replace(path=f"/{index}"))
