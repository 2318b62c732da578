"""Rendered pages and list answers kept in the cache, never stale.

Every GET answer a wrapped view gives is kept under a key made of the URL (host, path, query),
the language, the ``Accept`` header and who asks (anonymous people share one copy; a signed-in
person gets their own, never anyone else's), together with the **content version** it was
rendered at; it is served only while that is still the current version (both are read in one
round trip). The version is one token in the cache that any write to the database replaces: an
execute wrapper on every database connection sees each INSERT/UPDATE/DELETE (the ORM,
``QuerySet.update``, raw SQL, the admin, Celery tasks, management commands) and replaces the
token (at once in autocommit, after the commit in a transaction: one cache write per
transaction), so a page rendered before the commit cannot outlive it. An answer whose view wrote
is not kept at all. A missing or evicted token is replaced by a fresh one, so an eviction
can only cause misses.

What changes with the clock alone (a slot starting, a deadline passing) is kept at most
``PAGE_CACHE_SECONDS``: each kept page says when it was rendered. In its last seconds one asker
renders it anew (under the render lock) while everyone else is still given the kept one, so the
crowd on a busy page never finds it gone all at once.

The CSRF token in a kept page is swapped for the asking person's own when it is served, and the
answer carries an ETag, so a browser asking again with ``If-None-Match`` gets a 304.

With several web processes the cache must be shared (``REDIS_URL``); local memory (the default
without Redis) is right for one process only.
"""
import functools
import hashlib
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connections
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.utils.crypto import salted_hmac
from django.utils.http import parse_etags

logger = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version"
CSRF_PLACEHOLDER = b"@@pagecache-csrf-token@@"
_CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{32,64})"')
_WRITE = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?([A-Za-z0-9_]+)', re.IGNORECASE
)
# Tables no page shows: a sign-in attempt or a session save must not empty the cache.
IGNORED_TABLES = frozenset({
    "django_session", "django_admin_log", "axes_accessattempt", "axes_accesslog",
    "axes_accessfailurelog", "authtoken_token",
})


# --- the content version -------------------------------------------------------------------

def version() -> str:
    current = cache.get(VERSION_KEY)
    if current is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        current = cache.get(VERSION_KEY) or "0"
    return current


def bump() -> None:
    """Make every kept page and figure a miss. Idempotent; cheap (one cache write).

    A cache that cannot be reached is logged, never raised: the write it follows has happened,
    and kept pages expire within PAGE_CACHE_SECONDS anyway."""
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.exception("page cache: could not replace the content version")


def _bump_after_commit() -> None:
    bump()


def _note_write(connection) -> None:
    connection._pagecache_writes = getattr(connection, "_pagecache_writes", 0) + 1
    if not connection.in_atomic_block or getattr(connection.atomic_blocks[0], "_from_testcase", False):
        # Autocommit: the write is already visible. (Inside a test case's transaction, which
        # never commits, the same: the test's next request reads the write at once.)
        bump()
        return
    # Once per transaction, after the commit: until then no other connection can see the write,
    # and a page rendered meanwhile was kept under the version it read first, which the commit
    # replaces. Nothing to do on a rollback. The callback is registered again only when a
    # rolled-back savepoint took the earlier one with it (Django drops those); any registration
    # still pending covers this write, since a rollback that drops it drops this write too.
    entry = getattr(connection, "_pagecache_entry", None)
    if entry is not None and any(pending is entry for pending in connection.run_on_commit):
        return
    connection.on_commit(_bump_after_commit)
    connection._pagecache_entry = connection.run_on_commit[-1]


def writes_seen() -> int:
    """How many writes this thread's connections have made so far (to tell a view that wrote)."""
    return sum(getattr(connections[alias], "_pagecache_writes", 0) for alias in connections)


