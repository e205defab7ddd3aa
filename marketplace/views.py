"""Pages of the marketplace: home, profile, availability, browsing."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from marketplace.models import Skill, User


def home(request: HttpRequest) -> HttpResponse:
    context: dict = {}
    if not request.user.is_authenticated:
        context["mentor_count"] = User.objects.filter(is_mentor=True, is_active=True).count()
        context["skill_count"] = Skill.objects.count()
    return render(request, "home.html", context)
