"""The project's URLs plus one page that fails, so that a browser test meets the real 500 page (handler500
renders it, with DEBUG off, as in production)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler403, handler404, handler500
from config.urls import urlpatterns as project_urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a fault of ours, on purpose")


urlpatterns = [path("broken/", broken), *project_urlpatterns]
