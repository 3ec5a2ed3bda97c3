"""Queries built and compiled once, then run with new values: for the pages read most.

Django builds and compiles a query's SQL afresh each time it runs. For a small
query that work (resolving each field's path and joins, ordering, quoting)
costs several times what the database spends answering it; a public area page
runs ten such queries on every cache miss. A ``Prepared`` query is built once
per database with stand-in values, its SQL kept, and later runs only put the
real values in their places: the same SQL, the same rows, converted by the same
field converters as the queryset would convert them.

Only a query whose SQL has the same shape for every value can be prepared: no
lookup that rewrites its value (``__contains``, ``__iexact``); building it
raises ``ImproperlyConfigured`` where a stand-in value does not come through
unchanged. The values may be integers, strings, dates, aware datetimes and
lists of integers (for ``pk__in``: the SQL is kept for each length a list
comes in, and an empty list reads nothing: give lists only to filters that
must all hold).

On PostgreSQL each one is also prepared on the server, once per connection
(``PREPARE``), and run with ``EXECUTE``: the server then neither parses nor
plans it again, which for these small queries is most of what they cost it
(on the big area page's ten queries, 6.4 ms became 3.7 ms). Connections are
kept between requests (``CONN_MAX_AGE``), so a worker prepares each query once.
Set ``DATABASE_SERVER_PREPARES = False`` where a pooler in transaction mode
stands between the portal and PostgreSQL and does not carry prepared
statements from one server connection to another.
"""

import datetime
import itertools
import re
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.utils import timezone

# Stand-ins no real value is: each kind's n-th argument gets its own. A list is of
# integers (primary keys, for ``pk__in``): its SQL is kept for each length it comes in.
_STAND_INS = {
    int: lambda n: -1_987_654_000 - n,
    list: lambda n, length=0: [-1_000_000_000 - 1_000_000 * n - i for i in range(length)],
    str: lambda n: f"prepared-query-stand-in-{n}",
    datetime.date: lambda n: datetime.date(1901, 2, 3 + n),
    datetime.datetime: lambda n: datetime.datetime(1901, 2, 3, 4, 5, 6, 7 + n, tzinfo=datetime.UTC),
}

# Server-side prepared statements: names never used twice in a process, and at most this
# many on one connection (a list's SQL is kept for each length it comes in; past this,
# plain SQL).
_NAMES = itertools.count(1)
_SERIALS = itertools.count(1)
MAX_PREPARED_PER_CONNECTION = 500
_PLACEHOLDER = re.compile(r"%(s|%)")


class Prepared:
    """``build(*values)`` -> a ``values_list`` queryset, compiled once per database.

    ``kinds`` gives each value's type (int, str, datetime.date, datetime.datetime, list).
    Calling it with the values returns the rows, as tuples, as
    ``list(build(*values))`` would.
    """

    def __init__(self, build, *kinds):
        for kind in kinds:
            if kind not in _STAND_INS:
                raise ImproperlyConfigured(f"A prepared query cannot take a {kind.__name__}.")
        self.build = build
        self.kinds = kinds
        self._compiled = {}
        self._lock = threading.Lock()
        self._serial = next(_SERIALS)  # its SQL's key among those prepared on a connection

    def _compile(self, using, lengths):
        connection = connections[using]
        stand_ins = [
            _STAND_INS[kind](n, lengths[n]) if kind is list else _STAND_INS[kind](n)
            for n, kind in enumerate(self.kinds)
        ]
        queryset = self.build(*stand_ins)
        if queryset._iterable_class.__name__ != "ValuesListIterable":
            raise ImproperlyConfigured("A prepared query must end with values_list().")
        query = queryset.query
        # Rows come as the SQL has them: fields, then annotations (values_list() would
        # put them back in the order it was given; a prepared query does not).
        if query.extra_select or list(queryset._fields) != [
            *query.values_select,
            *query.annotation_select,
        ]:
            raise ImproperlyConfigured(
                "A prepared query selects its fields, then its annotations, in values_list()."
            )
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        adapted = [
            self._adapt(connection, kind, value)
            for kind, value in zip(self.kinds, stand_ins, strict=True)
        ]
        # Where each stand-in (each item, for a list) is among the params.
        stand_in_at = {}
        for n, value in enumerate(adapted):
            for index, item in enumerate(value) if type(value) is list else [(None, value)]:
                stand_in_at[type(item), item] = (n, index)
        slots = [stand_in_at.get((type(param), param)) for param in params]
        missing = {n for n, _ in set(stand_in_at.values()) - set(slots)}
        if missing:
            raise ImproperlyConfigured(
                f"Values {sorted(missing)} of a prepared query do not reach its SQL unchanged."
            )
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise ImproperlyConfigured("A prepared query cannot select composite fields.")
        return sql, list(params), slots, compiler.get_converters(fields)

    @staticmethod
    def _adapt(connection, kind, value):
        if kind is list:
            return [int(item) for item in value]
        if kind is datetime.datetime:
            if timezone.is_naive(value):
                raise ValueError("A prepared query takes aware datetimes.")
            return connection.ops.adapt_datetimefield_value(value)
        if kind is datetime.date:
            return connection.ops.adapt_datefield_value(value)
        return value

    def __call__(self, *values, using="default"):
        if len(values) != len(self.kinds):
            raise TypeError(f"This prepared query takes {len(self.kinds)} values.")
        if any(kind is list and not value for kind, value in zip(self.kinds, values, strict=True)):
            return []  # "IN ()" matches nothing: Django reads nothing either
        lengths = tuple(
            len(value) if kind is list else None
            for kind, value in zip(self.kinds, values, strict=True)
        )
        key = (using, lengths)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key) or self._compile(using, lengths)
                self._compiled[key] = compiled
        sql, params, slots, converters = compiled
        connection = connections[using]
        adapted = [
            self._adapt(connection, kind, value)
            for kind, value in zip(self.kinds, values, strict=True)
        ]
        params = [
            param if slot is None else _value(adapted, slot)
            for param, slot in zip(params, slots, strict=True)
        ]
        with connection.cursor() as cursor:
            _run(connection, cursor, (self._serial, lengths), sql, params)
            rows = cursor.fetchall()
        if not converters:
            return [tuple(row) for row in rows]
        # As SQLCompiler.apply_converters, with this thread's connection (the compiler
        # that made the SQL holds the connection of the thread that first ran it).
        converters = list(converters.items())
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(tuple(row))
        return converted


