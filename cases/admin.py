from __future__ import annotations

from django.contrib import admin

from cases.models import SourceStream


@admin.register(SourceStream)
class SourceStreamAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "code", "sort_order"]
    ordering = ["sort_order"]
