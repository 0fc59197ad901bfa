"""Assessment services: each state change, its guard, its audit event, its atomicity."""

from __future__ import annotations

import hashlib
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction

from apps.accounts.models import Role
from apps.assessments import services
from apps.assessments.models import (
    Answer,
    Assessment,
    Evidence,
    Resolution,
    ScoreSnapshot,
)
from apps.assessments.scoring import ENGINE_VERSION
from apps.assessments.services import AnswerInput
from apps.audit.models import AuditEvent
from apps.core.exceptions import ApplicationError
from apps.rubrics.models import Criterion
from tests.accounts.factories import MembershipFactory
from tests.accounts.helpers import audit_events, event_data
from tests.assessments.conftest import GOOD_ANSWERS
from tests.assessments.factories import (
    PDF_BYTES,
    assessment_in,
    pdf_upload,
    rubric_create,
)

pytestmark = pytest.mark.django_db

Status = Assessment.Status


def _dimension(snapshot: ScoreSnapshot, key: str) -> dict:
    return next(d for d in snapshot.payload["dimensions"] if d["id"] == key)


# --- assessment_create ---------------------------------------------------------------


def test_assessment_create_makes_a_draft_revision_and_audits_it(team, rubric, lead):
    assessment = services.assessment_create(
        team=team, period="2026-Q4", rubric=rubric, created_by=lead
    )

    assert (assessment.status, assessment.revision) == (Status.DRAFT, 1)
    [event] = audit_events("assessment.created")
    assert event.actor_id == lead.pk
    assert event_data(event)["rubric"] == "test-rubric 1.0.0"


def test_assessment_create_refuses_an_unpublished_rubric(team, lead):
    rubric = rubric_create(version="2.0.0", publish=False)

    with pytest.raises(ApplicationError, match="published rubrics only"):
        services.assessment_create(
            team=team, period="2026-Q4", rubric=rubric, created_by=lead
        )

    assert not Assessment.objects.exists()


def test_assessment_create_refuses_a_second_assessment_for_the_period(draft, lead):
    with pytest.raises(ApplicationError, match="already has an assessment"):
        services.assessment_create(
            team=draft.team, period="2026-Q4", rubric=draft.rubric, created_by=lead
        )

    assert Assessment.objects.count() == 1


def test_assessment_create_refuses_a_period_that_is_not_a_quarter(team, rubric, lead):
    with pytest.raises(ValidationError, match="2026-Q4"):
        services.assessment_create(
            team=team, period="2026-13", rubric=rubric, created_by=lead
        )

    assert not Assessment.objects.exists()
    assert audit_events("assessment.created") == []


# --- answers_save ------------------------------------------------------------------------


def test_answers_save_stores_answers_and_audits_once(draft, member, answer):
    answer(draft, member, **GOOD_ANSWERS)

    assert draft.answers.filter(respondent=member).count() == len(GOOD_ANSWERS)
    [event] = audit_events("assessment.answers_saved")
    assert event_data(event)["questions"] == sorted(GOOD_ANSWERS)


def test_answers_save_writes_nothing_when_nothing_changed(draft, member, answer):
    answer(draft, member, **{"data.l1.documented": True})

    answer(draft, member, **{"data.l1.documented": True})

    assert len(audit_events("assessment.answers_saved")) == 1


def test_answers_save_updates_the_respondents_own_answer(draft, member, answer):
    answer(draft, member, **{"data.l1.documented": True})

    answer(draft, member, **{"data.l1.documented": False})

    assert draft.answers.get().value is False
    assert len(audit_events("assessment.answers_saved")) == 2


def test_answers_save_keeps_each_respondents_answer(draft, member, lead, answer):
    answer(draft, member, **{"data.l1.documented": True})

    answer(draft, lead, **{"data.l1.documented": False})

    values = dict(draft.answers.values_list("respondent", "value"))
    assert values == {member.pk: True, lead.pk: False}


