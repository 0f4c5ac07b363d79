"""Related lists read inside their parent's row: one query for a page that shows many lists.

``prefetch_related`` costs a query per relation: the case page's nine lists (events, progress,
milestones, field checks and their photos, evidence, follow-ups, extensions, co-operating units,
pollution types) were ten queries, each compiled and sent on its own (~1 ms apiece). Here each
list is a subquery in the parent's row that aggregates its rows as JSON (PostgreSQL's
``jsonb_agg``, SQLite's ``json_group_array``), with the forward relations each row shows
(an event's actor) as objects inside it and lists of its own (a field check's photos) nested.
When the rows are read, the JSON is made back into model instances, values converted by their
fields (dates, times in UTC, decimals sent as text so none is rounded), and put where
``prefetch_related`` puts them: ``case.events.all()`` answers from memory, in the model's order,
and serializers read them as before. ``tests/casework/test_inline.py`` holds the result equal to
``prefetch_related``'s, value for value.

For a page of one parent (the case page) or a few; lists of many parents keep plain rows
(``cases.rows``) or ``prefetch_related``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connections, models
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.query import ModelIterable
from django.utils.dateparse import parse_datetime


@dataclass(frozen=True)
class Inline:
    """A related list to read inside the parent's row: ``name`` the relation on the parent,
    ``joined`` the forward relations of each row to read with it (``select_related``'s names,
    one step each), ``inner`` lists of each row's own, ``order`` their order when not the
    model's (``Meta.ordering``)."""

    name: str
    joined: tuple[str, ...] = ()
    inner: tuple[Inline, ...] = ()
    order: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"_inline_{self.name}"


def _object(model: type[models.Model], alias: str, vendor: str, extra: list[str]) -> str:
    """Every stored field of ``model`` (at ``alias``) as one JSON object keyed by column, with
    ``extra`` members: decimals as text (a JSON number would round them), JSON columns kept as
    JSON. On PostgreSQL the whole row (``to_jsonb``) with the decimals written over it: naming
    every column made the case page's statement 12 kB, and PostgreSQL parsed it on every
    request; SQLite has no row-to-JSON and names them."""
    decimals = [f for f in model._meta.concrete_fields if isinstance(f, models.DecimalField)]
    taken = {f"'{f.column}'" for f in model._meta.concrete_fields} & set(extra[::2])
    if taken:  # a relation named as a column would write over the column's value
        names = sorted(name.strip("'") for name in taken)
        raise ValueError(f"{model.__name__}: {names} name both a column and a relation")
    if vendor == "postgresql":
        members = [
            m for f in decimals for m in (f"'{f.column}'", f'CAST({alias}."{f.column}" AS TEXT)')
        ]
        members += extra
        row = f"TO_JSONB({alias})"
        return f"{row} || JSONB_BUILD_OBJECT({', '.join(members)})" if members else row
    members = []
    for field in model._meta.concrete_fields:
        column = f'{alias}."{field.column}"'
        if field in decimals:
            column = f"CAST({column} AS TEXT)"
        elif isinstance(field, models.JSONField):
            column = f"JSON({column})"  # SQLite hands a JSON column over as text
        members += [f"'{field.column}'", column]
    return f"JSON_OBJECT({', '.join(members + extra)})"


def _reverse_one(field: Any) -> bool:
    """Whether ``field`` is a reverse one-to-one (``case.reminder``): the related row's key
    points at this row, not this row's at it."""
    return bool(field.one_to_one and field.auto_created)


def _parent_name(model: type[models.Model], inline: Inline) -> tuple[Any, str]:
    """The relation ``inline.name`` on ``model``: its field, and the name the related rows
    know the parent by."""
    field = model._meta.get_field(inline.name)
    if field.many_to_many and not field.auto_created:  # a ManyToManyField on the parent
        return field, field.related_query_name()
    return field, field.field.name  # a reverse foreign key: the child's key to the parent


@cache
def _list_sql(
    model: type[models.Model], inline: Inline, outer: str, depth: int, vendor: str
) -> str:
    """The subquery answering ``inline``'s rows of the row at ``outer`` (a table or an alias)
    as one JSON array (NULL for none). Written once per list and database: building it with
    the ORM's expressions cost ~18 ms of compiling on every request."""
    field, _ = _parent_name(model, inline)
    related = field.related_model
    alias = f"i{depth}"
    gather = "JSONB_AGG" if vendor == "postgresql" else "JSON_GROUP_ARRAY"
    table = f'"{related._meta.db_table}" {alias}'
    pk = f'{outer}."{model._meta.pk.column}"'
    if field.many_to_many:  # through the join table
        through = field.remote_field.through._meta
        mine = next(f for f in through.concrete_fields if f.related_model is model)
        theirs = next(
            f for f in through.concrete_fields if f.related_model is related and f is not mine
        )
        table += (
            f' JOIN "{through.db_table}" {alias}_x ON {alias}_x."{theirs.column}" = '
            f'{alias}."{related._meta.pk.column}"'
        )
        where = f'{alias}_x."{mine.column}" = {pk}'
    else:
        where = f'{alias}."{field.field.column}" = {pk}'
    members: list[str] = []
    for name in inline.joined:
        relation = related._meta.get_field(name)
        target = relation.related_model
        joined = f"{alias}_{name}"
        table += (
            f' LEFT JOIN "{target._meta.db_table}" {joined} ON {joined}."'
            f'{relation.target_field.column}" = {alias}."{relation.column}"'
        )
        members += [
            f"'{name}'",
            f'CASE WHEN {joined}."{target._meta.pk.column}" IS NULL THEN NULL '
            f"ELSE {_object(target, joined, vendor, [])} END",
        ]
    for inner in inline.inner:
        rows = _list_sql(related, inner, alias, depth + 1, vendor)
        members += [f"'{inner.key}'", rows if vendor == "postgresql" else f"JSON({rows})"]
    return (
        f"(SELECT {gather}({_object(related, alias, vendor, members)}) FROM {table} WHERE {where})"
    )


