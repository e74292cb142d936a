"""Many new rows at once: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

``bulk_create`` writes one ``INSERT`` with a placeholder per value; for a ClaimReview import's external
reviews (each with its whole JSON item) the statement ran to megabytes, and building it and binding its
parameters cost more than the database's work (bench/README.md). ``COPY`` streams the same rows. The
values are prepared by the model's own fields (``pre_save`` and ``get_db_prep_save``: defaults,
``auto_now``, JSON), so a row is what ``bulk_create`` would have written; no signal is sent, as with
``bulk_create``.

``COPY`` returns no ids. Rows that others will refer to (an import's new claims, before their audit
events and reviews) are given theirs first: ``with_ids`` takes as many values from the table's sequence
in one query, as ``INSERT`` would have, and writes them in the id column.

``alongside`` hands out the rows of one ``COPY`` with steps of other work between them: where the server's
side of a ``COPY`` is the slower (the search documents' indexes), the client prepares the next rows while
it writes.

``young_collections_only`` keeps Python's cyclic garbage collector out of bulk work but for the young
collections the work asks for between its units.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import itertools
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar, cast

import orjson
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from psycopg.types.json import Jsonb

T = TypeVar("T")

#: Keys whose values come from a sequence.
_AUTO_KEYS = (models.AutoField, models.BigAutoField)


def insert_rows(
    model: type[models.Model], objects: Iterable[models.Model], batch_size: int = 500, with_ids: bool = False
) -> int:
    """Insert these new instances of ``model`` in the current transaction; return how many.

    ``objects`` may be made as they are written (a generator): on PostgreSQL the server then works on the
    first rows while the next are made, where a list would have them all made first (an import's search
    documents: bench/README.md). With ``with_ids``, each instance has its primary key set afterwards
    (they must have none before, and be a sequence: the ids are taken before the rows are written).
    """
    if with_ids and not isinstance(objects, Sequence):
        raise TypeError("insert_rows(with_ids=True) takes the ids first: give the instances as a sequence.")
    if isinstance(objects, Sequence):
        if not objects:
            return 0
    else:
        iterator = iter(objects)
        first = next(iterator, None)
        if first is None:
            return 0
        objects = itertools.chain((first,), iterator)
    if with_ids and not isinstance(model._meta.pk, _AUTO_KEYS):
        raise ValueError(f"insert_rows(with_ids=True) takes ids from a sequence: {model.__name__}'s key has none.")
    if with_ids and any(instance.pk is not None for instance in cast(Sequence[models.Model], objects)):
        raise ValueError(f"insert_rows(with_ids=True) is for new {model.__name__} rows: some have an id already.")
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: the proxy looks it up at each use
    if db.vendor != "postgresql":
        # bulk_create sets the ids where the database returns them (SQLite 3.35 and later).
        made = list(objects)
        model._default_manager.bulk_create(made, batch_size=batch_size)
        return len(made)
    fields = _written_fields(model)
    if with_ids:
        fields.insert(0, cast(models.Field, model._meta.pk))
    prepare = [_preparer(field, db) for field in fields]
    written: list[models.Model] = []

    def rows() -> Iterator[list[Any]]:
        for instance in objects:
            yield [value(instance) for value in prepare]
            written.append(instance)

    try:
        with transaction.atomic(using=db.alias):
            if with_ids:
                _assign_ids(db, model, db.ops.quote_name(model._meta.db_table), cast(Sequence[models.Model], objects))
            _copy(db, model, fields, rows())
    except Exception:
        if with_ids:  # not saved: new again, as bulk_create leaves them when it fails
            for instance in cast(Sequence[models.Model], objects):
                instance.pk = None
        raise
    for instance in written:  # saved, as bulk_create leaves them
        instance._state.adding = False
        instance._state.db = db.alias
    return len(written)


def insert_values(
    model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]], batch_size: int = 500
) -> int:
    """Insert new rows of ``model`` given as values, without model instances, in the current transaction;
    return how many.

    ``names``: the fields of each row's values, in order, by attribute name (a foreign key's ``claim_id``).
    Every other field takes what a new instance would have: its default, a callable one called for each
    row; a database default the database's; ``auto_now`` and ``auto_now_add`` moments the current time
    (given, their value is written as given on PostgreSQL, one moment for a batch saving a clock read a row;
    ``bulk_create`` elsewhere sets them anew, as for instances). Values are prepared by their fields as
    ``insert_rows`` prepares an instance's. An instance costs 4–7 µs to make, about as much as its
    ``COPY`` row; rows of plain values are for bulk work whose rows nothing else needs as instances
    (an import's audit events, reviews and search documents). Nothing is returned of the rows: those that
    others refer to are ``insert_rows(with_ids=True)``'s. ``rows`` may be made as they are written.
    """
    by_name = {field.attname: field for field in model._meta.concrete_fields}
    unknown = [name for name in names if name not in by_name or getattr(by_name[name], "generated", False)]
    if unknown or len(set(names)) != len(names):
        raise ValueError(f"insert_values: {model.__name__} has no writable field {unknown or list(names)!r} once each.")
    if isinstance(model._meta.pk, _AUTO_KEYS) and model._meta.pk.attname in names:
        raise ValueError("insert_values does not write ids, which would not move their sequence: leave them out.")
    width = len(names)
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        made = []
        for row in rows:
            if len(row) != width:
                raise ValueError(f"insert_values: a row of {len(row)} values for {width} fields.")
            made.append(model(**dict(zip(names, row, strict=True))))
        model._default_manager.bulk_create(made, batch_size=batch_size)
        return len(made)
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return 0
    given = [by_name[name] for name in names]
    prepare = [_value_preparer(field, db) for field in given]
    constant_fields: list[models.Field] = []
    constant: list[Any] = []  # their prepared defaults, the same for every row
    per_row_fields: list[models.Field] = []
    per_row: list[tuple[Callable[[Any], Any], Callable[[], Any]]] = []
    for field in _written_fields(model):
        if field.attname in names or field.has_db_default():  # the database's own default: its column left out
            continue
        make = _default_maker(field)
        if make is None:
            constant_fields.append(field)
            constant.append(_value_preparer(field, db)(field.get_default()))
        else:
            per_row_fields.append(field)
            per_row.append((_value_preparer(field, db), make))

    def prepared_rows() -> Iterator[list[Any]]:
        for row in itertools.chain((first,), iterator):
            if len(row) != width:
                raise ValueError(f"insert_values: a row of {len(row)} values for {width} fields.")
            values = [value(item) for value, item in zip(prepare, row, strict=True)]
            values += constant
            if per_row:
                values += [value(make()) for value, make in per_row]
            yield values

    with transaction.atomic(using=db.alias):
        return _copy(db, model, given + constant_fields + per_row_fields, prepared_rows())


def _written_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a new row is written with: all but a key from a sequence and generated ones."""
    return [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, _AUTO_KEYS)) and not getattr(field, "generated", False)
    ]


