from django.urls import path

from portal.pagecache import page_cache
from suggestions import api, views

app_name = "suggestions"

# Pages for people.
urlpatterns: list = [
    path("ideas/", page_cache(views.ledger), name="ledger"),
    path("ideas/new/", views.submit, name="submit"),
    path("ideas/<str:number>/", page_cache(views.detail), name="detail"),
    path("ideas/<str:number>/support/", views.support, name="support"),
    path("ideas/<str:number>/transition/", views.transition, name="transition"),
    path("ideas/<str:number>/draft/", views.draft, name="draft"),
    path("ideas/<str:number>/reopen/", views.reopen, name="reopen"),
    path("ideas/<str:number>/feedback/", views.feedback, name="feedback"),
    path("ideas/<str:number>/merge/", views.merge, name="merge"),
    path("ideas/<str:number>/hide/", views.hide, name="hide"),
    path("ideas/<str:number>/case/", views.case_open, name="case_open"),
]

# JSON API, mounted under /api/v1/ by portal/urls.py.
api_urlpatterns: list = [
    path("suggestions/", page_cache(api.SuggestionListApi.as_view()), name="suggestion-list"),
    path("suggestions/similar/", api.SuggestionSimilarApi.as_view(), name="suggestion-similar"),
    path("suggestions/stats/", page_cache(api.SuggestionStatsApi.as_view()), name="suggestion-stats"),
    path("suggestions/<str:number>/", page_cache(api.SuggestionDetailApi.as_view()), name="suggestion-detail"),
    path("suggestions/<str:number>/support/", api.SuggestionSupportApi.as_view(), name="suggestion-support"),
    path("suggestions/<str:number>/transition/", api.SuggestionTransitionApi.as_view(), name="suggestion-transition"),
    path("suggestions/<str:number>/answer-draft/", api.SuggestionAnswerDraftApi.as_view(),
         name="suggestion-answer-draft"),
    path("suggestions/<str:number>/reopen/", api.SuggestionReopenApi.as_view(), name="suggestion-reopen"),
    path("suggestions/<str:number>/feedback/", api.SuggestionFeedbackApi.as_view(), name="suggestion-feedback"),
    path("suggestions/<str:number>/merge/", api.SuggestionMergeApi.as_view(), name="suggestion-merge"),
    path("suggestions/<str:number>/hide/", api.SuggestionHideApi.as_view(), name="suggestion-hide"),
    path("suggestions/<str:number>/case/", api.SuggestionCaseApi.as_view(), name="suggestion-case"),
]
