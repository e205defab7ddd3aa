"""API of matching under /api/v1/ (requests and their shortlists)."""

from django.urls import path

from matching import api

urlpatterns = [
    path("requests/", api.RequestListView.as_view(), name="api-requests"),
    path("requests/<int:pk>/", api.RequestDetailView.as_view(), name="api-request"),
]
