"""Bookings API and the personal calendar feed (docs/api.md "Bookings"). Non-participants get 404."""

import json

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api_schema import PAGE_PARAMETER, page_of, responses
from marketplace.http import SignedInApiRequest
from sessions_app import calendar, selectors
from sessions_app.serializers import (
    BookingCreateSerializer,
    BookingFilterSerializer,
    BookingSerializer,
    CalendarFeedSerializer,
    CancelSerializer,
    FeedbackOutSerializer,
    FeedbackSerializer,
    FollowUpOutSerializer,
    FollowUpSerializer,
    MomentOutSerializer,
    MomentSerializer,
    RescheduleSerializer,
    booking_representation,
    feedback_representation,
    follow_up_representation,
    moment_representation,
)
from sessions_app.services.bookings import (
    mark_no_show,
    reschedule_booking,
    rotate_calendar_token,
    undo_no_show,
)
from sessions_app.services.feedback import give_feedback, record_follow_up
from sessions_app.services.moments import log_moment
from sessions_app.services.series import Repeat, book_once_or_series, cancel_sessions


class BookingListView(generics.GenericAPIView):
    serializer_class = BookingCreateSerializer  # what OPTIONS describes (without one, OPTIONS was a 500)

    @extend_schema(
        operation_id="v1_bookings_list",
        parameters=[
            OpenApiParameter("role", str, enum=["mentor", "mentee"]),
            OpenApiParameter("status", str, enum=["confirmed", "cancelled", "completed", "no_show"]),
            OpenApiParameter("upcoming", bool),
            PAGE_PARAMETER,
        ],
        responses=responses({200: page_of(BookingSerializer)}, 400, 404),
    )
    def get(self, request: SignedInApiRequest) -> Response:
        filters = BookingFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        bookings = selectors.bookings_for(request.user, **filters.validated_data, now=timezone.now())
        page = self.paginate_queryset(bookings)
        assert page is not None  # settings set PAGE_SIZE, so every list is paginated
        return self.get_paginated_response([booking_representation(booking, request) for booking in page])

    @extend_schema(
        request=BookingCreateSerializer, responses=responses({201: BookingSerializer}, 400, 409, write=True)
    )
    def post(self, request: SignedInApiRequest) -> Response:
        serializer = BookingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        repeat = data.get("repeat")
        booked = book_once_or_series(
            mentee=request.user,
            mentor=data["mentor"],
            start=data["start"],
            minutes=data["duration"],
            topic=data["topic"],
            request_id=data.get("request"),
            repeat=Repeat(**repeat) if repeat else None,
        )
        booking = booked[0]
        return Response(booking_representation(booking, request), status=status.HTTP_201_CREATED)


class BookingDetailView(APIView):
    @extend_schema(responses=responses({200: BookingSerializer}, 404))
    def get(self, request: SignedInApiRequest, pk: int) -> Response:
        return Response(booking_representation(selectors.booking_for_participant(pk, request.user), request))


class BookingCancelView(APIView):
    @extend_schema(
        request=CancelSerializer, responses=responses({200: BookingSerializer}, 400, 404, 409, write=True)
    )
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        booking = selectors.booking_for_participant(pk, request.user)
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        [booking, *_later] = cancel_sessions(booking=booking, by=request.user, **serializer.validated_data)
        return Response(booking_representation(booking, request))


class BookingRescheduleView(APIView):
    @extend_schema(
        request=RescheduleSerializer, responses=responses({200: BookingSerializer}, 400, 404, 409, write=True)
    )
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        booking = selectors.booking_for_participant(pk, request.user)
        serializer = RescheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = reschedule_booking(
            booking=booking, by=request.user, start=serializer.validated_data["start"]
        )
        return Response(booking_representation(booking, request))


class BookingNoShowView(APIView):
    """The mentor marks that the mentee did not come (mentees get 403, everyone else 404)."""

    @extend_schema(request=None, responses=responses({200: BookingSerializer}, 403, 404, 409, write=True))
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        booking = selectors.booking_for_participant(pk, request.user)
        booking = mark_no_show(booking=booking, by=request.user)
        return Response(booking_representation(booking, request))


