"""Who may do what: every operation of the OpenAPI document and every page, for every role, as one
table of expected statuses.

The API operations are read from ``/api/schema/`` when the test runs: an operation without a row
fails the test, so a new endpoint must be added here. Writes are sent with a real body (so an
allowed role gets its 2xx, or the domain's 400/409) inside a transaction that is rolled back
after each request: every cell starts from the same world (``_world``). The object column names
the object a path's placeholder is filled with ("-": the usual one for that path, DEFAULT_OBJECT;
"published": the published period, for appeals).

Roles (columns): ano = not signed in, ent = an entrepreneur, en2 = another entrepreneur,
stf = hall staff, off = an officer of department A, of2 = an officer of department B,
mem = a member of team A, cp2 = the captain of team B, rev = a committee reviewer,
all = an alliance member. The objects belong to the first of each pair: the entrepreneur's
booking and idea, department A's case and task (assigned to ``off``), team A's activity and
scores, the member's achievement (with evidence) and appeal. So the en2 column is "another
person's booking", of2 "another department's task", cp2 "another team's scoring".

The entrepreneur already holds an active booking of the bundle, so booking it again is refused
(409, BOOKING_MAX_ACTIVE_PER_PERSON); hall staff check a booking in only on its own day ("today").

Statuses the matrix pinned down that are worth knowing: most pages answer a refused write with a
redirect and a message (302); the converted forms (points decisions and appeals, case tasks, the
booking's evaluation, rectifications) show the page again with the refusal's own status
(400/403/409) and the error beside its field; the API answers with 403/404; the team A captain, who decides the
member's achievement, is covered by tests/points.

A page that needs a signed-in person sends anonymous visitors to sign in (302). The pre-check objects: the
entrepreneur's booking needs two materials checked by department A; one (the ID card) has a version
waiting, with one file, so the of2 column is "another department's upload". Hall staff see every
upload, and open its files because they sit at window 3, which serves the booking's item (other
hall staff get 403: tests/services/test_precheck_pages.py); only the checking department decides;
only the applicant uploads and withdraws.
"""
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from points import actions as points_actions
from points.models import Appeal, MemberResult, Period, Stage
from portal.roles import Role
from services import actions as services_actions
from services.models import Window, Zone
from tests.factories import (
    ActivityFactory,
    BookingFactory,
    BundleFactory,
    BundleItemFactory,
    CaseFactory,
    CaseTaskFactory,
    DepartmentFactory,
    MaterialFactory,
    MembershipFactory,
    PeriodFactory,
    ServiceItemFactory,
    SignUpFactory,
    SlotFactory,
    SuggestionFactory,
    TeamFactory,
    UserFactory,
)
from tests.portal.test_files import png_bytes

pytestmark = pytest.mark.django_db

ROLES = ["anon", "ent", "ent2", "staff", "off", "off2", "mem", "cap2", "rev", "all"]

