"""Pages of matching: ask for help, my requests, one request's shortlist."""

from django.urls import path

from matching import views

urlpatterns = [
    path("requests/", views.request_list, name="request-list"),
    path("requests/new/", views.request_new, name="request-new"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
]
