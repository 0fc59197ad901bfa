"""Registry pages: server-rendered, thin; reads through selectors, writes through the
services and the promotion workflow."""

from apps.registry.views.models import (
    evidence_add,
    evidence_file,
    model_detail,
    model_evidence_review,
    model_list,
    promotion_open,
)
from apps.registry.views.requests import (
    request_apply,
    request_break_glass,
    request_comment,
    request_decide,
    request_detail,
    request_evidence_review,
    request_list,
    request_withdraw,
)

__all__ = [
    "evidence_add",
    "evidence_file",
    "model_detail",
    "model_evidence_review",
    "model_list",
    "promotion_open",
    "request_apply",
    "request_break_glass",
    "request_comment",
    "request_decide",
    "request_detail",
    "request_evidence_review",
    "request_list",
    "request_withdraw",
]
