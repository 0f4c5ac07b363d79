from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from notifications.models import Notification
from notifications.services import notification_mark_read


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "case", "kind", "level", "title", "body", "created_at", "read_at"]
        read_only_fields = fields


class NotificationViewSet(mixins.ListModelMixin, GenericViewSet):
    """My inbox, newest first; ``unread=true`` for the unread ones."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # the real one is per user, below
    lookup_value_regex = r"[0-9]{1,18}"  # larger ids overflow the database integer

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        queryset = Notification.objects.filter(recipient=self.request.user)
        if self.request.query_params.get("unread") == "true":
            queryset = queryset.filter(read_at__isnull=True)
        return queryset.order_by("-created_at", "-id")

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        notification = notification_mark_read(notification_id=int(pk), user=request.user)
        return Response(NotificationSerializer(notification).data)
