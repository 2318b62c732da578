from django.urls import path

from portal.pagecache import page_cache
from services import api, views

app_name = "services"

# Pages for people.
urlpatterns: list = [
    path("services/", page_cache(views.catalogue), name="catalogue"),
    path("services/<slug:code>/", page_cache(views.item_detail), name="item_detail"),
    path("services/<slug:code>/book/", page_cache(views.item_book), name="item_book"),
    path("bundles/<slug:slug>/", page_cache(views.bundle_detail), name="bundle_detail"),
    path("bundles/<slug:slug>/book/", page_cache(views.bundle_book), name="bundle_book"),
    path("bookings/", page_cache(views.booking_list), name="booking_list"),
    path("bookings/<str:reference>/", page_cache(views.booking_detail), name="booking_detail"),
    path("bookings/<str:reference>/calendar.ics", views.booking_ics, name="booking_ics"),
    path("bookings/<str:reference>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<str:reference>/reschedule/", views.booking_reschedule, name="booking_reschedule"),
    path("bookings/<str:reference>/precheck/", views.booking_precheck_upload, name="booking_precheck_upload"),
    path("bookings/<str:reference>/check-in/", views.booking_check_in, name="booking_check_in"),
    path("hall/desk/", views.hall_desk, name="hall_desk"),
    path("hall/screen/", views.hall_screen, name="hall_screen"),
    path("hall/windows/<int:window_id>/", views.hall_window, name="hall_window"),
    path("hall/windows/<int:window_id>/call/", views.hall_window_call, name="hall_window_call"),
    path("hall/windows/<int:window_id>/tickets/<int:ticket_id>/<slug:move>/", views.hall_ticket_move,
         name="hall_ticket_move"),
    path("precheck/", views.precheck_list, name="precheck_list"),
    path("precheck/uploads/<int:upload_id>/decide/", views.precheck_decide, name="precheck_decide"),
    path("precheck/uploads/<int:upload_id>/withdraw/", views.precheck_withdraw, name="precheck_withdraw"),
    path("precheck/files/<int:file_id>/", views.precheck_file, name="precheck_file"),
]

# JSON API, mounted under /api/v1/ by portal/urls.py.
api_urlpatterns: list = [
    path("services/", page_cache(api.ServiceItemListApi.as_view()), name="api-service-list"),
    path("services/<slug:code>/", page_cache(api.ServiceItemDetailApi.as_view()), name="api-service-detail"),
    path("bundles/", page_cache(api.BundleListApi.as_view()), name="api-bundle-list"),
    path("bundles/<slug:slug>/", page_cache(api.BundleDetailApi.as_view()), name="api-bundle-detail"),
    path("slots/", page_cache(api.SlotListApi.as_view()), name="api-slot-list"),
    path("bookings/", api.BookingListCreateApi.as_view(), name="api-booking-list"),
    path("bookings/<str:reference>/", api.BookingDetailApi.as_view(), name="api-booking-detail"),
    path("bookings/<str:reference>/cancel/", api.BookingCancelApi.as_view(), name="api-booking-cancel"),
    path(
        "bookings/<str:reference>/reschedule/",
        api.BookingRescheduleApi.as_view(),
        name="api-booking-reschedule",
    ),
    path("bookings/<str:reference>/check-in/", api.BookingCheckInApi.as_view(), name="api-booking-check-in"),
    path("bookings/<str:reference>/complete/", api.BookingCompleteApi.as_view(), name="api-booking-complete"),
    path("bookings/<str:reference>/no-show/", api.BookingNoShowApi.as_view(), name="api-booking-no-show"),
    path("bookings/<str:reference>/ics/", api.BookingIcsApi.as_view(), name="api-booking-ics"),
    path("bookings/<str:reference>/precheck/", api.BookingPrecheckApi.as_view(), name="api-booking-precheck"),
    path("bookings/<str:reference>/ticket/", api.BookingTicketApi.as_view(), name="api-booking-ticket"),
    path("windows/", api.WindowListApi.as_view(), name="api-window-list"),
    path("windows/<int:window_id>/call-next/", api.WindowCallNextApi.as_view(), name="api-window-call-next"),
    path("queue/", api.QueueStateApi.as_view(), name="api-queue-state"),
    path("queue/check-in/", api.QueueCheckInApi.as_view(), name="api-queue-check-in"),
    path("queue/walk-in/", api.QueueWalkInApi.as_view(), name="api-queue-walk-in"),
    path("queue-tickets/<int:ticket_id>/recall/", api.QueueTicketRecallApi.as_view(), name="api-queue-ticket-recall"),
    path("queue-tickets/<int:ticket_id>/no-show/", api.QueueTicketNoShowApi.as_view(), name="api-queue-ticket-no-show"),
    path("queue-tickets/<int:ticket_id>/done/", api.QueueTicketDoneApi.as_view(), name="api-queue-ticket-done"),
    path("precheck-uploads/", api.PrecheckUploadListApi.as_view(), name="api-precheck-upload-list"),
    path("precheck-uploads/<int:upload_id>/", api.PrecheckUploadDetailApi.as_view(), name="api-precheck-upload-detail"),
    path("precheck-uploads/<int:upload_id>/accept/", api.PrecheckUploadAcceptApi.as_view(),
         name="api-precheck-upload-accept"),
    path("precheck-uploads/<int:upload_id>/needs-correction/", api.PrecheckUploadCorrectionApi.as_view(),
         name="api-precheck-upload-correction"),
    path("precheck-uploads/<int:upload_id>/withdraw/", api.PrecheckUploadWithdrawApi.as_view(),
         name="api-precheck-upload-withdraw"),
    path("precheck-files/<int:file_id>/", api.PrecheckFileApi.as_view(), name="api-precheck-file"),
]

# 好差评: evaluations and rectifications.
urlpatterns += [
    path("bookings/<str:reference>/evaluate/", views.booking_evaluate, name="booking_evaluate"),
    path("rectifications/", page_cache(views.rectification_list), name="rectification_list"),
    path("rectifications/<int:rectification_id>/", page_cache(views.rectification_detail),
         name="rectification_detail"),
    path("rectifications/<int:rectification_id>/callback/", views.rectification_callback,
         name="rectification_callback"),
    path("rectifications/<int:rectification_id>/outcome/", views.rectification_outcome, name="rectification_outcome"),
    path("rectifications/<int:rectification_id>/respond/", views.rectification_respond, name="rectification_respond"),
    path("evaluations/figures.csv", views.evaluation_csv, name="evaluation_csv"),
]
api_urlpatterns += [
    path("evaluations/", api.EvaluationListCreateApi.as_view(), name="api-evaluation-list"),
    path("rectifications/", api.RectificationListApi.as_view(), name="api-rectification-list"),
    path("rectifications/<int:rectification_id>/", api.RectificationDetailApi.as_view(),
         name="api-rectification-detail"),
    path("rectifications/<int:rectification_id>/callback/", api.RectificationCallbackApi.as_view(),
         name="api-rectification-callback"),
    path("rectifications/<int:rectification_id>/outcome/", api.RectificationOutcomeApi.as_view(),
         name="api-rectification-outcome"),
    path("rectifications/<int:rectification_id>/accept/", api.RectificationAcceptApi.as_view(),
         name="api-rectification-accept"),
    path("rectifications/<int:rectification_id>/reject/", api.RectificationRejectApi.as_view(),
         name="api-rectification-reject"),
]
