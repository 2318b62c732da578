from django.urls import path

from portal.cases import api, views

app_name = "cases"

# Pages for people.
urlpatterns: list = [
    path("cases/", views.case_board, name="case_board"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/my-tasks/", views.my_tasks, name="my_tasks"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/tasks/", views.case_task_add, name="case_task_add"),
    path("cases/<int:case_id>/cancel/", views.case_cancel, name="case_cancel"),
    path("case-tasks/<int:task_id>/complete/", views.case_task_complete, name="case_task_complete"),
    path("case-tasks/<int:task_id>/reschedule/", views.case_task_reschedule, name="case_task_reschedule"),
]

# JSON API, mounted under /api/v1/ by portal/urls.py.
api_urlpatterns: list = [
    path("cases/", api.CaseListCreateApi.as_view(), name="api-case-list"),
    path("cases/<int:pk>/", api.CaseDetailApi.as_view(), name="api-case-detail"),
    path("cases/<int:pk>/tasks/", api.CaseTaskAddApi.as_view(), name="api-case-task-add"),
    path("cases/<int:pk>/cancel/", api.CaseCancelApi.as_view(), name="api-case-cancel"),
    path("cases/<int:pk>/reminders/", api.CaseReminderListApi.as_view(), name="api-case-reminders"),
    path("case-tasks/<int:pk>/complete/", api.CaseTaskCompleteApi.as_view(), name="api-case-task-complete"),
    path(
        "case-tasks/<int:pk>/reschedule/", api.CaseTaskRescheduleApi.as_view(), name="api-case-task-reschedule"
    ),
]
