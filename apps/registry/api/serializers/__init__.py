"""Output and input shapes shared by the registry endpoints, by subdomain."""

from apps.registry.api.serializers.catalogue import (
    AliasSerializer,
    EvidenceItemSerializer,
    EvidenceSummarySerializer,
    ModelCountsSerializer,
    ModelRefSerializer,
    ModelVersionDetailSerializer,
    ModelVersionSerializer,
    RegisteredModelDetailSerializer,
    RegisteredModelSerializer,
    VersionContentInputSerializer,
    VersionRefSerializer,
)
from apps.registry.api.serializers.promotion import (
    DecisionSerializer,
    FindingSerializer,
    PromotionPolicySerializer,
    PromotionRequestDetailSerializer,
    PromotionRequestSerializer,
    ReadinessSerializer,
    RequestCommentSerializer,
    RequirementSerializer,
)

__all__ = [
    "AliasSerializer",
    "DecisionSerializer",
    "EvidenceItemSerializer",
    "EvidenceSummarySerializer",
    "FindingSerializer",
    "ModelCountsSerializer",
    "ModelRefSerializer",
    "ModelVersionDetailSerializer",
    "ModelVersionSerializer",
    "PromotionPolicySerializer",
    "PromotionRequestDetailSerializer",
    "PromotionRequestSerializer",
    "ReadinessSerializer",
    "RegisteredModelDetailSerializer",
    "RegisteredModelSerializer",
    "RequestCommentSerializer",
    "RequirementSerializer",
    "VersionContentInputSerializer",
    "VersionRefSerializer",
]
