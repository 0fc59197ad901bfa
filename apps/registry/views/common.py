"""What every registry page shares: lookups that 404, showing refusals, paging."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest

from apps.core.exceptions import ApplicationError
from apps.core.views import show_refusal
from apps.registry import selectors, services
from apps.registry.forms import EvidenceReviewForm
from apps.registry.models import EvidenceItem, PromotionRequest, RegisteredModel

PAGE_SIZE = 25


def model_or_404(request: HttpRequest, model_id: int) -> RegisteredModel:
    model = selectors.model_get(fetched_by=request.user, model_id=model_id)
    if model is None:
        raise Http404("No such model.")
    return model


def request_or_404(request: HttpRequest, request_id: int) -> PromotionRequest:
    promotion_request = selectors.request_get(
        fetched_by=request.user, request_id=request_id
    )
    if promotion_request is None:
        raise Http404("No such request.")
    return promotion_request


def paginate(request: HttpRequest, items) -> Page:
    """One page of a queryset: a count query and the page's rows."""
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def evidence_review_post(
    request: HttpRequest, item: EvidenceItem, form: EvidenceReviewForm
) -> int | None:
    """Accept or reject one evidence item; None on success, else the page's status."""
    if not form.is_valid():
        messages.error(request, "Choose accept or reject.")
        return 400
    accept = form.cleaned_data["outcome"] == "accept"
    try:
        services.evidence_review(
            item=item,
            reviewed_by=request.user,
            accept=accept,
            comment=form.cleaned_data["comment"],
        )
    except ApplicationError as exc:
        return show_refusal(request, exc, form)
    verb = "accepted" if accept else "rejected"
    messages.success(request, f"Evidence for {item.requirement_key} {verb}.")
    return None
