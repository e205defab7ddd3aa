"""API of sessions_app under /api/v1/ (bookings, calendar feed)."""

from django.urls import path

from sessions_app import api

urlpatterns = [
    path("bookings/", api.BookingListView.as_view(), name="api-bookings"),
    path("bookings/<int:pk>/", api.BookingDetailView.as_view(), name="api-booking"),
    path("bookings/<int:pk>/cancel/", api.BookingCancelView.as_view(), name="api-booking-cancel"),
    path("bookings/<int:pk>/reschedule/", api.BookingRescheduleView.as_view(), name="api-booking-reschedule"),
    path("bookings/<int:pk>/no-show/", api.BookingNoShowView.as_view(), name="api-booking-no-show"),
    path(
        "bookings/<int:pk>/no-show/undo/",
        api.BookingNoShowUndoView.as_view(),
        name="api-booking-no-show-undo",
    ),
    path("bookings/<int:pk>/ics/", api.BookingIcsView.as_view(), name="api-booking-ics"),
    path("bookings/<int:pk>/feedback/", api.BookingFeedbackView.as_view(), name="api-booking-feedback"),
    path("bookings/<int:pk>/follow-up/", api.BookingFollowUpView.as_view(), name="api-booking-follow-up"),
    path("moments/", api.MomentListView.as_view(), name="api-moments"),
    path("me/calendar-feed/", api.CalendarFeedView.as_view(), name="api-calendar-feed"),
    path("me/calendar-feed/rotate/", api.CalendarFeedRotateView.as_view(), name="api-calendar-feed-rotate"),
]
