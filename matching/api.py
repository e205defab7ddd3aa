"""Requests API: describe a need, get the explained shortlist (docs/api.md: "Requests and matching")."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api_schema import PAGE_PARAMETER, page_of, responses
from marketplace.http import SignedInApiRequest
from matching import selectors, services
from matching.serializers import (
    RequestCreateSerializer,
    RequestSerializer,
    RequestSummarySerializer,
    request_representation,
    request_summary,
)


class RequestListView(APIView):
    """POST: ask for help and get up to 10 mentors with a slot before the deadline. GET: my requests."""

    @extend_schema(
        operation_id="requests_list",
        parameters=[PAGE_PARAMETER],
        responses=responses({200: page_of(RequestSummarySerializer)}, 404),
    )
    def get(self, request: SignedInApiRequest) -> Response:
        now = timezone.now()
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.requests_of(request.user), request, view=self)
        assert page is not None  # settings set PAGE_SIZE, so every list is paginated
        return paginator.get_paginated_response(
            [request_summary(item, skills=list(item.skills.all()), now=now) for item in page]
        )

    @extend_schema(
        operation_id="requests_create",
        request=RequestCreateSerializer,
        responses=responses({201: RequestSerializer}, 400, write=True),
    )
    def post(self, request: SignedInApiRequest) -> Response:
        serializer = RequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        now = timezone.now()
        created = services.create_request(asker=request.user, now=now, **data)
        offered = selectors.offered_matches(created)
        body = request_representation(
            created,
            skills=data["skills"],
            offered=offered,
            group_sessions=selectors.group_sessions_for(created, offered, now=now),
            now=now,
        )
        return Response(body, status=status.HTTP_201_CREATED)


class RequestDetailView(APIView):
    """The request with its current shortlist (owner only; re-matched first when the shortlist is stale)."""

    @extend_schema(operation_id="requests_retrieve", responses=responses({200: RequestSerializer}, 404))
    def get(self, request: SignedInApiRequest, pk: int) -> Response:
        try:
            item = selectors.request_for_owner(pk, request.user)
        except Http404 as error:
            raise NotFound() from error
        now = timezone.now()
        services.refresh_request(request=item, now=now)
        offered = selectors.offered_matches(item)
        body = request_representation(
            item,
            skills=list(item.skills.all()),
            offered=offered,
            group_sessions=selectors.group_sessions_for(item, offered, now=now),
            now=now,
        )
        return Response(body)
