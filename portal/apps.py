from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"

    def ready(self) -> None:
        from portal import metrics, observability, pagecache

        # Every write to the database replaces the page cache's version (see portal/pagecache.py).
        pagecache.install()
        # The database time at /metrics, and the request id carried into Celery tasks.
        metrics.install()
        observability.install_celery_signals()