def _python(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(value) if isinstance(value, str) else value
        if settings.USE_TZ and moment.tzinfo is None:  # SQLite keeps UTC without its offset
            moment = moment.replace(tzinfo=dt.UTC)
        return moment
    if isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.DateField | models.DecimalField | models.UUIDField):
        return field.to_python(value)
    if isinstance(field, models.BooleanField):
        return bool(value)
    return value


def _instance(model: type[models.Model], values: dict[str, Any], db: str) -> models.Model:
    fields = model._meta.concrete_fields
    return model.from_db(
        db,
        [field.attname for field in fields],
        [_python(field, values.get(field.column)) for field in fields],
    )


def _sorted(
    rows: list[models.Model], model: type[models.Model], order: Sequence[str], parent: str
) -> list[Any]:
    """``rows`` in ``order`` (the model's ``Meta.ordering`` when empty), then by key; nulls
    last going up and first going down, as PostgreSQL orders them."""
    for name in reversed([*(order or model._meta.ordering), "pk"]):
        down = name.startswith("-")
        name = name.lstrip("-")
        if name == parent:
            continue  # the same for every row here
        steps = name.split("__")  # a related step ("region__path") read off a joined row
        if steps == ["pk"]:
            steps = [model._meta.pk.attname]

        def value(row: Any, steps: list[str] = steps) -> Any:
            for step in steps:
                row = getattr(row, step) if row is not None else None
            return row

        rows.sort(
            key=lambda row: ((v := value(row)) is None, v if v is not None else 0), reverse=down
        )
    return rows


def _attach(owner: models.Model, inline: Inline, data: Any, db: str) -> None:
    """Put ``inline``'s rows, read from ``data``, in ``owner``'s prefetch cache."""
    field, parent = _parent_name(type(owner), inline)
    related = field.related_model
    if isinstance(data, str):
        data = json.loads(data)
    rows = []
    for values in data or ():
        row = _instance(related, values, db)
        for name in inline.joined:
            relation = related._meta.get_field(name)
            joined = values.get(name) or {}
            target = relation.related_model
            value = None
            if joined.get(target._meta.pk.column) is not None:
                value = _instance(target, joined, db)
            relation.set_cached_value(row, value)
        for inner in inline.inner:
            _attach(row, inner, values.get(inner.key), db)
        if not field.many_to_many:
            field.field.set_cached_value(row, owner)  # the row's key back to its parent
        rows.append(row)
    manager = getattr(owner, inline.name)
    cached = manager.get_queryset()  # not run: it is given its rows here
    cached._result_cache = _sorted(rows, related, inline.order, parent)
    cached._prefetch_done = True
    if not hasattr(owner, "_prefetched_objects_cache"):
        owner._prefetched_objects_cache = {}
    # Where the related manager looks: a ManyToManyField's name, a reverse key's accessor.
    owner._prefetched_objects_cache[field.name if field.many_to_many else field.cache_name] = cached


# select_related's names as a tree: (("source", (("stream", ()),)), ("region", ()))
Tree = tuple[tuple[str, "Tree"], ...]


def _tree(paths: Sequence[str]) -> Tree:
    """``("source__stream", "region")`` as ``(("source", (("stream", ()),)), ("region", ()))``."""
    heads: dict[str, list[str]] = {}
    for path in paths:
        head, _, rest = path.partition("__")
        heads.setdefault(head, [])
        if rest:
            heads[head].append(rest)
    return tuple((head, _tree(rest)) for head, rest in heads.items())


@cache
def _one_sql(
    model: type[models.Model], name: str, tree: Tree, outer: str, depth: int, vendor: str
) -> str:
    """The subquery answering the single row at ``name`` (a foreign key, or a reverse
    one-to-one) of the row at ``outer`` as one JSON object (NULL for none), with the rows
    ``tree`` names inside it."""
    field = model._meta.get_field(name)
    target = field.related_model
    alias = f"o{depth}"
    if _reverse_one(field):  # its key points here
        where = f'{alias}."{field.field.column}" = {outer}."{model._meta.pk.column}"'
    else:
        where = f'{alias}."{field.target_field.column}" = {outer}."{field.column}"'
    members: list[str] = []
    for inner, below in tree:
        members += [f"'{inner}'", _one_sql(target, inner, below, alias, depth + 1, vendor)]
    row = _object(target, alias, vendor, members)
    return f'(SELECT {row} FROM "{target._meta.db_table}" {alias} WHERE {where})'