def test_answers_save_saves_none_when_one_answer_is_bad(draft, member, questions):
    items = [
        AnswerInput(questions["data.l1.documented"].pk, True),
        AnswerInput(questions["data.snapshots"].pk, "versioned"),
        AnswerInput(questions["ops.l1.runbook"].pk, "wiki"),
        AnswerInput(questions["ops.l3.retraining"].pk, "soon"),
    ]

    with pytest.raises(ApplicationError) as caught:
        services.answers_save(assessment=draft, respondent=member, items=items)

    assert caught.value.fields == {"answers[3].value": ["Enter a number."]}
    assert not Answer.objects.exists()
    assert audit_events("assessment.answers_saved") == []


@pytest.mark.parametrize(
    ("key", "value", "na_reason", "field", "message"),
    [
        ("data.snapshots", "weekly", "", "value", "Pick one of the options."),
        ("ops.l2.tools", ["ci", "ci"], "", "value", "at most once"),
        ("ops.l3.retraining", -1, "", "value", "at least 0"),
        ("data.l1.documented", "yes", "", "value", "yes (true) or no"),
        ("data.l1.documented", True, "out_of_scope", "value", "N/A answer has no"),
        ("data.l1.documented", None, "bored", "na_reason", "listed reasons"),
    ],
)
def test_answers_save_names_the_bad_field(
    draft, member, questions, key, value, na_reason, field, message
):
    item = AnswerInput(questions[key].pk, value, na_reason)

    with pytest.raises(ApplicationError) as caught:
        services.answers_save(assessment=draft, respondent=member, items=[item])

    assert message in caught.value.fields[f"answers[0].{field}"][0]


def test_answers_save_refuses_a_question_twice_in_one_request(draft, member, questions):
    question = questions["data.l1.documented"].pk
    items = [AnswerInput(question, True), AnswerInput(question, False)]

    with pytest.raises(ApplicationError) as caught:
        services.answers_save(assessment=draft, respondent=member, items=items)

    assert caught.value.fields == {
        "answers[1].question": ["Answered twice in this request."]
    }
    assert not Answer.objects.exists()


def test_answers_save_refuses_a_question_of_another_rubric(draft, member):
    other = rubric_create(slug="other-rubric").questions.first()

    with pytest.raises(ApplicationError) as caught:
        services.answers_save(
            assessment=draft, respondent=member, items=[AnswerInput(other.pk, True)]
        )

    assert list(caught.value.fields) == ["answers[0].question"]


def test_answers_save_accepts_not_applicable_with_a_reason(draft, member, questions):
    item = AnswerInput(questions["ops.l3.retraining"].pk, None, "out_of_scope")

    [saved] = services.answers_save(assessment=draft, respondent=member, items=[item])

    assert (saved.value, saved.na_reason) == (None, "out_of_scope")


def test_answers_save_refuses_a_submitted_assessment(submitted, member, answer):
    with pytest.raises(ApplicationError, match="is submitted") as caught:
        answer(submitted, member, **{"data.l1.documented": False})

    assert caught.value.code == "invalid_status"
    assert submitted.answers.get(question__key="data.l1.documented").value is True


# --- evidence_add ------------------------------------------------------------------------


def _add_file(assessment, user, questions, upload, key="data.l3.validated"):
    return services.evidence_add(
        assessment=assessment, question=questions[key], added_by=user, upload=upload
    )


def test_evidence_add_stores_a_pdf_with_its_sha256(draft, member, questions):
    evidence = _add_file(draft, member, questions, pdf_upload("Gate report.pdf"))

    digest = hashlib.sha256(PDF_BYTES).hexdigest()
    assert (evidence.sha256, evidence.size) == (digest, len(PDF_BYTES))
    assert (evidence.file_name, evidence.content_type) == (
        "Gate report.pdf",
        "application/pdf",
    )
    with evidence.file.open("rb") as stored:
        assert stored.read() == PDF_BYTES
    [event] = audit_events("assessment.evidence_added")
    assert event_data(event)["sha256"] == digest


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "not accepted"),
        ("report.pdf", b"<html>not a pdf</html>", "not a PDF file"),
        ("diagram.png", PDF_BYTES, "not a PNG file"),
        ("notes.txt", b"\xff\xfe\x00bad", "must be UTF-8"),
        ("huge.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "limited to 10 MB"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_evidence_add_refuses_files_outside_the_allowlist(
    draft, member, questions, settings, name, content, message
):
    upload = SimpleUploadedFile(name, content)

    with pytest.raises(ApplicationError, match=message) as caught:
        _add_file(draft, member, questions, upload)

    assert list(caught.value.fields) == ["file"]
    assert not Evidence.objects.exists()
    assert not (settings.MEDIA_ROOT / "evidence").exists()


