"""Why the sign-in page is asked for, by the page the visitor came from (``next``).

A lower app cannot name a higher app's pages, so each app registers, in its
``AppConfig.ready()``, a sentence per URL name (``"services:bundle_book"``); the sign-in page
shows the one ``next`` resolves to.
"""
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

_REASONS: dict[str, object] = {}


def login_reason_register(url_name: str, message) -> None:
    """``message``: a lazy translated string shown above the sign-in form."""
    _REASONS[url_name] = message


def login_reason_for(next_url: str) -> str:
    """The registered reason of the page ``next_url`` points to, or ""."""
    if not next_url:
        return ""
    try:
        match = resolve(urlsplit(next_url).path)
    except Resolver404:
        return ""
    message = _REASONS.get(match.view_name)
    return str(message) if message else ""