def _write_watcher(connection):
    def watch(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        match = _WRITE.match(sql) if isinstance(sql, str) else None
        if match and match.group(1).lower() not in IGNORED_TABLES:
            _note_write(connection)
        return result

    watch.pagecache = True
    return watch


def watch_connection(connection) -> None:
    if not any(getattr(wrapper, "pagecache", False) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(_write_watcher(connection))


def install() -> None:
    """Watch writes on every database connection, present and future (called from ready())."""
    connection_created.connect(_on_connection_created, dispatch_uid="portal.pagecache")
    for alias in connections:
        watch_connection(connections[alias])


def _on_connection_created(sender, connection, **kwargs) -> None:
    watch_connection(connection)


# --- kept values (figures computed from the data) ------------------------------------------

def memoize(name: str, compute: Callable[[], object]) -> object:
    """``compute()`` kept until the next write (for figures many pages share)."""
    try:
        key = f"pagecache:value:{version()}:{name}"
        value = cache.get(key)
    except Exception:  # the cache is down: compute
        logger.exception("page cache: could not read")
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout=settings.PAGE_CACHE_SECONDS)
        except Exception:
            logger.exception("page cache: could not keep a value")
    return value


# --- pages ---------------------------------------------------------------------------------

def _key(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    who = f"u{user.pk}" if user is not None and user.is_authenticated else "anon"
    parts = "\n".join([
        request.scheme, request.get_host(), request.get_full_path(), getattr(request, "LANGUAGE_CODE", ""),
        request.headers.get("Accept", ""), who,
    ])
    return f"pagecache:page:{hashlib.sha256(parts.encode()).hexdigest()}"


def _lookup(key: str) -> tuple[str, dict | None]:
    """The content version and the page kept under ``key`` if it was rendered at that version:
    one round trip to the cache."""
    found = cache.get_many([VERSION_KEY, key])
    current = found.get(VERSION_KEY) or version()
    entry = found.get(key)
    return current, entry if _servable(entry, current) else None


def _servable(entry: dict | None, current: str) -> bool:
    """Rendered at the current version and not yet past its PAGE_CACHE_SECONDS (a page kept by
    an earlier release, without an expiry, counts as past it)."""
    return entry is not None and entry.get("version") == current and time.time() < entry.get("expires", 0)


def _refresh_due(entry: dict) -> bool:
    """In the kept page's last REFRESH_AHEAD_SHARE of its life: time to render its successor."""
    lifetime = settings.PAGE_CACHE_SECONDS
    return time.time() >= entry["expires"] - lifetime * REFRESH_AHEAD_SHARE


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method != "GET" or not settings.PAGE_CACHE:
        return False
    # Token and basic authentication are decided inside the API view: never share those answers.
    if "Authorization" in request.headers:
        return False
    # A page showing a one-time message must be rendered for it (and not kept with it).
    if CookieStorage.cookie_name in request.COOKIES:
        return False
    session = getattr(request, "session", None)
    return not (session is not None and session.session_key and session.get("_messages"))


def _cacheable_response(response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming:
        return False
    if any(name != settings.CSRF_COOKIE_NAME for name in response.cookies):
        return False
    return "no-store" not in response.get("Cache-Control", "") and "private" not in response.get("Cache-Control", "")


def _etag(request: HttpRequest, digest: str, has_csrf: bool) -> str:
    if not has_csrf:
        return f'"{digest}"'
    # The page carries this person's CSRF token: the tag is theirs too.
    secret = request.META.get("CSRF_COOKIE", "")
    return f'"{digest}-{salted_hmac("pagecache.etag", secret).hexdigest()[:16]}"'


def _answer(request: HttpRequest, entry: dict) -> HttpResponse:
    body: bytes = entry["body"]
    has_csrf = CSRF_PLACEHOLDER in body
    if has_csrf:
        token = get_token(request)  # also (re)sends the cookie the token belongs to
    etag = _etag(request, entry["digest"], has_csrf)
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    if has_csrf:
        body = body.replace(CSRF_PLACEHOLDER, token.encode())
    response = HttpResponse(body, status=entry["status"], content_type=entry["content_type"])
    for name, value in entry["headers"]:
        response[name] = value
    response["ETag"] = etag
    return response


KEPT_HEADERS = ("Content-Disposition", "Allow", "Vary")


def page_cache(view: Callable) -> Callable:
    """Keep the view's GET answers until the next write (see the module's docstring)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        try:
            key = _key(request)
            current, entry = _lookup(key)
        except Exception:  # the cache is down: answer without it
            logger.exception("page cache: could not read")
            return view(request, *args, **kwargs)
        if entry is not None and not _refresh_due(entry):
            return _answer(request, entry)
        lock = None
        try:
            lock = _render_lock(key, current)
            if lock is None and entry is not None:  # its successor is on the way: this one is good
                return _answer(request, entry)
            if lock is None:  # another process is rendering this very page: wait for it
                entry = _wait_for(key, current)
                if entry is not None:
                    return _answer(request, entry)
        except Exception:
            logger.exception("page cache: could not take the render lock")
            if entry is not None:
                return _answer(request, entry)
        try:
            return _render(request, view, args, kwargs, key, current)
        finally:
            if lock is not None:
                try:
                    cache.delete(lock)
                except Exception:
                    logger.exception("page cache: could not release the render lock")

    return wrapped


def _lock_key(key: str, current: str) -> str:
    return f"{key}:rendering:{current}"


def _render_lock(key: str, current: str) -> str | None:
    """The lock's key if this process may render the page kept under ``key`` at version
    ``current``, or None when another process holds it. When a write empties the cache, the
    people asking for a busy page at once then cost one rendering, not one each."""
    lock = _lock_key(key, current)
    return lock if cache.add(lock, 1, timeout=RENDER_LOCK_SECONDS) else None


def _wait_for(key: str, current: str) -> dict | None:
    """The page another process is rendering, once kept. None (the asker renders it) when that
    process let go of the lock without keeping it (an error page, a one-time message), when a
    newer write made its version old, or after RENDER_WAIT_SECONDS."""
    lock = _lock_key(key, current)
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    pause = 0.002
    while time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, 0.02)
        found = cache.get_many([VERSION_KEY, key, lock])
        entry = found.get(key)
        if _servable(entry, current) and not _refresh_due(entry):
            return entry
        if found.get(VERSION_KEY) != current or lock not in found:
            return None
    return None


# A rendering that takes longer than this (the slowest page at 10x takes well under a second)
# is waited for no longer; a lock left by a process that died expires after the other.
RENDER_WAIT_SECONDS = 2.0
RENDER_LOCK_SECONDS = 10
# The share of PAGE_CACHE_SECONDS at the end of a kept page's life in which it is rendered anew.
REFRESH_AHEAD_SHARE = 0.1


def _render(request: HttpRequest, view: Callable, args, kwargs, key: str, current: str) -> HttpResponse:
    writes = writes_seen()
    response = view(request, *args, **kwargs)
    if writes_seen() != writes:
        # It wrote while answering (perhaps in a transaction not yet committed): not kept.
        return response
    if hasattr(response, "render") and callable(response.render) and not getattr(response, "is_rendered", True):
        response = response.render()
    if not _cacheable_response(response):
        return response
    body = response.content
    for token in set(_CSRF_FIELD.findall(body)):
        body = body.replace(token, CSRF_PLACEHOLDER)
    entry = {
        "version": current,  # read before rendering: a write meanwhile makes this a miss
        "expires": time.time() + settings.PAGE_CACHE_SECONDS,
        "body": body,
        "digest": hashlib.md5(body, usedforsecurity=False).hexdigest(),
        "status": response.status_code,
        "content_type": response["Content-Type"],
        "headers": [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)],
    }
    try:
        cache.set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
    except Exception:
        logger.exception("page cache: could not keep a page")
    response["ETag"] = _etag(request, entry["digest"], CSRF_PLACEHOLDER in body)
    if request.headers.get("If-None-Match") and response["ETag"] in parse_etags(request.headers["If-None-Match"]):
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = response["ETag"]
        return not_modified
    return response

