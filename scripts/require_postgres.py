"""Fail loudly, with what to do, when the PostgreSQL server for the test leg does not answer."""

import sys

import dj_database_url
import psycopg


def main(url: str) -> int:
    config = dj_database_url.parse(url)
    try:
        psycopg.connect(
            host=config["HOST"] or "127.0.0.1",
            port=config["PORT"] or 5432,
            user=config["USER"] or "postgres",
            password=config["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=5,
        ).close()
    except psycopg.OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        print(
            f"error: the PostgreSQL test leg cannot run: {first_line}\n"
            f"  tried {url}; start PostgreSQL there (`make postgresql` installs and starts it here),\n"
            "  or set TEST_DATABASE_URL=postgres://user@host:port/name.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
