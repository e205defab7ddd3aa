"""Pages of sessions_app (booking flow, my sessions, the secret calendar feed)."""

from django.urls import path

from sessions_app.views import feedback, introductions, moments, sessions

urlpatterns = [
    path("sessions/", sessions.session_list, name="session-list"),
    path("sessions/book/", sessions.book_session, name="book-session"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session-detail"),
    path("sessions/<int:pk>/cancel/", sessions.cancel_session, name="session-cancel"),
    path("sessions/<int:pk>/reschedule/", sessions.reschedule_session, name="session-reschedule"),
    path("sessions/<int:pk>/no-show/", sessions.mark_no_show, name="session-no-show"),
    path("sessions/<int:pk>/no-show/undo/", sessions.undo_no_show, name="session-no-show-undo"),
    path("sessions/<int:pk>/feedback/", feedback.session_feedback, name="session-feedback"),
    path("sessions/<int:pk>/follow-up/", feedback.session_follow_up, name="session-follow-up"),
    path("sessions/calendar-feed/rotate/", sessions.rotate_calendar_feed, name="calendar-feed-rotate"),
    path("moments/", moments.moments, name="moments"),
    path("mentors/<int:pk>/introduce/", introductions.introduce, name="introduce"),
    path("calendar/<str:token>.ics", sessions.calendar_feed, name="calendar-feed"),
]