def test_evidence_add_stores_a_link(draft, member, questions):
    evidence = services.evidence_add(
        assessment=draft,
        question=questions["ops.l2.tools"],
        added_by=member,
        url="https://registry.example.com/models/fraud",
        option_value="registry",
    )

    assert (evidence.option_value, evidence.file.name) == ("registry", "")
    assert len(audit_events("assessment.evidence_added")) == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "url"),
        ({"url": "https://example.com", "upload": "pdf"}, "url"),
        ({"url": "not a link"}, "url"),
        ({"url": "https://example.com", "option_value": "nope"}, "option_value"),
        ({"url": "https://example.com", "description": "x" * 301}, "description"),
    ],
)
def test_evidence_add_refuses_bad_input(
    draft, member, questions, settings, kwargs, field
):
    if kwargs.get("upload") == "pdf":
        kwargs["upload"] = pdf_upload()

    with pytest.raises((ApplicationError, ValidationError)) as caught:
        services.evidence_add(
            assessment=draft,
            question=questions["ops.l2.tools"],
            added_by=member,
            **kwargs,
        )

    fields = getattr(caught.value, "fields", None) or caught.value.message_dict
    assert field in fields
    assert not Evidence.objects.exists()
    assert not (settings.MEDIA_ROOT / "evidence").exists()


def test_evidence_add_refuses_a_question_of_another_rubric(draft, member):
    other = rubric_create(slug="other-rubric").questions.first()

    with pytest.raises(ApplicationError, match="Not a question of this assessment"):
        services.evidence_add(
            assessment=draft, question=other, added_by=member, url="https://x.example"
        )


def test_evidence_add_refuses_a_submitted_assessment(submitted, member, questions):
    with pytest.raises(ApplicationError, match="is submitted"):
        _add_file(submitted, member, questions, pdf_upload())

    assert not Evidence.objects.exists()


# --- assessment_submit -----------------------------------------------------------------


def test_assessment_submit_locks_answers_and_stores_first_scores(
    draft, member, lead, answer
):
    answer(draft, member, **GOOD_ANSWERS)

    snapshot = services.assessment_submit(assessment=draft, submitted_by=lead)

    draft.refresh_from_db()
    assert (draft.status, draft.submitted_by) == (Status.SUBMITTED, lead)
    assert draft.submitted_at is not None
    assert (snapshot.kind, snapshot.rubric, snapshot.engine_version) == (
        ScoreSnapshot.Kind.SUBMITTED,
        draft.rubric,
        ENGINE_VERSION,
    )
    assert (_dimension(snapshot, "data")["level"], snapshot.floor) == (2, 1)
    [event] = audit_events("assessment.submitted")
    assert event_data(event)["snapshot"] == snapshot.pk


def test_assessment_submit_refuses_an_unanswered_assessment(draft, lead):
    with pytest.raises(ApplicationError, match="Answer at least one question"):
        services.assessment_submit(assessment=draft, submitted_by=lead)

    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not ScoreSnapshot.objects.exists()


def test_assessment_submit_refuses_a_submitted_assessment(submitted, lead):
    with pytest.raises(ApplicationError, match="is submitted"):
        services.assessment_submit(assessment=submitted, submitted_by=lead)

    assert ScoreSnapshot.objects.count() == 1
    assert len(audit_events("assessment.submitted")) == 1


