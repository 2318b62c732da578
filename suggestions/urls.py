from django.urls import path  # noqa: F401

app_name = "suggestions"

# Pages for people.
urlpatterns: list = []

# JSON API, mounted under /api/v1/ by portal/urls.py.
api_urlpatterns: list = []
