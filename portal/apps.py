from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"

    def ready(self) -> None:
        from portal import pagecache

        # Every write to the database replaces the page cache's version (see portal/pagecache.py).
        pagecache.install()
