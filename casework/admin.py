from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from casework.admin_scope import NotFoundOutsideScope
from casework.models import Membership, Region, ResponsibleUnit, User


@admin.register(Region)
class RegionAdmin(NotFoundOutsideScope, admin.ModelAdmin):
    list_display = ["name", "kind", "gb_code", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "gb_code"]
    ordering = ["path"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Region]:
        return Region.objects.visible_to(request.user).select_related("parent")


@admin.register(ResponsibleUnit)
class ResponsibleUnitAdmin(NotFoundOutsideScope, admin.ModelAdmin):
    list_display = ["name", "kind", "region", "contact_phone", "is_active"]
    list_filter = ["kind", "is_active", "region"]
    search_fields = ["name"]
    autocomplete_fields = ["region"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ResponsibleUnit]:
        return ResponsibleUnit.objects.visible_to(request.user).select_related("region")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.name == "region":
            kwargs["queryset"] = Region.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["region", "unit"]


@admin.register(User)
class UserAdmin(NotFoundOutsideScope, DjangoUserAdmin):
    list_display = ["username", "full_name", "phone", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Contact"), {"fields": ("full_name", "phone")}),
    )
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        # Supervisors see the people who hold a role somewhere inside their jurisdiction.
        return qs.filter(memberships__region__in=Region.objects.visible_to(request.user)).distinct()


@admin.register(Membership)
class MembershipAdmin(NotFoundOutsideScope, admin.ModelAdmin):
    list_display = ["user", "role", "region", "unit"]
    list_filter = ["role", "region"]
    search_fields = ["user__username", "user__full_name"]
    autocomplete_fields = ["user", "region", "unit"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return Membership.objects.filter(
            region__in=Region.objects.visible_to(request.user)
        ).select_related("user", "region", "unit")
