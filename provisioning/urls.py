"""Pages of provisioning: HR's CSV import of people, in the insights area."""

urlpatterns: list = []
