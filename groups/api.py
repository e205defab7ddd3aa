"""Group sessions API (docs/api.md "Group sessions"): list, publish, change, cancel, join, leave, the host's
attendee list, the invite, and AMA questions. Every session is visible to everyone signed in."""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from groups import messages, selectors
from groups.models import GroupSession, Seat
from groups.serializers import (
    AnsweredSerializer,
    AttendeesSerializer,
    CancelSerializer,
    GroupFeedbackSerializer,
    GroupSessionCreateSerializer,
    GroupSessionFilterSerializer,
    GroupSessionSerializer,
    GroupSessionUpdateSerializer,
    JoinResultSerializer,
    QuestionCreateSerializer,
    QuestionSerializer,
    group_feedback_representation,
    group_session_representation,
    question_representation,
)
from groups.services import questions as question_services
from groups.services.feedback import give_group_feedback
from groups.services.seats import join_session, leave_session
from groups.services.sessions import Changes, cancel_group_session, create_group_session, update_group_session
from marketplace.api_schema import EMPTY_QUERY_IS_ABSENT, PAGE_PARAMETER, page_of, responses
from marketplace.http import SignedInApiRequest
from sessions_app import calendar
from sessions_app.api import ICalendarRenderer
from sessions_app.serializers import FeedbackSerializer


def _one(request: SignedInApiRequest, session: GroupSession) -> dict:
    """A session as the caller sees it, read afresh (its counters change under other people's joins)."""
    session = selectors.group_session(session.pk)
    return group_session_representation(
        session,
        viewer=request.user,
        mine=selectors.my_seats(request.user, [session.pk]),
        now=timezone.now(),
    )


class GroupSessionListView(generics.GenericAPIView):
    serializer_class = GroupSessionCreateSerializer  # what OPTIONS describes

    @extend_schema(
        operation_id="v1_group_sessions_list",
        parameters=[
            OpenApiParameter("skill", str, description="A skill's slug."),
            OpenApiParameter("upcoming", bool, description="Only scheduled sessions that have not ended."),
            OpenApiParameter("host", int, description="The host's user id."),
            PAGE_PARAMETER,
        ],
        responses=responses({200: page_of(GroupSessionSerializer)}, 404),
        extensions=EMPTY_QUERY_IS_ABSENT,
    )
    def get(self, request: SignedInApiRequest) -> Response:
        filters = GroupSessionFilterSerializer(
            data={key: value for key, value in request.query_params.dict().items() if value != ""}
        )
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        now = timezone.now()
        sessions = selectors.group_sessions(
            now=now, skill=data.get("skill"), host_id=data.get("host"), upcoming=data["upcoming"]
        )
        page = self.paginate_queryset(sessions)
        assert page is not None  # settings set PAGE_SIZE, so every list is paginated
        mine = selectors.my_seats(request.user, [session.pk for session in page])
        return self.get_paginated_response(
            [
                group_session_representation(session, viewer=request.user, mine=mine, now=now)
                for session in page
            ]
        )

    @extend_schema(
        request=GroupSessionCreateSerializer,
        responses=responses({201: GroupSessionSerializer}, 400, 403, 409, write=True),
    )
    def post(self, request: SignedInApiRequest) -> Response:
        serializer = GroupSessionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = create_group_session(host=request.user, **serializer.validated_data)
        return Response(_one(request, session), status=status.HTTP_201_CREATED)


class GroupSessionDetailView(APIView):
    @extend_schema(responses=responses({200: GroupSessionSerializer}, 404))
    def get(self, request: SignedInApiRequest, pk: int) -> Response:
        return Response(_one(request, selectors.group_session(pk)))

    @extend_schema(
        request=GroupSessionUpdateSerializer,
        responses=responses({200: GroupSessionSerializer}, 400, 403, 404, 409, write=True),
    )
    def patch(self, request: SignedInApiRequest, pk: int) -> Response:
        session = selectors.group_session(pk)
        serializer = GroupSessionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        scope = data.pop("scope")
        session = update_group_session(session=session, by=request.user, changes=Changes(**data), scope=scope)
        return Response(_one(request, session))


class GroupSessionJoinView(APIView):
    @extend_schema(request=None, responses=responses({200: JoinResultSerializer}, 404, 409, write=True))
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        seat = join_session(session=selectors.group_session(pk), person=request.user)
        return Response({"status": seat.status, "position": seat.position})


class GroupSessionLeaveView(APIView):
    @extend_schema(request=None, responses=responses({200: GroupSessionSerializer}, 404, 409, write=True))
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        session = selectors.group_session(pk)
        leave_session(session=session, person=request.user)
        return Response(_one(request, session))


class GroupSessionCancelView(APIView):
    @extend_schema(
        request=CancelSerializer,
        responses=responses({200: GroupSessionSerializer}, 403, 404, 409, write=True),
    )
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        session = selectors.group_session(pk)
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cancel_group_session(session=session, by=request.user, scope=serializer.validated_data["scope"])
        return Response(_one(request, session))