#     path (as in the OpenAPI document)            object       ano ent en2 stf off of2 mem cp2 rev all
API = """
GET   /api/v1/achievements/                        -            401 403 403 200 403 403 200 200 200 200
POST  /api/v1/achievements/                        -            401 403 403 403 403 403 201 201 403 403
POST  /api/v1/achievements/{id}/decide/            -            401 404 404 403 404 404 403 404 403 403
GET   /api/v1/activities/                          -            200 200 200 200 200 200 200 200 200 200
GET   /api/v1/activities/{id}/                     -            200 200 200 200 200 200 200 200 200 200
POST  /api/v1/activities/{id}/approve-hours/       -            401 403 403 409 403 403 403 403 403 403
POST  /api/v1/activities/{id}/attendance/          -            401 403 403 409 403 403 403 403 403 403
POST  /api/v1/activities/{id}/cancel-signup/       -            401 409 409 409 409 409 200 409 409 409
POST  /api/v1/activities/{id}/check-in/            -            401 409 409 409 409 409 409 409 409 409
POST  /api/v1/activities/{id}/check-out/           -            401 409 409 409 409 409 409 409 409 409
POST  /api/v1/activities/{id}/signup/              -            401 201 201 201 201 201 409 201 201 201
POST  /api/v1/appeals/{id}/decide/                 -            401 404 404 403 404 404 403 404 200 404
POST  /api/v1/auth/token/                          -            200 200 200 200 200 200 200 200 200 200
GET   /api/v1/bookings/                            -            401 200 200 200 200 200 200 200 200 200
POST  /api/v1/bookings/                            -            401 409 201 201 201 201 201 201 201 201
GET   /api/v1/bookings/{reference}/                -            401 200 404 200 404 404 404 404 404 404
POST  /api/v1/bookings/{reference}/cancel/         -            401 200 404 200 404 404 404 404 404 404
POST  /api/v1/bookings/{reference}/check-in/       -            401 403 404 409 404 404 404 404 404 404
POST  /api/v1/bookings/{reference}/check-in/       today        401 403 404 200 404 404 404 404 404 404
POST  /api/v1/bookings/{reference}/complete/       -            401 403 404 409 404 404 404 404 404 404
GET   /api/v1/bookings/{reference}/ics/            -            401 200 404 403 404 404 404 404 404 404
POST  /api/v1/bookings/{reference}/no-show/        -            401 403 404 409 404 404 404 404 404 404
GET   /api/v1/bookings/{reference}/precheck/       -            401 200 404 200 404 404 404 404 404 404
POST  /api/v1/bookings/{reference}/precheck/       -            401 201 404 403 404 404 404 404 404 404
GET   /api/v1/bookings/{reference}/ticket/         ticketed     401 200 404 200 404 404 404 404 404 404
POST  /api/v1/bookings/{reference}/reschedule/     -            401 200 404 403 404 404 404 404 404 404
GET   /api/v1/bundles/                             -            200 200 200 200 200 200 200 200 200 200
GET   /api/v1/bundles/{slug}/                      -            200 200 200 200 200 200 200 200 200 200
POST  /api/v1/case-tasks/{id}/complete/            -            401 404 404 200 200 404 404 404 403 404
POST  /api/v1/case-tasks/{id}/reschedule/          -            401 404 404 200 403 404 404 404 403 404
GET   /api/v1/cases/                               -            401 200 200 200 200 200 200 200 200 200
POST  /api/v1/cases/                               -            401 403 403 201 403 403 403 403 403 403
GET   /api/v1/cases/{id}/                          -            401 404 404 200 200 404 404 404 200 404
POST  /api/v1/cases/{id}/cancel/                   -            401 404 404 200 403 404 404 404 403 404
GET   /api/v1/cases/{id}/reminders/                -            401 404 404 200 403 404 404 404 200 404
POST  /api/v1/cases/{id}/tasks/                    -            401 404 404 201 403 404 404 404 403 404
GET   /api/v1/evaluations/                         -            401 200 200 200 200 200 200 200 200 200
POST  /api/v1/evaluations/                         -            401 201 404 403 404 404 404 404 404 404
GET   /api/v1/rectifications/                      -            401 200 200 200 200 200 200 200 200 200
GET   /api/v1/rectifications/{rectification_id}/   -            401 200 404 200 200 404 404 404 200 404
POST  /api/v1/rectifications/{rectification_id}/callback/ -     401 403 404 403 200 404 404 404 403 404
POST  /api/v1/rectifications/{rectification_id}/outcome/ -      401 403 404 403 409 404 404 404 403 404
POST  /api/v1/rectifications/{rectification_id}/accept/ -       401 409 404 403 403 404 404 404 403 404
POST  /api/v1/rectifications/{rectification_id}/reject/ -       401 409 404 403 403 404 404 404 403 404
GET   /api/v1/departments/                         -            200 200 200 200 200 200 200 200 200 200
GET   /api/v1/indicators/                          -            200 200 200 200 200 200 200 200 200 200
GET   /api/v1/leaderboard/                         -            200 200 200 200 200 200 200 200 200 200
GET   /api/v1/ledger/                              -            401 200 200 200 200 200 200 200 200 200
GET   /api/v1/periods/                             -            401 403 403 200 403 403 200 200 200 200
GET   /api/v1/periods/{id}/                        -            401 403 403 200 403 403 200 200 200 200
POST  /api/v1/periods/{id}/advance/                -            401 404 404 403 404 404 403 403 409 403
POST  /api/v1/periods/{id}/appeals/                published    401 404 404 403 404 404 409 201 403 403
POST  /api/v1/periods/{id}/captain-scores/         -            401 404 404 403 404 404 403 403 403 403
POST  /api/v1/periods/{id}/captain-submit/         -            401 404 404 403 404 404 403 409 403 403
POST  /api/v1/periods/{id}/committee-review/       -            401 404 404 403 404 404 403 403 409 403
POST  /api/v1/periods/{id}/decision/               -            401 404 404 403 404 404 403 403 409 409
POST  /api/v1/periods/{id}/peer-reviews/           -            401 404 404 403 404 404 403 403 403 403
GET   /api/v1/precheck-files/{file_id}/            -            401 200 404 200 200 404 404 404 404 404
GET   /api/v1/precheck-uploads/                    -            401 200 200 200 200 200 200 200 200 200
GET   /api/v1/precheck-uploads/{upload_id}/        -            401 200 404 200 200 404 404 404 404 404
POST  /api/v1/precheck-uploads/{upload_id}/accept/ -            401 403 404 403 200 404 404 404 404 404
POST  /api/v1/precheck-uploads/{upload_id}/needs-correction/ -  401 403 404 403 200 404 404 404 404 404
POST  /api/v1/precheck-uploads/{upload_id}/withdraw/ -          401 200 404 403 403 404 404 404 404 404
POST  /api/v1/queue-tickets/{ticket_id}/done/       -            401 404 404 200 404 404 404 404 404 404
POST  /api/v1/queue-tickets/{ticket_id}/no-show/    -            401 404 404 409 404 404 404 404 404 404
POST  /api/v1/queue-tickets/{ticket_id}/recall/     -            401 404 404 200 404 404 404 404 404 404
GET   /api/v1/queue/                               -            200 200 200 200 200 200 200 200 200 200
POST  /api/v1/queue/check-in/                      -            401 201 404 201 404 404 404 404 404 404
POST  /api/v1/queue/walk-in/                       -            401 403 403 201 403 403 403 403 403 403
GET   /api/v1/services/                            -            200 200 200 200 200 200 200 200 200 200
GET   /api/v1/services/{code}/                     -            200 200 200 200 200 200 200 200 200 200
GET   /api/v1/slots/                               -            200 200 200 200 200 200 200 200 200 200
GET   /api/v1/suggestions/                         -            200 200 200 200 200 200 200 200 200 200
POST  /api/v1/suggestions/                         -            401 201 201 201 201 201 201 201 201 201
GET   /api/v1/suggestions/{number}/                -            200 200 200 200 200 200 200 200 200 200
POST  /api/v1/suggestions/{number}/answer-draft/   -            401 403 403 200 200 403 403 403 403 403
POST  /api/v1/suggestions/{number}/case/           -            401 403 403 409 403 403 403 403 403 403
POST  /api/v1/suggestions/{number}/feedback/       -            401 409 403 403 403 403 403 403 403 403
POST  /api/v1/suggestions/{number}/hide/           -            401 403 403 200 403 403 403 403 403 403
POST  /api/v1/suggestions/{number}/merge/          -            401 403 403 200 403 403 403 403 403 403
POST  /api/v1/suggestions/{number}/reopen/         -            401 409 403 403 403 403 403 403 403 403
POST  /api/v1/suggestions/{number}/support/        -            401 400 201 201 201 201 201 201 201 201
POST  /api/v1/suggestions/{number}/transition/     -            401 403 403 200 403 403 403 403 403 403
GET   /api/v1/suggestions/similar/                 -            200 200 200 200 200 200 200 200 200 200
GET   /api/v1/suggestions/stats/                   -            200 200 200 200 200 200 200 200 200 200
GET   /api/v1/teams/                               -            200 200 200 200 200 200 200 200 200 200
GET   /api/v1/windows/                             -            401 403 403 200 403 403 403 403 403 403
POST  /api/v1/windows/{window_id}/call-next/       -            401 404 404 409 404 404 404 404 404 404
GET   /api/v1/teams/{slug}/                        -            200 200 200 200 200 200 200 200 200 200
"""

