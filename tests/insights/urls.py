"""The project's URLs plus insights' pages and API, for tests running before config/urls.py includes them."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("", include("insights.urls")),
    path("api/v1/", include("insights.api_urls")),
    *project_urlpatterns,
]