def test_assessment_submit_leaves_nothing_behind_when_the_audit_fails(
    draft, member, lead, answer, monkeypatch
):
    answer(draft, member, **GOOD_ANSWERS)
    events_before = AuditEvent.objects.count()

    def refuse(**kwargs):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(services, "record_event", refuse)
    with pytest.raises(RuntimeError):
        services.assessment_submit(assessment=draft, submitted_by=lead)

    draft.refresh_from_db()
    assert (draft.status, draft.submitted_by) == (Status.DRAFT, None)
    assert not ScoreSnapshot.objects.exists()
    assert AuditEvent.objects.count() == events_before


def test_snapshot_disagreements_ignore_empty_draft_answers(draft, member, lead, answer):
    answer(draft, member, **GOOD_ANSWERS)
    answer(draft, lead, **{"data.l1.documented": None, "data.snapshots": "notes"})

    snapshot = services.assessment_submit(assessment=draft, submitted_by=lead)

    assert snapshot.payload["disagreements"] == [
        draft.rubric.questions.get(key="data.snapshots").pk
    ]


# --- review_start ------------------------------------------------------------------------


def test_review_start_hands_the_review_to_the_assessor(submitted, assessor):
    services.review_start(assessment=submitted, reviewer=assessor)

    submitted.refresh_from_db()
    assert (submitted.status, submitted.reviewer) == (Status.IN_REVIEW, assessor)
    [event] = audit_events("assessment.review_started")
    assert event.actor_id == assessor.pk


@pytest.mark.parametrize("who", ["respondent", "submitter"])
def test_review_start_refuses_who_answered_or_submitted(submitted, member, lead, who):
    # An assessor who also answered (member) or submitted (lead) the assessment.
    person = member if who == "respondent" else lead
    MembershipFactory(user=person, role=Role.ASSESSOR)

    with pytest.raises(ApplicationError) as caught:
        services.review_start(assessment=submitted, reviewer=person)

    assert caught.value.code == "separation_of_duties"
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reviewer) == (Status.SUBMITTED, None)
    assert audit_events("assessment.review_started") == []


def test_review_start_refuses_a_draft(draft, assessor):
    with pytest.raises(ApplicationError, match="is draft"):
        services.review_start(assessment=draft, reviewer=assessor)


def test_review_start_refuses_a_review_already_taken(in_review, make_user):
    with pytest.raises(ApplicationError, match="is in review"):
        services.review_start(assessment=in_review, reviewer=make_user("assessor"))

    in_review.refresh_from_db()
    assert len(audit_events("assessment.review_started")) == 1


# --- evidence_review ---------------------------------------------------------------------


@pytest.fixture
def evidence(draft, member, questions) -> Evidence:
    return _add_file(draft, member, questions, pdf_upload())


@pytest.fixture
def evidence_in_review(evidence, lead, assessor, answer, member) -> Evidence:
    answer(evidence.assessment, member, **GOOD_ANSWERS)
    services.assessment_submit(assessment=evidence.assessment, submitted_by=lead)
    services.review_start(assessment=evidence.assessment, reviewer=assessor)
    evidence.refresh_from_db()
    return evidence


def test_evidence_review_verifies_and_gives_full_credit(evidence_in_review, assessor):
    services.evidence_review(
        evidence=evidence_in_review, reviewer=assessor, verified=True
    )

    evidence_in_review.refresh_from_db()
    assert evidence_in_review.status == Evidence.Status.VERIFIED
    assert evidence_in_review.reviewed_by == assessor
    assert len(audit_events("assessment.evidence_verified")) == 1
    snapshot = services.review_complete(
        assessment=evidence_in_review.assessment, reviewer=assessor
    )
    # Level 3 proven; the rubric has no level-4 criteria, and an empty level is met.
    assert _dimension(snapshot, "data")["level"] == 4


def test_evidence_review_rejects_with_a_comment(evidence_in_review, assessor):
    services.evidence_review(
        evidence=evidence_in_review,
        reviewer=assessor,
        verified=False,
        comment="  Shows a plan, not a gate.  ",
    )

    evidence_in_review.refresh_from_db()
    assert evidence_in_review.status == Evidence.Status.REJECTED
    assert evidence_in_review.review_comment == "Shows a plan, not a gate."
    [event] = audit_events("assessment.evidence_rejected")
    assert event_data(event)["comment"] == "Shows a plan, not a gate."