class BookingNoShowUndoView(APIView):
    """The mentor takes back a no-show within NO_SHOW_UNDO_WINDOW of marking it."""

    @extend_schema(request=None, responses=responses({200: BookingSerializer}, 403, 404, 409, write=True))
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        booking = selectors.booking_for_participant(pk, request.user)
        booking = undo_no_show(booking=booking, by=request.user)
        return Response(booking_representation(booking, request))


class BookingFeedbackView(APIView):
    @extend_schema(
        request=FeedbackSerializer,
        responses=responses({201: FeedbackOutSerializer}, 400, 404, 409, write=True),
    )
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        booking = selectors.booking_for_participant(pk, request.user)
        serializer = FeedbackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        feedback = give_feedback(booking=booking, by=request.user, **serializer.validated_data)
        return Response(feedback_representation(feedback), status=status.HTTP_201_CREATED)


class BookingFollowUpView(APIView):
    """The mentee's one-week answer (the mentor gets 403, everyone else 404)."""

    @extend_schema(
        request=FollowUpSerializer,
        responses=responses({201: FollowUpOutSerializer}, 400, 403, 404, 409, write=True),
    )
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        booking = selectors.booking_for_participant(pk, request.user)
        serializer = FollowUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        follow_up = record_follow_up(booking=booking, by=request.user, **serializer.validated_data)
        return Response(follow_up_representation(follow_up), status=status.HTTP_201_CREATED)


class MomentListView(generics.GenericAPIView):
    """My informal moments (newest first, paginated) and logging a new one."""

    serializer_class = MomentSerializer  # what OPTIONS describes (without one, OPTIONS was a 500)

    @extend_schema(
        operation_id="v1_moments_list",
        parameters=[PAGE_PARAMETER],
        responses=responses({200: page_of(MomentOutSerializer)}, 404),
    )
    def get(self, request: SignedInApiRequest) -> Response:
        page = self.paginate_queryset(selectors.moments_of(request.user))
        assert page is not None  # settings set PAGE_SIZE, so every list is paginated
        return self.get_paginated_response([moment_representation(moment) for moment in page])

    @extend_schema(request=MomentSerializer, responses=responses({201: MomentOutSerializer}, 400, write=True))
    def post(self, request: SignedInApiRequest) -> Response:
        serializer = MomentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        moment = log_moment(author=request.user, **serializer.validated_data)
        return Response(moment_representation(moment), status=status.HTTP_201_CREATED)


class ICalendarRenderer(BaseRenderer):
    """Lets clients ask for text/calendar; errors still come back as JSON text."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return data if isinstance(data, bytes) else json.dumps(data).encode()


class BookingIcsView(APIView):
    renderer_classes = [JSONRenderer, ICalendarRenderer]

    @extend_schema(
        responses=responses(
            {(200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="An iCalendar file.")}, 404
        )
    )
    def get(self, request: SignedInApiRequest, pk: int) -> HttpResponse:
        # DRF answers 404 for an unknown `?format=`, but serves an empty one as if it were absent: the schema
        # offers only its renderers' formats.
        if request.query_params.get("format", "json") not in {"json", "ics"}:
            raise NotFound
        booking = selectors.booking_for_participant(pk, request.user)
        response = HttpResponse(
            calendar.booking_ics(booking, recipient=request.user, method=calendar.METHOD_PUBLISH),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="sidebar-session-{booking.pk}.ics"'
        return response


class CalendarFeedView(APIView):
    @extend_schema(responses=responses({200: CalendarFeedSerializer}))
    def get(self, request: SignedInApiRequest) -> Response:
        return Response({"url": calendar.feed_url(request.user)})


class CalendarFeedRotateView(APIView):
    @extend_schema(request=None, responses=responses({200: CalendarFeedSerializer}, write=True))
    def post(self, request: SignedInApiRequest) -> Response:
        rotate_calendar_token(user=request.user)
        return Response({"url": calendar.feed_url(request.user)})