class PreparedSQL:
    """SQL written by hand, for what the ORM cannot write, run as ``Prepared`` runs its SQL.

    ``sql(connection)`` returns the SQL, with ``%s`` for each value; it is called
    once per database, and should build every name in it from the models (quoted
    with ``connection.ops.quote_name``). Calling it with the values (already what
    the driver takes: aware datetimes, not naive ones) returns the rows, as tuples,
    as the driver gives them: no field converters run, so select only columns
    whose values need none on the databases it runs on. On PostgreSQL it is
    prepared on each connection once, as ``Prepared``'s SQL is.
    """

    def __init__(self, sql):
        self.sql = sql
        self._texts = {}
        self._serial = next(_SERIALS)  # its SQL's key among those prepared on a connection

    def __call__(self, *values, using="default"):
        connection = connections[using]
        text = self._texts.get(using)
        if text is None:
            text = self._texts[using] = self.sql(connection)
        with connection.cursor() as cursor:
            _run(connection, cursor, (self._serial, None), text, list(values))
            return [tuple(row) for row in cursor.fetchall()]


def _run(connection, cursor, key, sql, params):
    """Run the kept SQL: on PostgreSQL as a statement prepared on this connection's session.

    The first run on a connection sends ``PREPARE name AS ...; EXECUTE name(...)``
    in one round trip; later runs send only ``EXECUTE name(...)``. What is prepared
    is kept with the connection it was prepared on (a new connection, after a
    restart or CONN_MAX_AGE, starts with none), and PREPARE is not undone by a
    rollback. A name is recorded only once its first run succeeds; a failed run's
    name, prepared or not, is never used again: the next run takes a new one.
    """
    if connection.vendor != "postgresql" or not getattr(settings, "DATABASE_SERVER_PREPARES", True):
        cursor.execute(sql, params)
        return
    raw = connection.connection
    if getattr(connection, "_kit_prepared_on", None) is not raw:
        connection._kit_prepared_on, connection._kit_prepared = raw, {}
    prepared = connection._kit_prepared
    name = prepared.get(key)
    arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
    if name is not None:
        cursor.execute(f"EXECUTE {name}{arguments}", params)
        return
    if len(prepared) >= MAX_PREPARED_PER_CONNECTION:
        cursor.execute(sql, params)
        return
    name = f"kit_prepared_{next(_NAMES)}"
    cursor.execute(f"PREPARE {name} AS {server_sql(sql)}; EXECUTE {name}{arguments}", params)
    prepared[key] = name


def server_sql(sql):
    """The driver's SQL with numbered parameters: each %s becomes $1, $2...; a literal
    %% stays as it is, for the driver to make it % (the whole string still goes
    through the driver, for the EXECUTE after it)."""
    numbered = itertools.count(1)
    return _PLACEHOLDER.sub(
        lambda match: "%%" if match.group(1) == "%" else f"${next(numbered)}", sql
    )


def _value(adapted, slot):
    n, index = slot
    return adapted[n] if index is None else adapted[n][index]
