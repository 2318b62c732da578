from django.urls import path

from portal.hall import api

# JSON API, mounted under /api/v1/ by portal/urls.py. The hall has no pages of its own.
api_urlpatterns: list = [
    path("departments/", api.DepartmentListApi.as_view(), name="api-department-list"),
]
