"""People API: token, /me/, skills (API.md: "Conventions", "People and skills")."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from marketplace import selectors, services
from marketplace.serializers import (
    MeUpdateSerializer,
    SkillSerializer,
    TokenRequestSerializer,
    me_representation,
)


class TokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key}, status=status.HTTP_200_OK)


class MeView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        return Response(me_representation(selectors.person_with_details(request.user.pk)))

    @extend_schema(request=MeUpdateSerializer, responses={200: dict})
    def patch(self, request: Request) -> Response:
        serializer = MeUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        services.update_profile(
            user=request.user,
            fields={name: data[name] for name in services.PROFILE_FIELDS if name in data},
            department=data.get("department", ...),
            skills=data.get("skills"),
            skills_wanted=data.get("skills_wanted"),
            mentoring=data.get("mentoring"),
        )
        return Response(me_representation(selectors.person_with_details(request.user.pk)))


class SkillListView(generics.ListAPIView):
    serializer_class = SkillSerializer

    def get_queryset(self):
        return selectors.skills()
