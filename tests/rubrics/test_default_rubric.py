"""The default rubric (fixtures/rubrics/mlops-default.yaml) is valid and complete."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.rubrics.models import Criterion, Rubric
from apps.rubrics.selectors import rubric_spec
from apps.rubrics.services import rubric_import, rubric_to_yaml
from apps.rubrics.spec import RubricSpec
from apps.rubrics.validation import parse_rubric

DEFAULT_PATH = Path(settings.BASE_DIR) / "fixtures" / "rubrics" / "mlops-default.yaml"


@pytest.fixture(scope="module")
def spec() -> RubricSpec:
    return parse_rubric(
        DEFAULT_PATH.read_text(encoding="utf-8"), filename=str(DEFAULT_PATH)
    )


def _criteria(spec: RubricSpec):
    return [c for d in spec.dimensions for c in d.criteria]


def test_default_rubric_identifies_itself(spec):
    assert (spec.slug, spec.version) == ("mlops-default", "1.0.0")
    assert [level.level for level in spec.levels] == [0, 1, 2, 3, 4]


def test_default_rubric_has_eleven_dimensions(spec):
    assert len(spec.dimensions) == 11
    assert all(d.name and d.weight > 0 for d in spec.dimensions)


def test_default_rubric_has_two_or_three_criteria_at_each_level_of_each_dimension(
    spec,
):
    for dimension in spec.dimensions:
        per_level = Counter(c.level for c in dimension.criteria)
        assert sorted(per_level) == [1, 2, 3, 4], dimension.key
        assert set(per_level.values()) <= {2, 3}, (dimension.key, per_level)


def test_default_rubric_has_between_90_and_130_criteria(spec):
    assert 90 <= len(_criteria(spec)) <= 130


def test_default_rubric_criteria_are_complete(spec):
    incomplete = [
        c.key
        for c in _criteria(spec)
        if not (c.statement and c.question.text and c.evidence and c.effort)
        or not (c.guidance.strip() and c.anchor.strip())
    ]

    assert incomplete == []


def test_default_rubric_asks_for_proof_at_levels_3_and_4(spec):
    attested = [
        c.key for c in _criteria(spec) if c.level >= 3 and c.evidence == "attest"
    ]

    assert attested == []


@pytest.mark.django_db
def test_default_rubric_imports_and_publishes_through_the_command():
    out = StringIO()

    call_command("rubric_import", str(DEFAULT_PATH), "--publish", stdout=out)

    rubric = Rubric.objects.get(slug="mlops-default")
    assert rubric.status == Rubric.Status.PUBLISHED
    assert rubric.dimensions.count() == 11
    assert Criterion.objects.filter(rubric=rubric).count() == len(
        parse_rubric(DEFAULT_PATH.read_text(), filename="x").criteria_by_key
    )


@pytest.mark.django_db
def test_default_rubric_round_trips(spec):
    rubric = rubric_import(spec=spec, publish=True).rubric

    stored = rubric_spec(rubric=rubric)
    again = parse_rubric(rubric_to_yaml(stored), filename="export.yaml")

    assert stored == spec
    assert again == spec
    assert again.fingerprint() == spec.fingerprint() == rubric.content_sha256