def test_evidence_review_needs_a_comment_to_reject(evidence_in_review, assessor):
    with pytest.raises(ApplicationError) as caught:
        services.evidence_review(
            evidence=evidence_in_review, reviewer=assessor, verified=False, comment=" "
        )

    assert list(caught.value.fields) == ["comment"]
    evidence_in_review.refresh_from_db()
    assert evidence_in_review.status == Evidence.Status.SUBMITTED


def test_evidence_review_is_for_the_reviewer_only(evidence_in_review, make_user):
    with pytest.raises(ApplicationError) as caught:
        services.evidence_review(
            evidence=evidence_in_review, reviewer=make_user("assessor"), verified=True
        )

    assert caught.value.code == "not_reviewer"
    assert audit_events("assessment.evidence_verified") == []


def test_evidence_review_refuses_before_the_review_starts(evidence, assessor):
    with pytest.raises(ApplicationError, match="is draft"):
        services.evidence_review(evidence=evidence, reviewer=assessor, verified=True)


# --- disagreement_resolve ---------------------------------------------------------------


def _resolve(assessment, reviewer, question, value=True, justification="Seen it."):
    return services.disagreement_resolve(
        assessment=assessment,
        question=question,
        reviewer=reviewer,
        value=value,
        na_reason="",
        justification=justification,
    )


def test_disagreement_resolve_rules_and_the_ruling_counts(
    disputed_review, assessor, questions
):
    assert ScoreSnapshot.objects.get().floor == 0  # the conservative "no" counts

    ruling = _resolve(disputed_review, assessor, questions["data.l1.documented"])

    assert (ruling.outcome, ruling.chosen_value) == ("value_chosen", True)
    [event] = audit_events("assessment.disagreement_resolved")
    assert event_data(event)["justification"] == "Seen it."
    snapshot = services.review_complete(assessment=disputed_review, reviewer=assessor)
    assert _dimension(snapshot, "data")["level"] == 2


def test_disagreement_resolve_replaces_an_earlier_ruling(
    disputed_review, assessor, questions
):
    _resolve(disputed_review, assessor, questions["data.l1.documented"], value=True)

    _resolve(disputed_review, assessor, questions["data.l1.documented"], value=False)

    assert Resolution.objects.get().chosen_value is False
    assert len(audit_events("assessment.disagreement_resolved")) == 2


@pytest.mark.parametrize(
    ("value", "justification", "field"),
    [(True, "  ", "justification"), ("maybe", "Seen it.", "value")],
)
def test_disagreement_resolve_refuses_bad_rulings(
    disputed_review, assessor, questions, value, justification, field
):
    with pytest.raises(ApplicationError) as caught:
        _resolve(
            disputed_review,
            assessor,
            questions["data.l1.documented"],
            value,
            justification,
        )

    assert list(caught.value.fields) == [field]
    assert not Resolution.objects.exists()


def test_disagreement_resolve_is_for_the_reviewer_only(
    disputed_review, make_user, questions
):
    with pytest.raises(ApplicationError, match="Only the assessor who started"):
        _resolve(
            disputed_review, make_user("assessor"), questions["data.l1.documented"]
        )

    assert not Resolution.objects.exists()


# --- signal_conflict_resolve ------------------------------------------------------------


def _rule_conflict(assessment, reviewer, claim_upheld=True, key="ops.l3.retraining"):
    return services.signal_conflict_resolve(
        assessment=assessment,
        criterion=Criterion.objects.get(rubric=assessment.rubric, key=key),
        reviewer=reviewer,
        claim_upheld=claim_upheld,
        justification="Checked the scheduler.",
    )


@pytest.mark.parametrize(
    ("claim_upheld", "outcome"),
    [(True, "claim_upheld"), (False, "signal_upheld")],
)
def test_signal_conflict_resolve_closes_the_conflict(
    contradicted, assessor, claim_upheld, outcome
):
    assert ScoreSnapshot.objects.get().payload["conflicts"] == ["ops.l3.retraining"]

    ruling = _rule_conflict(contradicted, assessor, claim_upheld)

    assert ruling.outcome == outcome
    [event] = audit_events("assessment.conflict_resolved")
    assert event_data(event)["outcome"] == outcome
    services.review_complete(assessment=contradicted, reviewer=assessor)
    assert contradicted.snapshots.get(kind="reviewed").payload["conflicts"] == []


