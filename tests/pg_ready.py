"""Exit 0 when the PostgreSQL server of the given URL answers, 1 otherwise (used by `make test`)."""

import sys
from urllib.parse import urlsplit

import psycopg


def main(url: str) -> int:
    parts = urlsplit(url)
    try:
        # Connect to the maintenance database: the test database does not exist yet.
        with psycopg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or None,
            dbname="postgres",
            connect_timeout=3,
        ) as connection:
            ctype = connection.execute("SHOW lc_ctype").fetchone()
            encoding = connection.execute("SHOW server_encoding").fetchone()
    except psycopg.Error as error:
        print(f"PostgreSQL not reachable: {error}", file=sys.stderr)
        return 1
    print(f"PostgreSQL reachable: server_encoding={encoding and encoding[0]}, lc_ctype={ctype and ctype[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
