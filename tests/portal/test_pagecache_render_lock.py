"""When a write empties the page cache and many people ask for the same page at once (a policy
window opening), the page is rendered once and the others are given that rendering; a page that
is not kept (an error page) makes nobody wait."""
import threading
import time

import pytest
import time_machine
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotFound
from django.test import RequestFactory

from portal import pagecache


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    settings.PAGE_CACHE = True
    cache.clear()
    yield
    cache.clear()


def _ask_at_once(view, people: int) -> tuple[list[HttpResponse], float]:
    """``people`` requests of one URL started together, each in its own thread (as processes)."""
    answers: list = [None] * people
    start = threading.Barrier(people)

    def ask(n: int) -> None:
        start.wait()
        answers[n] = view(RequestFactory().get("/busy/"))

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(people)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers, time.monotonic() - began


def test_a_page_asked_for_by_many_at_once_is_rendered_once():
    renderings = []

    def slow_page(request):
        renderings.append(request)
        time.sleep(0.3)
        return HttpResponse(f"rendering {len(renderings)}")

    answers, _elapsed = _ask_at_once(pagecache.page_cache(slow_page), people=6)
    assert len(renderings) == 1
    assert {answer.content for answer in answers} == {b"rendering 1"}
    assert all(answer.status_code == 200 for answer in answers)


def test_a_page_that_is_not_kept_makes_nobody_wait(monkeypatch):
    monkeypatch.setattr(pagecache, "RENDER_WAIT_SECONDS", 10.0)
    renderings = []

    def missing_page(request):
        renderings.append(request)
        time.sleep(0.2)
        return HttpResponseNotFound("no such page")

    answers, elapsed = _ask_at_once(pagecache.page_cache(missing_page), people=4)
    assert all(answer.status_code == 404 for answer in answers)
    assert len(renderings) == 4  # each rendered it, since none could be kept
    assert elapsed < 5  # nobody waited out the 10 s for a page that was never going to come


def test_a_write_while_the_page_is_rendered_sends_the_waiting_to_render_the_new_version(monkeypatch):
    monkeypatch.setattr(pagecache, "RENDER_WAIT_SECONDS", 10.0)
    renderings = []

    def page(request):
        renderings.append(pagecache.version())
        if len(renderings) == 1:
            time.sleep(0.3)
            pagecache.bump()  # a booking commits while the first rendering is under way
            time.sleep(0.3)
        return HttpResponse(f"seen at {renderings[-1]}")

    answers, elapsed = _ask_at_once(pagecache.page_cache(page), people=3)
    assert elapsed < 5
    latest = pagecache.version()
    # The first rendering began before the write; those who waited render what came after it.
    assert len(renderings) >= 2 and renderings[-1] == latest
    assert sum(answer.content == f"seen at {latest}".encode() for answer in answers) >= 2


def _counting_page(renderings: list):
    def page(request):
        renderings.append(request)
        return HttpResponse(f"rendering {len(renderings)}")

    return pagecache.page_cache(page)


def test_a_page_is_never_kept_longer_than_page_cache_seconds(settings):
    settings.PAGE_CACHE_SECONDS = 60
    renderings: list = []
    view = _counting_page(renderings)
    with time_machine.travel("2026-12-02 09:00:00 +0800", tick=False) as clock:
        assert view(RequestFactory().get("/clock/")).content == b"rendering 1"
        clock.shift(30)
        assert view(RequestFactory().get("/clock/")).content == b"rendering 1"
        clock.shift(31)  # 61 s after it was rendered: a slot may have started meanwhile
        assert view(RequestFactory().get("/clock/")).content == b"rendering 2"


def test_in_its_last_seconds_one_asker_renders_it_anew_while_the_others_get_the_kept_one(settings):
    settings.PAGE_CACHE_SECONDS = 60
    renderings: list = []
    view = _counting_page(renderings)
    with time_machine.travel("2026-12-02 09:00:00 +0800", tick=False) as clock:
        assert view(RequestFactory().get("/clock/")).content == b"rendering 1"
        clock.shift(57)  # in the last tenth of its life
        request = RequestFactory().get("/clock/")
        lock = pagecache._lock_key(pagecache._key(request), pagecache.version())
        cache.add(lock, 1)  # another process is rendering its successor right now
        began = time.monotonic()
        assert view(request).content == b"rendering 1"  # given the kept one, without waiting
        assert time.monotonic() - began < 0.5 and len(renderings) == 1
        cache.delete(lock)
        assert view(RequestFactory().get("/clock/")).content == b"rendering 2"  # this asker renders it
        clock.shift(30)  # the successor lives its own 60 s
        assert view(RequestFactory().get("/clock/")).content == b"rendering 2"
