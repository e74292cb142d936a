"""Many new rows at once: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

``bulk_create`` writes one ``INSERT`` with a placeholder per value; for a ClaimReview import's external
reviews (each with its whole JSON item) the statement ran to megabytes, and building it and binding its
parameters cost more than the database's work (bench/README.md). ``COPY`` streams the same rows. The
values are prepared by the model's own fields (``pre_save`` and ``get_db_prep_save``: defaults,
``auto_now``, JSON), so a row is what ``bulk_create`` would have written; no signal is sent, as with
``bulk_create``. For rows whose ids are not needed afterwards: ``COPY`` returns none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.db import connection, models


def insert_rows(model: type[models.Model], objects: Sequence[models.Model], batch_size: int = 500) -> int:
    """Insert these new instances of ``model`` in the current transaction; return how many."""
    if not objects:
        return 0
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=batch_size)
        return len(objects)
    fields = [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField | models.BigAutoField))
        and not getattr(field, "generated", False)
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(cast(str, field.column)) for field in fields)  # concrete: set
    connection.ensure_connection()
    raw: Any = connection.connection  # Django's cursor wrapper has no copy()
    # Django's own exceptions (an IntegrityError for a duplicate key), as from its cursors.
    with (
        connection.wrap_database_errors,
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for instance in objects:
            copy.write_row([field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields])
    return len(objects)
