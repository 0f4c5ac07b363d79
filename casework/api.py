"""Authentication for mobile clients: log in for a per-device token, log out, who am I."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.login_guard import login_authenticate
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
        user = login_authenticate(
            request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Wrong username or password.")]}
            )
        instance, token = token_create(user)
        return Response(
            {"token": token, "expiry": instance.expiry, "user": UserSerializer(user).data}
        )


def token_create(user: User) -> tuple[AuthToken, str]:
    """A new device token; past the per-user cap the oldest devices are logged out."""
    limit = settings.REST_KNOX["TOKEN_LIMIT_PER_USER"]
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one login at a time
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        keep = AuthToken.objects.filter(user=user).order_by("-created")[: limit - 1]
        AuthToken.objects.filter(user=user).exclude(
            pk__in=list(keep.values_list("pk", flat=True))
        ).delete()
        return AuthToken.objects.create(user)


class LogoutView(KnoxLogoutView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, format: Any = None) -> Response:
        return super().post(request, format)


class MeView(APIView):
    @extend_schema(responses=UserSerializer)
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)
