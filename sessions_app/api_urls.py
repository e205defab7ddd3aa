"""API of sessions_app under /api/v1/ (bookings, calendar feed)."""

urlpatterns: list = []
