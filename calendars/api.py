"""API of a person's own calendars: list, connect, remove, sync now (docs/api.md)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from calendars import selectors, services
from calendars.models import BusyCalendar
from calendars.serializers import BusyCalendarCreateSerializer, BusyCalendarSerializer
from marketplace.api_schema import responses
from marketplace.http import SignedInApiRequest


class BusyCalendarListView(APIView):
    @extend_schema(responses=responses({200: BusyCalendarSerializer(many=True)}))
    def get(self, request: SignedInApiRequest) -> Response:
        return Response(BusyCalendarSerializer(selectors.calendars_of(request.user), many=True).data)

    @extend_schema(
        request=BusyCalendarCreateSerializer,
        responses=responses({201: BusyCalendarSerializer}, 400, write=True),
    )
    def post(self, request: SignedInApiRequest) -> Response:
        serializer = BusyCalendarCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        calendar = services.add_calendar(
            owner=request.user, url=serializer.validated_data["url"], now=timezone.now()
        )
        # Read again: without Redis the first sync has already run (in-process) by now.
        calendar = selectors.calendar_of(request.user, calendar.pk)
        return Response(BusyCalendarSerializer(calendar).data, status=status.HTTP_201_CREATED)


class BusyCalendarDetailView(APIView):
    @extend_schema(request=None, responses=responses({204: None}, 404, write=True))
    def delete(self, request: SignedInApiRequest, pk: int) -> Response:
        try:
            services.remove_calendar(owner=request.user, calendar_id=pk)
        except BusyCalendar.DoesNotExist as error:
            raise NotFound() from error
        return Response(status=status.HTTP_204_NO_CONTENT)


class BusyCalendarSyncView(APIView):
    """Fetches and reads the calendar now, in this request (bounded as every sync is: calendars.fetch)."""

    @extend_schema(request=None, responses=responses({200: BusyCalendarSerializer}, 404, 429, write=True))
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        try:
            synced = services.sync_calendar_now(owner=request.user, calendar_id=pk, now=timezone.now())
        except BusyCalendar.DoesNotExist as error:
            raise NotFound() from error
        if synced is None:  # removed meanwhile
            raise NotFound()
        return Response(BusyCalendarSerializer(synced).data)
