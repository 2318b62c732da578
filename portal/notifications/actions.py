import logging
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone, translation
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from portal.notifications.channels import channel_named, channels
from portal.notifications.models import Delivery, Notification, Reminder

logger = logging.getLogger(__name__)

# A notification's title or body: the text itself, or a function that writes it (with gettext),
# called in each recipient's language so that every person reads it in the language they chose.
Text = str | Callable[[], str]


def user_language(user) -> str:
    """The language a person's notifications are written in: theirs, else the hall's default."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def text_compose(text: Text, *, language: str | None = None) -> str:
    """Write ``text`` out: a function is called in ``language``, or in the active language when
    None (the Reminder record's own copy: the sweep's language, the hall's default under beat)."""
    if not callable(text):
        return str(text)
    if language is None:
        return str(text())
    with translation.override(language):
        return str(text())


def notify(*, users: Iterable, title: Text, body: Text = "", url: str = "") -> list[Notification]:
    """Tell people something: a site notification each, and its off-site copies in the outbox.

    Call it inside the transaction of the change it reports: the notification and its Delivery
    rows commit or roll back with that change, and are handed to the worker after the commit.
    ``title`` and ``body`` given as functions (``lambda: _("...") % {...}``) are written in each
    recipient's language (``User.language``).
    """
    unique_users = {user.pk: user for user in users if user is not None}.values()
    return notifications_create(drafts=[(user, title, body, url) for user in unique_users])


def notifications_create(*, drafts: Sequence[tuple]) -> list[Notification]:
    """Write many notifications at once: ``drafts`` are (user, title, body, url).

    A title or body given as a function is written once per language among the recipients, under
    ``translation.override`` of that language (see ``notify``). One INSERT for the notifications and one for their outbox rows, whatever their number; the
    hand-over to the worker is queued with on_commit, so a rolled-back change sends nothing and
    an unreachable broker cannot fail the change (the periodic re-send delivers instead).
    """
    if not drafts:
        return []
    now = timezone.now()
    offsite = channels()
    rows, wanted = [], []
    written: dict[tuple[int, str], str] = {}

    def write(text: Text, language: str) -> str:
        if not callable(text):
            return str(text)
        key = (id(text), language)
        if key not in written:
            written[key] = text_compose(text, language=language)
        return written[key]

    for user, title, body, url in drafts:
        language = user_language(user)
        title, body = write(title, language), write(body, language)
        names = [channel.name for channel in offsite if channel.wants(user)]
        # Nothing to send off-site: it is delivered the moment it is on the site.
        rows.append(Notification(user=user, title=title[:200], body=body, url=url,
                                 delivered_at=None if names else now))
        wanted.append(names)
    created = Notification.objects.bulk_create(rows)
    deliveries = Delivery.objects.bulk_create([
        Delivery(notification=notification, channel=name, created_at=now, due_at=now)
        for notification, names in zip(created, wanted, strict=True) for name in names
    ])
    if deliveries:
        ids = [delivery.pk for delivery in deliveries]
        # robust: whatever goes wrong handing over, the change is committed and must not answer 500.
        transaction.on_commit(lambda: outbox_hand_over(delivery_ids=ids), robust=True)
    return created


def outbox_hand_over(*, delivery_ids: list[int]) -> bool:
    """Queue a worker task for these outbox rows; False when the broker did not take it.

    Never raises for a broker that is down: the rows are committed and the periodic re-send
    (``outbox_resend``) picks them up. The broker timeouts in settings keep this under a second.
    """
    from portal.notifications.tasks import deliver_outbox

    size = settings.NOTIFY_BATCH_SIZE
    try:
        for start in range(0, len(delivery_ids), size):
            deliver_outbox.apply_async(args=[delivery_ids[start:start + size]], retry=False)
    except (KombuOperationalError, OSError, RedisError) as error:
        logger.warning("broker unreachable, %d deliveries left to the re-send: %s", len(delivery_ids), error)
        return False
    return True


def _outbox_pending() -> models.QuerySet:
    return Delivery.objects.filter(delivered_at__isnull=True, failed_at__isnull=True, due_at__lte=timezone.now())


def _outbox_claim(*, delivery_ids: list[int] | None, limit: int) -> tuple[str, list[Delivery]]:
    """Claim up to ``limit`` due rows for this process: (claim token, the rows).

    On PostgreSQL, SELECT ... FOR UPDATE SKIP LOCKED gives concurrent claimers disjoint rows
    without waiting; the UPDATE repeats the conditions, so on SQLite (no row locks, one writer at
    a time) the second claimer matches nothing. The lease (NOTIFY_LEASE_SECONDS) outlives the
    task's hard time limit, so a row is claimed again only once its holder is surely gone.
    """
    token = uuid.uuid4().hex
    pending = _outbox_pending()
    if delivery_ids is not None:
        pending = pending.filter(pk__in=delivery_ids)
    lease_until = timezone.now() + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
    with transaction.atomic():
        picked = list(pending.select_for_update(skip_locked=True).order_by("due_at", "pk")
                      .values_list("pk", flat=True)[:limit])
        if not picked:
            return token, []
        claimed = _outbox_pending().filter(pk__in=picked).update(
            claim=token, due_at=lease_until, attempts=F("attempts") + 1
        )
    if not claimed:
        return token, []
    rows = list(Delivery.objects.filter(pk__in=picked, claim=token, delivered_at__isnull=True)
                .order_by("channel", "pk"))
    # Two plain reads by primary key rather than one three-table join: the join's plan goes bad
    # while the outbox grows faster than its statistics (a sweep's burst).
    notifications = Notification.objects.select_related("user").in_bulk({row.notification_id for row in rows})
    for row in rows:
        row.notification = notifications[row.notification_id]
    return token, rows


def _outbox_failed(*, delivery: Delivery, token: str, error: str) -> None:
    now = timezone.now()
    attempts = delivery.attempts
    if attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        changes = {"failed_at": now}
    else:
        # 1, 2, 4, 8 ... minutes between attempts, at most an hour.
        changes = {"due_at": now + timedelta(seconds=min(60 * 2 ** (attempts - 1), 3600))}
    Delivery.objects.filter(pk=delivery.pk, claim=token).update(claim="", last_error=error[:2000], **changes)


def _outbox_send(*, token: str, deliveries: list[Delivery]) -> int:
    """Send claimed rows, a channel's batch through one open channel; returns how many went out.

    Successes are recorded every few messages and whenever the batch stops, also on an error or
    the soft time limit; only a worker killed outright (SIGKILL) may repeat the handful of
    messages it had sent since its last record.
    """
    with _outbox_quick_commits():
        return _outbox_send_rows(token=token, deliveries=deliveries)


@contextmanager
def _outbox_quick_commits():
    """On PostgreSQL, let the per-message "delivered" commits return without waiting for the disk.

    Successes are recorded in many small commits; waiting for a WAL flush on each (a disk sync,
    up to ~100 ms on a busy machine) would make a batch of mail cost seconds. With
    synchronous_commit off a commit is still atomic and a killed worker loses nothing; only a
    crash of the database server itself could forget the last fraction of a second of marks,
    and those few messages would go out again. Scoped to this batch, then back to the default.
    """
    quick = connection.vendor == "postgresql" and not connection.in_atomic_block
    if quick:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        if quick:
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO DEFAULT")


# Successes are recorded in small groups: every this many messages or this many seconds, and
# always when the batch ends or is interrupted (an error, the soft time limit).
_OUTBOX_MARK_EVERY = 20
_OUTBOX_MARK_SECONDS = 1.0


def _outbox_send_rows(*, token: str, deliveries: list[Delivery]) -> int:
    sent = 0
    done: list[int] = []
    flushed_at = time.monotonic()

    def record() -> None:
        nonlocal sent, flushed_at
        if done:
            # The claim token must still match: a row whose lease ran out and was taken over is
            # not ours to mark any more.
            sent += Delivery.objects.filter(pk__in=done, claim=token).update(
                delivered_at=timezone.now(), claim="", last_error=""
            )
            done.clear()
        flushed_at = time.monotonic()

    by_channel: dict[str, list[Delivery]] = {}
    for delivery in deliveries:
        by_channel.setdefault(delivery.channel, []).append(delivery)
    try:
        for name, rows in by_channel.items():
            channel = channel_named(name)
            if channel is None or not channel.enabled():
                for delivery in rows:
                    delivery.attempts = settings.NOTIFY_MAX_ATTEMPTS  # give up: retrying cannot help
                    _outbox_failed(delivery=delivery, token=token, error=f"the {name} channel is switched off")
                continue
            try:
                channel.open()
            except Exception as error:  # the SMTP server or the like is down: the whole batch waits
                logger.warning("channel %s could not open: %s", name, error)
                for delivery in rows:
                    _outbox_failed(delivery=delivery, token=token, error=f"{type(error).__name__}: {error}")
                continue
            try:
                for delivery in rows:
                    try:
                        channel.send(delivery.notification)
                    except SoftTimeLimitExceeded:
                        raise  # the task is out of time: record what went out, leave the rest
                    except Exception as error:  # one bad address or a refusing hook must not stop the others
                        logger.warning("channel %s failed for delivery %s: %s", name, delivery.pk, error)
                        _outbox_failed(delivery=delivery, token=token, error=f"{type(error).__name__}: {error}")
                        continue
                    done.append(delivery.pk)
                    if len(done) >= _OUTBOX_MARK_EVERY or time.monotonic() - flushed_at >= _OUTBOX_MARK_SECONDS:
                        record()
            finally:
                channel.close()
    finally:
        record()
    notification_ids = {delivery.notification_id for delivery in deliveries}
    # NOT EXISTS, per notification through the foreign key's index (NOT IN over every undelivered
    # row would read the whole outbox).
    owed = Delivery.objects.filter(notification=OuterRef("pk"), delivered_at__isnull=True)
    Notification.objects.filter(pk__in=notification_ids, delivered_at__isnull=True).exclude(
        Exists(owed)
    ).update(delivered_at=timezone.now())
    return sent


def outbox_deliver(*, delivery_ids: list[int]) -> int:
    """Deliver these outbox rows if they are still owed; returns how many went out.

    Idempotent: a row delivered, failed for good, or held by another worker is left alone.
    """
    token, deliveries = _outbox_claim(delivery_ids=delivery_ids, limit=len(delivery_ids))
    return _outbox_send(token=token, deliveries=deliveries) if deliveries else 0


def outbox_resend(*, batch_size: int | None = None) -> int:
    """Deliver everything the outbox still owes now (never handed over, lease run out, retry due).

    The periodic job (beat and the ``resend_notifications`` command). Safe to run twice at once:
    each batch is claimed atomically, so two runs share the work and send nothing twice.
    """
    size = batch_size or settings.NOTIFY_BATCH_SIZE
    sent = 0
    while True:
        token, deliveries = _outbox_claim(delivery_ids=None, limit=size)
        if not deliveries:
            return sent
        sent += _outbox_send(token=token, deliveries=deliveries)


def delivery_retry(*, deliveries: models.QuerySet, by) -> int:
    """Staff's "retry now" for undelivered rows (given up or waiting): due at once, attempts
    counted afresh. Delivered rows are left alone. Returns how many were queued.
    """
    with transaction.atomic():
        ids = list(deliveries.filter(delivered_at__isnull=True).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids, delivered_at__isnull=True).update(
            failed_at=None, due_at=timezone.now(), attempts=0, claim=""
        )
        logger.info("%s queued %d deliveries again", by, len(ids))
        if ids:
            transaction.on_commit(lambda: outbox_hand_over(delivery_ids=ids), robust=True)
    return len(ids)


def notification_deliver(*, notification_id: int) -> int:
    """Deliver what the outbox still owes for one notification (the task of earlier releases)."""
    ids = list(Delivery.objects.filter(notification_id=notification_id).values_list("pk", flat=True))
    return outbox_deliver(delivery_ids=ids) if ids else 0


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def reminder_send_once(
    *,
    subject: models.Model,
    kind: str,
    deadline: datetime,
    recipients: Iterable,
    title: Text,
    body: Text = "",
    url: str = "",
) -> Reminder | None:
    """Record and send one reminder unless this (subject, kind, deadline) was already reminded.

    Returns the new Reminder, or None when it had been sent before. The database's unique
    constraint decides, so concurrent sweeps on PostgreSQL or SQLite send it exactly once.
    Call it inside the caller's transaction or alone; it opens a savepoint of its own. A title or
    body given as a function is written in each recipient's language (see ``notify``).
    """
    recipients = [user for user in recipients if user is not None]
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                subject_type=ContentType.objects.get_for_model(subject),
                subject_id=subject.pk,
                kind=kind,
                deadline=deadline,
                message=text_compose(title)[:300],
            )
            reminder.recipients.set(recipients)
            notify(users=recipients, title=title, body=body, url=url)
    except IntegrityError:
        return None
    return reminder