def test_signal_conflict_resolve_refuses_a_criterion_of_another_rubric(
    contradicted, assessor
):
    other = rubric_create(slug="other-rubric").criteria.first()

    with pytest.raises(ApplicationError, match="Not a criterion"):
        services.signal_conflict_resolve(
            assessment=contradicted,
            criterion=other,
            reviewer=assessor,
            claim_upheld=True,
            justification="Checked.",
        )


def test_signal_conflict_resolve_is_for_the_reviewer_only(contradicted, make_user):
    with pytest.raises(ApplicationError, match="Only the assessor who started"):
        _rule_conflict(contradicted, make_user("assessor"))

    assert not Resolution.objects.exists()


# --- review_complete ----------------------------------------------------------------------


def test_review_complete_locks_the_assessment_with_reviewed_scores(in_review, assessor):
    snapshot = services.review_complete(assessment=in_review, reviewer=assessor)

    in_review.refresh_from_db()
    assert in_review.status == Status.REVIEWED
    assert in_review.reviewed_at is not None
    assert (snapshot.kind, snapshot.created_by) == ("reviewed", assessor)
    [event] = audit_events("assessment.reviewed")
    assert event_data(event)["snapshot"] == snapshot.pk


def test_review_complete_is_for_the_reviewer_only(in_review, make_user):
    with pytest.raises(ApplicationError, match="Only the assessor who started"):
        services.review_complete(assessment=in_review, reviewer=make_user("assessor"))

    in_review.refresh_from_db()
    assert in_review.status == Status.IN_REVIEW


def test_review_complete_refuses_a_review_not_started(submitted, assessor):
    with pytest.raises(ApplicationError, match="is submitted"):
        services.review_complete(assessment=submitted, reviewer=assessor)


# --- assessment_reopen -------------------------------------------------------------------


def test_assessment_reopen_starts_revision_two_with_copied_answers(
    reviewed, lead, member, questions
):
    before = (reviewed.updated_at, list(reviewed.answers.values("question", "value")))

    revision = services.assessment_reopen(assessment=reviewed, reopened_by=lead)

    assert (revision.revision, revision.status) == (2, Status.DRAFT)
    assert revision.previous_revision == reviewed
    assert sorted(
        revision.answers.values_list("question__key", "respondent", "value")
    ) == sorted(reviewed.answers.values_list("question__key", "respondent", "value"))
    reviewed.refresh_from_db()
    assert reviewed.status == Status.REVIEWED
    assert (
        reviewed.updated_at,
        list(reviewed.answers.values("question", "value")),
    ) == before
    [event] = audit_events("assessment.reopened")
    assert event_data(event)["previous"] == reviewed.pk


def test_assessment_reopen_copies_evidence(evidence_in_review, assessor, lead):
    assessment = evidence_in_review.assessment
    services.review_complete(assessment=assessment, reviewer=assessor)

    revision = services.assessment_reopen(assessment=assessment, reopened_by=lead)

    copy = revision.evidence.get()
    assert (copy.sha256, copy.file.name) == (
        evidence_in_review.sha256,
        evidence_in_review.file.name,
    )
    assert assessment.evidence.get().pk == evidence_in_review.pk


def test_assessment_reopen_refuses_a_second_reopen(reviewed, lead):
    services.assessment_reopen(assessment=reviewed, reopened_by=lead)

    with pytest.raises(ApplicationError) as caught:
        services.assessment_reopen(assessment=reviewed, reopened_by=lead)

    assert caught.value.code == "already_reopened"
    assert Assessment.objects.count() == 2


def test_assessment_reopen_refuses_an_assessment_not_reviewed(in_review, lead):
    with pytest.raises(ApplicationError, match="is in review"):
        services.assessment_reopen(assessment=in_review, reopened_by=lead)

    assert Assessment.objects.count() == 1


