"""The promotion policies a new organisation starts from, by risk tier and target.

Stricter tiers need more approvers, a risk officer among them, more evidence, shorter
approval lifetimes and more frequent revalidation (in the spirit of SR 26-2's
materiality tiers). An org admin edits them; each edit is a new policy version.
"""

from __future__ import annotations

_VALIDATION = {
    "key": "validation_report",
    "kind": "validation_report",
    "description": "Independent validation report for this version.",
    "mandatory": True,
}
_MODEL_CARD = {
    "key": "model_card",
    "kind": "model_card",
    "description": "Model card: intended use, limitations, evaluation data.",
    "mandatory": True,
}
_FAIRNESS = {
    "key": "fairness_test",
    "kind": "fairness_test",
    "description": "Fairness test across the protected groups in scope.",
    "mandatory": True,
}
_SECURITY = {
    "key": "security_scan",
    "kind": "security_scan",
    "description": "Security scan of the serving image and dependencies.",
    "mandatory": True,
}

DEFAULT_POLICIES: dict[tuple[str, str], dict] = {
    ("low", "staging"): {"required_approvals": 1, "approval_ttl_days": 30},
    ("medium", "staging"): {"required_approvals": 1, "approval_ttl_days": 30},
    ("high", "staging"): {
        "required_approvals": 1,
        "approval_ttl_days": 14,
        "requirements": [_VALIDATION],
    },
    ("critical", "staging"): {
        "required_approvals": 2,
        "approval_ttl_days": 14,
        "requirements": [_VALIDATION],
    },
    ("low", "production"): {
        "required_approvals": 1,
        "approval_ttl_days": 14,
        "revalidation_interval_days": 365,
        "requirements": [{**_MODEL_CARD, "mandatory": False}],
    },
    ("medium", "production"): {
        "required_approvals": 2,
        "approval_ttl_days": 14,
        "revalidation_interval_days": 180,
        "requirements": [_MODEL_CARD],
    },
    ("high", "production"): {
        "required_approvals": 2,
        "required_roles": ["risk_officer"],
        "approval_ttl_days": 7,
        "revalidation_interval_days": 90,
        "allow_break_glass": True,
        "requirements": [_VALIDATION, _MODEL_CARD],
    },
    ("critical", "production"): {
        "required_approvals": 3,
        "required_roles": ["risk_officer"],
        "approval_ttl_days": 7,
        "revalidation_interval_days": 90,
        "allow_break_glass": True,
        "retrospective_hours": 24,
        "requirements": [_VALIDATION, _MODEL_CARD, _FAIRNESS, _SECURITY],
    },
}
