from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from marketplace.errors import Conflict, InvalidInput, TooSoon


def exception_handler(exc, context):
    if isinstance(exc, InvalidInput):
        return Response({exc.field: [exc.message]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, TooSoon):
        return Response(
            {"detail": exc.message, "code": exc.code},
            status=exc.status_code,
            headers={"Retry-After": str(exc.retry_after_seconds)},
        )
    if isinstance(exc, Conflict):
        named = {"field": exc.field} if exc.field else {}
        return Response(
            {"detail": exc.message, "code": exc.code, **named, **exc.details}, status=exc.status_code
        )
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
