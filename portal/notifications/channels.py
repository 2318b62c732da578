"""Ways a notification leaves the site. A new channel is one class added to ``channels()``.

The site channel is the Notification row itself; these deliver a copy elsewhere.
"""
import json
import logging
import urllib.request

from django.conf import settings
from django.core.mail import send_mail

from portal.notifications.models import Notification

logger = logging.getLogger(__name__)


def absolute_url(url: str) -> str:
    """A link that works outside the site (a mail client, a chat app): relative paths get SITE_URL."""
    if url.startswith("/") and not url.startswith("//"):
        return settings.SITE_URL + url
    return url


class Channel:
    name = "base"

    def enabled(self) -> bool:
        return True

    def send(self, notification: Notification) -> None:
        raise NotImplementedError


class EmailChannel(Channel):
    name = "email"

    def send(self, notification: Notification) -> None:
        if not notification.user.email:
            return
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{absolute_url(notification.url)}"
        send_mail(
            subject=notification.title,
            message=body,
            from_email=None,
            recipient_list=[notification.user.email],
        )


class WebhookChannel(Channel):
    """JSON POST to NOTIFY_WEBHOOK_URL, for a chat-work adapter. Off when the URL is empty."""

    name = "webhook"

    def enabled(self) -> bool:
        return bool(settings.NOTIFY_WEBHOOK_URL)

    def send(self, notification: Notification) -> None:
        payload = {
            "recipient": notification.user.username,
            "title": notification.title,
            "body": notification.body,
            "url": absolute_url(notification.url) if notification.url else "",
            "created_at": notification.created_at.isoformat(),
        }
        request = urllib.request.Request(
            settings.NOTIFY_WEBHOOK_URL,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT):
            pass


def channels() -> list[Channel]:
    return [channel for channel in (EmailChannel(), WebhookChannel()) if channel.enabled()]
