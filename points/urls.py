from django.urls import path

from points import api, views
from portal.pagecache import page_cache

app_name = "points"

# Pages for people.
urlpatterns = [
    path("leaderboard/", page_cache(views.leaderboard), name="leaderboard"),
    path("leaderboard/export.csv", views.leaderboard_csv, name="leaderboard_csv"),
    path("ratings/", views.ratings, name="ratings"),
    path("ratings/<int:pk>/", views.period_detail, name="period_detail"),
    path("ratings/<int:pk>/advance/", views.period_advance, name="period_advance"),
    path("ratings/<int:pk>/decision/", views.decision, name="decision"),
    path("ratings/<int:pk>/teams/<slug:slug>/review/", views.team_review, name="team_review"),
    path("ratings/<int:pk>/captain/", views.captain_scoring, name="captain_scoring"),
    path("ratings/<int:pk>/captain/submit/", views.captain_submit, name="captain_submit"),
    path("ratings/<int:pk>/captain/<int:member_id>/", views.captain_score_member, name="captain_score_member"),
    path("ratings/appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("points/periods/<int:pk>/peer-review/", views.peer_review, name="peer_review"),
    path("points/periods/<int:pk>/peer-review/<int:member_id>/", views.peer_review_member, name="peer_review_member"),
    path("points/periods/<int:pk>/appeal/", views.appeal_file, name="appeal_file"),
    path("points/achievements/", views.achievements, name="achievements"),
    path("points/achievements/<int:pk>/evidence/", views.achievement_evidence, name="achievement_evidence"),
    path("points/achievements/<int:pk>/decide/", views.achievement_decide, name="achievement_decide"),
    path("points/me/", views.my_points, name="my_points"),
]

# JSON API, mounted under /api/v1/ by portal/urls.py.
api_urlpatterns = [
    path("indicators/", page_cache(api.IndicatorListApi.as_view()), name="api-indicator-list"),
    path("periods/", api.PeriodListApi.as_view(), name="api-period-list"),
    path("periods/<int:pk>/", api.PeriodDetailApi.as_view(), name="api-period-detail"),
    path("periods/<int:pk>/advance/", api.PeriodAdvanceApi.as_view(), name="api-period-advance"),
    path("periods/<int:pk>/peer-reviews/", api.PeerReviewApi.as_view(), name="api-period-peer-reviews"),
    path("periods/<int:pk>/captain-scores/", api.CaptainScoreApi.as_view(), name="api-period-captain-scores"),
    path("periods/<int:pk>/captain-submit/", api.CaptainSubmitApi.as_view(), name="api-period-captain-submit"),
    path("periods/<int:pk>/committee-review/", api.CommitteeReviewApi.as_view(), name="api-period-committee-review"),
    path("periods/<int:pk>/decision/", api.DecisionApi.as_view(), name="api-period-decision"),
    path("periods/<int:pk>/appeals/", api.AppealCreateApi.as_view(), name="api-period-appeals"),
    path("appeals/<int:pk>/decide/", api.AppealDecideApi.as_view(), name="api-appeal-decide"),
    path("achievements/", api.AchievementListApi.as_view(), name="api-achievement-list"),
    path("achievements/<int:pk>/decide/", api.AchievementDecideApi.as_view(), name="api-achievement-decide"),
    path("ledger/", api.LedgerListApi.as_view(), name="api-ledger"),
    path("leaderboard/", page_cache(api.LeaderboardApi.as_view()), name="api-leaderboard"),
]
