"""Pages of sessions_app (booking flow, my sessions, the secret calendar feed)."""

from django.urls import path

from sessions_app import views

urlpatterns = [
    path("sessions/", views.session_list, name="session-list"),
    path("sessions/book/", views.book_session, name="book-session"),
    path("sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path("sessions/<int:pk>/cancel/", views.cancel_session, name="session-cancel"),
    path("sessions/<int:pk>/reschedule/", views.reschedule_session, name="session-reschedule"),
    path("sessions/<int:pk>/no-show/", views.mark_no_show, name="session-no-show"),
    path("sessions/calendar-feed/rotate/", views.rotate_calendar_feed, name="calendar-feed-rotate"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
