"""What a team assessment report says: every criterion with the team's answers and
their evidence, the claims the repositories contradict, the reviewer's decisions and
the dashboards' charts. Read back from the PDF, or from the content the template is
given when the test is about how many queries reading it costs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from apps.accounts.models import Role
from apps.assessments import services as assessments
from apps.assessments.demo import default_rubric, seed_team_history
from apps.assessments.services import AnswerInput
from apps.reports import services
from apps.reports.content.team_assessment import team_assessment_content
from apps.reports.models import Report
from tests.accounts.factories import TeamFactory
from tests.assessments.factories import pdf_upload
from tests.repos.factories import LinkedRepoFactory, scanned

pytestmark = pytest.mark.django_db

LINK = "https://git.example.com/risk/validation-gate"
REJECTED_LINK = "https://wiki.example.com/runbook-draft"
REJECTION = "The page is a plan, not a runbook in use."
RULING = "The snapshots are versioned in the lake."
SIGNAL_RULING = "The scan shows no retraining pipeline."


def _dense(text: str) -> str:
    """Text without whitespace: narrow table cells wrap links and sentences anywhere."""
    return "".join(text.split())


def _text(report: Report) -> str:
    """The PDF's text, dense: compare it with _dense(phrase)."""
    with report.file.open("rb") as pdf:
        return _dense("".join(page.extract_text() for page in PdfReader(pdf).pages))


def _render(team, **kwargs) -> Report:
    report = services.report_request(
        kind=Report.Kind.TEAM_ASSESSMENT,
        team=team,
        requested_by=None,
        enqueue=False,
        **kwargs,
    )
    return services.report_render(report_id=report.pk)


@pytest.fixture
def people(team, make_user):
    return {
        "lead": make_user(Role.TEAM_LEAD, team=team),
        "member": make_user(Role.TEAM_MEMBER, team=team),
        "assessor": make_user(Role.ASSESSOR),
    }


@pytest.fixture
def handed_in(team, rubric, people):
    """The team's 2026-Q4 assessment, submitted: two respondents who disagree on the
    data snapshots, a retraining claim the repository contradicts, a link and a file
    as evidence and a note."""
    scanned(
        LinkedRepoFactory(team=team, name="risk/pipelines"),
        {"continuous_training": (False, "")},
    )
    lead, member = people["lead"], people["member"]
    assessment = assessments.assessment_create(
        team=team, period="2026-Q4", rubric=rubric, created_by=lead
    )
    questions = {q.key: q for q in rubric.questions.all()}
    given = {
        lead: {"data.snapshots": "versioned", "ops.l3.retraining": 12},
        member: {"data.snapshots": "notes", "data.l3.validated": True},
    }
    for respondent, values in given.items():
        assessments.answers_save(
            assessment=assessment,
            respondent=respondent,
            items=[AnswerInput(questions[k].pk, v) for k, v in values.items()],
        )
    assessments.answers_save(
        assessment=assessment,
        respondent=lead,
        items=[
            AnswerInput(
                questions["ops.l1.runbook"].pk, "In the wiki", notes="Kept by on-call."
            )
        ],
    )
    for question, link in (
        ("data.l3.validated", {"url": LINK}),
        ("data.l3.validated", {"upload": pdf_upload("gate-run.pdf")}),
        ("ops.l1.runbook", {"url": REJECTED_LINK}),
    ):
        assessments.evidence_add(
            assessment=assessment, question=questions[question], added_by=lead, **link
        )
    assessments.assessment_submit(assessment=assessment, submitted_by=lead)
    return assessment


@pytest.fixture
def reviewed(handed_in, rubric, people):
    """handed_in, reviewed: evidence verified and rejected, the disagreement and the
    conflict ruled on, the review completed."""
    assessor, assessment = people["assessor"], handed_in
    assessments.review_start(assessment=assessment, reviewer=assessor)
    for evidence in assessment.evidence.order_by("pk"):
        rejected = evidence.url == REJECTED_LINK
        assessments.evidence_review(
            evidence=evidence,
            reviewer=assessor,
            verified=not rejected,
            comment=REJECTION if rejected else "",
        )
    assessments.disagreement_resolve(
        assessment=assessment,
        question=rubric.questions.get(key="data.snapshots"),
        reviewer=assessor,
        value="versioned",
        na_reason="",
        justification=RULING,
    )
    assessments.signal_conflict_resolve(
        assessment=assessment,
        criterion=rubric.criteria.get(key="ops.l3.retraining"),
        reviewer=assessor,
        claim_upheld=False,
        justification=SIGNAL_RULING,
    )
    assessments.review_complete(assessment=assessment, reviewer=assessor)
    return assessment


