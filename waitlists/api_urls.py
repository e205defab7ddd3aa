"""API of waitlists under /api/v1/ (waiting for a full mentor)."""

from django.urls import path

from waitlists import api

urlpatterns = [
    path("mentors/<int:pk>/waitlist/", api.MentorWaitlistView.as_view(), name="api-mentor-waitlist"),
    path("me/waitlist/", api.MyWaitlistView.as_view(), name="api-my-waitlist"),
    path("me/waitlist/<int:pk>/", api.MyWaitlistEntryView.as_view(), name="api-my-waitlist-entry"),
]
