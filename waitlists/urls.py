"""Pages of waiting lists."""

from django.urls import path

from waitlists import views

urlpatterns = [
    path("me/waitlist/", views.waitlist_list, name="waitlist-list"),
    path("mentors/<int:pk>/waitlist/", views.waitlist_join, name="waitlist-join"),
    path("me/waitlist/<int:pk>/withdraw/", views.waitlist_withdraw, name="waitlist-withdraw"),
]