def _default_maker(field: models.Field) -> Callable[[], Any] | None:
    """What makes ``field``'s value for each new row, where it is not one value for all: a callable
    default, or the current moment for ``auto_now``/``auto_now_add`` (as their ``pre_save`` sets it)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        if isinstance(field, models.DateTimeField):
            return timezone.now
        if isinstance(field, models.DateField):
            return dt.date.today
        raise ValueError(f"insert_values cannot set {field.name}'s automatic value: give it.")
    if field.has_default() and callable(field.default):
        return field.get_default  # as Django calls it: a key's default instance becomes its id
    return None


def _copy(
    db: BaseDatabaseWrapper, model: type[models.Model], fields: list[models.Field], rows: Iterable[list[Any]]
) -> int:
    """COPY these rows of prepared values into ``fields`` of ``model``'s table; return how many."""
    count = 0
    table = db.ops.quote_name(model._meta.db_table)
    columns = ", ".join(db.ops.quote_name(cast(str, field.column)) for field in fields)  # concrete: set
    db.ensure_connection()
    raw: Any = db.connection  # Django's cursor wrapper has no copy()
    # Django's own exceptions (an IntegrityError for a duplicate key), as from its cursors.
    with (
        db.wrap_database_errors,
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        write_row = copy.write_row
        for row in rows:
            write_row(row)
            count += 1
    return count


def alongside(rows: Iterable[T], work: Iterable[Any]) -> Iterator[T]:
    """``rows``, with one step of ``work`` (an iterator, advanced for its side effects) after each row is handed
    out, and the steps left over after the last: for ``insert_rows``, whose server works on the rows already
    sent (psycopg sends them 32 kB at a time; the last at the COPY's end) while the next steps run. The work
    must not query the database: its connection is in the COPY."""
    steps = iter(work)
    for row in rows:
        yield row
        next(steps, None)
    for _step in steps:
        pass


def _assign_ids(
    db: BaseDatabaseWrapper, model: type[models.Model], table: str, objects: Sequence[models.Model]
) -> None:
    pk = cast(models.Field, model._meta.pk)
    with db.cursor() as cursor:
        # The lock an INSERT takes, taken before the ids: a generator run moving the sequence under its
        # EXCLUSIVE lock (claims.generator.PostgresWriter.reserve) is waited for, not raced.
        cursor.execute(f"LOCK TABLE {table} IN ROW EXCLUSIVE MODE")
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, len(objects)],
        )
        for instance, (new_id,) in zip(objects, cursor.fetchall(), strict=True):
            instance.pk = new_id


