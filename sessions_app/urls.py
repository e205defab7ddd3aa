"""Pages of sessions_app (booking flow, my sessions)."""

urlpatterns: list = []
