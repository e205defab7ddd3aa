from django.urls import path

from calendars import api

urlpatterns = [
    path("me/busy-calendars/", api.BusyCalendarListView.as_view(), name="api-busy-calendars"),
    path("me/busy-calendars/<int:pk>/", api.BusyCalendarDetailView.as_view(), name="api-busy-calendar"),
    path(
        "me/busy-calendars/<int:pk>/sync/", api.BusyCalendarSyncView.as_view(), name="api-busy-calendar-sync"
    ),
]
