"""A bad filter value is answered the same way on every list: the page redraws its filter with
the message beside the field and answers 400 (never a silently empty list, never a 500); the API
answers 400 naming the field."""
import re

import pytest

pytestmark = pytest.mark.django_db

# (path with one bad filter value, the field, who asks); a field the page does not show (the
# catalogue's "bookable", my bookings' "date", my tasks' filters) is named in the box by the form.
PAGES = [
    ("/services/?stage=bogus", "stage", None),
    ("/services/?bookable=maybe", "bookable", None),
    ("/bookings/?status=bogus", "status", "entrepreneur"),
    ("/bookings/?date=not-a-date", "date", "entrepreneur"),
    ("/precheck/?status=bogus", "status", "hall_staff"),
    ("/ideas/?status=bogus", "status", None),
    ("/ideas/?overdue=perhaps", "overdue", None),
    ("/activities/?kind=bogus", "kind", None),
    ("/cases/?status=bogus", "status", "hall_staff"),
    ("/cases/my-tasks/?status=bogus", "status", "officer"),
    ("/leaderboard/?period=abc", "period", None),
]
APIS = [
    ("/api/v1/services/?stage=bogus", "stage", None),
    ("/api/v1/bundles/?service=abc", "service", None),
    ("/api/v1/slots/?date_from=nope", "date_from", None),
    ("/api/v1/bookings/?status=bogus", "status", "entrepreneur"),
    ("/api/v1/precheck-uploads/?status=bogus", "status", "hall_staff"),
    ("/api/v1/suggestions/?status=bogus", "status", None),
    ("/api/v1/activities/?kind=bogus", "kind", None),
    ("/api/v1/cases/?status=bogus", "status", "hall_staff"),
    ("/api/v1/periods/?stage=bogus", "stage", "member"),
    ("/api/v1/achievements/?status=bogus", "status", "member"),
    ("/api/v1/ledger/?source=bogus", "source", "member"),
    ("/api/v1/leaderboard/?period=abc", "period", None),
]


@pytest.mark.parametrize("path,field,who", PAGES)
def test_a_list_page_shows_a_bad_filter_value_beside_its_field(request, client, path, field, who):
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.get(path)
    body = response.content.decode()
    assert response.status_code == 400, (path, response.status_code)
    field_html = re.search(rf'<(select|input)[^>]*name="{field}"[^>]*>', body)
    if field_html:
        # The message sits in the filter form, right after the field it is about.
        after = body[field_html.end():field_html.end() + 1500]
        assert f'class="error" id="id_{field}_error"' in after, f"{path}: no message beside {field}"
    else:
        # A field the page does not show: "label: message" in the box by the form.
        assert re.search(r'role="alert"[^>]*>\s*(<p>)?[^<]+: ', body), f"{path}: no message for {field}"


@pytest.mark.parametrize("path,field,who", APIS)
def test_a_list_endpoint_answers_400_naming_the_bad_filter(request, api_client, path, field, who):
    if who:
        api_client.force_authenticate(request.getfixturevalue(who))
    response = api_client.get(path)
    assert response.status_code == 400, (path, response.status_code)
    assert field in str(response.json()), response.json()


@pytest.mark.parametrize("path,who", [("/services/", None), ("/ideas/", None), ("/activities/", None),
                                      ("/cases/", "hall_staff"), ("/bookings/", "entrepreneur")])
def test_filters_read_all_and_any_instead_of_dashes_and_unknown(request, client, path, who, english):
    if who:
        client.force_login(request.getfixturevalue(who))
    body = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<select" in body
    assert "---------" not in body and ">Unknown<" not in body


def test_the_overdue_filter_offers_any_yes_and_no(client, english):
    body = client.get("/ideas/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    overdue = re.search(r'<select name="overdue"[^>]*>(.*?)</select>', body, re.S).group(1)
    assert re.findall(r">([^<]+)</option>", overdue) == ["Any", "Yes", "No"]
