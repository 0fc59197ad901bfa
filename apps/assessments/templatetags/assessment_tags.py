"""Display helpers for questionnaire pages. Pure: they never query the database."""

from __future__ import annotations

from typing import Any

from django import template

from apps.assessments.forms import NONE_OF_THESE
from apps.assessments.questionnaire import QuestionView, form_value

register = template.Library()


def _posted(view: QuestionView, posted, suffix: str) -> Any:
    return (
        posted.get(f"q{view.question.pk}-{suffix}", "") if posted is not None else None
    )


@register.inclusion_tag("assessments/_answer_control.html")
def answer_control(view: QuestionView, posted=None) -> dict[str, Any]:
    question = view.question
    if posted is not None:
        name = f"q{question.pk}-value"
        current = (
            posted.getlist(name)
            if question.type == "multi_select"
            else posted.get(name, "")
        )
    else:
        current = form_value(question, view.mine)
        if question.type == "multi_select" and current == []:
            current = [NONE_OF_THESE]
    if question.type == "multi_select":
        current = current or []
    elif current is not None:
        current = str(current)
    return {"q": question, "current": current, "none_of_these": NONE_OF_THESE}


@register.filter
def na_value(view: QuestionView, posted=None) -> str:
    if posted is not None:
        return _posted(view, posted, "na")
    return view.mine.na_reason if view.mine else ""


@register.filter
def notes_value(view: QuestionView, posted=None) -> str:
    if posted is not None:
        return _posted(view, posted, "notes")
    return view.mine.notes if view.mine else ""


@register.filter
def get_item(mapping: dict | None, key: Any) -> Any:
    return (mapping or {}).get(key, [])


@register.filter
def answer_text(answer, question) -> str:
    """An answer in words, for showing what other respondents said."""
    if answer.na_reason:
        return f"N/A ({answer.get_na_reason_display()})"
    value = answer.value
    if value is None:
        return "no answer"
    if question.type == "yes_no":
        return "yes" if value else "no"
    labels = {o.value: o.label for o in question.options.all()}
    if question.type == "multi_select":
        return ", ".join(labels.get(v, v) for v in value) or "none of these"
    return str(labels.get(value, value))


@register.filter
def signed(value, places: int = 0) -> str:
    """A change with its sign: +1, −0.25, 0."""
    if value is None:
        return "—"
    text = f"{value:+.{int(places)}f}"
    return "0" if float(text) == 0 else text.replace("-", "−")
