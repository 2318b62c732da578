from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class TokenObtainApi(APIView):
    """POST username and password, get the API token for ``Authorization: Token <token>``."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(label=_("Username"))
        password = serializers.CharField(label=_("Password"), trim_whitespace=False)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            429: OpenApiResponse(response=inline_serializer("LockedOut", {
                "detail": serializers.CharField(), "code": serializers.CharField(),
            }), description=_(
                "Too many failed sign-in attempts for this account or from this address: "
                '{"detail": ..., "code": "locked_out"} with Retry-After (seconds).'
            )),
        },
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # django-axes counts failures and marks a lockout on the request it is given; it must be
        # Django's own request, which its middleware then sees and answers 429 (accounts.views.locked_out).
        user = authenticate(
            request=request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to sign in with the username and password given.")]}
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
