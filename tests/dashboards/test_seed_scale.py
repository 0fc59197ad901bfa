"""seed_scale: a synthetic organisation scored by the real engines, all or nothing."""

from __future__ import annotations

import json
import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.accounts.models import Membership, Organization, Role, Team, User
from apps.assessments.models import Assessment, ScoreDimension, ScoreSnapshot
from apps.assessments.scoring import (
    ArtifactReview,
    Claim,
    CriterionInput,
    Resolution,
    SignalState,
    score_assessment,
)
from apps.assessments.selectors import evaluate, scoring_context
from apps.audit.integrity import chain_verify
from apps.audit.models import AuditEvent, Chain
from apps.dashboards import scale
from apps.registry.models import Alias, ModelVersion, PromotionRequest, RegisteredModel
from apps.roadmaps import services
from apps.roadmaps.models import Roadmap
from apps.rubrics.models import Rubric, TeamTarget
from tests.accounts.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

TEAMS, QUARTERS, MODELS = 12, 3, 3
PAYLOAD_KEYS = {
    "dimensions",
    "floor",
    "index",
    "confidence",
    "target_gap",
    "conflicts",
    "engine_version",
    "disagreements",
    "signal_sources",
}
DIMENSION_KEYS = {
    "id",
    "level",
    "progress",
    "score",
    "weight",
    "core",
    "target",
    "gap",
    "credits",
}
CREDIT_KEYS = {
    "criterion",
    "level",
    "credit",
    "evidenced",
    "conflict",
    "claim",
    "artifact",
    "signal",
    "resolution",
}


def _seed(slug: str = "scale-test", *args: str) -> tuple[Organization, str]:
    out = StringIO()
    call_command(
        "seed_scale",
        *("--teams", str(TEAMS), "--quarters", str(QUARTERS)),
        *("--models-per-team", str(MODELS), "--org-slug", slug, "--no-progress"),
        *args,
        stdout=out,
        stderr=StringIO(),
    )
    return Organization.objects.get(slug=slug), out.getvalue()


def _snapshots(org: Organization):
    return ScoreSnapshot.objects.filter(
        assessment__team__organization=org
    ).select_related("assessment__team", "assessment__rubric")


def _inputs(payload: dict) -> dict[str, CriterionInput]:
    """What each credit rests on, as the engine takes it."""
    return {
        c["criterion"]: CriterionInput(
            Claim(c["claim"]),
            ArtifactReview(c["artifact"]),
            SignalState(c["signal"]),
            Resolution(c["resolution"]),
        )
        for d in payload["dimensions"]
        for c in d["credits"]
    }


def _numbers(org: Organization) -> list:
    snapshots = _snapshots(org).order_by("assessment__team__slug", "assessment__period")
    scores = [
        (s.assessment.team.slug, s.assessment.period, s.floor, s.index, s.confidence)
        for s in snapshots
    ]
    models = RegisteredModel.objects.filter(organization=org).order_by("name")
    tiers = list(models.values_list("name", "risk_tier", "next_version"))
    requests = PromotionRequest.objects.filter(version__model__organization=org)
    return [scores, tiers, sorted(requests.values_list("status", flat=True))]


def test_seed_scale_creates_the_expected_rows():
    org, _ = _seed()

    assessments = Assessment.objects.filter(team__organization=org)
    assert Team.objects.filter(organization=org).count() == TEAMS
    assert assessments.count() == TEAMS * QUARTERS
    assert set(assessments.values_list("status", "revision")) <= {
        ("submitted", 1),
        ("reviewed", 1),
    }
    assert _snapshots(org).count() == TEAMS * QUARTERS
    leads = Membership.objects.filter(organization=org, role=Role.TEAM_LEAD)
    assert leads.count() == TEAMS
    assert TeamTarget.objects.filter(team__organization=org).count() == TEAMS * 11
    models = RegisteredModel.objects.filter(organization=org)
    assert models.count() == TEAMS * MODELS
    assert (
        ModelVersion.objects.filter(model__organization=org).count() >= TEAMS * MODELS
    )


