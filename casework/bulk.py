"""Inserting many new rows at once, fast. Rows are dicts of column values by attribute name
(``region_id``, not ``region``); a column left out takes the field's default (a callable default,
such as ``clock.now``, is called once per call, so the rows share it; ``auto_now`` fields take
now). On PostgreSQL the primary keys are drawn from the table's own sequence in one query and
the rows go in by COPY (psycopg writes str, int, bool, Decimal, date and aware datetimes as they
are; JSON as its text): Django's ``bulk_create`` spends most of its time building model
instances and preparing each value in Python (7 s of the 8 s that writing 10,000 imported cases
took). Elsewhere (SQLite, in development) ``bulk_create``. Each row gets its primary key."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

CHUNK = 5000


def bulk_insert(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` into ``model``'s table, without signals or ``save()`` (the caller has
    set every value ``save()`` would, e.g. an event's hash), and set each row's primary key."""
    if not rows:
        return
    meta = model._meta
    pk_name = meta.pk.attname
    fields = [f for f in meta.concrete_fields if f.attname != pk_name]
    defaults = {f.attname: _default(f) for f in fields}
    if connection.vendor != "postgresql":
        objects = [model(**{**defaults, **row}) for row in rows]
        model.objects.bulk_create(objects, batch_size=1000)
        for row, obj in zip(rows, objects, strict=True):
            row[pk_name] = obj.pk
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row[pk_name] = pk
        names = [pk_name, *(f.attname for f in fields)]
        columns = ", ".join(
            connection.ops.quote_name(c) for c in [meta.pk.column, *(f.column for f in fields)]
        )
        fallbacks = [None, *(defaults[f.attname] for f in fields)]
        # JSON columns are written as their text; every other value as it is.
        json_columns = [
            (index + 1, field.encoder)
            for index, field in enumerate(fields)
            if isinstance(field, models.JSONField)
        ]
        table = connection.ops.quote_name(meta.db_table)
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        pairs = list(zip(names, fallbacks, strict=True))
        for start in range(0, len(rows), CHUNK):
            # Django's error classes (IntegrityError…) for what the database refuses, as for any
            # query made through the ORM.
            with (
                connection.wrap_database_errors,
                raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows[start : start + CHUNK]:
                    values = [row.get(name, fallback) for name, fallback in pairs]
                    for index, encoder in json_columns:
                        if values[index] is not None:
                            values[index] = json.dumps(values[index], cls=encoder)
                    copy.write_row(values)


def bulk_set(
    model: type[models.Model], objects: Sequence[models.Model], names: Sequence[str]
) -> None:
    """Write ``names`` (attribute names) of many rows at once, each its own values. On
    PostgreSQL one ``UPDATE … FROM (VALUES …)`` per chunk; Django's ``bulk_update`` builds a
    CASE per field per row, which took 5 of the 8 seconds the reminder scan spent on 3,000
    reminders. Elsewhere ``bulk_update``. ``auto_now`` fields are set to now."""
    if not objects:
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    fields += [
        f for f in meta.concrete_fields if getattr(f, "auto_now", False) and f.name not in names
    ]
    now = timezone.now()
    if connection.vendor != "postgresql":
        for obj in objects:
            for field in fields:
                if getattr(field, "auto_now", False):
                    setattr(obj, field.attname, now)
        model.objects.bulk_update(objects, [f.name for f in fields], batch_size=1000)
        return
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    pk = meta.pk
    casts = [pk.db_type(connection), *(f.db_type(connection) for f in fields)]
    columns = ", ".join(quote(c) for c in ["pk", *(f"v{i}" for i in range(len(fields)))])
    sets = ", ".join(f"{quote(f.column)} = v.{quote(f'v{i}')}" for i, f in enumerate(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(objects), CHUNK):
            chunk = objects[start : start + CHUNK]
            row = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
            params: list[Any] = []
            for obj in chunk:
                params.append(obj.pk)
                for field in fields:
                    value = (
                        now if getattr(field, "auto_now", False) else getattr(obj, field.attname)
                    )
                    params.append(field.get_db_prep_save(value, connection))
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([row] * len(chunk))}) "
                f"AS v({columns}) WHERE {table}.{quote(pk.column)} = v.{quote('pk')}",
                params,
            )


def _default(field: models.Field) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    return field.get_default()
