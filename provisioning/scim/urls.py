"""SCIM 2.0 at /scim/v2/: with or without a trailing slash, as identity providers write them."""

from django.urls import re_path

from provisioning.scim import views

urlpatterns = [
    re_path(r"^Users/?$", views.UsersView.as_view(), name="scim-users"),
    re_path(r"^Users/(?P<user_id>[0-9]{1,18})/?$", views.UserView.as_view(), name="scim-user"),
    re_path(
        r"^ServiceProviderConfig/?$",
        views.ServiceProviderConfigView.as_view(),
        name="scim-service-provider-config",
    ),
    re_path(r"^Schemas/?$", views.SchemasView.as_view(), name="scim-schemas"),
    re_path(r"^Schemas/(?P<schema_id>[^/]+)/?$", views.SchemasView.as_view(), name="scim-schema"),
    re_path(r"^ResourceTypes/?$", views.ResourceTypesView.as_view(), name="scim-resource-types"),
    re_path(
        r"^ResourceTypes/(?P<type_id>[^/]+)/?$", views.ResourceTypesView.as_view(), name="scim-resource-type"
    ),
    # Anything else (an id that is not Sidebar's, as Okta's test asks for a random UUID; /Groups): SCIM's
    # 404, not the site's page.
    re_path(r"^", views.NotFoundView.as_view(), name="scim-not-found"),
]