class GroupSessionFeedbackView(APIView):
    """A seated attendee's feedback after the session (the host and everyone else: 403)."""

    @extend_schema(
        request=FeedbackSerializer,
        responses=responses({201: GroupFeedbackSerializer}, 400, 403, 404, 409, write=True),
    )
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        session = selectors.group_session(pk)
        serializer = FeedbackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        feedback = give_group_feedback(session=session, by=request.user, **serializer.validated_data)
        return Response(group_feedback_representation(feedback), status=status.HTTP_201_CREATED)


def _seat_row(seat: Seat) -> dict:
    return {
        "person": seat.person,
        "status": seat.status,
        "position": seat.position,
        "from_waitlist": seat.from_waitlist,
        "joined_at": seat.joined_at,
        "seated_at": seat.seated_at,
    }


class GroupSessionAttendeesView(APIView):
    """The host's list: who is seated and who waits, in order (everyone else: 403)."""

    @extend_schema(responses=responses({200: AttendeesSerializer}, 403, 404))
    def get(self, request: SignedInApiRequest, pk: int) -> Response:
        session = selectors.group_session(pk)
        if request.user.pk != session.host_id:
            raise PermissionDenied
        seated, waiting = selectors.attendees(session)
        return Response(
            AttendeesSerializer(
                {
                    "seated": [_seat_row(seat) for seat in seated],
                    "waitlisted": [_seat_row(seat) for seat in waiting],
                }
            ).data
        )


class GroupSessionIcsView(APIView):
    """The session for the caller's calendar: the host and the seated (everyone else: 404)."""

    renderer_classes = [JSONRenderer, ICalendarRenderer]

    @extend_schema(
        responses=responses(
            {(200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="An iCalendar file.")}, 404
        )
    )
    def get(self, request: SignedInApiRequest, pk: int) -> HttpResponse:
        if request.query_params.get("format", "json") not in {"json", "ics"}:
            raise NotFound
        session = selectors.group_session(pk)
        seat = selectors.my_seats(request.user, [session.pk]).get(session.pk)
        if request.user.pk != session.host_id and (seat is None or seat.status != Seat.Status.SEATED):
            raise NotFound
        event = messages.calendar_event(session, request.user)
        response = HttpResponse(
            calendar.event_ics(event, recipient=request.user, method=calendar.METHOD_PUBLISH),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="sidebar-group-session-{session.pk}.ics"'
        return response


def _session_for_questions(request: SignedInApiRequest, pk: int) -> GroupSession:
    session = selectors.group_session(pk)
    if not selectors.can_ask(session, request.user):
        raise PermissionDenied
    return session


class QuestionListView(generics.GenericAPIView):
    serializer_class = QuestionCreateSerializer

    @extend_schema(
        operation_id="v1_group_session_questions_list",
        parameters=[PAGE_PARAMETER],
        responses=responses({200: page_of(QuestionSerializer)}, 403, 404),
    )
    def get(self, request: SignedInApiRequest, pk: int) -> Response:
        session = _session_for_questions(request, pk)
        page = self.paginate_queryset(selectors.questions(session, request.user))
        assert page is not None
        return self.get_paginated_response(
            [question_representation(question, viewer=request.user) for question in page]
        )

    @extend_schema(
        request=QuestionCreateSerializer,
        responses=responses({201: QuestionSerializer}, 400, 403, 404, 409, write=True),
    )
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        session = _session_for_questions(request, pk)
        serializer = QuestionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = question_services.ask_question(
            session=session, author=request.user, **serializer.validated_data
        )
        found = selectors.questions(session, request.user).get(pk=question.pk)
        return Response(question_representation(found, viewer=request.user), status=status.HTTP_201_CREATED)


class QuestionVoteView(APIView):
    @extend_schema(request=None, responses=responses({200: QuestionSerializer}, 403, 404, 409, write=True))
    def post(self, request: SignedInApiRequest, pk: int, qid: int) -> Response:
        session = _session_for_questions(request, pk)
        question = selectors.question_of(session, qid)
        question_services.toggle_vote(question=question, voter=request.user)
        found = selectors.questions(session, request.user).get(pk=question.pk)
        return Response(question_representation(found, viewer=request.user))


class QuestionAnsweredView(APIView):
    """The host marks a question answered (or, with `"answered": false`, not)."""

    @extend_schema(
        request=AnsweredSerializer, responses=responses({200: QuestionSerializer}, 400, 403, 404, write=True)
    )
    def post(self, request: SignedInApiRequest, pk: int, qid: int) -> Response:
        session = _session_for_questions(request, pk)
        question = selectors.question_of(session, qid)
        serializer = AnsweredSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question_services.mark_answered(
            question=question, by=request.user, answered=serializer.validated_data["answered"]
        )
        found = selectors.questions(session, request.user).get(pk=question.pk)
        return Response(question_representation(found, viewer=request.user))
