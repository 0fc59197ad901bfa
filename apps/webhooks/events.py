"""The events Tollgate publishes to webhook subscribers.

A subscription lists the names it wants, or WILDCARD for every one. Adding a name here
is all it takes to publish a new event; removing one leaves existing subscriptions
naming it harmless (they never receive it again).
"""

from __future__ import annotations

EVENT_TYPES = (
    "promotion_request.opened",
    "promotion_request.decided",
    "promotion_request.reopened",
    "promotion_request.approved",
    "promotion_request.rejected",
    "promotion_request.applied",
    "promotion_request.withdrawn",
    "promotion_request.expired",
    "promotion_request.break_glass_applied",
    "promotion_request.retrospective_missed",
    "model_version.revalidation_overdue",
    "alias.drift_detected",
)
WILDCARD = "*"


def is_known_event(name: str) -> bool:
    return name in EVENT_TYPES
