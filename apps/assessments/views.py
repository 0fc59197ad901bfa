"""Questionnaire pages: start, answer (with autosave), review before submit, results."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.assessments import policies, questionnaire, selectors, services
from apps.assessments.forms import (
    AssessmentStartForm,
    answers_from_post,
    errors_by_question,
)
from apps.assessments.models import Assessment, NotApplicableReason
from apps.core.exceptions import ApplicationError
from apps.rubrics.selectors import rubric_latest_published


def _assessment_or_404(request: HttpRequest, pk: int) -> Assessment:
    assessment = selectors.assessment_get(fetched_by=request.user, assessment_id=pk)
    if assessment is None:
        raise Http404("No such assessment.")
    return assessment


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    teams = questionnaire.startable_teams(user=request.user)
    context = {
        "assessments": selectors.assessment_list(fetched_by=request.user),
        "form": AssessmentStartForm(teams=teams) if teams.exists() else None,
    }
    return render(request, "assessments/assessment_list.html", context)


@login_required
@require_POST
def assessment_start(request: HttpRequest) -> HttpResponse:
    teams = questionnaire.startable_teams(user=request.user)
    form = AssessmentStartForm(request.POST, teams=teams)
    rubric = rubric_latest_published(slug=settings.DEFAULT_RUBRIC_SLUG)
    if form.is_valid() and rubric is not None:
        try:
            assessment = services.assessment_create(
                created_by=request.user, rubric=rubric, **form.cleaned_data
            )
            return redirect("assessments:overview", pk=assessment.pk)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
    if rubric is None:
        form.add_error(None, "No published rubric yet: an operator imports one first.")
    context = {
        "assessments": selectors.assessment_list(fetched_by=request.user),
        "form": form,
    }
    return render(request, "assessments/assessment_list.html", context, status=400)


@login_required
def assessment_overview(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    context = {
        "assessment": assessment,
        "dimensions": questionnaire.dimension_list(assessment=assessment),
        "progress": questionnaire.assessment_progress(assessment=assessment),
        "snapshot": selectors.snapshot_latest(assessment=assessment),
        "can_answer": assessment.is_editable
        and policies.can_answer(request.user, assessment),
        "can_submit": assessment.is_editable
        and policies.can_submit(request.user, assessment),
        "can_review": policies.can_review(request.user, assessment),
    }
    return render(request, "assessments/assessment_overview.html", context)


def _save(request: HttpRequest, assessment: Assessment, questions) -> tuple[list, dict]:
    posted = {int(q) for q in request.POST.getlist("questions") if q.isdigit()}
    items = answers_from_post(
        [q.question for q in questions if q.question.pk in posted], request.POST
    )
    try:
        services.answers_save(
            assessment=assessment, respondent=request.user, items=items
        )
    except ApplicationError as exc:
        return items, errors_by_question(items, exc.fields) or {0: [exc.message]}
    return items, {}


def _autosave_response(assessment: Assessment, errors: dict) -> JsonResponse:
    progress = questionnaire.assessment_progress(assessment=assessment)
    body = {
        "ok": not errors,
        "errors": {str(question): problems for question, problems in errors.items()},
        "progress": {"answered": progress.answered, "total": progress.total},
    }
    return JsonResponse(body, status=400 if errors else 200)


@login_required
def questionnaire_page(request: HttpRequest, pk: int, dimension: str) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    page = questionnaire.questionnaire_page(
        assessment=assessment, dimension_key=dimension, respondent=request.user
    )
    if page is None:
        raise Http404("No such dimension.")
    current, questions = page
    editable = assessment.is_editable and policies.can_answer(request.user, assessment)
    errors: dict[int, list[str]] = {}
    if request.method == "POST":
        if not editable:
            return JsonResponse(
                {"ok": False, "error": "This assessment cannot be edited."}, status=403
            )
        _, errors = _save(request, assessment, questions)
        if request.headers.get("X-Autosave"):
            return _autosave_response(assessment, errors)
        if not errors:
            messages.success(request, f"Answers for {current.name} saved.")
            target = request.POST.get("next") or ""
            return redirect(
                target if target.startswith("/assessments/") else request.path
            )
    dimensions = questionnaire.dimension_list(assessment=assessment)
    position = next(i for i, d in enumerate(dimensions) if d.pk == current.pk)
    context = {
        "assessment": assessment,
        "dimension": current,
        "questions": questions,
        "dimensions": dimensions,
        "previous": dimensions[position - 1] if position else None,
        "next": dimensions[position + 1] if position + 1 < len(dimensions) else None,
        "progress": questionnaire.assessment_progress(assessment=assessment),
        "editable": editable,
        "errors": errors,
        "posted": request.POST if errors else None,
        "na_reasons": NotApplicableReason.choices,
    }
    return render(
        request,
        "assessments/questionnaire.html",
        context,
        status=400 if errors else 200,
    )


@login_required
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    if not (assessment.is_editable and policies.can_answer(request.user, assessment)):
        raise PermissionDenied("You cannot add evidence to this assessment.")
    question = selectors.question_get(
        rubric=assessment.rubric, question_id=_posted_id(request.POST, "question")
    )
    if question is None:
        raise Http404("No such question.")
    try:
        services.evidence_add(
            assessment=assessment,
            question=question,
            added_by=request.user,
            url=request.POST.get("url", "").strip(),
            upload=request.FILES.get("file"),
            description=request.POST.get("description", "").strip(),
        )
        messages.success(request, "Evidence added.")
    except ApplicationError as exc:
        messages.error(request, f"Evidence not added: {exc.message}")
    except ValidationError as exc:  # the row's own checks: a bad link, a long text
        messages.error(request, f"Evidence not added: {' '.join(exc.messages)}")
    return redirect(
        f"/assessments/{assessment.pk}/d/{question.dimension.key}/#q{question.pk}"
    )


@login_required
def submit_review(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    can_submit = assessment.is_editable and policies.can_submit(
        request.user, assessment
    )
    if request.method == "POST":
        if not can_submit:
            raise PermissionDenied("You cannot submit this assessment.")
        try:
            services.assessment_submit(assessment=assessment, submitted_by=request.user)
            messages.success(request, "Submitted. Here are your scores.")
            return redirect("assessments:results", pk=assessment.pk)
        except ApplicationError as exc:
            messages.error(request, exc.message)
    context = {
        "assessment": assessment,
        "missing": questionnaire.unanswered_by_dimension(assessment=assessment),
        "progress": questionnaire.assessment_progress(assessment=assessment),
        "can_submit": can_submit,
    }
    return render(request, "assessments/submit_review.html", context)


def _rubric_order(names: dict[str, str]):
    position = {key: index for index, key in enumerate(names)}
    return lambda dimension: position.get(dimension["id"], len(position))


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    snapshot = selectors.snapshot_latest(assessment=assessment)
    if snapshot is None:
        messages.info(request, "Scores appear once the assessment is submitted.")
        return redirect("assessments:overview", pk=assessment.pk)
    previous = selectors.previous_assessment(assessment=assessment)
    before = selectors.snapshot_latest(assessment=previous) if previous else None
    dimensions = questionnaire.dimension_list(assessment=assessment)
    names = {d.key: d.name for d in dimensions}  # in the rubric's order
    changes = (
        selectors.snapshot_changes(before=before, after=snapshot) if before else None
    )
    by_id = {d["id"]: d for d in changes["dimensions"]} if changes else {}
    rows = [
        {"name": names.get(d["id"], d["id"]), "scored": d, "change": by_id.get(d["id"])}
        for d in sorted(snapshot.payload["dimensions"], key=_rubric_order(names))
    ]
    context = {
        "assessment": assessment,
        "snapshot": snapshot,
        "previous": previous,
        "changes": changes,
        "rows": rows,
        "conflicts": questionnaire.signal_conflicts(
            assessment=assessment, snapshot=snapshot
        ),
    }
    return render(request, "assessments/results.html", context)


def _posted_id(data, name: str) -> int:
    """A posted id, or 0 (matches nothing) when it is missing or not a number."""
    value = data.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else 0


def _review_action(request: HttpRequest, assessment: Assessment) -> HttpResponse | None:
    """Run the assessor's posted action; return a redirect, or None after an error message."""
    action, user, post = request.POST.get("action"), request.user, request.POST
    if action == "reopen":
        if not policies.can_reopen(user, assessment):
            raise PermissionDenied("You cannot reopen this assessment.")
        revision = services.assessment_reopen(assessment=assessment, reopened_by=user)
        messages.success(request, f"Revision {revision.revision} opened.")
        return redirect("assessments:overview", pk=revision.pk)
    if not policies.can_review(user, assessment):
        raise PermissionDenied("Only assessors review.")
    if action == "start":
        services.review_start(assessment=assessment, reviewer=user)
    elif action in ("verify", "reject"):
        evidence = selectors.evidence_get(
            assessment=assessment, evidence_id=_posted_id(post, "evidence")
        )
        if evidence is None:
            raise Http404("No such evidence.")
        services.evidence_review(
            evidence=evidence,
            reviewer=user,
            verified=action == "verify",
            comment=post.get("comment", ""),
        )
    elif action == "resolve":
        answer = selectors.answer_get(
            assessment=assessment, answer_id=_posted_id(post, "answer")
        )
        if answer is None or answer.question_id != _posted_id(post, "question"):
            messages.error(request, "Pick the answer that counts.")
            return None
        services.disagreement_resolve(
            assessment=assessment,
            question=answer.question,
            reviewer=user,
            value=answer.value,
            na_reason=answer.na_reason,
            justification=post.get("justification", ""),
        )
    elif action == "conflict":
        criterion = selectors.criterion_get(
            rubric=assessment.rubric, key=post.get("criterion", "")
        )
        if criterion is None:
            raise Http404("No such criterion.")
        services.signal_conflict_resolve(
            assessment=assessment,
            criterion=criterion,
            reviewer=user,
            claim_upheld=post.get("outcome") == "claim",
            justification=post.get("justification", ""),
        )
    elif action == "complete":
        services.review_complete(assessment=assessment, reviewer=user)
        messages.success(request, "Review complete; the assessment is locked.")
        return redirect("assessments:results", pk=assessment.pk)
    else:
        messages.error(request, "Unknown action.")
        return None
    return redirect("assessments:assess", pk=assessment.pk)


@login_required
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessor's page: take the review, rule on evidence and disagreements, finish."""
    assessment = _assessment_or_404(request, pk)
    if request.method == "POST":
        try:
            response = _review_action(request, assessment)
            if response is not None:
                return response
        except ApplicationError as exc:
            details = "; ".join(
                f"{field}: {', '.join(map(str, values))}"
                for field, values in exc.fields.items()
                if values
            )
            messages.error(request, f"{exc.message} {details}".strip())
        assessment = _assessment_or_404(request, pk)
    context = {
        "assessment": assessment,
        "items": questionnaire.review_items(assessment=assessment),
        "conflicts": questionnaire.signal_conflicts(assessment=assessment),
        "snapshot": selectors.snapshot_latest(assessment=assessment),
        "is_reviewer": assessment.reviewer_id == request.user.pk,
        "can_review": policies.can_review(request.user, assessment),
        "can_reopen": policies.can_reopen(request.user, assessment),
    }
    return render(request, "assessments/assess.html", context)
