"""Pages of insights: the HR dashboard and a mentor's own impact."""

from django.urls import path

from insights import views

urlpatterns = [
    path("insights/", views.dashboard, name="insights"),
    path("me/impact/", views.impact, name="impact"),
]
