"""Queries whose SQL the ORM builds once per process.

Building and compiling a queryset with subqueries and JSON arrays costs the ORM a few
milliseconds of CPU (the article page's story, with its polls), yet a hot read makes the
same SQL on every request with other values. So it is compiled once, with marker values
where the request's own go, and each request runs that SQL with its values in the
markers' places (`Prepared.params_for`). articles/reading.py does so for the story.
"""

from dataclasses import dataclass

from django.db.models.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class Prepared:
    sql: str
    params: tuple
    slots: tuple  # (position, marker): where each request's own values go

    def params_for(self, values: dict) -> list:
        """The compiled parameters with `values` (marker -> value) in the markers' places."""
        params = list(self.params)
        for position, marker in self.slots:
            params[position] = values[marker]
        return params


def prepare(compiler: SQLCompiler, markers: tuple) -> Prepared:
    """The SQL of a query's `compiler`, built with `markers` (values no request can send)
    among its parameters: each must come through compilation as a parameter (in every
    place it is one), not folded into the SQL text."""
    sql, params = compiler.as_sql()
    slots = tuple(
        (position, marker)
        for position, param in enumerate(params)
        for marker in markers
        if type(param) is type(marker) and param == marker
    )
    if {marker for _, marker in slots} != set(markers):
        raise AssertionError(f"Each marker must be a parameter of the SQL: {sql}")
    return Prepared(sql, tuple(params), slots)
