"""Display helpers for registry pages. Pure: they never query the database."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

register = template.Library()


@register.filter
def person(user) -> str:
    """A user's full name, or their username."""
    if user is None:
        return "—"
    return user.get_full_name() or user.username


@register.filter
def words(value: str | Iterable[str]) -> str:
    """risk_officer → risk officer; a list becomes a comma-separated phrase."""
    if isinstance(value, str):
        return value.replace("_", " ")
    return ", ".join(str(item).replace("_", " ") for item in value)


@register.filter
def short_sha(value: str, length: int = 12) -> str:
    return value[: int(length)] if value else ""