#: Field classes (exactly these, not subclasses: ``LanguageField`` normalises its text) whose database
#: value is the Python value itself when it is of one of these types, as Django's preparation leaves it
#: (but for psycopg's Int4/Int8 wrappers of integers, which only choose a binary type: COPY here is text).
_AS_IS: dict[type[models.Field], tuple[type, ...]] = {
    models.CharField: (str, type(None)),
    models.TextField: (str, type(None)),
    models.URLField: (str, type(None)),
    models.BooleanField: (bool,),
    models.IntegerField: (int, type(None)),
    models.PositiveIntegerField: (int, type(None)),
    models.BigIntegerField: (int, type(None)),
    models.FloatField: (float, type(None)),
    models.DateField: (dt.date, type(None)),
    models.DateTimeField: (type(None),),  # and aware datetimes, below
}


def _preparer(field: models.Field, db: BaseDatabaseWrapper) -> Callable[[models.Model], Any]:
    """The database value of ``field`` for an instance, as ``bulk_create`` prepares it: ``pre_save``, then
    ``_value_preparer``. ``pre_save`` only reads the attribute, but for computed moments (``auto_now``)
    and fields of their own (a subclass's ``pre_save``): the attribute is read directly there."""
    value_of = _value_preparer(field, db)
    computed = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    if computed or (type(field).pre_save is not models.Field.pre_save and not isinstance(field, models.DateField)):
        return lambda instance: value_of(field.pre_save(instance, True))
    attname = field.attname
    return lambda instance: value_of(getattr(instance, attname))


def _value_preparer(field: models.Field, db: BaseDatabaseWrapper) -> Callable[[Any], Any]:
    """The database value of a value of ``field`` (as ``pre_save`` leaves it), as ``bulk_create`` prepares it.

    Django's preparation costs 1–3 µs a value (four calls deep, the connection looked up on each): as
    much as the rest of a ClaimReview import's Python for its 220,000 values. Values of the plain types
    above are sent as they are, which is what that preparation returns for them; any other value, and
    any other field, still goes through it.
    """

    def prepared(value: Any) -> Any:
        return field.get_db_prep_save(value, db)

    if isinstance(field, models.JSONField):
        if field.encoder is not None:
            return prepared

        def prepared_json(value: Any) -> Any:
            value = prepared(value)
            # Django's JSON is ``json.dumps``'s, with every non-ASCII character escaped: orjson writes the
            # same document in UTF-8, 4× as fast (an import's ClaimReview items).
            return Jsonb(value.obj, dumps=_dumps) if isinstance(value, Jsonb) else value

        return prepared_json

    # A key's value is its target's; a subclass of ForeignKey may prepare its own way.
    target = (
        cast(models.ForeignKey, field).target_field
        if type(field) in (models.ForeignKey, models.OneToOneField)
        else field
    )
    as_is = (int, type(None)) if isinstance(target, _AUTO_KEYS) else _AS_IS.get(type(target))
    if as_is is None:
        return prepared
    aware_moments = isinstance(field, models.DateTimeField)

    def fast(value: Any) -> Any:
        if type(value) in as_is:
            return value
        if aware_moments and type(value) is dt.datetime and value.utcoffset() is not None:
            return value
        return field.get_db_prep_save(value, db)

    return fast


def _dumps(value: Any) -> bytes | str:
    """JSON of a value. NaN and the infinities, which JSON has not, come out as ``null`` (PostgreSQL would
    refuse Django's ``NaN``): callers refuse them before, as the ClaimReview import does."""
    try:
        # Dates and dataclasses, which Django's encoder refuses, left to json.dumps to refuse as well.
        return orjson.dumps(value, option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS)
    except TypeError:  # what orjson refuses and JSON allows (integers beyond 64 bits): as Django writes it
        return json.dumps(value)


class _Pauses:
    """The bulk works under way in this process, and whether the collector ran before the first began."""

    lock = threading.Lock()
    count = 0
    collector_was_on = False


@contextlib.contextmanager
def young_collections_only() -> Iterator[Callable[[], None]]:
    """Bulk work without the cyclic garbage collector's automatic runs; the function yielded collects the
    young generations (0 and 1), for the work to call between its units (a chunk of a feed, a batch of rows).

    Bulk work allocates containers by the hundred thousand (a feed's parsed items, rows, model instances):
    the collector's thresholds then start a full collection every few thousand rows, and each walks every
    live object, the whole parsed feed among them, to find nothing (0.1–0.5 s of a 5,000-review import:
    bench/README.md). What the work lets go of is freed by reference counting as ever; the young
    collections between its units find the cycles it made, walking only what is new since the last.
    The collector is process-wide: the first of nested or concurrent bulk works (threads) pauses it, the
    last to leave turns it back on, if it was on before the first began.
    """
    with _Pauses.lock:
        if _Pauses.count == 0:
            _Pauses.collector_was_on = gc.isenabled()
            gc.disable()
        _Pauses.count += 1
    try:
        yield _collect_young
    finally:
        with _Pauses.lock:
            _Pauses.count -= 1
            if _Pauses.count == 0 and _Pauses.collector_was_on:
                gc.enable()


def _collect_young() -> None:
    gc.collect(1)
