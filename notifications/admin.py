from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case
from cases.rules import is_city_supervisor
from casework.admin_scope import NotFoundOutsideScope
from notifications.models import (
    ChannelPreference,
    Heartbeat,
    Kind,
    Level,
    Notification,
    ReminderRule,
    SentRung,
)
from notifications.services import notification_mark_read


class PersonalAdmin(NotFoundOutsideScope, admin.ModelAdmin):
    """Rows that belong to the person looking at them (their inbox, their channels)."""

    owner_field = "user"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).filter(**{self.owner_field: request.user})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)


class ReadFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "read"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", _("Unread")), ("yes", _("Read"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("no", "yes"):
            return queryset.filter(read_at__isnull=self.value() == "no")
        return queryset


@admin.register(Notification)
class NotificationAdmin(PersonalAdmin):
    """My inbox: unread first, each message with its case, a link to it."""

    owner_field = "recipient"
    list_display = ["title_shown", "case_link", "kind", "level", "created_at", "is_read"]
    list_display_links = ["title_shown"]
    list_filter = [ReadFilter, "kind", "level"]
    list_select_related = ["case"]
    search_fields = ["title", "body"]
    readonly_fields = ["title", "body", "case", "kind", "level", "created_at", "read_at"]
    fields = readonly_fields
    actions = ["mark_read"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        return [F("read_at").asc(nulls_first=True), "-created_at"]

    @admin.display(description=gettext_lazy("title"), ordering="title")
    def title_shown(self, notification: Notification) -> str:
        # The case's summary under the title: a number alone says nothing in a list.
        summary = notification.case.summary[:40] if notification.case else ""
        if notification.read_at is None:
            return format_html(
                '<strong>{}</strong><br><small class="quiet">{}</small>',
                notification.title,
                summary,
            )
        return format_html('{}<br><small class="quiet">{}</small>', notification.title, summary)

    @admin.display(description=gettext_lazy("case"))
    def case_link(self, notification: Notification) -> str:
        case = notification.case
        if case is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:cases_case_change", args=[case.pk]), case
        )

    @admin.display(description=gettext_lazy("read"), boolean=True)
    def is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        # Opening a message reads it.
        if self.get_queryset(request).filter(pk=object_id).exists():
            notification_mark_read(notification_id=int(object_id), user=request.user)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=gettext_lazy("Mark as read"))
    def mark_read(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = 0
        for notification in queryset.filter(read_at__isnull=True):
            notification_mark_read(notification_id=notification.pk, user=request.user)
            count += 1
        self.message_user(
            request, _("%(count)s marked as read.") % {"count": count}, messages.SUCCESS
        )


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(PersonalAdmin):
    """My channels besides the inbox: email, a chat group robot, SMS."""

    list_display = ["channel", "address", "enabled", "disabled_reason"]
    fields = ["channel", "address", "enabled", "disabled_reason"]
    readonly_fields = ["disabled_reason"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def save_model(
        self, request: HttpRequest, obj: ChannelPreference, form: Any, change: bool
    ) -> None:
        obj.user = request.user
        if obj.enabled:
            obj.disabled_reason = ""
        super().save_model(request, obj, form, change)


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    """The escalation ladder: supervisors edit it; everyone who works cases may read it."""

    list_display = ["name", "offset_working_days", "level", "audience", "is_active"]
    list_editable = ["is_active"]
    ordering = ["offset_working_days"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_city_supervisor(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_city_supervisor(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_city_supervisor(request.user)


JOB_LABELS = {"scan": gettext_lazy("Reminder scan (sends the ladder's rungs when due)")}


class CityOfficeRecordAdmin(admin.ModelAdmin):
    """A record the city office reads and nobody edits (the scheduler's heartbeat, what was
    sent in the office's name)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_city_supervisor(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_city_supervisor(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(CityOfficeRecordAdmin):
    """When the reminder scan last ran: a silent scheduler shows here and on /healthz."""

    list_display = ["job", "last_started_at", "last_success_at", "last_error"]

    @admin.display(description=gettext_lazy("job"), ordering="name")
    def job(self, heartbeat: Heartbeat) -> str:
        # The jobs' names are technical ("scan"); people read what the job does.
        return str(JOB_LABELS.get(heartbeat.name, heartbeat.name))


@admin.register(SentRung)
class SentRungAdmin(CityOfficeRecordAdmin):
    """The city office's record of the ladder's rungs sent in its name (催办 and above)."""

    list_display = ["title", "recipient", "case_link", "level", "created_at", "is_read"]
    list_filter = ["level", ReadFilter]
    search_fields = ["title", "case__acceptance_number", "recipient__full_name"]
    list_select_related = ["case", "recipient"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .filter(
                kind=Kind.REMINDER,
                level__gte=Level.CHASE,
                case__in=Case.objects.visible_to(request.user),
            )
        )

    case_link = NotificationAdmin.case_link
    is_read = NotificationAdmin.is_read
