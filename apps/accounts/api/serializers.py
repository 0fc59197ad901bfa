"""Output shapes shared by several account endpoints."""

from rest_framework import serializers

from apps.accounts.models import ApiToken, BusinessUnit, Membership, Team


class UserBriefSerializer(serializers.Serializer):
    """Who someone is, wherever a person is named. A plain Serializer: it is nested in
    many answers, and a ModelSerializer rebuilds its fields for every instance."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()


class MembershipSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer()
    team = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "team", "created_at"]


class TeamMembershipSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer()

    class Meta:
        model = Membership
        fields = ["id", "user", "role"]


class BusinessUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = BusinessUnit
        fields = ["id", "name", "slug"]


class TeamSerializer(serializers.ModelSerializer):
    business_unit = BusinessUnitSerializer()
    members = TeamMembershipSerializer(source="memberships", many=True)

    class Meta:
        model = Team
        fields = ["id", "name", "slug", "description", "business_unit", "members"]


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
        ]


class TeamRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "slug"]
