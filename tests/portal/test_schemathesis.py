"""The API answers as /api/schema/ says (schemathesis), anonymous, as an entrepreneur and as staff.

The document is loaded from the running portal (its WSGI application, in this process, on the
test database with the demo data), and for every operation schemathesis generates requests
from it. Every answer must be no server error, carry a status code the document lists, and
have a body that conforms to the documented schema for that code.

Bounded for CI: derandomized (the same requests every run), SCHEMATHESIS_MAX_EXAMPLES requests
per operation and role (default 4) and at most SCHEMATHESIS_SECONDS_PER_OPERATION seconds of
generating per operation (default 3), requests the schema allows (SCHEMATHESIS_MODES, default
``positive``; ``positive,negative`` adds requests it does not allow). Run longer locally with
e.g. ``SCHEMATHESIS_MAX_EXAMPLES=200 SCHEMATHESIS_SECONDS_PER_OPERATION=60``.
"""
import os
import time

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from portal.accounts.models import User

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "4"))
SECONDS_PER_OPERATION = float(os.environ.get("SCHEMATHESIS_SECONDS_PER_OPERATION", "3"))
# positive: requests the schema allows; negative: requests it does not (a 4xx, never a 5xx).
MODES = [GenerationMode(mode) for mode in os.environ.get("SCHEMATHESIS_MODES", "positive").split(",")]
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
ROLES = [None, "founder", "staff"]


@pytest.fixture
def wsgi_app():
    # The WSGI handler closes the database connection after each request; the test's own
    # transaction (and its demo data) must outlive them, as Django's test client arranges too.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def run_operation(operation, headers: dict, mode: GenerationMode) -> None:
    deadline = time.monotonic() + SECONDS_PER_OPERATION
    first = True

    @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(operation.as_strategy(generation_mode=mode))
    def check(case):
        nonlocal first
        # The time limit ends the run of an operation early, never before its first request.
        if not first and time.monotonic() > deadline:
            return
        first = False
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    check()


@pytest.mark.django_db
def test_it_answers_every_operation_as_the_schema_says(wsgi_app):
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    failures = []
    for username in ROLES:
        headers = {}
        if username:
            token, _created = Token.objects.get_or_create(user=User.objects.get(username=username))
            headers = {"Authorization": f"Token {token.key}"}
        for operation, mode in [(operation, mode) for operation in operations for mode in MODES]:
            try:
                run_operation(operation, headers, mode)
            except (Exception, BaseExceptionGroup) as exc:  # every operation runs; failures are listed together
                if isinstance(exc, Unsatisfiable) and mode is GenerationMode.NEGATIVE:
                    # The schema allows every request there is (no parameters, or only free-text
                    # ones): there is nothing forbidden to send.
                    continue
                failures.append(f"{username or 'anonymous'} {mode} {operation.label}: {exc}"[:3000])
    if failures:
        pytest.fail(f"{len(failures)} operations answered other than documented:\n\n" + "\n\n".join(failures))


def test_the_schema_documents_pages_nullable_fields_and_every_refusal(client):
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    for path in ["/api/v1/periods/", "/api/v1/achievements/", "/api/v1/ledger/", "/api/v1/leaderboard/",
                 "/api/v1/suggestions/", "/api/v1/slots/", "/api/v1/cases/"]:
        ref = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        page = components[ref.rsplit("/", 1)[1]]
        assert {"count", "next", "previous", "results"} <= set(page["properties"]), path
    assert {"period", "teams"} <= set(components["PaginatedLeaderboardMemberList"]["properties"])
    assert components["SlotOutput"]["properties"]["service"]["nullable"] is True
    assert components["Error"]["required"] == ["code", "detail"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            expected = {"400", "404"} | ({"409", "429"} if method in ("post", "put", "patch", "delete") else set())
            if path != "/api/v1/auth/token/":
                expected |= {"401", "403"}
            assert expected <= set(operation["responses"]), (method, path)
            assert operation["responses"]["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