#     url name                             object       ano ent en2 stf off of2 mem cp2 rev all
PAGES = """
GET   accounts:login                       -            200 302 302 302 302 302 302 302 302 302
GET   accounts:me                          -            302 200 200 200 200 200 200 200 200 200
GET   accounts:notifications               -            302 200 200 200 200 200 200 200 200 200
POST  accounts:notifications_mark_read     -            302 302 302 302 302 302 302 302 302 302
GET   accounts:password_change             -            302 200 200 200 200 200 200 200 200 200
GET   accounts:password_change_done        -            302 200 200 200 200 200 200 200 200 200
GET   accounts:password_reset              -            200 200 200 200 200 200 200 200 200 200
GET   accounts:password_reset_complete     -            200 200 200 200 200 200 200 200 200 200
GET   accounts:password_reset_done         -            200 200 200 200 200 200 200 200 200 200
GET   accounts:profile                     -            302 200 200 200 200 200 200 200 200 200
GET   accounts:signup                      -            200 302 302 302 302 302 302 302 302 302
GET   cases:case_board                     -            302 403 403 200 200 200 403 403 200 403
GET   cases:case_cancel                    -            302 404 404 200 403 404 404 404 403 404
POST  cases:case_cancel                    -            302 404 404 302 403 404 404 404 403 404
GET   cases:case_create                    -            302 403 403 200 403 403 403 403 403 403
GET   cases:case_detail                    -            302 404 404 200 200 404 404 404 200 404
POST  cases:case_task_add                  -            302 404 404 302 403 404 404 404 403 404
POST  cases:case_task_complete             -            302 404 404 302 302 404 404 404 403 404
POST  cases:case_task_reschedule           -            302 404 404 302 403 404 404 404 403 404
GET   cases:my_tasks                       -            302 200 200 200 200 200 200 200 200 200
GET   dashboard                            -            200 200 200 200 200 200 200 200 200 200
GET   healthz                              -            200 200 200 200 200 200 200 200 200 200
GET   metrics                              -            200 200 200 200 200 200 200 200 200 200
GET   home                                 -            200 200 200 200 200 200 200 200 200 200
POST  points:achievement_decide            achievement  302 404 404 403 404 404 403 404 403 403
GET   points:achievement_evidence          achievement  404 404 404 200 404 404 200 404 200 200
GET   points:achievements                  -            302 200 200 200 200 200 200 200 200 200
POST  points:appeal_decide                 appeal       302 404 404 403 404 404 403 404 302 404
POST  points:appeal_file                   published    302 404 404 403 404 404 409 302 403 403
GET   points:captain_score_member          period       302 404 404 404 404 404 404 404 404 404
GET   points:captain_scoring               period       302 404 404 404 404 404 404 200 404 404
POST  points:captain_submit                period       302 404 404 302 404 404 302 302 302 302
GET   points:decision                      period       302 404 404 200 404 404 404 404 200 200
GET   points:leaderboard                   -            200 200 200 200 200 200 200 200 200 200
GET   points:leaderboard_csv               -            302 403 403 200 403 403 403 403 403 403
GET   points:my_points                     -            302 200 200 200 200 200 200 200 200 200
GET   points:peer_review                   period       302 404 404 200 404 404 200 200 200 200
GET   points:peer_review_member            period       302 404 404 404 404 404 404 404 404 404
GET   points:period_advance                period       302 404 404 200 404 404 404 404 200 200
POST  points:period_advance                period       302 404 404 403 404 404 404 404 409 403
GET   points:period_detail                 period       302 404 404 200 404 404 200 200 200 200
GET   points:ratings                       -            302 200 200 200 200 200 200 200 200 200
POST  points:team_review                   period       302 404 404 403 404 404 403 403 409 403
POST  services:booking_check_in          -            302 302 404 302 404 404 404 404 404 404
GET   services:booking_cancel              -            302 200 404 200 404 404 404 404 404 404
POST  services:booking_cancel              -            302 302 404 302 404 404 404 404 404 404
GET   services:booking_detail              -            302 200 404 200 404 404 404 404 404 404
GET   services:booking_ics                 -            302 200 404 403 404 404 404 404 404 404
GET   services:booking_list                -            302 200 200 200 200 200 200 200 200 200
POST  services:booking_precheck_upload     -            302 302 404 403 404 404 404 404 404 404
GET   services:booking_reschedule          -            302 200 404 403 404 404 404 404 404 404
POST  services:booking_evaluate            -            302 409 404 403 404 404 404 404 404 404
GET   services:evaluation_csv              -            302 403 403 200 403 403 403 403 403 403
GET   services:rectification_list          -            302 403 403 200 200 200 403 403 200 403
GET   services:rectification_detail        -            302 200 404 200 200 404 404 404 200 404
POST  services:rectification_callback      -            302 403 404 403 302 404 404 404 403 404
POST  services:rectification_outcome       -            302 403 404 403 409 404 404 404 403 404
POST  services:rectification_respond       -            302 409 404 403 403 404 404 404 403 404
GET   services:bundle_book                 -            302 200 200 200 200 200 200 200 200 200
GET   services:bundle_detail               -            200 200 200 200 200 200 200 200 200 200
GET   services:catalogue                   -            200 200 200 200 200 200 200 200 200 200
GET   services:item_book                   -            302 200 200 200 200 200 200 200 200 200
GET   services:item_detail                 -            200 200 200 200 200 200 200 200 200 200
GET   services:hall_desk                   -            302 403 403 200 403 403 403 403 403 403
POST  services:hall_desk                   -            302 403 403 302 403 403 403 403 403 403
GET   services:hall_screen                 -            200 200 200 200 200 200 200 200 200 200
POST  services:hall_ticket_move            -            302 403 403 302 403 403 403 403 403 403
GET   services:hall_window                 -            302 403 403 200 403 403 403 403 403 403
POST  services:hall_window_call            -            302 403 403 302 403 403 403 403 403 403
POST  services:precheck_decide             -            302 403 404 403 302 404 404 404 404 404
GET   services:precheck_file               -            302 200 404 200 200 404 404 404 404 404
GET   services:precheck_list               -            302 403 403 200 200 200 403 403 403 403
GET   services:precheck_withdraw           -            302 200 404 403 403 404 404 404 404 404
POST  services:precheck_withdraw           -            302 302 404 403 403 404 404 404 404 404
POST  suggestions:case_open                -            302 302 302 302 302 302 302 302 302 302
GET   suggestions:detail                   -            200 200 200 200 200 200 200 200 200 200
POST  suggestions:draft                    -            302 302 302 302 302 302 302 302 302 302
POST  suggestions:feedback                 -            302 302 302 302 302 302 302 302 302 302
POST  suggestions:hide                     -            302 302 302 302 302 302 302 302 302 302
GET   suggestions:ledger                   -            200 200 200 200 200 200 200 200 200 200
POST  suggestions:merge                    -            302 302 302 302 302 302 302 302 302 302
POST  suggestions:reopen                   -            302 302 302 302 302 302 302 302 302 302
GET   suggestions:submit                   -            302 200 200 200 200 200 200 200 200 200
POST  suggestions:support                  -            302 302 302 302 302 302 302 302 302 302
POST  suggestions:transition               -            302 302 302 302 302 302 302 302 302 302
GET   volunteers:activities_ics            -            200 200 200 200 200 200 200 200 200 200
POST  volunteers:activity_attendance       activity     302 403 403 400 403 403 403 403 403 403
POST  volunteers:activity_check_in         activity     302 302 302 302 302 302 302 302 302 302
POST  volunteers:activity_check_out        activity     302 302 302 302 302 302 302 302 302 302
GET   volunteers:activity_detail           activity     200 200 200 200 200 200 200 200 200 200
GET   volunteers:activity_hours_approve    activity     302 403 403 200 403 403 403 403 403 403
POST  volunteers:activity_hours_approve    activity     302 403 403 409 403 403 403 403 403 403
GET   volunteers:activity_list             -            200 200 200 200 200 200 200 200 200 200
GET   volunteers:hours_to_approve          -            302 403 403 200 403 403 403 200 403 403
POST  volunteers:activity_signup           activity     302 302 302 302 302 302 302 302 302 302
GET   volunteers:activity_signup_cancel    activity     302 200 200 200 200 200 200 200 200 200
POST  volunteers:activity_signup_cancel    activity     302 409 409 409 409 409 302 409 409 409
GET   volunteers:activity_cancel           activity     302 403 403 200 403 403 403 403 403 403
POST  volunteers:activity_cancel           activity     302 403 403 302 403 403 403 403 403 403
GET   volunteers:team_activities_ics       team_a       200 200 200 200 200 200 200 200 200 200
GET   volunteers:team_detail               team_a       200 200 200 200 200 200 200 200 200 200
GET   volunteers:team_list                 -            200 200 200 200 200 200 200 200 200 200
POST  accounts:logout                      -            302 302 302 302 302 302 302 302 302 302
"""

