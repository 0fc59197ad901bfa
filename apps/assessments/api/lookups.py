"""Rows an API acts on, read through the selectors: invisible ones are 404s."""

from __future__ import annotations

from rest_framework.exceptions import NotFound

from apps.assessments import selectors
from apps.assessments.models import Assessment, Evidence


def visible_assessment(request, assessment_id: int) -> Assessment:
    """The assessment if the caller may read it; another org's or team's is a 404."""
    assessment = selectors.assessment_get(
        fetched_by=request.user, assessment_id=assessment_id
    )
    if assessment is None:
        raise NotFound("No such assessment.")
    return assessment


def assessment_evidence(assessment: Assessment, evidence_id: int) -> Evidence:
    evidence = selectors.evidence_get(assessment=assessment, evidence_id=evidence_id)
    if evidence is None:
        raise NotFound("No such evidence in this assessment.")
    return evidence
