"""The HTTP contract across every endpoint in the OpenAPI schema (API.md, General)."""
import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from portal.accounts.models import User

pytestmark = pytest.mark.django_db

PUBLIC_WRITES = {"/api/v1/auth/token/"}


@pytest.fixture
def schema_paths(client):
    schema = client.get("/api/schema/?format=json").json()
    return schema["paths"]


def _concrete(path: str) -> str:
    # Any plausible identifier: the contract must hold whether or not the object exists.
    return re.sub(r"\{[^}]+\}", "1", path)


def test_it_documents_every_api_path_from_api_md(schema_paths):
    documented = set(schema_paths)
    for path in [
        "/api/v1/auth/token/", "/api/v1/departments/", "/api/v1/services/", "/api/v1/bundles/", "/api/v1/slots/",
        "/api/v1/bookings/", "/api/v1/cases/", "/api/v1/teams/", "/api/v1/activities/", "/api/v1/indicators/",
        "/api/v1/periods/", "/api/v1/achievements/", "/api/v1/ledger/", "/api/v1/leaderboard/",
        "/api/v1/suggestions/",
    ]:
        assert path in documented, path


def test_it_answers_401_to_every_write_without_credentials(schema_paths):
    client = APIClient()
    wrong = {}
    for path, operations in schema_paths.items():
        if path in PUBLIC_WRITES:
            continue
        for method in ("post", "put", "patch", "delete"):
            if method in operations:
                response = getattr(client, method)(_concrete(path), {}, format="json")
                if response.status_code != 401:
                    wrong[f"{method.upper()} {path}"] = response.status_code
    assert wrong == {}


@pytest.mark.parametrize("body", [{}, {"slot": "x", "stars": "many", "to": 7, "member": [], "scores": "no"}])
def test_it_never_answers_5xx_to_bad_input_from_a_signed_in_person(schema_paths, body):
    call_command("seed_demo")
    client = APIClient()
    client.force_authenticate(User.objects.get(username="staff"))
    failures = {}
    for path, operations in schema_paths.items():
        for method in ("get", "post", "put", "patch", "delete"):
            if method not in operations:
                continue
            url = _concrete(path)
            if method == "get":
                response = client.get(url, {"date_from": "not-a-date", "page": "x", "stage": "?", "available": "perhaps"})
            else:
                response = getattr(client, method)(url, body, format="json")
            if response.status_code >= 500:
                failures[f"{method.upper()} {path}"] = response.status_code
            elif response.status_code >= 400 and response["Content-Type"].startswith("application/json"):
                assert "detail" in response.json(), (method, path, response.json())
    assert failures == {}