# --- snapshot_recompute ------------------------------------------------------------------


def test_snapshots_are_new_rows_on_submit_review_and_recompute(reviewed, assessor):
    recomputed = services.snapshot_recompute(assessment=reviewed, requested_by=None)

    kinds = list(
        reviewed.snapshots.order_by("created_at", "pk").values_list("kind", flat=True)
    )
    assert kinds == ["submitted", "reviewed", "recomputed"]
    assert {(s.rubric_id, s.engine_version) for s in reviewed.snapshots.all()} == {
        (reviewed.rubric_id, ENGINE_VERSION)
    }
    [event] = audit_events("assessment.rescored")
    assert (event.actor_id, event_data(event)["snapshot"]) == (None, recomputed.pk)


def test_snapshot_recompute_refuses_a_draft(draft):
    with pytest.raises(ApplicationError, match="is draft"):
        services.snapshot_recompute(assessment=draft, requested_by=None)

    assert not ScoreSnapshot.objects.exists()


# --- concurrent writers (PostgreSQL row locks) -------------------------------------------


@pytest.mark.postgres
def test_assessment_submit_twice_at_once_submits_once(
    transactional_db, team, make_user
):
    assessment = assessment_in(team, "draft")
    lead = make_user(Role.TEAM_LEAD, team=team)
    barrier, outcomes = threading.Barrier(2), []

    def submit():
        barrier.wait()
        try:
            services.assessment_submit(assessment=assessment, submitted_by=lead)
            outcomes.append("submitted")
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["invalid_status", "submitted"]
    assert ScoreSnapshot.objects.filter(assessment=assessment).count() == 1
    assert len(audit_events("assessment.submitted")) == 1


@pytest.mark.postgres
def test_assessment_create_twice_at_once_creates_once(
    transactional_db, team, rubric, lead
):
    barrier, outcomes = threading.Barrier(2), []

    def create():
        barrier.wait()
        try:
            services.assessment_create(
                team=team, period="2026-Q4", rubric=rubric, created_by=lead
            )
            outcomes.append("created")
        except ApplicationError as exc:
            outcomes.append(exc.fields["period"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["Already assessed.", "created"]
    assert Assessment.objects.count() == 1
    assert len(audit_events("assessment.created")) == 1


def test_disagreement_resolve_refuses_when_respondents_agree(
    in_review, assessor, questions
):
    with pytest.raises(ApplicationError, match="nothing to rule on"):
        _resolve(in_review, assessor, questions["data.l1.documented"])

    assert not Resolution.objects.exists()


def test_signal_conflict_resolve_refuses_when_no_signal_contradicts(
    in_review, assessor
):
    with pytest.raises(ApplicationError, match="nothing to rule on"):
        _rule_conflict(in_review, assessor)

    assert not Resolution.objects.exists()


def test_review_complete_refuses_open_disagreements(disputed_review, assessor):
    with pytest.raises(ApplicationError, match="Rule on every disagreement") as error:
        services.review_complete(assessment=disputed_review, reviewer=assessor)

    assert error.value.fields["disagreements"] == ["data.l1.documented"]
    disputed_review.refresh_from_db()
    assert disputed_review.status == Assessment.Status.IN_REVIEW


def test_review_complete_refuses_open_conflicts(contradicted, assessor):
    with pytest.raises(ApplicationError, match="Rule on every disagreement") as error:
        services.review_complete(assessment=contradicted, reviewer=assessor)

    assert error.value.fields["conflicts"] == ["ops.l3.retraining"]
    assert not contradicted.snapshots.filter(kind="reviewed").exists()


def test_score_snapshots_refuse_update_and_delete_in_the_database(submitted):
    snapshot = submitted.snapshots.get()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ScoreSnapshot.objects.filter(pk=snapshot.pk).update(floor=4)
    # Raw SQL: the ORM stops earlier, on the snapshot's protected dimension rows.
    table = ScoreSnapshot._meta.db_table
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [snapshot.pk])

    snapshot.refresh_from_db()
    assert snapshot.floor != 4
