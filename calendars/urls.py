from django.urls import path

from calendars import views

urlpatterns = [
    path("me/busy-calendars/", views.busy_calendars, name="busy-calendars"),
    path("me/busy-calendars/<int:pk>/sync/", views.sync_now, name="busy-calendar-sync"),
    path("me/busy-calendars/<int:pk>/remove/", views.remove, name="busy-calendar-remove"),
]
