"""HTML pages: sign-in, the team directory and personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts import selectors, services
from apps.accounts.forms import ApiTokenCreateForm
from apps.core.exceptions import ApplicationError


@login_required
def team_directory(request: HttpRequest) -> HttpResponse:
    teams = selectors.team_list(fetched_by=request.user)
    return render(request, "accounts/team_directory.html", {"teams": teams})


@login_required
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.team_get(fetched_by=request.user, team_id=team_id)
    if team is None:
        raise Http404("No such team.")
    return render(request, "accounts/team_detail.html", {"team": team})


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenCreateForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.api_token_create(
                user=request.user, **form.cleaned_data
            )
            created = {"token": token, "secret": secret}
            form = ApiTokenCreateForm()
        except ApplicationError as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
    context = {
        "form": form,
        "created": created,
        "tokens": selectors.api_token_list(fetched_by=request.user),
    }
    # The secret is in this response only: no redirect, nothing kept in the session.
    response = render(request, "accounts/api_tokens.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.api_token_get(fetched_by=request.user, token_id=token_id)
    if token is None:
        raise Http404("No such token.")
    try:
        services.api_token_revoke(token=token, revoked_by=request.user)
        messages.success(request, f"Token “{token.name}” revoked.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:api-tokens")
