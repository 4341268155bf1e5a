"""Write rows straight to the database, many to a statement: the demo's bulk writer."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import connection, models

INSERT_ROWS = 2000  # rows per INSERT statement where the database allows it (SQLite caps it lower)


def first_history(model, objects: list, dates: list[datetime.datetime], reason: str) -> None:
    """Give each newly created object its first ("+") history row, as loading it from a fixture does."""
    if getattr(model, "history", None) is None:
        return
    history = model.history.model
    names = [f.attname for f in history._meta.concrete_fields if not f.attname.startswith("history_")]
    insert_rows(
        history,
        [
            {
                **{name: getattr(obj, name) for name in names},
                "history_date": day,
                "history_type": "+",
                "history_change_reason": reason,
            }
            for obj, day in zip(objects, dates, strict=True)
        ],
    )


def reason_length(model) -> int:
    """Return how long a history row's change reason may be (simple-history's default column holds 100)."""
    return model.history.model._meta.get_field("history_change_reason").max_length or 10_000


def insert_rows(model, rows: list[dict]) -> None:
    """Insert rows (attname -> value; other columns take their defaults) in one statement per table.

    The ORM's bulk_create prepares every value through its field (about 10 µs each): for a million history
    rows of 18 columns that is minutes. Here values are adapted once per distinct value and handed to the
    driver whole: PostgreSQL's COPY, or one prepared INSERT run for every row (executemany) elsewhere.
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    spec = [(f.attname, f.get_default(), _adapter(f)) for f in fields]
    values = [
        tuple(
            [
                row.get(name, default) if adapt is None else adapt(row.get(name, default))
                for name, default, adapt in spec
            ]
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)  # noqa: S608


def _adapter(field) -> Callable | None:
    """Return how to turn a Python value for `field` into what the database driver takes (None: as it is)."""
    if connection.vendor == "postgresql" or not isinstance(field, models.DateField):
        return None  # psycopg adapts dates and aware datetimes itself
    adapt = (
        connection.ops.adapt_datetimefield_value
        if isinstance(field, models.DateTimeField)
        else connection.ops.adapt_datefield_value
    )
    cache: dict = {None: None}

    def cached(value):
        # An action's dates repeat on each of its history rows: convert each once.
        try:
            return cache[value]
        except KeyError:
            cache[value] = adapted = adapt(value)
            return adapted

    return cached


def fast_writes() -> Callable[[], None]:
    """Relax durability for the bulk load (a crash loses only demo data); return how to restore it."""
    if connection.in_atomic_block:
        return lambda: None  # inside someone else's transaction (tests): leave the connection alone
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
            return lambda: connection.cursor().execute("PRAGMA synchronous=NORMAL")
        if connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit TO OFF")
            return lambda: connection.cursor().execute("SET synchronous_commit TO DEFAULT")
    return lambda: None
