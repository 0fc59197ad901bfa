"""Output shapes of rubric endpoints. Every relation they read is prefetched by the
selector that feeds them (rubric_tree_get), so none of them queries."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.rubrics.models import Criterion, Dimension, Level, Option, Question, Rubric


# Described by a pattern, not an enum: list and detail both carry it, and an enum used
# by two components collides with the other models' "status" enums in the schema.
@extend_schema_field(
    {"type": "string", "pattern": f"^({'|'.join(Rubric.Status.values)})$"}
)
class RubricStatusField(serializers.CharField):
    pass


class RubricSerializer(serializers.ModelSerializer):
    status = RubricStatusField()

    class Meta:
        model = Rubric
        fields = [
            "slug",
            "version",
            "title",
            "description",
            "status",
            "published_at",
            "content_sha256",
        ]


class LevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Level
        fields = ["level", "name", "description"]


class OptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Option
        fields = ["value", "label", "level", "evidence_required"]


class QuestionSerializer(serializers.ModelSerializer):
    options = OptionSerializer(many=True)

    class Meta:
        model = Question
        fields = [
            "key",
            "type",
            "text",
            "help",
            "unit",
            "min_value",
            "max_value",
            "shared",
            "options",
        ]


class CriterionSerializer(serializers.ModelSerializer):
    question = serializers.CharField(source="question.key", help_text="Question key.")
    requires = serializers.ListField(child=serializers.CharField())
    met_when = serializers.JSONField(allow_null=True)

    class Meta:
        model = Criterion
        fields = [
            "key",
            "level",
            "statement",
            "evidence",
            "requires",
            "effort",
            "guidance",
            "anchor",
            "question",
            "met_when",
        ]


class DimensionSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True)
    criteria = CriterionSerializer(many=True)

    class Meta:
        model = Dimension
        fields = [
            "key",
            "name",
            "description",
            "core",
            "weight",
            "questions",
            "criteria",
        ]


class RubricTreeSerializer(RubricSerializer):
    levels = LevelSerializer(many=True)
    dimensions = DimensionSerializer(many=True)

    class Meta(RubricSerializer.Meta):
        fields = [*RubricSerializer.Meta.fields, "levels", "dimensions"]