# The admin's own views (those a ModelAdmin adds in get_urls), and the pre-check upload's change
# page, which shows an officer only their departments' uploads. The admin sends a person without
# is_staff to its sign-in (302), and another department's upload to the index (302).
#     url name                             object       ano ent en2 stf off of2 mem cp2 rev all
ADMIN = """
GET   admin:hall_holiday_import            -            302 302 302 200 403 403 302 302 302 302
GET   admin:services_booking_export_day    -            302 302 302 200 403 403 302 302 302 302
GET   admin:services_slot_open             -            302 302 302 200 403 403 302 302 302 302
GET   admin:services_precheckupload_change upload       302 302 302 200 200 302 302 302 302 302
"""
# The admin site's own pages and every ModelAdmin's standard ones need no row.
ADMIN_STANDARD = {"index", "login", "logout", "password_change", "password_change_done", "autocomplete",
                  "jsi18n", "view_on_site", "app_list"}
ADMIN_MODEL_VIEWS = ("_changelist", "_add", "_change", "_delete", "_history")


def _table(text: str) -> list[tuple[tuple[str, ...], dict[str, int]]]:
    rows = []
    for line in text.strip().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        *key, = line.split()
        head, cells = key[: len(key) - len(ROLES)], key[len(key) - len(ROLES):]
        rows.append((tuple(head), dict(zip(ROLES, [int(c) if c.isdigit() else c for c in cells], strict=True))))
    return rows


