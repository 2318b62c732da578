from django.urls import path  # noqa: F401

from services import api as booking_api  # catalogue and booking (issue 3)
from services import views as booking_views  # catalogue and booking (issue 3)

app_name = "services"

# Pages for people.
urlpatterns: list = [
    # catalogue and booking (issue 3)
    path("services/", booking_views.catalogue, name="catalogue"),
    path("services/<slug:code>/", booking_views.item_detail, name="item_detail"),
    path("services/<slug:code>/book/", booking_views.item_book, name="item_book"),
    path("bundles/<slug:slug>/", booking_views.bundle_detail, name="bundle_detail"),
    path("bundles/<slug:slug>/book/", booking_views.bundle_book, name="bundle_book"),
    path("bookings/", booking_views.booking_list, name="booking_list"),
    path("bookings/<str:reference>/", booking_views.booking_detail, name="booking_detail"),
    path("bookings/<str:reference>/calendar.ics", booking_views.booking_ics, name="booking_ics"),
    path("bookings/<str:reference>/cancel/", booking_views.booking_cancel, name="booking_cancel"),
    path("bookings/<str:reference>/reschedule/", booking_views.booking_reschedule, name="booking_reschedule"),
    path("bookings/<str:reference>/review/", booking_views.booking_review, name="booking_review"),
    # end of catalogue and booking
]

# JSON API, mounted under /api/v1/ by portal/urls.py.
api_urlpatterns: list = [
    # catalogue and booking (issue 3)
    path("departments/", booking_api.DepartmentListApi.as_view(), name="api-department-list"),
    path("services/", booking_api.ServiceItemListApi.as_view(), name="api-service-list"),
    path("services/<slug:code>/", booking_api.ServiceItemDetailApi.as_view(), name="api-service-detail"),
    path("bundles/", booking_api.BundleListApi.as_view(), name="api-bundle-list"),
    path("bundles/<slug:slug>/", booking_api.BundleDetailApi.as_view(), name="api-bundle-detail"),
    path("slots/", booking_api.SlotListApi.as_view(), name="api-slot-list"),
    path("bookings/", booking_api.BookingListCreateApi.as_view(), name="api-booking-list"),
    path("bookings/<str:reference>/", booking_api.BookingDetailApi.as_view(), name="api-booking-detail"),
    path("bookings/<str:reference>/cancel/", booking_api.BookingCancelApi.as_view(), name="api-booking-cancel"),
    path(
        "bookings/<str:reference>/reschedule/",
        booking_api.BookingRescheduleApi.as_view(),
        name="api-booking-reschedule",
    ),
    path("bookings/<str:reference>/check-in/", booking_api.BookingCheckInApi.as_view(), name="api-booking-check-in"),
    path("bookings/<str:reference>/complete/", booking_api.BookingCompleteApi.as_view(), name="api-booking-complete"),
    path("bookings/<str:reference>/no-show/", booking_api.BookingNoShowApi.as_view(), name="api-booking-no-show"),
    path("bookings/<str:reference>/review/", booking_api.BookingReviewApi.as_view(), name="api-booking-review"),
    path("bookings/<str:reference>/ics/", booking_api.BookingIcsApi.as_view(), name="api-booking-ics"),
    # end of catalogue and booking
]


# --- cross-department cases (issue 4) ---
from services import api as case_api  # noqa: E402
from services import views as case_views  # noqa: E402

urlpatterns += [
    path("cases/", case_views.case_board, name="case_board"),
    path("cases/new/", case_views.case_create, name="case_create"),
    path("cases/my-tasks/", case_views.my_tasks, name="my_tasks"),
    path("cases/<int:case_id>/", case_views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/tasks/", case_views.case_task_add, name="case_task_add"),
    path("cases/<int:case_id>/cancel/", case_views.case_cancel, name="case_cancel"),
    path("case-tasks/<int:task_id>/complete/", case_views.case_task_complete, name="case_task_complete"),
]

api_urlpatterns += [
    path("cases/", case_api.CaseListCreateApi.as_view(), name="api-case-list"),
    path("cases/<int:pk>/", case_api.CaseDetailApi.as_view(), name="api-case-detail"),
    path("cases/<int:pk>/tasks/", case_api.CaseTaskAddApi.as_view(), name="api-case-task-add"),
    path("cases/<int:pk>/cancel/", case_api.CaseCancelApi.as_view(), name="api-case-cancel"),
    path("cases/<int:pk>/reminders/", case_api.CaseReminderListApi.as_view(), name="api-case-reminders"),
    path("case-tasks/<int:pk>/complete/", case_api.CaseTaskCompleteApi.as_view(), name="api-case-task-complete"),
    path(
        "case-tasks/<int:pk>/reschedule/", case_api.CaseTaskRescheduleApi.as_view(), name="api-case-task-reschedule"
    ),
]
