"""Authentication for mobile clients: log in for a per-device token, log out, who am I."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.models import User


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "roles"]

    def get_roles(self, user: User) -> list[dict[str, str]]:
        return [
            {"role": m.role, "region": m.region.name, "region_code": m.region.gb_code or ""}
            for m in user.memberships.select_related("region")
        ]


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class LoginView(APIView):
    """Username and password in, a per-device token out (stored hashed, expiring)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_scope = "login"

    def get_throttles(self) -> list[Any]:
        from rest_framework.throttling import ScopedRateThrottle

        return [ScopedRateThrottle()]

    @extend_schema(
        request=LoginSerializer,
        responses=inline_serializer(
            "LoginResponse",
            {
                "token": serializers.CharField(),
                "expiry": serializers.DateTimeField(),
                "user": UserSerializer(),
            },
        ),
    )
    def post(self, request: Request) -> Response:
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Wrong username or password.")]}
            )
        instance, token = AuthToken.objects.create(user)
        return Response(
            {"token": token, "expiry": instance.expiry, "user": UserSerializer(user).data}
        )


class LogoutView(KnoxLogoutView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, format: Any = None) -> Response:
        return super().post(request, format)


class MeView(APIView):
    @extend_schema(responses=UserSerializer)
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)
