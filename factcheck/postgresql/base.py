"""Django's PostgreSQL backend, reading timestamps with psycopg's C loader.

With ``USE_TZ`` Django reads every ``timestamptz`` through a loader of its own (a subclass of psycopg's
pure-Python ``TimestamptzLoader`` that parses the text, then sets the time zone to UTC): 3.6 µs a value
against 0.5 µs for psycopg's C loader, which gives the same UTC datetime on a connection whose
``TimeZone`` is UTC, as Django keeps its connections. The API's list page reads ~165 timestamps, so
half a millisecond of its Python (bench/README.md). Here the connection's loader keeps Django's class
and its ``timezone`` (Django compares it before every cursor) and loads with the C loader whenever the
session is in UTC; otherwise, as Django does.

``ENGINE: factcheck.postgresql`` (set by the settings for a ``postgres://`` ``DATABASE_URL``); the
vendor stays ``postgresql``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq
from psycopg.types.datetime import TimestamptzLoader

TIMESTAMPTZ = psycopg.postgres.types["timestamptz"].oid

#: psycopg's own loader for ``timestamptz`` text: its C version when psycopg has one (psycopg[binary]).
FAST_LOADER: Any = psycopg.adapters.get_loader(TIMESTAMPTZ, pq.Format.TEXT)


class UtcTimestamptzLoader(TimestamptzLoader):
    """A ``timestamptz`` as an aware datetime in UTC (``datetime.timezone.utc``, as Django's own)."""

    timezone = dt.UTC

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        connection = getattr(context, "connection", None)
        if connection is not None and connection.info.timezone is dt.UTC:
            self.load = FAST_LOADER(oid, context).load  # type: ignore[method-assign]

    def load(self, data: Any) -> dt.datetime:
        return super().load(data).astimezone(dt.UTC)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        if self.timezone is dt.UTC:  # USE_TZ: Django's loader for this connection is UTC's
            connection.adapters.register_loader(TIMESTAMPTZ, UtcTimestamptzLoader)
        return connection