def test_every_criterion_is_listed_with_its_answers_and_evidence(reviewed, people):
    text = _text(_render(reviewed.team))

    for key in reviewed.rubric.criteria.values_list("key", flat=True):
        assert _dense(key) in text
    lead, member = (people[role].get_full_name() for role in ("lead", "member"))
    assert _dense(f"Versioned snapshots ({lead})") in text
    assert _dense(f"Notes per run ({member})") in text
    assert _dense(f"{lead}: Kept by on-call.") in text
    assert _dense(f"{LINK} (verified by {people['assessor'].get_full_name()}") in text
    assert _dense("gate-run.pdf (sha256") in text
    assert _dense(f"{REJECTED_LINK} (rejected") in text
    assert _dense("Not answered") in text  # data.l1.documented: nobody answered it


def test_a_signal_shows_where_it_was_looked_for_and_when(reviewed):
    text = _text(_render(reviewed.team))

    observed = reviewed.team.repos.get().signals.get().observed_at
    assert _dense("scheduled or triggered retraining: looked for and not found") in text
    assert (
        _dense(f"risk/pipelines at {'a' * 12}, {observed:%Y-%m-%d}: not found") in text
    )


def test_an_open_conflict_is_marked_in_the_answers_and_listed(handed_in):
    text = _text(_render(handed_in.team))

    assert _dense("Conflict: the signal contradicts the answer") in text
    assert _dense("Open: no ruling yet") in text
    assert _dense("Respondents disagree") in text
    assert _dense("1 claim contradicted by the team's repositories") in text


def test_the_reviewer_decisions_are_listed_in_order(reviewed, people):
    text = _text(_render(reviewed.team))
    decisions = text[text.rindex(_dense("Reviewer decisions")) :]

    steps = [
        "Submitted for review",
        "Evidence verified",
        f"Evidence rejected ops.l1.runbook: {REJECTED_LINK} {REJECTION}",
        f"Respondents disagree: value chosen data.snapshots {RULING}",
        f"Answer contradicted by a signal: signal upheld ops.l3.retraining "
        f"{SIGNAL_RULING}",
        "Review completed: scores locked",
    ]
    positions = [decisions.index(_dense(step)) for step in steps]
    assert positions == sorted(positions)
    assert _dense(people["assessor"].get_full_name()) in decisions
    assert _dense("Ruling: the reviewer upheld the signal") in text


def test_the_dashboards_charts_are_drawn_with_their_text(reviewed):
    text = _text(_render(reviewed.team))

    for title in (
        "Team profile by dimension",
        "Median level against target, by dimension",
        "Team maturity over time",
    ):
        assert _dense(title) in text
    # Drawn as text, a dimension's name is in the levels table, its answers' heading,
    # and on both charts' axes (the radar's and the bars').
    assert text.count("Operations") == 4


def test_a_reopened_revision_lists_the_earlier_review(reviewed, people):
    revision = assessments.assessment_reopen(
        assessment=reviewed, reopened_by=people["lead"]
    )
    assessments.assessment_submit(assessment=revision, submitted_by=people["lead"])

    text = _text(_render(reviewed.team))

    assert _dense("Assessment 2026-Q4 (revision 2, submitted)") in text
    assert _dense("Review of revision 1 completed") in text
    assert _dense("Reopened as revision 2") in text


def _queries_to_read(team) -> int:
    with CaptureQueriesContext(connection) as queries:
        team_assessment_content(team=team)
    return len(queries)


def test_reading_the_content_costs_the_same_queries_for_115_criteria_as_for_6(
    team, org, make_user
):
    """A handful of answers to the test rubric, then the questions of the default
    rubric answered over four quarters, with evidence reviewed and conflicts ruled:
    the same 16 queries. The assessment, its snapshot, the previous assessment, its
    snapshot and dimension scores (5); the dimension names and scores (2); the
    organisation's maturity (2); the roadmap (1); answers, evidence and rulings (3);
    the history (1); the criteria and their questions' options (2)."""
    small = _queries_to_read(team)
    large_team = TeamFactory(business_unit=team.business_unit, slug="large")
    seed_team_history(
        team=large_team,
        rubric=default_rubric(),
        lead=make_user(Role.TEAM_LEAD, team=large_team),
        assessor=make_user(Role.ASSESSOR),
    )

    content = team_assessment_content(team=large_team)
    assert sum(len(d.criteria) for d in content.answers) == 115
    assert sum(bool(c.answers) for d in content.answers for c in d.criteria) > 80
    assert small == _queries_to_read(large_team) == 16
