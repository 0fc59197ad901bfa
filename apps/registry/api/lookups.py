"""Rows an API acts on, read through the selectors. A row in the URL that the caller
cannot see is a 404; one named in the body is a 400 on that field."""

from __future__ import annotations

from typing import TypeVar

from django.utils import timezone
from rest_framework.exceptions import NotFound, ValidationError

from apps.accounts import selectors as accounts_selectors
from apps.accounts.models import User
from apps.registry import selectors
from apps.registry.models import (
    EvidenceItem,
    Finding,
    ModelVersion,
    PromotionRequest,
    RegisteredModel,
)

T = TypeVar("T")


def _found(row: T | None, missing: str) -> T:
    if row is None:
        raise NotFound(missing)
    return row


def visible_model(request, model_id: int) -> RegisteredModel:
    return _found(
        selectors.model_get(fetched_by=request.user, model_id=model_id),
        "No such model.",
    )


def model_detail(request, model_id: int) -> RegisteredModel:
    return _found(
        selectors.model_detail(fetched_by=request.user, model_id=model_id),
        "No such model.",
    )


def visible_version(request, version_id: int) -> ModelVersion:
    return _found(
        selectors.version_get(fetched_by=request.user, version_id=version_id),
        "No such version.",
    )


def version_detail(request, version_id: int) -> ModelVersion:
    return _found(
        selectors.version_detail(fetched_by=request.user, version_id=version_id),
        "No such version.",
    )


def visible_evidence(request, evidence_id: int) -> EvidenceItem:
    return _found(
        selectors.evidence_get(fetched_by=request.user, item_id=evidence_id),
        "No such evidence.",
    )


def visible_request(request, request_id: int) -> PromotionRequest:
    return _found(
        selectors.request_get(fetched_by=request.user, request_id=request_id),
        "No such promotion request.",
    )


def request_detail(request, request_id: int) -> PromotionRequest:
    return _found(
        selectors.request_detail(
            fetched_by=request.user, request_id=request_id, now=timezone.now()
        ),
        "No such promotion request.",
    )


def visible_finding(request, finding_id: int) -> Finding:
    return _found(
        selectors.finding_get(fetched_by=request.user, finding_id=finding_id),
        "No such finding.",
    )


def named_version(request, version_id: int, *, field: str) -> ModelVersion:
    version = selectors.version_get(fetched_by=request.user, version_id=version_id)
    if version is None:
        raise ValidationError({field: ["Unknown version."]})
    return version


def named_user(request, user_id: int, *, field: str) -> User:
    user = accounts_selectors.user_get(fetched_by=request.user, user_id=user_id)
    if user is None:
        raise ValidationError({field: ["Unknown user."]})
    return user
