"""Registry list and model pages, and the forms posted from a model page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.core.exceptions import ApplicationError
from apps.core.views import show_refusal
from apps.registry import policies, promotion, selectors, services
from apps.registry.forms import (
    EvidenceAddForm,
    EvidenceReviewForm,
    ModelFilterForm,
    PromotionOpenForm,
)
from apps.registry.models import EvidenceRequirement, ModelVersion, RegisteredModel
from apps.registry.views.allowed import reviewable_evidence
from apps.registry.views.common import (
    evidence_review_post,
    model_or_404,
    paginate,
)


@login_required
@require_GET
def model_list(request: HttpRequest) -> HttpResponse:
    form = ModelFilterForm(
        request.GET,
        teams=list(selectors.model_filter_teams(fetched_by=request.user)),
        aliases=selectors.alias_names_in_use(fetched_by=request.user),
    )
    models = selectors.model_list(fetched_by=request.user, **form.filters())
    context = {"form": form, "page": paginate(request, models)}
    return render(request, "registry/model_list.html", context)


@dataclass
class ModelPage:
    """What the model page shows, loaded once, so a refused form re-renders it."""

    model: RegisteredModel
    versions: list[ModelVersion]
    targets: list[str]
    requirements: list[EvidenceRequirement]
    forms: dict = field(default_factory=dict)

    @classmethod
    def load(cls, model: RegisteredModel) -> ModelPage:
        return cls(
            model=model,
            versions=selectors.model_versions_with_history(model=model),
            targets=sorted(services.protected_alias_names(model.organization)),
            requirements=selectors.model_evidence_requirements(model=model),
        )

    def version(self, pk: int) -> ModelVersion:
        return next(v for v in self.versions if v.pk == pk)

    def open_form(self, data=None) -> PromotionOpenForm:
        return PromotionOpenForm(
            data, versions=self.versions, targets=self.targets, auto_id="open_%s"
        )

    def evidence_form(self, data=None, files=None) -> EvidenceAddForm:
        return EvidenceAddForm(
            data,
            files,
            versions=self.versions,
            requirements=self.requirements,
            auto_id="evidence_%s",
        )

    def render(self, request: HttpRequest, status: int = 200) -> HttpResponse:
        user, model = request.user, self.model
        contributes = policies.can_contribute(user, model)
        context = {
            "model": model,
            "versions": self.versions,
            "aliases": selectors.model_aliases(model=model),
            "findings": selectors.model_open_findings(model=model),
            "overdue": [v for v in self.versions if v.revalidation_overdue_since],
            "reviewable": {
                pk
                for v in self.versions
                for pk in reviewable_evidence(list(v.evidence.all()), v, user)
            },
            "open_form": None,
            "evidence_form": None,
        }
        if contributes:
            context["open_form"] = (
                self.forms["open"] if "open" in self.forms else self.open_form()
            )
            context["evidence_form"] = (
                self.forms["evidence"]
                if "evidence" in self.forms
                else self.evidence_form()
            )
        return render(request, "registry/model_detail.html", context, status=status)


@login_required
@require_GET
def model_detail(request: HttpRequest, model_id: int) -> HttpResponse:
    return ModelPage.load(model_or_404(request, model_id)).render(request)


@login_required
@require_POST
def promotion_open(request: HttpRequest, model_id: int) -> HttpResponse:
    page = ModelPage.load(model_or_404(request, model_id))
    form = page.forms["open"] = page.open_form(request.POST)
    if not form.is_valid():
        return page.render(request, status=400)
    data = form.cleaned_data
    try:
        opened = promotion.promotion_open(
            version=page.version(data["version"]),
            target=data["target"],
            requested_by=request.user,
            justification=data["justification"],
        )
    except ApplicationError as exc:
        return page.render(request, status=show_refusal(request, exc, form))
    messages.success(
        request,
        f"Request #{opened.pk} opened: v{opened.version.version} → {opened.target}.",
    )
    return redirect("registry:request-detail", request_id=opened.pk)


@login_required
@require_POST
def evidence_add(request: HttpRequest, model_id: int) -> HttpResponse:
    page = ModelPage.load(model_or_404(request, model_id))
    form = page.forms["evidence"] = page.evidence_form(request.POST, request.FILES)
    if not form.is_valid():
        return page.render(request, status=400)
    data = form.cleaned_data
    version = page.version(data["version"])
    try:
        services.evidence_add(
            version=version,
            requirement_key=data["requirement"],
            kind=form.evidence_kind(),
            submitted_by=request.user,
            url=data["url"],
            upload=data["file"],
            note=data["note"],
        )
    except ApplicationError as exc:
        return page.render(request, status=show_refusal(request, exc, form))
    messages.success(
        request, f"Evidence for {data['requirement']} attached to v{version.version}."
    )
    return redirect("registry:model-detail", model_id=page.model.pk)


@login_required
@require_POST
def model_evidence_review(
    request: HttpRequest, model_id: int, item_id: int
) -> HttpResponse:
    model = model_or_404(request, model_id)
    item = selectors.evidence_get(fetched_by=request.user, item_id=item_id)
    if item is None or item.version.model_id != model.pk:
        raise Http404("No such evidence.")
    status = evidence_review_post(request, item, EvidenceReviewForm(request.POST))
    if status is None:
        return redirect("registry:model-detail", model_id=model.pk)
    return ModelPage.load(model).render(request, status=status)


@login_required
@require_GET
def evidence_file(request: HttpRequest, item_id: int) -> FileResponse:
    item = selectors.evidence_get(fetched_by=request.user, item_id=item_id)
    if item is None or not item.file:
        raise Http404("No such evidence file.")
    try:
        stored = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage.") from exc
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=item.file_name,
        content_type="application/octet-stream",
    )
    # Never rendered by the browser, whatever the file claims to be.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
