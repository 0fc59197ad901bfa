"""Promotion request pages: the list (and what awaits my decision), one request, and
the actions posted from it. Each action calls one promotion service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from apps.core.exceptions import ApplicationError
from apps.core.views import show_refusal
from apps.registry import policies, promotion, selectors, services
from apps.registry.forms import (
    BreakGlassForm,
    CommentForm,
    DecisionForm,
    EvidenceReviewForm,
    WithdrawForm,
)
from apps.registry.models import PromotionRequest
from apps.registry.views.allowed import request_actions, reviewable_evidence
from apps.registry.views.common import (
    evidence_review_post,
    paginate,
    request_or_404,
)

Status = PromotionRequest.Status

_FORMS: dict[str, type[Form]] = {
    "decide": DecisionForm,
    "withdraw": WithdrawForm,
    "break_glass": BreakGlassForm,
    "comment": CommentForm,
}


def _form(name: str, data=None) -> Form:
    """The named action's form; ids are prefixed, as several share one page."""
    form_class = _FORMS.get(name, Form)
    return form_class(data, auto_id=f"{name}_%s")


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    awaiting = request.GET.get("awaiting") == "me"
    status = request.GET.get("status")
    status = status if status in Status.values else None
    if awaiting:
        requests = selectors.requests_awaiting_decision(fetched_by=user)
    else:
        requests = selectors.request_list(fetched_by=user, status=status)
    context = {
        "page": paginate(request, requests),
        "awaiting": awaiting,
        "status": status,
        "statuses": Status.choices,
        "deciding": bool(policies.approver_roles(user)),
    }
    return render(request, "registry/request_list.html", context)


def _retrospective(promotion_request: PromotionRequest) -> PromotionRequest | None:
    try:
        return promotion_request.retrospective
    except PromotionRequest.retrospective.RelatedObjectDoesNotExist:
        return None


@dataclass
class RequestPage:
    """The request page; the forms a refused action re-renders with its input."""

    request: PromotionRequest
    forms: dict[str, Form] = field(default_factory=dict)

    def render(self, http: HttpRequest, status: int = 200) -> HttpResponse:
        r, user = self.request, http.user
        evidence = list(selectors.request_evidence(request=r))
        context = {
            "r": r,
            "model": r.version.model,
            "snapshot": r.policy_snapshot,
            "readiness": selectors.request_readiness(request=r, now=timezone.now())
            if r.in_flight
            else None,
            "evidence": evidence,
            "reviewable": reviewable_evidence(evidence, r.version, user),
            "actions": request_actions(r, user),
            "retrospective": _retrospective(r) if r.break_glass else None,
            **{
                f"{name}_form": self.forms[name] if name in self.forms else _form(name)
                for name in _FORMS
            },
        }
        return render(http, "registry/request_detail.html", context, status=status)


@login_required
@require_GET
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    return RequestPage(request_or_404(request, request_id)).render(request)


def _act(
    http: HttpRequest,
    request_id: int,
    name: str,
    step: Callable[[PromotionRequest, dict], str],
) -> HttpResponse:
    """Validate the posted form, run the step (which returns the success message),
    then redirect; a refusal re-renders the page with the message and the input."""
    promotion_request = request_or_404(http, request_id)
    form = _form(name, http.POST)
    page = RequestPage(promotion_request, forms={name: form})
    if not form.is_valid():
        return page.render(http, status=400)
    try:
        message = step(promotion_request, form.cleaned_data)
    except ApplicationError as exc:
        status = show_refusal(http, exc, form)
        page.request = request_or_404(http, request_id)  # the step may have moved it
        return page.render(http, status=status)
    messages.success(http, message)
    return redirect("registry:request-detail", request_id=request_id)


@login_required
@require_POST
def request_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    def step(r: PromotionRequest, data: dict) -> str:
        approve = data["outcome"] == "approve"
        r = promotion.promotion_decide(
            request=r, approver=request.user, approve=approve, comment=data["comment"]
        )
        said = "Approval" if approve else "Reject"
        return f"{said} recorded; the request is {r.get_status_display().lower()}."

    return _act(request, request_id, "decide", step)


@login_required
@require_POST
def request_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    def step(r: PromotionRequest, data: dict) -> str:
        promotion.promotion_withdraw(
            request=r, withdrawn_by=request.user, reason=data["reason"]
        )
        return "Request withdrawn."

    return _act(request, request_id, "withdraw", step)


@login_required
@require_POST
def request_apply(request: HttpRequest, request_id: int) -> HttpResponse:
    def step(r: PromotionRequest, data: dict) -> str:
        r = promotion.promotion_apply(request=r, applied_by=request.user)
        return f"Applied: {r.target} → v{r.version.version}."

    return _act(request, request_id, "apply", step)


@login_required
@require_POST
def request_break_glass(request: HttpRequest, request_id: int) -> HttpResponse:
    def step(r: PromotionRequest, data: dict) -> str:
        r = promotion.promotion_apply(
            request=r, applied_by=request.user, break_glass=True, reason=data["reason"]
        )
        return (
            f"Break-glass applied: {r.target} → v{r.version.version}. "
            "A retrospective review is open."
        )

    return _act(request, request_id, "break_glass", step)


@login_required
@require_POST
def request_comment(request: HttpRequest, request_id: int) -> HttpResponse:
    def step(r: PromotionRequest, data: dict) -> str:
        services.comment_add(author=request.user, body=data["body"], request=r)
        return "Comment added."

    return _act(request, request_id, "comment", step)


@login_required
@require_POST
def request_evidence_review(
    request: HttpRequest, request_id: int, item_id: int
) -> HttpResponse:
    promotion_request = request_or_404(request, request_id)
    item = selectors.evidence_get(fetched_by=request.user, item_id=item_id)
    if item is None or item.version_id != promotion_request.version_id:
        raise Http404("No such evidence.")
    status = evidence_review_post(request, item, EvidenceReviewForm(request.POST))
    if status is None:
        return redirect("registry:request-detail", request_id=request_id)
    return RequestPage(request_or_404(request, request_id)).render(request, status)
