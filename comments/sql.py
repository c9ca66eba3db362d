"""Hand-written SQL for the statements every comment post runs.

Posting a comment reads its page and what the checks need to know about the sender,
stores the comment with its event, and counts it: about ten small statements, each of
which took the ORM several times longer to build than the database to run. Those are
written by hand (the same SQL on SQLite and PostgreSQL, with table names from the models)
and run through these helpers.
"""

import datetime as dt
import functools

from django.db import connection
from django.db.models.signals import post_save, pre_save


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql: str, params: list) -> int:
    """Run a statement that returns no rows; how many rows it changed."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def aware(value):
    """A time read back as the ORM would give it: SQLite hands times back as naive UTC,
    PostgreSQL as aware ones."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


@functools.cache
def _insert_statement(model) -> tuple[list, str]:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {table(model)} ({', '.join(quote(f.column) for f in fields)})"
        f" VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(model._meta.pk.column)}"
    )
    return fields, sql


def insert(instance) -> None:
    """Store a new model instance as save() does: each value prepared by its field, and
    the model's pre_save and post_save signals sent around one INSERT ... RETURNING."""
    model, alias = type(instance), connection.alias
    pre_save.send(sender=model, instance=instance, raw=False, using=alias, update_fields=None)
    fields, sql = _insert_statement(model)
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        (instance.pk,) = cursor.fetchone()
    instance._state.adding = False
    instance._state.db = alias
    post_save.send(
        sender=model, instance=instance, created=True, update_fields=None, raw=False, using=alias
    )
