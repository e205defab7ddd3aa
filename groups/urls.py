"""Pages of group sessions."""

from django.urls import path

from groups import views

urlpatterns = [
    path("group-sessions/", views.group_session_list, name="group-session-list"),
    path("group-sessions/new/", views.group_session_new, name="group-session-new"),
    path("group-sessions/<int:pk>/", views.group_session_detail, name="group-session-detail"),
    path("group-sessions/<int:pk>/edit/", views.group_session_edit, name="group-session-edit"),
    path("group-sessions/<int:pk>/cancel/", views.group_session_cancel, name="group-session-cancel"),
    path("group-sessions/<int:pk>/join/", views.join, name="group-session-join"),
    path("group-sessions/<int:pk>/leave/", views.leave, name="group-session-leave"),
    path("group-sessions/<int:pk>/attendees/", views.attendees, name="group-session-attendees"),
    path("group-sessions/<int:pk>/feedback/", views.feedback, name="group-session-feedback"),
    path("group-sessions/<int:pk>/questions/", views.ask, name="group-session-ask"),
    path("group-sessions/<int:pk>/questions/<int:qid>/vote/", views.vote, name="group-session-vote"),
    path(
        "group-sessions/<int:pk>/questions/<int:qid>/answered/",
        views.answered,
        name="group-session-answered",
    ),
]
