from django.urls import path

from portal.pagecache import page_cache
from volunteers import api, views

app_name = "volunteers"

# Pages for people.
urlpatterns = [
    path("teams/", page_cache(views.team_list), name="team_list"),
    path("teams/<slug:slug>/", page_cache(views.team_detail), name="team_detail"),
    path("teams/<slug:slug>/activities.ics", page_cache(views.team_activities_ics), name="team_activities_ics"),
    path("activities/", page_cache(views.activity_list), name="activity_list"),
    path("activities/hours-to-approve/", views.hours_to_approve, name="hours_to_approve"),
    path("activities.ics", page_cache(views.activities_ics), name="activities_ics"),
    path("activities/<int:pk>/", page_cache(views.activity_detail), name="activity_detail"),
    path("activities/<int:pk>/signup/", views.activity_signup, name="activity_signup"),
    path("activities/<int:pk>/cancel-signup/", views.activity_signup_cancel, name="activity_signup_cancel"),
    path("activities/<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("activities/<int:pk>/check-in/", views.activity_check_in, name="activity_check_in"),
    path("activities/<int:pk>/check-out/", views.activity_check_out, name="activity_check_out"),
    path("activities/<int:pk>/attendance/", views.activity_attendance, name="activity_attendance"),
    path("activities/<int:pk>/approve-hours/", views.activity_hours_approve, name="activity_hours_approve"),
]

# JSON API, mounted under /api/v1/ by portal/urls.py.
api_urlpatterns = [
    path("teams/", page_cache(api.TeamListApi.as_view()), name="api-team-list"),
    path("teams/<slug:slug>/", page_cache(api.TeamDetailApi.as_view()), name="api-team-detail"),
    path("activities/", page_cache(api.ActivityListApi.as_view()), name="api-activity-list"),
    path("activities/<int:pk>/", page_cache(api.ActivityDetailApi.as_view()), name="api-activity-detail"),
    path("activities/<int:pk>/signup/", api.ActivitySignUpApi.as_view(), name="api-activity-signup"),
    path("activities/<int:pk>/cancel-signup/", api.ActivitySignUpCancelApi.as_view(), name="api-activity-cancel-signup"),
    path("activities/<int:pk>/attendance/", api.ActivityAttendanceApi.as_view(), name="api-activity-attendance"),
    path("activities/<int:pk>/check-in/", api.ActivityCheckInApi.as_view(), name="api-activity-check-in"),
    path("activities/<int:pk>/check-out/", api.ActivityCheckOutApi.as_view(), name="api-activity-check-out"),
    path("activities/<int:pk>/approve-hours/", api.ActivityHoursApproveApi.as_view(), name="api-activity-approve-hours"),
]
