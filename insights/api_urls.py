"""API of insights under /api/v1/ (HR admins only)."""

from django.urls import path

from insights import api

urlpatterns = [
    path("insights/summary/", api.SummaryView.as_view(), name="api-insights-summary"),
    path("insights/export.csv", api.ExportView.as_view(), name="api-insights-export"),
]
