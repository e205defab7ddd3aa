"""Waiting-list API (docs/api.md "Waiting for a full mentor"): join a mentor's waiting list, list my entries,
withdraw one. Only one's own entries exist for the caller: someone else's is a 404."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api_schema import PAGE_PARAMETER, page_of, responses
from marketplace.http import SignedInApiRequest
from marketplace.selectors import mentor_or_404
from waitlists import selectors
from waitlists.serializers import WaitlistEntrySerializer, WaitlistJoinSerializer, entry_representation
from waitlists.services.entries import join_waitlist, withdraw_entry


class MentorWaitlistView(APIView):
    @extend_schema(
        operation_id="v1_mentors_waitlist_create",
        request=WaitlistJoinSerializer,
        responses=responses({201: WaitlistEntrySerializer}, 400, 404, 409, write=True),
    )
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        mentor = mentor_or_404(pk)
        serializer = WaitlistJoinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = join_waitlist(person=request.user, mentor=mentor, **serializer.validated_data)
        return Response(
            entry_representation(selectors.entry_of(request.user, entry.pk)), status=status.HTTP_201_CREATED
        )


class MyWaitlistView(generics.GenericAPIView):
    serializer_class = WaitlistEntrySerializer

    @extend_schema(
        operation_id="v1_me_waitlist_list",
        parameters=[PAGE_PARAMETER],
        responses=responses({200: page_of(WaitlistEntrySerializer)}, 404),
    )
    def get(self, request: SignedInApiRequest) -> Response:
        page = self.paginate_queryset(selectors.entries_of(request.user))
        assert page is not None  # settings set PAGE_SIZE, so every list is paginated
        return self.get_paginated_response([entry_representation(entry) for entry in page])


class MyWaitlistEntryView(APIView):
    @extend_schema(responses=responses({200: WaitlistEntrySerializer}, 404))
    def get(self, request: SignedInApiRequest, pk: int) -> Response:
        return Response(entry_representation(selectors.entry_of(request.user, pk)))

    @extend_schema(responses=responses({200: WaitlistEntrySerializer}, 404, 409, write=True))
    def delete(self, request: SignedInApiRequest, pk: int) -> Response:
        entry = withdraw_entry(entry=selectors.entry_of(request.user, pk), by=request.user)
        return Response(entry_representation(selectors.entry_of(request.user, entry.pk)))
