"""The shape of a rubric file, checked field by field (DRF serializers, no database)."""

from __future__ import annotations

import math
from typing import Any

from rest_framework import serializers

from apps.rubrics.models import Criterion, Question

ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*\Z"


class Text(serializers.CharField):
    """A string field that refuses YAML's surprise types (yes → True, 1.0 → float)."""

    default_error_messages = {
        "not_text": "must be text; quote it (YAML reads yes/no/on/off as booleans)"
    }

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


class StrictInteger(serializers.IntegerField):
    default_error_messages = {"not_integer": "must be a whole number"}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("not_integer")
        return super().to_internal_value(data)


class StrictBoolean(serializers.BooleanField):
    """true or false only: DRF would also take "yes", "on", 1 and "0"."""

    default_error_messages = {"not_boolean": "must be true or false"}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("not_boolean")
        return data


class StrictFloat(serializers.FloatField):
    """A finite number, never a boolean (YAML's yes), a quoted string or .inf/.nan."""

    default_error_messages = {"not_number": "must be a number"}

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("not_number")
        if not math.isfinite(data):
            self.fail("not_number")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know: a typo must not be silently ignored."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": ["must be a mapping"]}
            )
        unknown = sorted(str(key) for key in set(data) - set(self.fields))
        validated = {}
        errors: dict[str, Any] = {key: ["unknown field"] for key in unknown}
        try:
            validated = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors = {**exc.detail, **errors}
        if errors:
            raise serializers.ValidationError(errors)
        return validated


class OptionSchema(StrictSerializer):
    value = Text(max_length=60)
    label = Text(max_length=200)
    level = StrictInteger(min_value=0, max_value=4, required=False)
    evidence = serializers.ChoiceField(choices=["required", "optional"], required=False)


class QuestionSchema(StrictSerializer):
    id = serializers.RegexField(ID_PATTERN, max_length=120, required=False)
    type = serializers.ChoiceField(choices=Question.Type.values)
    text = Text()
    help = Text(required=False, allow_blank=True)
    unit = Text(required=False, max_length=30)
    min = StrictFloat(required=False)
    max = StrictFloat(required=False)
    options = OptionSchema(many=True, required=False)


class QuestionRef(serializers.Field):
    """Either an inline question (a mapping) or the id of a shared question (text)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            return data
        schema = QuestionSchema(data=data)
        if not schema.is_valid():
            raise serializers.ValidationError(schema.errors)
        return schema.validated_data

    def to_representation(self, value: Any) -> Any:
        return value


class CriterionSchema(StrictSerializer):
    id = serializers.RegexField(ID_PATTERN, max_length=120)
    level = StrictInteger(min_value=1, max_value=4)
    statement = Text()
    evidence = Text(max_length=60)
    requires = serializers.ListField(child=Text(max_length=120), allow_empty=True)
    effort = serializers.ChoiceField(choices=Criterion.Effort.values)
    guidance = Text(required=False, allow_blank=True)
    anchor = Text(required=False, allow_blank=True, max_length=300)
    question = QuestionRef()
    met_when = serializers.DictField(required=False)


class DimensionSchema(StrictSerializer):
    id = serializers.RegexField(r"^[a-z0-9_]+\Z", max_length=40)
    name = Text(max_length=120)
    description = Text(required=False, allow_blank=True)
    core = StrictBoolean()
    weight = StrictFloat(min_value=0.001)
    questions = QuestionSchema(many=True, required=False)
    criteria = CriterionSchema(many=True, allow_empty=False)


class LevelSchema(StrictSerializer):
    level = StrictInteger(min_value=0, max_value=4)
    name = Text(max_length=60)
    description = Text(required=False, allow_blank=True)


class RubricSchema(StrictSerializer):
    slug = serializers.RegexField(r"^[a-z0-9][a-z0-9-]*\Z", max_length=60)
    version = serializers.RegexField(
        r"^\d+\.\d+\.\d+\Z",
        max_length=30,
        error_messages={"invalid": "must be a semantic version such as 1.0.0"},
    )
    title = Text(max_length=200)
    description = Text(required=False, allow_blank=True)
    levels = LevelSchema(many=True, allow_empty=False)
    dimensions = DimensionSchema(many=True, allow_empty=False)


def flatten_errors(detail: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """DRF's nested error structure as (path, message) pairs."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            step = () if key == "non_field_errors" else (key,)
            out += flatten_errors(value, path + step)
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [(path, str(message)) for message in detail]
        out = []
        for index, item in enumerate(detail):
            if item:
                out += flatten_errors(item, (*path, index))
        return out
    return [(path, str(detail))]
