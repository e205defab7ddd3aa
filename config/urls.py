from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from marketplace import api as marketplace_api
from marketplace import views as marketplace_views

api_v1 = [
    path("auth/token/", marketplace_api.TokenView.as_view(), name="api-token"),
    path("me/", marketplace_api.MeView.as_view(), name="api-me"),
    path("skills/", marketplace_api.SkillListView.as_view(), name="api-skills"),
    path("me/availability/", marketplace_api.AvailabilityView.as_view(), name="api-availability"),
    path("me/time-off/", marketplace_api.TimeOffListView.as_view(), name="api-time-off"),
    path("me/time-off/<int:pk>/", marketplace_api.TimeOffDetailView.as_view(), name="api-time-off-detail"),
    path("mentors/", marketplace_api.MentorListView.as_view(), name="api-mentors"),
    path("mentors/<int:pk>/", marketplace_api.MentorDetailView.as_view(), name="api-mentor-detail"),
    path("mentors/<int:pk>/slots/", marketplace_api.MentorSlotsView.as_view(), name="api-mentor-slots"),
]

# Error pages in the site layout, JSON under /api/; the database out of reach is a 503 (config/errors.py).
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

urlpatterns = [
    path("", marketplace_views.home, name="home"),
    path("mentors/", marketplace_views.mentor_list, name="mentor-list"),
    path("mentors/<int:pk>/", marketplace_views.mentor_detail, name="mentor-detail"),
    path("me/profile/", marketplace_views.profile, name="profile"),
    path("me/api-token/revoke/", marketplace_views.api_token_revoke, name="api-token-revoke"),
    path("me/availability/", marketplace_views.availability, name="availability"),
    path("me/availability/time-off/", marketplace_views.time_off_add, name="time-off-add"),
    path(
        "me/availability/time-off/<int:pk>/delete/", marketplace_views.time_off_remove, name="time-off-remove"
    ),
    path("accounts/", include("allauth.urls")),
    path("", include("sessions_app.urls")),
    path("", include("calendars.urls")),
    path("", include("groups.urls")),
    path("", include("waitlists.urls")),
    path("", include("matching.urls")),
    path("", include("insights.urls")),
    path("", include("provisioning.urls")),
    path("scim/v2/", include("provisioning.scim.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/v1/", include("sessions_app.api_urls")),
    path("api/v1/", include("calendars.api_urls")),
    path("api/v1/", include("groups.api_urls")),
    path("api/v1/", include("waitlists.api_urls")),
    path("api/v1/", include("matching.api_urls")),
    path("api/v1/", include("insights.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Split: Swagger UI's start-up script comes from /api/docs/?script=; the Content-Security-Policy refuses
    # an inline one.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api_docs.html"),
        name="api-docs",
    ),
]
