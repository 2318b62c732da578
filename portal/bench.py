"""The benchmark's floors (``make bench``): the least a page or a write can cost on this stack.

Mounted under ``/bench/`` only when ``BENCH_FLOOR=true``; never in a hall's configuration.
``GET /bench/floor/?size=N&type=html|json`` answers N bytes through the same server, settings
and middleware as every page (it reads the person, as every page's header does).
``POST /bench/floor-write/`` (signed in, token or session) writes one row in one transaction:
the least a booking could cost.
"""
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.notifications.models import Notification

MAX_SIZE = 5_000_000


def floor(request: HttpRequest) -> HttpResponse:
    try:
        size = min(max(int(request.GET.get("size", "0")), 0), MAX_SIZE)
    except ValueError:
        size = 0
    json = request.GET.get("type") == "json"
    request.user.is_authenticated  # noqa: B018 (the session and the person, as pages load them)
    return HttpResponse(b"x" * size, content_type="application/json" if json else "text/html; charset=utf-8")


class FloorWriteApi(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        with transaction.atomic():
            row = Notification.objects.create(user=request.user, title="bench")
        return Response({"id": row.pk}, status=201)