def test_seed_scale_moves_production_aliases_only_by_applied_requests():
    org, _ = _seed()

    aliases = Alias.objects.filter(model__organization=org).select_related(
        "via_request", "version"
    )
    assert aliases.exists()
    for alias in aliases:
        assert alias.protected
        assert alias.via_request.status == PromotionRequest.Status.APPLIED
        assert alias.via_request.version_id == alias.version_id
        assert alias.version.status == ModelVersion.Status.ACTIVE


def test_seed_scale_snapshots_have_the_real_shape():
    org, _ = _seed()

    for snapshot in _snapshots(org):
        payload = snapshot.payload
        assert set(payload) == PAYLOAD_KEYS
        for dimension in payload["dimensions"]:
            assert set(dimension) == DIMENSION_KEYS
            assert all(set(c) == CREDIT_KEYS for c in dimension["credits"])
        assert (snapshot.floor, snapshot.index) == (payload["floor"], payload["index"])
        assert snapshot.target_gap == payload["target_gap"]
        rows = ScoreDimension.objects.filter(snapshot=snapshot).order_by("dimension")
        assert [(r.dimension, r.level, r.conflicts) for r in rows] == [
            (d["id"], d["level"], sum(c["conflict"] for c in d["credits"]))
            for d in payload["dimensions"]
        ]
        assert sum(r.conflicts for r in rows) == len(payload["conflicts"])
    # Some teams claim what their repositories contradict.
    assert ScoreDimension.objects.filter(conflicts__gt=0).exists()


def test_seed_scale_scores_are_what_the_engine_computes_from_their_credits():
    org, _ = _seed()

    for snapshot in _snapshots(org):
        assessment = snapshot.assessment
        context = scoring_context(rubric=assessment.rubric, team=assessment.team)
        rescored = score_assessment(context.model, _inputs(snapshot.payload))
        assert rescored.floor == snapshot.floor
        assert rescored.index == pytest.approx(snapshot.index)
        assert rescored.confidence == pytest.approx(snapshot.confidence)
        assert rescored.target_gap == pytest.approx(snapshot.target_gap)


def test_seed_scale_latest_snapshots_follow_from_the_stored_rows():
    org, _ = _seed()
    latest = max(Assessment.objects.values_list("period", flat=True))

    for snapshot in _snapshots(org).filter(assessment__period=latest):
        # Answers, evidence, rulings and the repositories' signals, as stored.
        evaluation = evaluate(assessment=snapshot.assessment)
        assert evaluation.score.floor == snapshot.floor
        assert evaluation.score.index == pytest.approx(snapshot.index)
        sources = json.loads(json.dumps(dict(evaluation.facts.signal_sources)))
        assert sources == snapshot.payload["signal_sources"]


def test_seed_scale_plans_roadmaps_with_prerequisites_first():
    org, _ = _seed()
    latest = max(Assessment.objects.values_list("period", flat=True))

    roadmaps = Roadmap.objects.filter(team__organization=org).select_related(
        "assessment"
    )
    assert roadmaps.count() == TEAMS
    waiting = 0
    for roadmap in roadmaps.prefetch_related("items"):
        assert roadmap.assessment.period == latest
        rank = {item.criterion_key: item.rank for item in roadmap.items.all()}
        assert sorted(rank.values()) == list(range(1, len(rank) + 1))
        for item in roadmap.items.all():
            assert all(rank[key] < item.rank for key in item.requires)
            waiting += bool(item.requires)
    assert waiting  # some items do wait on others: the check above is not empty


