"""API of groups under /api/v1/ (group sessions, their seats and questions)."""

from django.urls import path

from groups import api

urlpatterns = [
    path("group-sessions/", api.GroupSessionListView.as_view(), name="api-group-sessions"),
    path("group-sessions/<int:pk>/", api.GroupSessionDetailView.as_view(), name="api-group-session"),
    path("group-sessions/<int:pk>/join/", api.GroupSessionJoinView.as_view(), name="api-group-session-join"),
    path(
        "group-sessions/<int:pk>/leave/", api.GroupSessionLeaveView.as_view(), name="api-group-session-leave"
    ),
    path(
        "group-sessions/<int:pk>/cancel/",
        api.GroupSessionCancelView.as_view(),
        name="api-group-session-cancel",
    ),
    path(
        "group-sessions/<int:pk>/attendees/",
        api.GroupSessionAttendeesView.as_view(),
        name="api-group-session-attendees",
    ),
    path(
        "group-sessions/<int:pk>/feedback/",
        api.GroupSessionFeedbackView.as_view(),
        name="api-group-session-feedback",
    ),
    path("group-sessions/<int:pk>/ics/", api.GroupSessionIcsView.as_view(), name="api-group-session-ics"),
    path(
        "group-sessions/<int:pk>/questions/",
        api.QuestionListView.as_view(),
        name="api-group-session-questions",
    ),
    path(
        "group-sessions/<int:pk>/questions/<int:qid>/vote/",
        api.QuestionVoteView.as_view(),
        name="api-group-session-question-vote",
    ),
    path(
        "group-sessions/<int:pk>/questions/<int:qid>/answered/",
        api.QuestionAnsweredView.as_view(),
        name="api-group-session-question-answered",
    ),
]
