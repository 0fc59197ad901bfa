"""Questionnaire pages: autosave, keeping input on errors, query budgets, results."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role
from apps.assessments import services
from apps.assessments.models import Answer
from apps.assessments.services import AnswerInput
from apps.rubrics.services import rubric_import
from apps.rubrics.validation import parse_rubric
from tests.accounts.factories import TEST_PASSWORD, MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def _rubric_with(questions: int, slug: str):
    """A one-dimension rubric with `questions` yes/no criteria spread over levels 1–2."""
    criteria = "\n".join(
        f"""      - id: data.l{1 + i % 2}.c{i}
        level: {1 + i % 2}
        statement: Statement {i}.
        evidence: attest
        requires: []
        effort: S
        question: {{type: yes_no, text: "Question {i}?"}}"""
        for i in range(questions)
    )
    levels = "\n".join(f"  - {{level: {n}, name: L{n}}}" for n in range(5))
    text = f"""slug: {slug}
version: 1.0.0
title: Sized
levels:
{levels}
dimensions:
  - id: data
    name: Data
    core: true
    weight: 1.0
    criteria:
{criteria}
"""
    return rubric_import(
        spec=parse_rubric(text, filename="sized.yaml"), publish=True
    ).rubric


def _answered_assessment(team, lead, others, rubric, period):
    assessment = services.assessment_create(
        team=team, period=period, rubric=rubric, created_by=lead
    )
    items = [AnswerInput(q.pk, True) for q in rubric.questions.all()]
    for person in [lead, *others]:
        services.answers_save(assessment=assessment, respondent=person, items=items)
    return assessment


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_questionnaire_page_queries_do_not_grow_with_questions_or_respondents(
    team, lead, make_user
):
    small = _answered_assessment(team, lead, [], _rubric_with(1, "small"), "2026-Q1")
    others = [make_user(Role.TEAM_MEMBER, team=team) for _ in range(3)]
    large = _answered_assessment(
        team, lead, others, _rubric_with(8, "large"), "2026-Q2"
    )
    client = _client(lead)
    client.get(f"/assessments/{small.pk}/d/data/")  # warm the session

    # Session, user, roles, assessment (+ latest scores), the dimension with its questions,
    # options and criteria (4), answers, evidence, the dimension list, progress (2).
    few = _page_queries(client, f"/assessments/{small.pk}/d/data/")
    many = _page_queries(client, f"/assessments/{large.pk}/d/data/")

    assert few == many


def test_results_page_queries_do_not_grow_with_answers(team, lead, make_user):
    other_team = TeamFactory(business_unit=team.business_unit)
    MembershipFactory(user=lead, role=Role.TEAM_LEAD, team=other_team)
    members = [make_user(Role.TEAM_MEMBER, team=other_team) for _ in range(2)]
    small = _answered_assessment(team, lead, [], _rubric_with(1, "small"), "2026-Q1")
    large = _answered_assessment(
        other_team, lead, members, _rubric_with(8, "large"), "2026-Q1"
    )
    for assessment in (small, large):
        services.assessment_submit(assessment=assessment, submitted_by=lead)
    client = _client(lead)
    client.get(f"/assessments/{small.pk}/results/")

    # Session, user, roles, assessment, its latest snapshot, the previous assessment,
    # dimension names, the organisation (page header), the snapshot's rubric.
    few = _page_queries(client, f"/assessments/{small.pk}/results/")
    many = _page_queries(client, f"/assessments/{large.pk}/results/")

    assert few == many == 9


def test_autosave_saves_one_question_and_reports_progress(draft, lead, questions):
    question = questions["data.l1.documented"]
    response = _client(lead).post(
        f"/assessments/{draft.pk}/d/data/",
        {"questions": question.pk, f"q{question.pk}-value": "yes"},
        HTTP_X_AUTOSAVE="1",
    )

    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert response.json()["progress"]["answered"] == 1
    assert Answer.objects.get(assessment=draft, respondent=lead).value is True


def test_autosave_refuses_a_bad_value_and_keeps_the_saved_one(
    draft, lead, questions, answer
):
    answer(draft, lead, **{"data.snapshots": "notes"})
    question = questions["data.snapshots"]

    response = _client(lead).post(
        f"/assessments/{draft.pk}/d/data/",
        {"questions": question.pk, f"q{question.pk}-value": "not-an-option"},
        HTTP_X_AUTOSAVE="1",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {str(question.pk): ["Pick one of the options."]}
    assert Answer.objects.get(assessment=draft, question=question).value == "notes"


def test_full_page_save_with_an_error_saves_nothing_and_shows_what_was_typed(
    draft, lead, questions
):
    good, bad = questions["data.l1.documented"], questions["data.snapshots"]
    response = _client(lead).post(
        f"/assessments/{draft.pk}/d/data/",
        {
            "questions": [good.pk, bad.pk],
            f"q{good.pk}-value": "yes",
            f"q{good.pk}-notes": "see the wiki",
            f"q{bad.pk}-value": "bogus",
        },
    )

    assert response.status_code == 400
    assert "see the wiki" in response.content.decode()
    assert "Pick one of the options." in response.content.decode()
    assert not Answer.objects.filter(assessment=draft).exists()


def test_full_page_save_redirects_to_the_next_page(draft, lead, questions):
    question = questions["data.l1.documented"]
    response = _client(lead).post(
        f"/assessments/{draft.pk}/d/data/",
        {
            "questions": question.pk,
            f"q{question.pk}-value": "no",
            "next": f"/assessments/{draft.pk}/submit/",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{draft.pk}/submit/"
    assert Answer.objects.get(assessment=draft).value is False


def test_questionnaire_is_read_only_after_submit(submitted, lead, questions):
    question = questions["data.l1.documented"]
    client = _client(lead)

    page = client.get(f"/assessments/{submitted.pk}/d/data/")
    response = client.post(
        f"/assessments/{submitted.pk}/d/data/",
        {"questions": question.pk, f"q{question.pk}-value": "no"},
        HTTP_X_AUTOSAVE="1",
    )

    assert "read-only" in page.content.decode()
    assert response.status_code == 403


def test_team_member_cannot_submit(draft, member, answer):
    answer(draft, member, **{"data.l1.documented": True})

    response = _client(member).post(f"/assessments/{draft.pk}/submit/")

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == draft.Status.DRAFT


def test_submit_review_lists_unanswered_questions(draft, lead, answer, questions):
    answer(draft, lead, **{"data.l1.documented": True})

    page = _client(lead).get(f"/assessments/{draft.pk}/submit/").content.decode()

    assert questions["data.snapshots"].text in page
    assert questions["data.l1.documented"].text not in page


def test_results_show_levels_and_change_since_previous(team, lead, rubric, answer):
    earlier = services.assessment_create(
        team=team, period="2026-Q3", rubric=rubric, created_by=lead
    )
    answer(earlier, lead, **{"data.l1.documented": False})
    services.assessment_submit(assessment=earlier, submitted_by=lead)
    later = services.assessment_create(
        team=team, period="2026-Q4", rubric=rubric, created_by=lead
    )
    answer(later, lead, **{"data.l1.documented": True, "data.snapshots": "versioned"})
    services.assessment_submit(assessment=later, submitted_by=lead)

    page = _client(lead).get(f"/assessments/{later.pk}/results/").content.decode()

    assert "Compared with 2026-Q3" in page
    assert "level +2" in page


def test_other_team_member_gets_404(draft, make_user):
    outsider = make_user(
        Role.TEAM_MEMBER, team=TeamFactory(business_unit=draft.team.business_unit)
    )

    assert _client(outsider).get(f"/assessments/{draft.pk}/d/data/").status_code == 404


def test_assessor_reviews_in_the_browser_flow(submitted, assessor):
    client = _client(assessor)

    client.post(f"/assessments/{submitted.pk}/assess/", {"action": "start"})
    response = client.post(
        f"/assessments/{submitted.pk}/assess/", {"action": "complete"}
    )

    submitted.refresh_from_db()
    assert response.status_code == 302
    assert submitted.status == submitted.Status.REVIEWED
    assert submitted.snapshots.filter(kind="reviewed").count() == 1


def test_assessor_rules_on_a_conflict_then_completes(contradicted, assessor):
    client = _client(assessor)
    page = client.get(f"/assessments/{contradicted.pk}/assess/").content.decode()

    client.post(
        f"/assessments/{contradicted.pk}/assess/",
        {
            "action": "conflict",
            "criterion": "ops.l3.retraining",
            "outcome": "signal",
            "justification": "No scheduler in the repository.",
        },
    )
    client.post(f"/assessments/{contradicted.pk}/assess/", {"action": "complete"})

    assert "Answers contradicted by signals" in page
    # Where the signal was looked for: the repository, its commit, what it showed.
    assert "Signal <code>continuous_training</code>" in page
    assert "org/repo-" in page
    assert "not found" in page
    contradicted.refresh_from_db()
    assert contradicted.resolutions.get().outcome == "signal_upheld"
    assert contradicted.status == contradicted.Status.REVIEWED


def test_results_show_conflicts_with_where_the_signal_was_looked_for(
    contradicted, lead
):
    page = _client(lead).get(f"/assessments/{contradicted.pk}/results/").content

    assert b"ops.l3.retraining" in page
    assert b"Signal <code>continuous_training</code>" in page
    assert b"awaiting the assessor" in page


def test_completing_with_an_open_disagreement_says_which(disputed_review, assessor):
    response = _client(assessor).post(
        f"/assessments/{disputed_review.pk}/assess/",
        {"action": "complete"},
        follow=True,
    )

    assert "data.l1.documented" in response.content.decode()
    disputed_review.refresh_from_db()
    assert disputed_review.status == disputed_review.Status.IN_REVIEW


def test_none_of_these_counts_as_an_answer(draft, lead, questions):
    question = questions["ops.l2.tools"]
    response = _client(lead).post(
        f"/assessments/{draft.pk}/d/ops/",
        {"questions": question.pk, f"q{question.pk}-value": "__none__"},
        HTTP_X_AUTOSAVE="1",
    )

    assert response.json()["progress"]["answered"] == 1
    assert Answer.objects.get(assessment=draft).value == []


def test_results_list_dimensions_in_the_rubrics_order(team, lead):
    levels = "\n".join(f"  - {{level: {n}, name: L{n}}}" for n in range(5))
    dimension = """  - id: {key}
    name: {name}
    core: true
    weight: 1.0
    criteria:
      - id: {key}.l1.a
        level: 1
        statement: S.
        evidence: attest
        requires: []
        effort: S
        question: {{type: yes_no, text: "Q?"}}"""
    text = (
        f"slug: ordered\nversion: 1.0.0\ntitle: T\nlevels:\n{levels}\ndimensions:\n"
        + "\n".join(
            dimension.format(key=key, name=name)
            for key, name in (("zeta", "Zeta first"), ("alpha", "Alpha second"))
        )
    )
    rubric = rubric_import(
        spec=parse_rubric(text, filename="o.yaml"), publish=True
    ).rubric
    assessment = _answered_assessment(team, lead, [], rubric, "2026-Q4")
    services.assessment_submit(assessment=assessment, submitted_by=lead)

    page = _client(lead).get(f"/assessments/{assessment.pk}/results/").content.decode()

    assert page.index("Zeta first") < page.index("Alpha second")


@pytest.mark.parametrize(
    ("field", "value"),
    [("evidence", "abc"), ("evidence", "9" * 30), ("evidence", "")],
)
def test_assessor_actions_with_bad_ids_are_404_not_500(
    in_review, assessor, field, value
):
    response = _client(assessor).post(
        f"/assessments/{in_review.pk}/assess/", {"action": "verify", field: value}
    )

    assert response.status_code == 404


def test_resolving_with_an_answer_of_another_question_is_refused(
    disputed_review, assessor, questions
):
    other = disputed_review.answers.exclude(question=questions["data.l1.documented"])
    response = _client(assessor).post(
        f"/assessments/{disputed_review.pk}/assess/",
        {
            "action": "resolve",
            "question": questions["data.l1.documented"].pk,
            "answer": other.first().pk,
            "justification": "Seen it.",
        },
        follow=True,
    )

    assert "Pick the answer that counts." in response.content.decode()
    assert not disputed_review.resolutions.exists()


def test_evidence_add_with_a_bad_question_id_is_404(draft, lead):
    response = _client(lead).post(
        f"/assessments/{draft.pk}/evidence/add/",
        {"question": "x1", "url": "https://example.com"},
    )

    assert response.status_code == 404
    assert not draft.evidence.exists()
