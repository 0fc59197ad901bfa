"""The assessments API: status codes, shapes, who may do what, query budgets, errors."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import Role, User
from apps.assessments import services
from apps.assessments.models import Answer, Assessment, Evidence, ScoreSnapshot
from apps.assessments.services import AnswerInput
from tests.accounts.factories import (
    BusinessUnitFactory,
    MembershipFactory,
    OrganizationFactory,
    TeamFactory,
    UserFactory,
)
from tests.assessments.conftest import GOOD_ANSWERS
from tests.assessments.factories import (
    PDF_BYTES,
    AssessmentFactory,
    pdf_upload,
    rubric_create,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/assessments/"


def url(assessment, tail: str = "") -> str:
    return f"{URL}{assessment.pk}/{tail}"


def error(response) -> dict:
    """The error body, after checking it has the one error shape."""
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


@pytest.fixture
def other_team(org):
    return TeamFactory(business_unit=BusinessUnitFactory(organization=org))


# --- list ------------------------------------------------------------------------------


def test_assessment_list_shows_each_item_with_its_latest_scores(
    submitted, member, api_client
):
    response = api_client(member).get(URL)

    assert response.status_code == 200
    [item] = response.json()["results"]
    snapshot = submitted.snapshots.get()
    assert item == {
        "id": submitted.pk,
        "team": {
            "id": submitted.team_id,
            "name": "Fraud models",
            "slug": submitted.team.slug,
        },
        "period": "2026-Q4",
        "revision": 1,
        "status": "submitted",
        "rubric": {
            "id": submitted.rubric_id,
            "slug": "test-rubric",
            "version": "1.0.0",
        },
        "latest": {
            "floor": snapshot.floor,
            "index": snapshot.index,
            "confidence": snapshot.confidence,
        },
        "created_at": item["created_at"],
        "updated_at": item["updated_at"],
    }


def test_assessment_list_hides_other_teams_from_team_members(
    draft, other_team, member, make_user, api_client
):
    AssessmentFactory(team=other_team, rubric=draft.rubric)

    mine = api_client(member).get(URL).json()["results"]
    everyone = api_client(make_user(Role.EXECUTIVE)).get(URL).json()["results"]

    assert [a["id"] for a in mine] == [draft.pk]
    assert len(everyone) == 2


def test_assessment_list_hides_other_organisations(draft, api_client):
    stranger = UserFactory(organization=OrganizationFactory())
    MembershipFactory(user=stranger, role=Role.ORG_ADMIN)

    response = api_client(stranger).get(URL)

    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=draft", ["2026-Q4"]),
        ("status=submitted", ["2026-Q3"]),
        ("period=2026-Q3", ["2026-Q3"]),
        ("team={team}", ["2026-Q4", "2026-Q3"]),
        ("team={other}", []),
    ],
)
def test_assessment_list_filters(
    draft, team, other_team, assessor, api_client, query, expected
):
    earlier = AssessmentFactory(team=team, rubric=draft.rubric, period="2026-Q3")
    Assessment.objects.filter(pk=earlier.pk).update(status="submitted")

    response = api_client(assessor).get(
        f"{URL}?{query.format(team=team.pk, other=other_team.pk)}"
    )

    assert [a["period"] for a in response.json()["results"]] == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=finished", "status"),
        ("period=2026-13", "period"),
        ("team=fraud", "team"),
        ("team=99999999999999999999999", "team"),
    ],
)
def test_assessment_list_refuses_bad_filters(assessor, api_client, query, field):
    response = api_client(assessor).get(f"{URL}?{query}")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == [field]


@pytest.mark.parametrize("rows", [1, 5])
def test_assessment_list_runs_constant_queries(
    rows, team, rubric, make_user, api_client, django_assert_num_queries
):
    for n in range(rows):
        assessment = AssessmentFactory(team=team, rubric=rubric)
        ScoreSnapshot.objects.create(
            assessment=assessment,
            kind="submitted",
            rubric=rubric,
            engine_version="1.0.0",
            floor=n,
            index=n / 2,
            confidence=0.5,
            target_gap=0,
            payload={},
        )
    caller = make_user(Role.TEAM_MEMBER, team=team)
    client = api_client(User.objects.get(pk=caller.pk))

    # 1 caller's roles, 2 count, 3 the page joined to team, business unit and
    # rubric, with the latest snapshot's floor, index and confidence as subqueries.
    with django_assert_num_queries(3):
        response = client.get(URL)

    assert len(response.json()["results"]) == rows


# --- create ------------------------------------------------------------------------------


def test_assessment_create_uses_the_latest_published_rubric(
    team, lead, api_client, rubric
):
    newer = rubric_create(version="1.1.0")

    response = api_client(lead).post(
        f"{URL}create/",
        {"team": team.pk, "period": "2026-Q4", "rubric_slug": "test-rubric"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["revision"]) == ("draft", 1)
    assert body["rubric"] == {"id": newer.pk, "slug": "test-rubric", "version": "1.1.0"}
    assert body["latest"] == {"floor": None, "index": None, "confidence": None}
    assert Assessment.objects.get().created_by == lead


def test_assessment_create_takes_a_named_version(team, make_user, api_client, rubric):
    rubric_create(version="1.1.0")
    admin = make_user(Role.ORG_ADMIN)

    response = api_client(admin).post(
        f"{URL}create/",
        {
            "team": team.pk,
            "period": "2026-Q4",
            "rubric_slug": "test-rubric",
            "rubric_version": "1.0.0",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["rubric"]["id"] == rubric.pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period": "2026-Q5"}, "period"),
        ({"rubric_slug": "no-such-rubric"}, "rubric_slug"),
        ({"rubric_version": "9.9.9"}, "rubric_slug"),
        ({"rubric_version": "2.0.0"}, "rubric"),  # a draft
        ({"team": 0}, "team"),
        ({"team": None}, "team"),
    ],
)
def test_assessment_create_names_the_bad_field(team, lead, api_client, body, field):
    rubric_create()
    rubric_create(version="2.0.0", publish=False)
    data = {"team": team.pk, "period": "2026-Q4", "rubric_slug": "test-rubric"}

    response = api_client(lead).post(f"{URL}create/", data | body, format="json")

    assert response.status_code == 400
    assert field in error(response)["fields"]
    assert not Assessment.objects.exists()


def test_assessment_create_refuses_a_second_one_for_the_period(draft, lead, api_client):
    response = api_client(lead).post(
        f"{URL}create/",
        {"team": draft.team_id, "period": "2026-Q4", "rubric_slug": "test-rubric"},
        format="json",
    )

    assert response.status_code == 400
    assert error(response)["fields"] == {"period": ["Already assessed."]}


@pytest.mark.parametrize("role", [Role.TEAM_MEMBER, Role.ASSESSOR, Role.EXECUTIVE])
def test_assessment_create_is_for_team_leads_and_admins(
    team, rubric, make_user, api_client, role
):
    caller = make_user(role, team=team)

    response = api_client(caller).post(
        f"{URL}create/",
        {"team": team.pk, "period": "2026-Q4", "rubric_slug": "test-rubric"},
        format="json",
    )

    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"


# --- detail ------------------------------------------------------------------------------


@pytest.fixture
def disputed(draft, member, lead, answer, questions) -> Assessment:
    """Two respondents who disagree on one question, with a file and a link."""
    answer(draft, member, **GOOD_ANSWERS)
    answer(draft, lead, **{"data.l1.documented": False, "ops.l3.retraining": None})
    services.evidence_add(
        assessment=draft,
        question=questions["data.l3.validated"],
        added_by=member,
        upload=pdf_upload(),
    )
    services.evidence_add(
        assessment=draft,
        question=questions["ops.l2.tools"],
        added_by=member,
        url="https://example.com/registry",
        option_value="registry",
    )
    return draft


def test_assessment_detail_groups_answers_by_question(disputed, member, api_client):
    body = api_client(member).get(url(disputed)).json()

    groups = {g["question_key"]: g for g in body["answers"]}
    documented = groups["data.l1.documented"]
    assert sorted(a["value"] for a in documented["answers"]) == [False, True]
    assert (documented["disagreement"], documented["resolved"]) == (True, False)
    # The lead's empty answer to the retraining question disagrees with nobody.
    assert groups["ops.l3.retraining"]["disagreement"] is False
    assert [d["question_key"] for d in body["disagreements"]] == ["data.l1.documented"]
    assert len(groups) == len(GOOD_ANSWERS) + 1


def test_assessment_detail_lists_evidence_with_download_links(
    disputed, member, api_client
):
    body = api_client(member).get(url(disputed)).json()

    pdf, link = sorted(body["evidence"], key=lambda e: e["url"])
    assert pdf["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert pdf["download_url"] == url(disputed, f"evidence/{pdf['id']}/download/")
    assert "media" not in pdf["download_url"]
    assert (link["download_url"], link["option_value"]) == (None, "registry")
    assert link["added_by"]["id"] == member.pk


def test_assessment_detail_shows_status_rulings_and_revision_links(
    reviewed, assessor, lead, api_client
):
    revision = services.assessment_reopen(assessment=reviewed, reopened_by=lead)

    first = api_client(assessor).get(url(reviewed)).json()
    second = api_client(assessor).get(url(revision)).json()

    assert (first["status"], first["reviewer"]["id"]) == ("reviewed", assessor.pk)
    assert (first["previous_revision"], first["next_revision"]) == (None, revision.pk)
    assert (second["previous_revision"], second["next_revision"]) == (reviewed.pk, None)
    assert (second["revision"], second["status"]) == (2, "draft")
    assert first["latest"]["floor"] == reviewed.snapshots.first().floor


def test_assessment_detail_lists_resolutions(
    disputed_review, assessor, questions, api_client
):
    services.disagreement_resolve(
        assessment=disputed_review,
        question=questions["data.l1.documented"],
        reviewer=assessor,
        value=True,
        na_reason="",
        justification="The wiki has it.",
    )

    body = api_client(assessor).get(url(disputed_review)).json()

    [ruling] = body["resolutions"]
    assert ruling["kind"] == "disagreement"
    assert (ruling["question"], ruling["criterion"]) == (
        questions["data.l1.documented"].pk,
        None,
    )
    assert ruling["chosen_value"] is True
    assert ruling["resolved_by"]["id"] == assessor.pk


def test_assessment_detail_is_404_for_other_teams_and_organisations(
    draft, other_team, make_user, api_client
):
    outsider = make_user(Role.TEAM_LEAD, team=other_team)
    stranger = UserFactory(organization=OrganizationFactory())
    MembershipFactory(user=stranger, role=Role.ORG_ADMIN)

    for caller in (outsider, stranger):
        response = api_client(caller).get(url(draft))
        assert response.status_code == 404
        assert error(response)["code"] == "not_found"


@pytest.mark.parametrize("respondents", [1, 6])
def test_assessment_detail_runs_constant_queries(
    respondents, draft, team, questions, answer, make_user, api_client,
    django_assert_num_queries,
):  # fmt: skip
    for _ in range(respondents):
        answer(draft, make_user(Role.TEAM_MEMBER, team=team), **GOOD_ANSWERS)
    services.evidence_add(
        assessment=draft,
        question=questions["ops.l2.tools"],
        added_by=draft.created_by,
        url="https://example.com",
    )
    client = api_client(User.objects.get(pk=draft.created_by_id))

    # 1 caller's roles, 2 the assessment with team, rubric, people, next revision
    # and latest scores, 3 answers with questions and respondents, 4 evidence with
    # its people, 5 rulings with criteria and people.
    with django_assert_num_queries(5):
        response = client.get(url(draft))

    assert Answer.objects.count() == respondents * len(GOOD_ANSWERS)
    assert len(response.json()["answers"][0]["answers"]) == respondents


# --- answers -----------------------------------------------------------------------------


def test_answer_save_upserts_and_returns_the_saved_answers(
    draft, member, questions, api_client
):
    client = api_client(member)
    question = questions["data.l1.documented"].pk
    client.post(
        url(draft, "answers/"),
        {"answers": [{"question": question, "value": False}]},
        format="json",
    )

    response = client.post(
        url(draft, "answers/"),
        {
            "answers": [
                {"question": question, "value": True, "notes": "See the wiki."},
                {
                    "question": questions["ops.l3.retraining"].pk,
                    "na_reason": "out_of_scope",
                },
            ]
        },
        format="json",
    )

    assert response.status_code == 200
    first, second = response.json()
    assert (first["value"], first["notes"], first["respondent"]) == (
        True,
        "See the wiki.",
        member.pk,
    )
    assert (second["value"], second["na_reason"]) == (None, "out_of_scope")
    assert draft.answers.count() == 2


def test_answer_save_saves_nothing_when_one_answer_is_bad(
    draft, member, questions, api_client
):
    answers = [
        {"question": questions[key].pk, "value": v} for key, v in GOOD_ANSWERS.items()
    ]
    answers[3]["value"] = 42

    response = api_client(member).post(
        url(draft, "answers/"), {"answers": answers}, format="json"
    )

    assert response.status_code == 400
    assert error(response)["fields"] == {
        "answers[3].value": ["Enter text of at most 5000 characters."]
    }
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"answers": [{"value": True}]}, ["answers[0].question"]),
        (
            {"answers": [{"question": 1}, {"question": "one", "na_reason": "bored"}]},
            ["answers[1].question", "answers[1].na_reason"],
        ),
        ({"answers": "all yes"}, ["answers"]),
        ({"answers": []}, ["answers"]),
        ({}, ["answers"]),
        ({"answers": [{"question": 2**64}]}, ["answers[0].question"]),
    ],
)
def test_answer_save_names_bad_input_by_index(draft, member, api_client, body, fields):
    response = api_client(member).post(url(draft, "answers/"), body, format="json")

    assert response.status_code == 400
    assert sorted(error(response)["fields"]) == sorted(fields)


def test_answer_save_refuses_malformed_json(draft, member, api_client):
    response = api_client(member).post(
        url(draft, "answers/"), "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert error(response)["code"] == "parse_error"


@pytest.mark.parametrize("role", [Role.ASSESSOR, Role.ORG_ADMIN, Role.EXECUTIVE])
def test_answer_save_is_for_the_team_only(
    draft, questions, make_user, api_client, role
):
    response = api_client(make_user(role)).post(
        url(draft, "answers/"),
        {"answers": [{"question": questions["data.l1.documented"].pk, "value": True}]},
        format="json",
    )

    assert response.status_code == 403
    assert not Answer.objects.exists()


def test_answer_save_refuses_a_submitted_assessment(
    submitted, member, questions, api_client
):
    response = api_client(member).post(
        url(submitted, "answers/"),
        {"answers": [{"question": questions["data.l1.documented"].pk, "value": False}]},
        format="json",
    )

    assert response.status_code == 400
    assert error(response)["code"] == "invalid_status"


# --- evidence ----------------------------------------------------------------------------


def test_evidence_add_uploads_a_file(draft, member, questions, api_client):
    response = api_client(member).post(
        url(draft, "evidence/"),
        {
            "question": questions["data.l3.validated"].pk,
            "file": pdf_upload("gate.pdf"),
            "description": "The gate's last run.",
        },
        format="multipart",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert (body["file_name"], body["size"]) == ("gate.pdf", len(PDF_BYTES))
    assert Evidence.objects.get().description == "The gate's last run."


def test_evidence_add_takes_a_link(draft, member, questions, api_client):
    response = api_client(member).post(
        url(draft, "evidence/"),
        {
            "question": questions["ops.l2.tools"].pk,
            "url": "https://registry.example.com",
            "option_value": "registry",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["download_url"] is None


@pytest.mark.parametrize(
    ("name", "content", "field"),
    [
        ("run.sh", b"#!/bin/sh\n", "file"),
        ("gate.pdf", b"MZ not a pdf", "file"),
        ("empty.pdf", b"", "file"),
    ],
)
def test_evidence_add_refuses_files_outside_the_allowlist(
    draft, member, questions, api_client, name, content, field
):
    response = api_client(member).post(
        url(draft, "evidence/"),
        {
            "question": questions["data.l3.validated"].pk,
            "file": SimpleUploadedFile(name, content),
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert list(error(response)["fields"]) == [field]
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "url"),
        ({"url": "ftp//nowhere"}, "url"),
        ({"url": "https://example.com", "question": 0}, "question"),
        ({"url": "https://example.com", "question": 999999}, "question"),
        ({"url": "https://example.com", "option_value": "nope"}, "option_value"),
    ],
)
def test_evidence_add_names_the_bad_field(
    draft, member, questions, api_client, body, field
):
    data = {"question": questions["ops.l2.tools"].pk} | body

    response = api_client(member).post(url(draft, "evidence/"), data, format="json")

    assert response.status_code == 400
    assert field in error(response)["fields"]


@pytest.fixture
def stored(draft, member, questions) -> Evidence:
    return services.evidence_add(
        assessment=draft,
        question=questions["data.l3.validated"],
        added_by=member,
        upload=pdf_upload("Gate report.pdf"),
    )


def test_evidence_download_streams_the_file_as_an_attachment(
    stored, make_user, api_client
):
    response = api_client(make_user(Role.AUDITOR)).get(
        url(stored.assessment, f"evidence/{stored.pk}/download/")
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Gate report.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_evidence_download_is_404_for_other_teams(
    stored, other_team, make_user, api_client
):
    outsider = make_user(Role.TEAM_MEMBER, team=other_team)

    response = api_client(outsider).get(
        url(stored.assessment, f"evidence/{stored.pk}/download/")
    )

    assert response.status_code == 404


def test_evidence_download_is_404_under_another_assessment(
    stored, team, rubric, member, api_client
):
    other = AssessmentFactory(team=team, rubric=rubric)

    response = api_client(member).get(url(other, f"evidence/{stored.pk}/download/"))

    assert response.status_code == 404


def test_evidence_download_is_404_for_a_link_or_a_lost_file(
    stored, member, questions, api_client
):
    link = services.evidence_add(
        assessment=stored.assessment,
        question=questions["ops.l2.tools"],
        added_by=member,
        url="https://example.com",
    )
    stored.file.storage.delete(stored.file.name)
    client = api_client(member)

    for evidence in (link, stored):
        response = client.get(
            url(evidence.assessment, f"evidence/{evidence.pk}/download/")
        )
        assert response.status_code == 404, evidence
        assert error(response)["code"] == "not_found"


def test_evidence_files_are_not_served_from_media_url(stored, member, client):
    client.force_login(member)

    response = client.get(f"/media/{stored.file.name}")

    assert response.status_code == 404


# --- submit and scores ---------------------------------------------------------------------


def test_assessment_submit_returns_the_first_snapshot(
    draft, member, lead, answer, api_client
):
    answer(draft, member, **GOOD_ANSWERS)

    response = api_client(lead).post(url(draft, "submit/"))

    assert response.status_code == 200
    body = response.json()
    snapshot = ScoreSnapshot.objects.get()
    assert (body["id"], body["kind"], body["assessment"]) == (
        snapshot.pk,
        "submitted",
        draft.pk,
    )
    assert body["rubric"]["slug"] == "test-rubric"
    assert {d["id"] for d in body["payload"]["dimensions"]} == {"data", "ops"}


def test_assessment_submit_is_for_the_team_lead(draft, member, answer, api_client):
    answer(draft, member, **GOOD_ANSWERS)

    response = api_client(member).post(url(draft, "submit/"))

    assert response.status_code == 403
    assert not ScoreSnapshot.objects.exists()


def test_assessment_submit_refuses_an_empty_assessment(draft, lead, api_client):
    response = api_client(lead).post(url(draft, "submit/"))

    assert response.status_code == 400
    assert error(response)["code"] == "empty"


def test_assessment_scores_returns_the_latest_or_a_chosen_snapshot(
    reviewed, member, api_client
):
    submitted_snapshot = reviewed.snapshots.get(kind="submitted")
    client = api_client(member)

    latest = client.get(url(reviewed, "scores/")).json()
    chosen = client.get(url(reviewed, f"scores/?snapshot={submitted_snapshot.pk}"))

    assert latest["kind"] == "reviewed"
    assert latest["payload"] == reviewed.snapshots.get(kind="reviewed").payload
    assert chosen.json()["id"] == submitted_snapshot.pk


def test_assessment_scores_is_404_without_scores_or_for_another_snapshot(
    submitted, team, member, api_client
):
    unscored = AssessmentFactory(team=team, rubric=submitted.rubric)
    client = api_client(member)

    missing = client.get(url(unscored, "scores/"))
    foreign = client.get(
        url(unscored, f"scores/?snapshot={submitted.snapshots.get().pk}")
    )

    assert (missing.status_code, foreign.status_code) == (404, 404)


def test_assessment_scores_refuses_a_bad_snapshot_parameter(
    submitted, member, api_client
):
    response = api_client(member).get(url(submitted, "scores/?snapshot=latest"))

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["snapshot"]


# --- compare ------------------------------------------------------------------------------


@pytest.fixture
def quarters(team, member, lead, assessor, answer, rubric):
    """2026-Q3 (little done) and 2026-Q4 (more done), both submitted."""
    q3 = services.assessment_create(
        team=team, period="2026-Q3", rubric=rubric, created_by=lead
    )
    answer(q3, member, **{"data.l1.documented": True})
    services.assessment_submit(assessment=q3, submitted_by=lead)
    q4 = services.assessment_create(
        team=team, period="2026-Q4", rubric=rubric, created_by=lead
    )
    answer(q4, member, **GOOD_ANSWERS)
    services.assessment_submit(assessment=q4, submitted_by=lead)
    return q3, q4


def test_assessment_compare_gives_deltas_per_dimension_and_overall(
    quarters, member, api_client
):
    q3, q4 = quarters
    a, b = q3.snapshots.get(), q4.snapshots.get()

    response = api_client(member).get(f"{URL}compare/?a={q3.pk}&b={q4.pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["a"]["snapshot"], body["b"]["snapshot"]) == (a.pk, b.pk)
    assert body["a"]["period"] == "2026-Q3"
    data = next(d for d in body["dimensions"] if d["id"] == "data")
    assert data["level"] == {"a": 1, "b": 2, "delta": 1}
    assert body["floor"] == {"a": a.floor, "b": b.floor, "delta": b.floor - a.floor}
    assert body["index"]["delta"] == round(b.index - a.index, 4)
    assert body["confidence"]["delta"] == round(b.confidence - a.confidence, 4)


def test_assessment_compare_refuses_different_rubrics(
    quarters, team, member, lead, answer, api_client
):
    other = services.assessment_create(
        team=team, period="2025-Q4", rubric=rubric_create(slug="other"), created_by=lead
    )
    services.answers_save(
        assessment=other,
        respondent=member,
        items=[AnswerInput(other.rubric.questions.first().pk, "nobody")],
    )
    services.assessment_submit(assessment=other, submitted_by=lead)

    response = api_client(member).get(f"{URL}compare/?a={other.pk}&b={quarters[1].pk}")

    assert response.status_code == 400
    assert error(response)["code"] == "different_rubrics"


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("a={q3}", 400, "b"),
        ("a={q3}&b=next", 400, "b"),
        ("a={q3}&b=99999999999999999999", 400, "b"),
        ("a={q3}&b=987654321", 404, None),
        ("a={q3}&b={hidden}", 404, None),
        ("a={q3}&b={unscored}", 400, "b"),
    ],
)
def test_assessment_compare_refuses_bad_pairs(
    quarters, team, other_team, member, api_client, query, status, field
):
    q3, _ = quarters
    hidden = AssessmentFactory(team=other_team, rubric=q3.rubric)
    unscored = AssessmentFactory(team=team, rubric=q3.rubric, period="2025-Q1")

    response = api_client(member).get(
        f"{URL}compare/?"
        + query.format(q3=q3.pk, hidden=hidden.pk, unscored=unscored.pk)
    )

    assert response.status_code == status
    assert field is None or field in error(response)["fields"]


# --- review -----------------------------------------------------------------------------


def test_review_flow_over_the_api(submitted, assessor, lead, questions, api_client):
    client = api_client(assessor)
    evidence = Evidence.objects.create(
        assessment=submitted,
        question=questions["data.l3.validated"],
        url="https://example.com/gate",
        added_by=lead,
    )

    started = client.post(url(submitted, "review/start/"))
    verified = client.post(url(submitted, f"evidence/{evidence.pk}/verify/"))
    completed = client.post(url(submitted, "review/complete/"))

    assert started.status_code == 200
    assert (started.json()["status"], verified.json()["status"]) == (
        "in_review",
        "verified",
    )
    assert verified.json()["reviewed_by"]["id"] == assessor.pk
    assert (completed.status_code, completed.json()["kind"]) == (200, "reviewed")
    submitted.refresh_from_db()
    assert submitted.status == "reviewed"


def test_review_start_refuses_the_submitter_even_as_assessor(
    submitted, lead, api_client
):
    MembershipFactory(user=lead, role=Role.ASSESSOR)

    response = api_client(User.objects.get(pk=lead.pk)).post(
        url(submitted, "review/start/")
    )

    assert response.status_code == 400
    assert error(response)["code"] == "separation_of_duties"


@pytest.mark.parametrize("role", [Role.TEAM_LEAD, Role.ORG_ADMIN, Role.AUDITOR])
def test_review_start_is_for_assessors(submitted, team, make_user, api_client, role):
    response = api_client(make_user(role, team=team)).post(
        url(submitted, "review/start/")
    )

    assert response.status_code == 403


@pytest.mark.parametrize(
    "tail",
    [
        "review/complete/",
        "conflicts/resolve/",
        "disagreements/resolve/",
    ],
)
def test_review_actions_are_for_the_reviewer_only(
    in_review, questions, make_user, api_client, tail
):
    body = {
        "question": questions["data.l1.documented"].pk,
        "value": True,
        "criterion": "data.l1.documented",
        "claim_upheld": True,
        "justification": "Checked.",
    }

    response = api_client(make_user(Role.ASSESSOR)).post(
        url(in_review, tail), body, format="json"
    )

    assert response.status_code == 400
    assert error(response)["code"] == "not_reviewer"


def test_evidence_reject_needs_a_comment(in_review, assessor, questions, api_client):
    evidence = Evidence.objects.create(
        assessment=in_review,
        question=questions["data.l3.validated"],
        url="https://example.com/gate",
        added_by=in_review.created_by,
    )
    client = api_client(assessor)

    missing = client.post(url(in_review, f"evidence/{evidence.pk}/reject/"), {})
    rejected = client.post(
        url(in_review, f"evidence/{evidence.pk}/reject/"),
        {"comment": "A plan, not a gate."},
        format="json",
    )

    assert (missing.status_code, list(error(missing)["fields"])) == (400, ["comment"])
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["review_comment"] == "A plan, not a gate."


def test_disagreement_resolve_records_the_ruling(
    disputed_review, assessor, questions, api_client
):
    response = api_client(assessor).post(
        url(disputed_review, "disagreements/resolve/"),
        {
            "question": questions["data.l1.documented"].pk,
            "value": True,
            "justification": "The wiki has it.",
        },
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["outcome"], response.json()["chosen_value"]) == (
        "value_chosen",
        True,
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": "weekly"}, "value"),
        ({"question": 999999}, "question"),
        ({"justification": ""}, "justification"),
        ({"na_reason": "bored"}, "na_reason"),
    ],
)
def test_disagreement_resolve_names_the_bad_field(
    in_review, assessor, questions, api_client, body, field
):
    data = {
        "question": questions["data.snapshots"].pk,
        "value": "notes",
        "justification": "Only notes exist.",
    }

    response = api_client(assessor).post(
        url(in_review, "disagreements/resolve/"), data | body, format="json"
    )

    assert response.status_code == 400
    assert list(error(response)["fields"]) == [field]


def test_conflict_resolve_records_the_ruling(contradicted, assessor, api_client):
    response = api_client(assessor).post(
        url(contradicted, "conflicts/resolve/"),
        {
            "criterion": "ops.l3.retraining",
            "claim_upheld": False,
            "justification": "No scheduler.",
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["kind"], body["criterion"], body["outcome"]) == (
        "signal",
        "ops.l3.retraining",
        "signal_upheld",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"criterion": "ops.l9.unknown"}, "criterion"),
        ({"claim_upheld": "perhaps"}, "claim_upheld"),
        ({"justification": "   "}, "justification"),
    ],
)
def test_conflict_resolve_names_the_bad_field(
    in_review, assessor, api_client, body, field
):
    data = {
        "criterion": "ops.l3.retraining",
        "claim_upheld": True,
        "justification": "Checked.",
    }

    response = api_client(assessor).post(
        url(in_review, "conflicts/resolve/"), data | body, format="json"
    )

    assert response.status_code == 400
    assert list(error(response)["fields"]) == [field]


@pytest.mark.parametrize("who", ["lead", "assessor"])
def test_assessment_reopen_creates_revision_two(
    reviewed, lead, assessor, api_client, who
):
    caller = lead if who == "lead" else assessor

    response = api_client(caller).post(url(reviewed, "reopen/"))

    assert response.status_code == 201
    body = response.json()
    assert (body["revision"], body["status"], body["period"]) == (2, "draft", "2026-Q4")
    reviewed.refresh_from_db()
    assert reviewed.status == "reviewed"
    assert Assessment.objects.get(pk=body["id"]).previous_revision == reviewed


def test_assessment_reopen_is_not_for_team_members(reviewed, member, api_client):
    response = api_client(member).post(url(reviewed, "reopen/"))

    assert response.status_code == 403
    assert Assessment.objects.count() == 1


# --- never a 500 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/assessments/99999999999999999999/",
        "/api/v1/assessments/9223372036854775807/scores/",
        "/api/v1/assessments/1/evidence/99999999999999999999/download/",
    ],
)
def test_huge_ids_are_not_found(draft, member, api_client, path):
    response = api_client(member).get(path)

    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


def test_huge_ids_in_posts_are_not_found(draft, member, api_client):
    response = api_client(member).post(
        "/api/v1/assessments/99999999999999999999/answers/",
        {"answers": [{"question": 1}]},
        format="json",
    )

    assert response.status_code == 404


def test_rollup_summarises_the_latest_score_of_each_visible_team(
    quarters, make_user, api_client, django_assert_num_queries
):
    executive = make_user(Role.EXECUTIVE)

    # Session-less client: roles (1), the latest snapshot per team (1), their payloads (1).
    with django_assert_num_queries(3):
        body = api_client(executive).get("/api/v1/assessments/rollup/").json()

    _, q4 = quarters
    assert body["teams"] == 1
    assert body["median_index"] == pytest.approx(q4.snapshots.get().index)
    assert set(body["level_distribution"]) == {"data", "ops"}
    assert sum(body["level_distribution"]["data"].values()) == 1


def test_rollup_for_a_period_uses_that_quarters_scores(quarters, make_user, api_client):
    q3, _ = quarters
    body = (
        api_client(make_user(Role.EXECUTIVE))
        .get("/api/v1/assessments/rollup/", {"period": "2026-Q3"})
        .json()
    )

    assert body["median_index"] == pytest.approx(q3.snapshots.get().index)


def test_rollup_for_a_period_without_scores_is_empty(quarters, make_user, api_client):
    body = (
        api_client(make_user(Role.EXECUTIVE))
        .get("/api/v1/assessments/rollup/", {"period": "2020-Q1"})
        .json()
    )

    assert body == {
        "teams": 0,
        "median_index": None,
        "min_floor": None,
        "level_distribution": {},
    }
