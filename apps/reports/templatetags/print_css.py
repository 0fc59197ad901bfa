"""Text inside the print stylesheet (page headers are CSS `content` strings)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Ends the string or the escape, breaks out of <style>, or is not printable.
_UNSAFE = frozenset("\"\\<>&'")


@register.filter
def css_string(value: object) -> SafeString:
    """`value` for the inside of a double-quoted CSS string: quotes, backslashes,
    angle brackets and control characters as CSS hex escapes ("\\26 " for "&").
    Django's escapejs gives JavaScript escapes ("\\u0026"), which CSS prints as
    "u0026"; HTML escaping gives "&amp;", which a <style> element shows as is."""
    text = str(value)
    return mark_safe(  # noqa: S308 - every character that could break out is escaped
        "".join(
            f"\\{ord(char):x} " if char in _UNSAFE or ord(char) < 0x20 else char
            for char in text
        )
    )