@dataclass
class ReminderDraft:
    """One reminder a sweep owes: what it is about, which step, the deadline, to whom, and what.

    ``title`` and ``body`` may be functions: each recipient's copy is then written in their
    language (the batch writes each text once per language)."""

    subject: models.Model
    kind: str
    deadline: datetime
    recipients: list = field(default_factory=list)
    title: Text = ""
    body: Text = ""
    url: str = ""


def reminders_send_once(*, drafts: Sequence[ReminderDraft]) -> list[ReminderDraft]:
    """Record and send a batch of reminders, each unless it was sent before; returns the new ones.

    A fixed number of statements for the whole batch: one INSERT ... ON CONFLICT DO NOTHING of the
    reminder rows, one read-back of the rows this call inserted (its batch token), one INSERT of
    their recipients, and the notifications and outbox rows in one INSERT each. The unique
    (subject, kind, deadline) decides, so concurrent sweeps send each reminder exactly once.
    Runs in the caller's transaction (or its own).
    """
    if not drafts:
        return []
    token = uuid.uuid4().hex
    content_types = ContentType.objects.get_for_models(*{type(draft.subject) for draft in drafts})
    keyed = {}
    rows = []
    for draft in drafts:
        type_id = content_types[type(draft.subject)].pk
        keyed[(type_id, draft.subject.pk, draft.kind, draft.deadline)] = draft
        rows.append(Reminder(subject_type_id=type_id, subject_id=draft.subject.pk, kind=draft.kind,
                             deadline=draft.deadline, message=text_compose(draft.title)[:300], batch=token))
    # Part of the caller's transaction when there is one (no savepoint: nothing here is retried).
    with transaction.atomic(savepoint=False):
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
        inserted = Reminder.objects.filter(
            subject_type_id__in={ct.pk for ct in content_types.values()},
            subject_id__in={draft.subject.pk for draft in drafts}, batch=token,
        ).values_list("pk", "subject_type_id", "subject_id", "kind", "deadline")
        new: list[ReminderDraft] = []
        links, notes = [], []
        for pk, type_id, subject_id, kind, deadline in inserted:
            draft = keyed[(type_id, subject_id, kind, deadline)]
            new.append(draft)
            people = {user.pk: user for user in draft.recipients if user is not None}.values()
            links.extend(Reminder.recipients.through(reminder_id=pk, user_id=user.pk) for user in people)
            notes.extend((user, draft.title, draft.body, draft.url) for user in people)
        Reminder.recipients.through.objects.bulk_create(links)
        notifications_create(drafts=notes)
    return new


def reminders_sweep_batches(
    *, fetch: Callable[[int, int], list], draft: Callable[[models.Model], ReminderDraft], size: int
) -> int:
    """The loop of a batched reminder sweep: ``fetch(after_id, size)`` reads the next batch of rows
    owing a reminder (ordered by id), ``draft(row)`` says what to send; each batch is sent once,
    in one transaction. Returns how many reminders were sent."""
    sent, last_id = 0, 0
    while True:
        batch = fetch(last_id, size)
        if not batch:
            return sent
        last_id = batch[-1].pk
        with transaction.atomic():
            sent += len(reminders_send_once(drafts=[draft(row) for row in batch]))
        if len(batch) < size:
            return sent