def test_seed_scale_roadmaps_are_what_planning_again_gives():
    """The seeded plan digest is the service's: planning a team again from the same
    assessment and signals finds nothing new (no new revision, no event)."""
    org, _ = _seed()
    roadmap = Roadmap.objects.filter(team__organization=org).first()

    again = services.roadmap_generate(team=roadmap.team)

    assert (again.pk, again.revision, again.plan_digest) == (
        roadmap.pk,
        roadmap.revision,
        roadmap.plan_digest,
    )


def test_seed_scale_keeps_the_audit_chain_valid():
    org, _ = _seed()

    chain = Chain.objects.get(organization=org)
    assert chain_verify(chain=chain).ok
    last = AuditEvent.objects.filter(chain=chain).order_by("-seq").first()
    assert last.action == "scale.seeded"
    rows = json.loads(last.canonical)["data"]["rows"]
    assert rows["assessments"] == TEAMS * QUARTERS


def test_seed_scale_gives_the_same_numbers_for_the_same_seed():
    first, _ = _seed("scale-a", "--seed", "7")
    again, _ = _seed("scale-b", "--seed", "7")
    other, _ = _seed("scale-c", "--seed", "8")

    assert _numbers(first) == _numbers(again)
    assert _numbers(first) != _numbers(other)


def test_seed_scale_prints_a_summary():
    _, output = _seed()

    assert "Organisation 'scale-test' seeded in" in output
    assert re.search(rf"^  assessments +{TEAMS * QUARTERS}$", output, re.M)
    assert "audit_verify --org scale-test" in output


def test_seed_scale_draws_no_progress_bar_when_stderr_is_not_a_terminal():
    err = StringIO()

    call_command(
        "seed_scale", "--teams", "1", "--quarters", "1", stdout=StringIO(), stderr=err
    )

    assert err.getvalue() == ""


class _Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_seed_scale_draws_progress_bars_on_a_terminal():
    err = _Terminal()

    call_command(
        "seed_scale", "--teams", "1", "--quarters", "1", stdout=StringIO(), stderr=err
    )

    drawn = err.getvalue()
    assert "\r" in drawn
    assert "assessments: 100%" in drawn


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--teams", "0"], "--teams must be from 1 to"),
        (["--quarters", "0"], "--quarters must be from 1 to 40"),
        (["--quarters", "41"], "--quarters must be from 1 to 40"),
        (["--models-per-team", "-1"], "--models-per-team must be from 0"),
        (["--org-slug", "not a slug"], "is not a slug"),
        (["--teams", "many"], "invalid int value"),
    ],
)
def test_seed_scale_refuses_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("seed_scale", "--no-progress", *args, stdout=StringIO())

    assert not Organization.objects.exists()
    assert not User.objects.exists()
    assert not Rubric.objects.exists()


def test_seed_scale_refuses_an_existing_slug_and_writes_nothing():
    OrganizationFactory(slug="taken")
    events, teams = AuditEvent.objects.count(), Team.objects.count()

    with pytest.raises(CommandError, match="'taken' already exists"):
        call_command("seed_scale", "--org-slug", "taken", "--no-progress")

    assert (AuditEvent.objects.count(), Team.objects.count()) == (events, teams)
    assert not User.objects.exists()


def test_seed_scale_leaves_nothing_when_a_phase_fails(monkeypatch):
    def fail(world):
        raise RuntimeError("registry down")

    monkeypatch.setattr(scale.seed, "_registry", fail)

    with pytest.raises(RuntimeError, match="registry down"):
        _seed("half-done")

    assert not Organization.objects.filter(slug="half-done").exists()
    assert not Team.objects.exists()
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("today", "count", "expected"),
    [
        (date(2026, 11, 29), 3, ["2026-Q1", "2026-Q2", "2026-Q3"]),
        (date(2026, 1, 1), 2, ["2025-Q3", "2025-Q4"]),
        (date(2026, 4, 1), 1, ["2026-Q1"]),
    ],
)
def test_quarters_before_ends_with_the_last_full_quarter(today, count, expected):
    assert scale.quarters_before(today, count) == expected
