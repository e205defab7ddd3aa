"""People API: token, /me/, skills, availability, time off, mentors and their slots (docs/api.md)."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from marketplace import schedules, selectors, services
from marketplace.api_fields import iso_utc
from marketplace.api_schema import EMPTY_QUERY_IS_ABSENT, PAGE_PARAMETER, page_of, responses
from marketplace.api_tokens import expires_at
from marketplace.http import SignedInApiRequest
from marketplace.models import Skill, TimeOff, User
from marketplace.serializers import (
    MAX_SLOT_RANGE,
    AvailabilitySerializer,
    MentorDetailSerializer,
    MentorFilterSerializer,
    MentorSerializer,
    MeSerializer,
    MeUpdateSerializer,
    SkillSerializer,
    SlotQuerySerializer,
    SlotsSerializer,
    TimeOffSerializer,
    TokenRequestSerializer,
    me_representation,
    mentor_representation,
)
from marketplace.throttles import TokenAccountThrottle, TokenAddressThrottle

if TYPE_CHECKING:
    from rest_framework.permissions import _SupportsHasPermission


class TokenView(APIView):
    """POST logs in for a token (no session or token read, so no CSRF asked); DELETE revokes the caller's."""

    throttle_scope = "token"

    def _logging_in(self) -> bool:
        # Asked before DRF wraps the request (and by the schema generator, at first with no request at all).
        return getattr(getattr(self, "request", None), "method", None) == "POST"

    def get_authenticators(self) -> list[BaseAuthentication]:
        # Logging in reads no credentials: an expired token sent along does not stop a new one being issued.
        return [] if self._logging_in() else super().get_authenticators()

    def get_permissions(self) -> Sequence["_SupportsHasPermission"]:
        return [AllowAny()] if self._logging_in() else super().get_permissions()

    def get_throttles(self) -> list[BaseThrottle]:
        return [TokenAddressThrottle(), TokenAccountThrottle()] if self._logging_in() else []

    @extend_schema(
        request=TokenRequestSerializer,
        responses=responses(
            {
                200: inline_serializer(
                    "Token", {"token": serializers.CharField(), "expires": serializers.DateTimeField()}
                )
            },
            400,
            429,
            public=True,
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token = services.issue_api_token(user=serializer.validated_data["user"], now=timezone.now())
        return Response(
            {"token": token.key, "expires": iso_utc(expires_at(token))}, status=status.HTTP_200_OK
        )

    @extend_schema(
        request=None,
        responses=responses({204: OpenApiResponse(description="Revoked (or there was none).")}, write=True),
    )
    def delete(self, request: SignedInApiRequest) -> Response:
        services.revoke_api_token(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses=responses({200: MeSerializer}))
    def get(self, request: SignedInApiRequest) -> Response:
        return Response(me_representation(selectors.person_with_details(request.user.pk)))

    @extend_schema(request=MeUpdateSerializer, responses=responses({200: MeSerializer}, 400, write=True))
    def patch(self, request: SignedInApiRequest) -> Response:
        serializer = MeUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        services.update_profile(
            user=request.user,
            fields={name: data[name] for name in services.PROFILE_FIELDS if name in data},
            department=data.get("department", services.Unset.UNSET),
            skills=data.get("skills"),
            skills_wanted=data.get("skills_wanted"),
            mentoring=data.get("mentoring"),
            working_hours=data.get("working_hours"),
        )
        return Response(me_representation(selectors.person_with_details(request.user.pk)))


@extend_schema_view(get=extend_schema(responses=responses({200: SkillSerializer(many=True)}, 404)))
class SkillListView(generics.ListAPIView):
    serializer_class = SkillSerializer

    def get_queryset(self) -> QuerySet[Skill]:
        return selectors.skills()


class AvailabilityView(APIView):
    """The caller's weekly blocks: GET, or PUT to replace them all (docs/api.md "Availability")."""

    @extend_schema(responses=responses({200: AvailabilitySerializer}))
    def get(self, request: SignedInApiRequest) -> Response:
        zone, blocks = selectors.availability(request.user)
        return Response(AvailabilitySerializer({"timezone": zone, "blocks": blocks}).data)

    @extend_schema(
        request=AvailabilitySerializer, responses=responses({200: AvailabilitySerializer}, 400, write=True)
    )
    def put(self, request: SignedInApiRequest) -> Response:
        serializer = AvailabilitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.replace_availability(
            mentor=request.user,
            timezone=data["timezone"],
            blocks=[services.BlockInput(**block) for block in data["blocks"]],
        )
        return self.get(request)


class TimeOffListView(APIView):
    @extend_schema(responses=responses({200: TimeOffSerializer(many=True)}))
    def get(self, request: SignedInApiRequest) -> Response:
        periods = selectors.upcoming_time_off(request.user, now=timezone.now())
        return Response(TimeOffSerializer(periods, many=True).data)

    @extend_schema(request=TimeOffSerializer, responses=responses({201: TimeOffSerializer}, 400, write=True))
    def post(self, request: SignedInApiRequest) -> Response:
        serializer = TimeOffSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = services.add_time_off(mentor=request.user, now=timezone.now(), **serializer.validated_data)
        return Response(TimeOffSerializer(period).data, status=status.HTTP_201_CREATED)


class TimeOffDetailView(APIView):
    @extend_schema(request=None, responses=responses({204: None}, 404, write=True))
    def delete(self, request: SignedInApiRequest, pk: int) -> Response:
        try:
            services.remove_time_off(mentor=request.user, time_off_id=pk)
        except TimeOff.DoesNotExist as error:
            raise NotFound() from error
        return Response(status=status.HTTP_204_NO_CONTENT)


class MentorListView(APIView):
    """Accepting mentors with filters; each with a rating and the next slot the caller could book."""

    @extend_schema(
        operation_id="v1_mentors_list",
        parameters=[MentorFilterSerializer, PAGE_PARAMETER],
        extensions=EMPTY_QUERY_IS_ABSENT,
        responses=responses({200: page_of(MentorSerializer)}, 400, 404),
    )
    def get(self, request: SignedInApiRequest) -> Response:
        query = MentorFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = selectors.MentorFilters(**query.validated_data)
        now = timezone.now()
        ids = selectors.browsable_mentor_ids(filters, viewer_id=request.user.pk, now=now)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(ids, request, view=self)
        assert page is not None, "PAGE_SIZE is set, so every list is paged"
        cards = selectors.mentor_cards(list(page), viewer_id=request.user.pk, now=now)
        return paginator.get_paginated_response([mentor_representation(card) for card in cards])


class MentorDetailView(APIView):
    @extend_schema(responses=responses({200: MentorDetailSerializer}, 404))
    def get(self, request: SignedInApiRequest, pk: int) -> Response:
        mentor = selectors.mentor_or_404(pk)
        cards = selectors.mentor_cards([mentor.pk], viewer_id=request.user.pk, now=timezone.now())
        if not cards or not _has_accepting_profile(mentor):
            raise NotFound()
        return Response(mentor_representation(cards[0], detail=True))


def _has_accepting_profile(mentor: User) -> bool:
    profile = getattr(mentor, "mentor_profile", None)
    return profile is not None and profile.accepting


class MentorSlotsView(APIView):
    """Every bookable start of a mentor in a range, for the caller (docs/api.md: "bookable")."""

    @extend_schema(
        parameters=[SlotQuerySerializer],
        extensions=EMPTY_QUERY_IS_ABSENT,
        responses=responses({200: SlotsSerializer}, 400, 404),
    )
    def get(self, request: SignedInApiRequest, pk: int) -> Response:
        mentor = selectors.mentor_or_404(pk)
        query = SlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        now = timezone.now()
        start = query.validated_data.get("start") or now
        end = query.validated_data.get("end") or start + selectors.NEXT_SLOT_HORIZON
        if end <= start:
            raise ValidationError({"end": ["end must be after start."]})
        if end - start > MAX_SLOT_RANGE:
            raise ValidationError({"end": ["The range can be at most 31 days."]})
        offered = selectors.mentoring_settings(mentor).session_lengths
        duration = query.validated_data.get("duration") or min(offered)
        if duration not in offered:
            raise ValidationError(
                {"duration": [f"This mentor offers {' or '.join(map(str, offered))} minutes."]}
            )
        slots = schedules.slots_for_mentor(
            mentor.pk,
            asker_id=request.user.pk,
            start=start,
            end=end,
            duration_minutes=duration,
            now=now,
            within_working_hours=query.validated_data["within_working_hours"],
        )
        return Response(SlotsSerializer({"slots": slots}).data)
