from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from marketplace import api as marketplace_api
from marketplace import views as marketplace_views

api_v1 = [
    path("auth/token/", marketplace_api.TokenView.as_view(), name="api-token"),
    path("me/", marketplace_api.MeView.as_view(), name="api-me"),
    path("skills/", marketplace_api.SkillListView.as_view(), name="api-skills"),
]

urlpatterns = [
    path("", marketplace_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("", include("sessions_app.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/v1/", include("sessions_app.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
