"""Ways a notification leaves the site. A new channel is one class added to ``CHANNELS``.

The site channel is the Notification row itself; these deliver a copy elsewhere. Each copy is a
``Delivery`` row (the outbox) written with the notification; the worker sends a batch of them
through a channel opened once (one SMTP connection for a batch of mail).
"""
import json
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from portal.notifications.models import Notification


def absolute_url(url: str) -> str:
    """A link that works outside the site (a mail client, a chat app): relative paths get SITE_URL."""
    if url.startswith("/") and not url.startswith("//"):
        return settings.SITE_URL + url
    return url


class Channel:
    name = "base"

    def enabled(self) -> bool:
        return True

    def wants(self, user) -> bool:
        """Whether this person gets a copy through the channel (an e-mail needs an address)."""
        return True

    def open(self) -> None:
        """Prepare a batch (a connection); ``close`` ends it."""

    def close(self) -> None:
        pass

    def send(self, notification: Notification) -> None:
        raise NotImplementedError


class EmailChannel(Channel):
    name = "email"

    def __init__(self) -> None:
        self._connection = None

    def wants(self, user) -> bool:
        return bool(user.email)

    def open(self) -> None:
        self._connection = get_connection()
        self._connection.open()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def send(self, notification: Notification) -> None:
        if not notification.user.email:
            return
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{absolute_url(notification.url)}"
        EmailMessage(
            subject=notification.title, body=body, to=[notification.user.email],
            connection=self._connection,
        ).send()


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


CHANNELS: dict[str, type[Channel]] = {EmailChannel.name: EmailChannel, WebhookChannel.name: WebhookChannel}


def channels() -> list[Channel]:
    """The channels switched on now; a notification gets a Delivery row for each that wants it."""
    return [channel for channel in (cls() for cls in CHANNELS.values()) if channel.enabled()]


def channel_named(name: str) -> Channel | None:
    cls = CHANNELS.get(name)
    return cls() if cls is not None else None
