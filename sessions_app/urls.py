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
    path("sessions/<int:pk>/feedback/", views.session_feedback, name="session-feedback"),
    path("sessions/<int:pk>/follow-up/", views.session_follow_up, name="session-follow-up"),
    path("sessions/calendar-feed/rotate/", views.rotate_calendar_feed, name="calendar-feed-rotate"),
    path("moments/", views.moments, name="moments"),
    path("mentors/<int:pk>/introduce/", views.introduce, name="introduce"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
