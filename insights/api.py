"""Insights API (docs/api.md "Insights"): HR admins only; 401 without login, 403 for everyone else."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from insights import tasks
from insights.forms import InsightsFilterForm
from insights.selectors.export import EXPORT_COLUMNS, export_rows
from insights.selectors.scope import Scope
from insights.selectors.summary import summary
from insights.serializers import InsightsSummarySerializer
from marketplace.api_schema import EMPTY_QUERY_IS_ABSENT, responses
from marketplace.models import VIEW_INSIGHTS_PERMISSION
from marketplace.ratings import rating_for_api

FILTER_PARAMETERS = [
    OpenApiParameter(
        "start", OpenApiTypes.DATE, description="First day (UTC); default: 12 weeks ago, a Monday"
    ),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day, inclusive (UTC); default: today"),
    OpenApiParameter("department", OpenApiTypes.INT, description="Only the people of this department"),
]


class IsHR(BasePermission):
    message = "Only HR admins can see insights."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(VIEW_INSIGHTS_PERMISSION))


def filter_scope(request: Request) -> Scope:
    """The validated filter (or a 400 naming the field); asks for fresh summary tables when they are old."""
    form = InsightsFilterForm(request.query_params)
    if not form.is_valid():
        raise ValidationError(
            {
                name: [error["message"] for error in errors]
                for name, errors in form.errors.get_json_data().items()
            }
        )
    tasks.refresh_if_stale(now=timezone.now())
    return form.scope()


class SummaryView(APIView):
    permission_classes = [IsHR]

    @extend_schema(
        parameters=FILTER_PARAMETERS,
        extensions=EMPTY_QUERY_IS_ABSENT,
        responses=responses({200: InsightsSummarySerializer}, 400, 403),
    )
    def get(self, request: Request) -> Response:
        report = summary(filter_scope(request), now=timezone.now())
        # The selector's average is exact (the page rounds it to one decimal); the API gives two.
        return Response(report | {"avg_rating": rating_for_api(report["avg_rating"])})


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A text cell (a department's name) that a spreadsheet would run as a formula gets a leading quote;
    numbers, negative ones included, are figures and stay as they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


class ExportView(APIView):
    permission_classes = [IsHR]

    @extend_schema(
        parameters=FILTER_PARAMETERS,
        extensions=EMPTY_QUERY_IS_ABSENT,
        responses=responses(
            {(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The weekly figures as CSV.")},
            400,
            403,
        ),
    )
    def get(self, request: Request) -> HttpResponse:
        scope = filter_scope(request)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in export_rows(scope, now=timezone.now()):
            writer.writerow({key: spreadsheet_safe(value) for key, value in row.items()})
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        suffix = f"-department-{scope.department_id}" if scope.department_id else ""
        response["Content-Disposition"] = (
            f'attachment; filename="sidebar-insights-{scope.start}-{scope.end}{suffix}.csv"'
        )
        return response