# --- the world every cell starts from -------------------------------------------------------------
def _png(name="page.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def _world() -> dict:
    dept_a = DepartmentFactory(code="market", name="区市场监督管理局", short_name="市场监管")
    dept_b = DepartmentFactory(code="tax", name="区税务局", short_name="税务")
    users = {
        "anon": None,
        "ent": UserFactory(username="founder", roles=[Role.ENTREPRENEUR]),
        "ent2": UserFactory(username="founder2", roles=[Role.ENTREPRENEUR]),
        "staff": UserFactory(username="staff", is_staff=True, roles=[Role.HALL_STAFF]),
        "off": UserFactory(username="officer", is_staff=True, roles=[Role.DEPARTMENT_OFFICER]),
        "off2": UserFactory(username="officer2", is_staff=True, roles=[Role.DEPARTMENT_OFFICER]),
        "mem": UserFactory(username="member", roles=[Role.TEAM_MEMBER]),
        "cap2": UserFactory(username="captain2", roles=[Role.TEAM_MEMBER, Role.TEAM_CAPTAIN]),
        "rev": UserFactory(username="reviewer", roles=[Role.COMMITTEE_REVIEWER]),
        "all": UserFactory(username="alliance", roles=[Role.ALLIANCE_MEMBER]),
    }
    dept_a.officers.add(users["off"])
    dept_b.officers.add(users["off2"])
    captain = UserFactory(username="captain", roles=[Role.TEAM_MEMBER, Role.TEAM_CAPTAIN])
    team_a = TeamFactory(name="政务先锋红色青年宣讲队", slug="vanguard")
    team_b = TeamFactory(name="商事直通车青年服务队", slug="direct")
    MembershipFactory(team=team_a, user=captain, role="captain")
    MembershipFactory(team=team_a, user=users["mem"], role="member")
    MembershipFactory(team=team_b, user=users["cap2"], role="captain")
    MembershipFactory(team=team_b, user=UserFactory(username="member2", roles=[Role.TEAM_MEMBER]), role="member")

    # The item needs two materials pre-checked by department A: the ID card has a version waiting
    # (uploaded by the entrepreneur, one file), the charter nothing yet (so it can be uploaded).
    id_card, charter = MaterialFactory(name="身份证"), MaterialFactory(name="公司章程")
    item = ServiceItemFactory(code="food-licence", department=dept_a, materials=[id_card, charter])
    bundle = BundleFactory(slug="youth-cafe")
    BundleItemFactory(bundle=bundle, item=item)
    slot = SlotFactory(bundle=bundle, booked_count=1)
    later = SlotFactory(bundle=bundle, starts_at=slot.starts_at + timedelta(days=1),
                        ends_at=slot.ends_at + timedelta(days=1))
    booking = BookingFactory(reference="QC2026AAAA", user=users["ent"], slot=slot)
    # The queue: zone A, window 3 for the item with the hall staff member at it; the entrepreneur's
    # booking for today ("ticketed") checked in at the desk, then a walk-in; the window has called
    # the first number ("called"), the other waits. Another booking of theirs for now ("today")
    # is not checked in yet.
    zone = Zone.objects.create(letter="A", name="青年专区")
    window = Window.objects.create(number=3, zone=zone)
    window.items.add(item)
    window.staff.add(users["staff"])
    ticketed = BookingFactory(reference="QC2026TTTT", user=users["ent"],
                              slot=SlotFactory(bundle=None, item=item, starts_at=timezone.now(), booked_count=1))
    services_actions.queue_check_in(booking=ticketed, by=users["staff"])
    today = BookingFactory(reference="QC2026TODY", user=users["ent"],
                           slot=SlotFactory(bundle=None, item=item, starts_at=timezone.now(), booked_count=1))
    services_actions.queue_walk_in(item=item, by=users["staff"])
    called = services_actions.queue_call_next(window=window, by=users["staff"])
    # 好差评: the checked-in booking's bad review at acceptance opened department A's rectification;
    # a completed booking of the entrepreneur is still to be rated.
    rectification = services_actions.evaluation_create(
        booking=ticketed, stage="acceptance", grade=1, comment="窗口解释不清楚", by=users["ent"]).rectification
    BookingFactory(reference="QC2026DONE", user=users["ent"], status="completed",
                   slot=SlotFactory(bundle=None, item=item, booked_count=1))
    upload = services_actions.precheck_upload_create(booking=booking, material=id_card, files=[_png()],
                                                     by=users["ent"])

    case = CaseFactory(lead_department=dept_a, opened_by=users["staff"])
    task = CaseTaskFactory(case=case, department=dept_a, assignee=users["off"])

    activity = ActivityFactory(team=team_a)
    SignUpFactory(activity=activity, user=users["mem"])

    # A period in captain scoring (team A's and team B's scores open), with an achievement of
    # the member awaiting team A's captain; and a published period with the member's appeal.
    period = PeriodFactory(name="2026年第四季度")
    period = points_actions.period_advance(period=period, by=users["rev"], to=Stage.PEER_REVIEW)
    achievement = points_actions.achievement_create(
        by=users["mem"], indicator=period.indicators.get(code="five-1"), title="帮办代办30件",
        description="在青年专区帮办代办30件一件事。", points_claimed=5, period=period,
        evidence=SimpleUploadedFile("proof.png", png_bytes()))
    Period.objects.filter(pk=period.pk).update(stage=Stage.CAPTAIN_SCORING)
    published = PeriodFactory(name="2026年第三季度", starts_on=period.starts_on - timedelta(days=92),
                              ends_on=period.starts_on - timedelta(days=1), indicators=list(period.indicators.all()))
    Period.objects.filter(pk=published.pk).update(stage=Stage.PUBLISHED, published_at=timezone.now())
    result = MemberResult.objects.create(period=published, team=team_a, member=users["mem"], total=80, stars=4)
    MemberResult.objects.create(period=published, team=team_b, member=users["cap2"], total=85, stars=4)
    appeal = Appeal.objects.create(result=result, reason="互评分数有误")

    suggestion = SuggestionFactory(submitter=users["ent"], status="assigned", department=dept_a)
    other_suggestion = SuggestionFactory(submitter=users["ent2"])
    return {
        **users, "captain": captain, "dept_a": dept_a, "dept_b": dept_b, "team_a": team_a, "team_b": team_b,
        "item": item, "bundle": bundle, "slot": slot, "later": later, "booking": booking, "charter": charter,
        "upload": upload, "window": window, "ticketed": ticketed, "today": today, "called": called, "rectification": rectification, "file": upload.files.get(), "case": case,
        "task": task, "activity": activity, "period": period, "achievement": achievement,
        "published": published, "appeal": appeal, "suggestion": suggestion, "other_suggestion": other_suggestion,
    }


# The object each path placeholder names unless the row says otherwise.
DEFAULT_OBJECT = {
    "achievements": "achievement", "activities": "activity", "appeals": "appeal", "case-tasks": "task",
    "cases": "case", "periods": "period", "bookings": "booking", "bundles": "bundle", "teams": "team_a",
    "services": "item", "suggestions": "suggestion", "precheck-uploads": "upload", "precheck-files": "file",
    "windows": "window", "queue-tickets": "called", "rectifications": "rectification",
}
LOOKUP = {"id": "pk", "reference": "reference", "slug": "slug", "code": "code", "number": "number",
          "upload_id": "pk", "file_id": "pk", "window_id": "pk", "ticket_id": "pk",
          "rectification_id": "pk"}


def _api_url(path: str, obj: str, w: dict) -> str:
    if "{" not in path:
        return path
    collection = path.split("/")[3]
    target = w[DEFAULT_OBJECT[collection] if obj == "-" else obj]
    placeholder = path[path.index("{") + 1: path.index("}")]
    return path.replace("{" + placeholder + "}", str(getattr(target, LOOKUP[placeholder])))


def _scores(w, value=10):
    return {ind.code: value for ind in w["period"].indicators.all()}


# Bodies for the writes: real ones, so an allowed role reaches the action.
BODIES = {
    "/api/v1/achievements/": lambda w: {"indicator": "five-1", "title": "走访企业", "description": "走访园区企业20家",
                                        "points_claimed": 3},
    "/api/v1/achievements/{id}/decide/": lambda w: {"decision": "approve"},
    "/api/v1/activities/{id}/attendance/": lambda w: {"user": w["mem"].pk, "hours": "2"},
    "/api/v1/appeals/{id}/decide/": lambda w: {"decision": "uphold", "reason": "维持原结果"},
    "/api/v1/auth/token/": lambda w: {"username": "founder", "password": "a-Strong-test-pass-9"},
    "/api/v1/bookings/": lambda w: {"slot": w["later"].pk},
    "/api/v1/bookings/{reference}/precheck/": lambda w: {"material": w["charter"].pk, "files": [_png()]},
    "/api/v1/bookings/{reference}/reschedule/": lambda w: {"slot": w["later"].pk},
    "/api/v1/evaluations/": lambda w: {"booking": "QC2026DONE", "stage": "completion", "grade": 4},
    "/api/v1/rectifications/{rectification_id}/callback/": lambda w: {"contacted": True, "note": "已电话回访"},
    "/api/v1/rectifications/{rectification_id}/outcome/": lambda w: {"outcome": "rectified", "text": "已增开窗口"},
    "/api/v1/case-tasks/{id}/complete/": lambda w: {"note": "已出具意见"},
    "/api/v1/case-tasks/{id}/reschedule/": lambda w: {"working_days": 3, "reason": "等待材料"},
    "/api/v1/cases/": lambda w: {"title": "新堵点", "description": "需要协同", "lead_department": "market",
                                 "source": "walk_in"},
    "/api/v1/cases/{id}/cancel/": lambda w: {"reason": "重复登记"},
    "/api/v1/cases/{id}/tasks/": lambda w: {"department": "market", "assignee": w["off"].pk,
                                            "description": "补充意见", "working_days": 3},
    "/api/v1/queue/check-in/": lambda w: {"reference": w["today"].reference},
    "/api/v1/queue/walk-in/": lambda w: {"service": w["item"].code},
    "/api/v1/periods/{id}/advance/": lambda w: {"to": "committee_review", "reason": "按期推进"},
    "/api/v1/periods/{id}/appeals/": lambda w: {"reason": "分数有误"},
    "/api/v1/periods/{id}/captain-scores/": lambda w: {"member": w["mem"].pk, "scores": _scores(w)},
    "/api/v1/periods/{id}/committee-review/": lambda w: {"team": "vanguard", "decision": "approve"},
    "/api/v1/periods/{id}/decision/": lambda w: {"reason": "同意"},
    "/api/v1/periods/{id}/peer-reviews/": lambda w: {"member": w["mem"].pk, "scores": _scores(w)},
    "/api/v1/precheck-uploads/{upload_id}/needs-correction/": lambda w: {"reason": "incomplete"},
    "/api/v1/suggestions/": lambda w: {"kind": "idea", "category": "service", "title": "周末开放",
                                       "content": "建议周六上午开放青年专区。"},
    "/api/v1/suggestions/{number}/answer-draft/": lambda w: {"text": "我局将研究落实。"},
    "/api/v1/suggestions/{number}/case/": lambda w: {"lead_department": "market"},
    "/api/v1/suggestions/{number}/feedback/": lambda w: {"resolved": True},
    "/api/v1/suggestions/{number}/hide/": lambda w: {"reason": "含个人信息"},
    "/api/v1/suggestions/{number}/merge/": lambda w: {"into": w["other_suggestion"].number},
    "/api/v1/suggestions/{number}/reopen/": lambda w: {"note": "仍未解决"},
    "/api/v1/suggestions/{number}/transition/": lambda w: {"to": "answered", "answer": "已研究。"},
}
# Writes that are not sent as JSON.
FORMATS = {"/api/v1/bookings/{reference}/precheck/": "multipart"}
# Query strings for the reads that need one.
QUERIES = {"/api/v1/suggestions/similar/": {"title": "延长青年专区周末服务时间"}}
# Bodies for the pages' forms (the same writes as the API's, as the page's form sends them).
PAGE_BODIES = {
    "services:booking_evaluate": lambda w: {"stage": "completion", "grade": 5, "comment": "很好"},
    "services:rectification_callback": lambda w: {"contacted": "yes", "note": "已电话回访"},
    "services:rectification_outcome": lambda w: {"outcome": "rectified", "text": "已增开窗口"},
    "services:rectification_respond": lambda w: {"accepted": "yes"},
    "services:booking_precheck_upload": lambda w: {"material": w["charter"].pk, "files": [_png()]},
    "services:hall_desk": lambda w: {"walkin-item": w["item"].pk},
    "services:precheck_decide": lambda w: {"decision": "accept"},
    "cases:case_cancel": lambda w: {"reason": "重复登记"},
    "cases:case_task_add": lambda w: {"department": w["dept_a"].pk, "assignee": w["off"].pk,
                                      "description": "补充意见", "working_days": 3},
    "cases:case_task_complete": lambda w: {"note": "已出具意见"},
    "cases:case_task_reschedule": lambda w: {"working_days": 3, "reason": "等待材料"},
    "points:achievement_decide": lambda w: {"decision": "approve"},
    "points:appeal_decide": lambda w: {"decision": "uphold", "reason": "维持原结果"},
    "points:appeal_file": lambda w: {"reason": "分数有误"},
    "points:period_advance": lambda w: {"to": "committee_review"},
    "points:team_review": lambda w: {"decision": "approve"},
    "suggestions:case_open": lambda w: {"lead_department": w["dept_a"].pk},
    "suggestions:draft": lambda w: {"kind": "reply", "text": "我局将研究落实。"},
    "suggestions:feedback": lambda w: {"resolved": "true"},
    "suggestions:hide": lambda w: {"reason": "含个人信息"},
    "suggestions:merge": lambda w: {"into": w["other_suggestion"].number},
    "suggestions:reopen": lambda w: {"note": "仍未解决"},
    "suggestions:transition": lambda w: {"to": "answered", "answer": "已研究。"},
    "volunteers:activity_attendance": lambda w: {"user": w["mem"].pk, "hours": "2"},
}


def _api_client(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    if user is not None:
        client.force_authenticate(user)
    return client


def _page_client(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _rolled_back(send, *args, **kwargs) -> int:
    """The status of one request whose writes are undone afterwards."""
    with transaction.atomic():
        status = send(*args, **kwargs).status_code
        transaction.set_rollback(True)
    return status


# Pages are every named URL outside the admin, the API and Django's language switch.
NOT_PAGES = {"admin", "api-", "set_language", "accounts:password_reset_confirm"}


def _page_patterns() -> dict[str, URLPattern]:
    found: dict[str, URLPattern] = {}

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin" or str(entry.pattern).startswith("api/"):
                    continue
                walk(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif entry.name and not entry.name.startswith("api-"):
                found.setdefault(f"{namespace}{entry.name}", entry)

    walk(get_resolver().url_patterns, "")
    return {name: p for name, p in found.items() if name not in NOT_PAGES}


def _page_url(name: str, obj: str, w: dict) -> str:
    target = w[obj] if obj != "-" else None
    values = {
        "code": lambda: w["item"].code,
        "slug": lambda: w["team_a"].slug if name == "points:team_review" else (target or w["bundle"]).slug,
        "reference": lambda: w["booking"].reference, "case_id": lambda: w["case"].pk,
        "task_id": lambda: w["task"].pk, "pk": lambda: target.pk, "member_id": lambda: w["mem"].pk,
        "number": lambda: w["suggestion"].number, "upload_id": lambda: w["upload"].pk,
        "file_id": lambda: w["file"].pk, "window_id": lambda: w["window"].pk,
        "ticket_id": lambda: w["called"].pk, "move": lambda: "done",
        "rectification_id": lambda: w["rectification"].pk,
    }
    params = _page_patterns()[name].pattern.converters
    return reverse(name, kwargs={param: values[param]() for param in params})


def _admin_views() -> set[str]:
    admin = next(entry for entry in get_resolver().url_patterns
                 if isinstance(entry, URLResolver) and entry.namespace == "admin")
    names: set[str] = set()

    def walk(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns)
            elif entry.name and entry.name not in ADMIN_STANDARD and not entry.name.endswith(ADMIN_MODEL_VIEWS):
                names.add(f"admin:{entry.name}")

    walk(admin.url_patterns)
    return names


def _admin_url(name: str, obj: str, w: dict) -> str:
    return reverse(name, args=[w[obj].pk]) if obj != "-" else reverse(name)


def _schema_operations(client) -> set[tuple[str, str]]:
    schema = client.get("/api/schema/?format=json").json()
    return {(method.upper(), path) for path, operations in schema["paths"].items()
            for method in operations if method in {"get", "post", "put", "patch", "delete"}}


def test_every_api_operation_and_page_has_a_row(client):
    api_rows = {(head[0], head[1]) for head, _cells in _table(API)}
    missing = sorted(_schema_operations(client) - api_rows)
    assert not missing, f"operations without a row in API: {missing}"
    assert not api_rows - _schema_operations(client), "rows for operations the schema no longer has"
    page_rows = {head[1] for head, _cells in _table(PAGES)}
    missing_pages = sorted(set(_page_patterns()) - page_rows)
    assert not missing_pages, f"pages without a row in PAGES: {missing_pages}"
    missing_admin = sorted(_admin_views() - {head[1] for head, _cells in _table(ADMIN)})
    assert not missing_admin, f"admin views without a row in ADMIN: {missing_admin}"


def _render(rows: list[tuple[tuple[str, ...], dict]]) -> str:
    return "\n".join(" ".join(head).ljust(60) + " " + " ".join(str(c[r]).rjust(3) for r in ROLES)
                     for head, c in rows)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_everywhere(role):
    w = _world()
    user = w[role]
    api, pages = _api_client(user), _page_client(user)
    wrong, actual_rows = [], []
    for head, expected in _table(API):
        method, path, obj = head
        url = _api_url(path, obj, w)
        body = BODIES.get(path, lambda w: {})(w)
        if method == "GET":
            status = api.get(url, QUERIES.get(path)).status_code
        else:
            status = _rolled_back(getattr(api, method.lower()), url, body, format=FORMATS.get(path, "json"))
        actual_rows.append((head, {**expected, role: status}))
        if status != expected[role]:
            wrong.append(f"{method} {path} @{obj}: expected {expected[role]}, got {status}")
    for head, expected in _table(PAGES):
        method, name, obj = head
        url = _page_url(name, obj, w)
        if method == "GET":
            status = pages.get(url).status_code
        else:
            status = _rolled_back(pages.post, url, PAGE_BODIES.get(name, lambda w: {})(w))
        actual_rows.append((head, {**expected, role: status}))
        if status != expected[role]:
            wrong.append(f"{method} {name} @{obj}: expected {expected[role]}, got {status}")
    admin = _page_client(user)  # the pages' client was signed out by their last row
    for head, expected in _table(ADMIN):
        method, name, obj = head
        status = admin.get(_admin_url(name, obj, w)).status_code
        actual_rows.append((head, {**expected, role: status}))
        if status != expected[role]:
            wrong.append(f"{method} {name} @{obj}: expected {expected[role]}, got {status}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong) + "\n\nactual:\n" + _render(actual_rows)
