"""The project's PostgreSQL backend (``factcheck.postgresql``): timestamps read by psycopg's C loader."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import psycopg
import pytest
from django.db import connection
from psycopg.types import datetime as psycopg_datetime

from factcheck.postgresql.base import TIMESTAMPTZ, UtcTimestamptzLoader

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

MOMENTS = ["2019-04-07 09:15:00+07", "2026-01-01 00:00:00.5+00", "1999-12-31 23:59:59.999999-05"]
EXPECTED = [
    dt.datetime(2019, 4, 7, 2, 15, tzinfo=dt.UTC),
    dt.datetime(2026, 1, 1, 0, 0, 0, 500000, tzinfo=dt.UTC),
    dt.datetime(2000, 1, 1, 4, 59, 59, 999999, tzinfo=dt.UTC),
]


def test_django_reads_timestamps_in_utc_without_the_python_parser():
    with (
        mock.patch.object(psycopg_datetime.TimestamptzLoader, "_load_iso", side_effect=AssertionError("Python")),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT %s::timestamptz, %s::timestamptz, %s::timestamptz", MOMENTS)
        row = cursor.fetchone()
    assert list(row) == EXPECTED
    assert all(value.tzinfo is dt.UTC for value in row)  # as Django's own loader set it
    assert connection.connection.adapters.get_loader(TIMESTAMPTZ, psycopg.pq.Format.TEXT) is UtcTimestamptzLoader


def test_a_session_in_another_time_zone_still_reads_utc():
    params = connection.get_connection_params()
    params.pop("context", None)
    params.pop("cursor_factory", None)
    with psycopg.connect(**params) as raw:
        raw.execute("SET TIME ZONE 'Asia/Ho_Chi_Minh'")
        raw.adapters.register_loader(TIMESTAMPTZ, UtcTimestamptzLoader)
        row = raw.execute("SELECT %s::timestamptz, %s::timestamptz, %s::timestamptz", MOMENTS).fetchone()
    assert list(row) == EXPECTED
    assert all(value.tzinfo is dt.UTC for value in row)
