"""Pages of provisioning: HR's CSV import of people, in the insights area."""

from django.urls import path

from provisioning import views

urlpatterns = [
    path("insights/people/import/", views.people_import, name="people-import"),
    path("insights/people/import/<int:pk>/", views.people_import_detail, name="people-import-detail"),
]
