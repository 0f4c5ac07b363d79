"""What every API endpoint shares: capped pagination, and one place where domain errors become
HTTP errors in the one standardized shape. Kept free of view imports: DRF loads it from settings."""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError, models
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_standardized_errors.handler import exception_handler as standardized_handler
from rest_framework import exceptions, serializers, status
from rest_framework.fields import SkipField
from rest_framework.pagination import PageNumberPagination
from rest_framework.relations import PKOnlyObject
from rest_framework.response import Response

from casework.choices import choice_label
from casework.errors import ApplicationError, InvalidInput

MAX_ID = 2**63 - 1  # the database's integer; larger numbers are bad input, not a crash


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200  # capped: a client cannot ask for the whole ledger in one page


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The case's state does not allow this now.")
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request is too large.")
    default_code = "request_too_large"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Domain errors become HTTP errors here, in one place, in the one standardized shape."""
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(_("The request has too many fields or files."))
    elif isinstance(exc, OperationalError | InterfaceError):
        return None  # the database went away: casework.middleware answers, for every page

    if isinstance(exc, ApplicationError):
        if isinstance(exc, InvalidInput):
            exc = exceptions.ValidationError(exc.field_errors)
        elif exc.http_status == 404:
            exc = exceptions.NotFound(exc.message)
        elif exc.http_status == 403:
            exc = exceptions.PermissionDenied(exc.message)
        elif exc.http_status == 409:
            exc = Conflict(exc.message, code=exc.code)
        elif exc.http_status == 429:
            exc = exceptions.Throttled(detail=exc.message)
        else:
            exc = exceptions.ValidationError({"non_field_errors": [exc.message]})
    return standardized_handler(exc, context)


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, not run when the request names none of the filters (the first
    page of a list, a phone's sync by cursor): building and checking the filters' form cost
    ~1 ms of every page, to filter nothing. A parameter is taken as a filter's when it starts
    with a filter's name (a range filter's ``deadline_min``)."""

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            names = tuple(filterset_class.base_filters)
            if not any(param.startswith(names) for param in request.query_params):
                return queryset
        return super().filter_queryset(request, queryset, view)


class ChoiceLabel(serializers.CharField):
    """A choice field's label in the active language (what ``get_<field>_display`` says), read
    through ``casework.choices``: as ``source="get_<field>_display"`` DRF inspected the
    method's signature and Django made the choices hashable for every value (~0.1 ms each)."""

    def __init__(self, field: str, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)
        self.choice = field

    def to_representation(self, instance: models.Model) -> str:
        return choice_label(type(instance), self.choice, getattr(instance, self.choice))


class ReadModelSerializer(serializers.ModelSerializer):
    """A model serializer that only answers (its fields do not depend on the request): its
    fields are built from the model once per class, and each serializer gets fresh copies to
    bind. DRF builds them again for every serializer made, reading the model's metadata each
    time (~0.6 ms for the case list's, ~2.5 ms for the case page's with its nine lists). A
    plain field is copied shallowly (binding sets its own attributes); a nested serializer or
    relation deeply, so that nothing bound is shared between requests."""

    def get_fields(self) -> dict[str, serializers.Field]:
        cls = type(self)
        built = cls.__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()  # kept unbound: only copies are handed out
            cls._fields_built = built
        return {
            name: copy.deepcopy(field)
            if isinstance(field, serializers.BaseSerializer | serializers.ManyRelatedField)
            else copy.copy(field)
            for name, field in built.items()
        }


class RowsSerializer(serializers.ListSerializer):
    """A read-only list serialized the way its child serializer would, without DRF's per-value
    machinery: each field's path is read by plain ``getattr`` and its ``to_representation``
    called, the plan made once per list. DRF's own ``get_attribute`` (the callables it calls,
    the defaults it falls back to) answers whatever is not a plain attribute. 50 cases: ~13 →
    ~4 ms. ``tests/cases/test_api_rows.py`` holds it equal to the child field by field."""

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        iterable = data.all() if isinstance(data, models.manager.BaseManager) else data
        plan = []
        for field in self.child._readable_fields:
            if isinstance(field, serializers.DateTimeField) and not hasattr(field, "timezone"):
                # The active zone, asked once per list, not per value (~5 µs each).
                field.timezone = field.default_timezone()
            plain = not isinstance(field, serializers.ManyRelatedField) and field.source != "*"
            plan.append((field.field_name, field.source_attrs if plain else None, field))
        rows = []
        for instance in iterable:
            row: dict[str, Any] = {}
            for name, attrs, field in plan:
                value = instance
                if attrs is not None:
                    try:
                        for attr in attrs:
                            value = getattr(value, attr)
                    except AttributeError:
                        attrs = None  # None on the way (a case with no batch): DRF's default
                    else:
                        if callable(value):
                            attrs = None
                if attrs is None:
                    try:
                        value = field.get_attribute(instance)
                    except SkipField:
                        continue
                empty = (value.pk if isinstance(value, PKOnlyObject) else value) is None
                row[name] = None if empty else field.to_representation(value)
            rows.append(row)
        return rows