def _attach_one(owner: models.Model, name: str, tree: Tree, data: Any, db: str) -> None:
    """Put the row at ``name``, read from ``data``, where ``select_related`` puts it (None
    where there is none, so that asking for it costs no query)."""
    field = type(owner)._meta.get_field(name)
    if isinstance(data, str):
        data = json.loads(data)
    row = None
    if data is not None:
        row = _instance(field.related_model, data, db)
        for inner, below in tree:
            _attach_one(row, inner, below, data.get(inner), db)
        if _reverse_one(field):
            field.field.set_cached_value(row, owner)  # the row's key back to its parent
    field.set_cached_value(owner, row)


def inline(queryset: QuerySet[Any], *lists: Inline, related: Sequence[str] = ()) -> QuerySet[Any]:
    """``queryset`` with ``lists`` read in each row (above) instead of a query per list, and
    the single rows ``related`` names (``select_related``'s names: forward keys, reverse
    one-to-ones, ``source__stream``) read as JSON in the row, not joined. Joined, the case
    page's five were some fifty more columns for Django to compile and PostgreSQL to plan a
    seven-table join for (~2.5 ms); as subqueries each is planned on its own."""
    model = queryset.model
    vendor = connections[queryset.db].vendor
    outer = f'"{model._meta.db_table}"'
    ones = _tree(related)
    queryset = queryset.annotate(
        **{item.key: RawSQL(_list_sql(model, item, outer, 0, vendor), ()) for item in lists},
        **{
            f"_one_{name}": RawSQL(_one_sql(model, name, tree, outer, 0, vendor), ())
            for name, tree in ones
        },
    )

    class Rows(ModelIterable):
        def __iter__(self) -> Iterator[Any]:
            db = self.queryset.db
            for owner in super().__iter__():
                for name, tree in ones:
                    _attach_one(owner, name, tree, owner.__dict__.pop(f"_one_{name}", None), db)
                for item in lists:
                    _attach(owner, item, owner.__dict__.pop(item.key, None), db)
                yield owner

    queryset._iterable_class = Rows
    return queryset


@cache
def _value_sql(model: type[models.Model], path: str) -> tuple[str, str, models.Field]:
    """The subquery answering the value at ``path`` (``source__stream__code``,
    ``reminder__level``) of a row of ``model``, with ``{key}`` where that row's column goes;
    the name of that column's field; and the field the subquery reads."""
    steps = path.split("__")
    tables: list[str] = []
    where = key = ""
    current: type[models.Model] = model
    alias = ""
    for depth, name in enumerate(steps[:-1]):
        field = current._meta.get_field(name)
        target = field.related_model
        inner = f"rv{depth}"  # never one of the ORM's aliases (T1, U0, V0…)
        if _reverse_one(field):  # its key points here
            near, far = f'{inner}."{field.field.column}"', current._meta.pk
        elif field.many_to_one or field.one_to_one:  # a foreign key of this row
            near, far = f'{inner}."{field.target_field.column}"', field
        else:
            raise ValueError(f"{path}: {name} is not a single related row")
        table = f'"{target._meta.db_table}" {inner}'
        if not tables:
            where, key = f"{near} = {{key}}", far.attname
            tables.append(table)
        else:
            tables.append(f'JOIN {table} ON {near} = {alias}."{far.column}"')
        current, alias = target, inner
    column = current._meta.get_field(steps[-1])
    sql = f'(SELECT {alias}."{column.column}" FROM {" ".join(tables)} WHERE {where})'
    return sql, key, column


class RelatedValue(models.Expression):
    """An annotation: the value at ``path`` across single related rows (``source__name``,
    ``source__stream__code``, a reverse one-to-one's ``reminder__level``), NULL where a row on
    the way is missing, read by a subquery in the row instead of a join.

    A list page joined to five small tables had PostgreSQL search join orders for longer than
    it ran the query (planning 5.7 ms, execution 3.8 ms at a million cases); each subquery is
    planned on its own, in microseconds (planning 1.0 ms, the page 10.2 → 6.0 ms). Each key a
    subquery follows is a primary key or a unique one, so each answers one row or none. The
    row's own column is resolved where the annotation is used (a subquery's alias too)."""

    def __init__(self, model: type[models.Model], path: str) -> None:
        self.sql, name, field = _value_sql(model, path)
        super().__init__(output_field=field)
        self.key = models.F(name)  # resolved by Expression.resolve_expression, as its source

    def get_source_expressions(self) -> list[Any]:
        return [self.key]

    def set_source_expressions(self, expressions: list[Any]) -> None:
        (self.key,) = expressions

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        key, params = compiler.compile(self.key)
        return self.sql.replace("{key}", key), list(params)
