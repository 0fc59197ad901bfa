"""Output shapes of the roadmaps API. None of them queries: selectors.roadmap_of and
selectors.item_get load each item's criterion and owner, and the roadmap's team,
assessment and author; org_gaps answers plain dataclasses.

Kinds, phases and statuses are plain strings with their values in the help text, as
in the repositories' API (choice fields would collide in the schema).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.api.serializers import TeamRefSerializer, UserBriefSerializer
from apps.roadmaps.models import RoadmapItem


def choices_text(choices: type) -> str:
    """The values of a TextChoices, for the help text of a plain-string field."""
    return " | ".join(choices.values)


OUT_OF_PLAN = " Null once the latest generation no longer plans the item."


class FactorsSerializer(serializers.Serializer):
    """What the priority is made of: weight × urgency × (1 + unblocks) / effort."""

    weight = serializers.FloatField(help_text="The dimension's weight.")
    urgency = serializers.FloatField()
    raises_floor = serializers.BooleanField(
        help_text="Lifts the team's lowest core dimension."
    )
    below_target = serializers.BooleanField()
    unblocks = serializers.IntegerField(help_text="Plan items waiting on this one.")
    effort = serializers.IntegerField(help_text="1 small, 2 medium, 3 large.")


class RoadmapItemSerializer(serializers.Serializer):
    """One step of the plan, with the team's edits and how it closed."""

    id = serializers.IntegerField()
    criterion = serializers.CharField(source="criterion_key")
    statement = serializers.CharField(source="criterion.statement")
    guidance = serializers.CharField(source="criterion.guidance")
    dimension = serializers.CharField(source="dimension_key")
    level = serializers.IntegerField(
        source="target_level", help_text="The level this item helps reach."
    )
    kind = serializers.CharField(help_text=choices_text(RoadmapItem.Kind))
    phase = serializers.SerializerMethodField()
    rank = serializers.SerializerMethodField()
    priority = serializers.FloatField()
    factors = FactorsSerializer()
    requires = serializers.ListField(
        child=serializers.CharField(), help_text="Criteria to do before this one."
    )
    unblocks = serializers.ListField(
        child=serializers.CharField(), help_text="Criteria waiting on this one."
    )
    blocked_by_target = serializers.ListField(
        child=serializers.CharField(),
        help_text="Prerequisites beyond their dimension's target.",
    )
    pulled_in = serializers.BooleanField(
        help_text="Planned only as another item's prerequisite."
    )
    in_plan = serializers.BooleanField()
    status = serializers.CharField(help_text=choices_text(RoadmapItem.Status))
    dismissed_reason = serializers.CharField(help_text="Empty unless dismissed.")
    owner = UserBriefSerializer(allow_null=True)
    due_quarter = serializers.CharField(help_text='"2027-Q1"; empty when unset.')
    closed_at = serializers.DateTimeField(allow_null=True)
    closed_by = serializers.CharField(
        help_text=choices_text(RoadmapItem.ClosedBy) + " | empty while open."
    )
    closing_evidence = serializers.DictField(
        help_text="What showed the criterion met: a signal and its sources, a "
        "verified artifact, or the assessment."
    )

    @extend_schema_field(
        serializers.CharField(
            allow_null=True,
            help_text=choices_text(RoadmapItem.Phase) + "." + OUT_OF_PLAN,
        )
    )
    def get_phase(self, item: RoadmapItem) -> str | None:
        return item.phase if item.in_plan else None

    @extend_schema_field(
        serializers.IntegerField(allow_null=True, help_text="1 = first." + OUT_OF_PLAN)
    )
    def get_rank(self, item: RoadmapItem) -> int | None:
        return item.rank if item.in_plan else None


class AssessmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    period = serializers.CharField(help_text='e.g. "2026-Q4".')


class RoadmapSerializer(serializers.Serializer):
    """A team's roadmap (selectors.roadmap_of): what it was built from, and its items
    in plan order."""

    team = TeamRefSerializer()
    revision = serializers.IntegerField(help_text="1, then +1 per generation.")
    generated_at = serializers.DateTimeField()
    generated_by = UserBriefSerializer(
        allow_null=True,
        help_text="Null when a new assessment or scan regenerated it.",
    )
    assessment = AssessmentRefSerializer(help_text="The assessment planned from.")
    signals_as_of = serializers.DateTimeField(
        allow_null=True, help_text="The newest signal observation read."
    )
    signal_states = serializers.DictField(
        child=serializers.CharField(),
        help_text="Signal key → fresh | stale | absent, as the plan used them.",
    )
    floor = serializers.IntegerField(help_text="The team's lowest core level.")
    engine_version = serializers.CharField()
    items = RoadmapItemSerializer(many=True, source="items.all", help_text="By rank.")


# --- Organisation gaps --------------------------------------------------------------


class CommonGapSerializer(serializers.Serializer):
    """A criterion in the Now phase of several teams' roadmaps."""

    criterion = serializers.CharField()
    statement = serializers.CharField()
    dimension = serializers.CharField(help_text="The dimension's name.")
    level = serializers.IntegerField()
    teams = serializers.ListField(
        child=serializers.CharField(), help_text="Team names, sorted."
    )


class SharedBlockerSerializer(CommonGapSerializer):
    """An open prerequisite that holds back items of several teams."""

    items_blocked = serializers.IntegerField()


class OrgGapsSerializer(serializers.Serializer):
    teams_with_roadmap = serializers.IntegerField()
    common_now = CommonGapSerializer(many=True)
    shared_blockers = SharedBlockerSerializer(many=True)
