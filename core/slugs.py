"""Slugs that do not clash with the ones already taken."""

from django.db.models import QuerySet


def unique_slug(base: str, *, among: QuerySet, max_length: int, fallback: str = "item") -> str:
    """`base` cut to `max_length`, or else the first of "base-2", "base-3", ... that no row
    of `among` has as its slug.

    The number shortens the base rather than the slug outgrowing its column.
    """
    base = base[:max_length] or fallback
    candidate, number = base, 1
    while among.filter(slug=candidate).exists():
        number += 1
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)] + suffix
    return candidate
