"""What a model governance report shows: the registry's inventory by risk tier, every
promotion request with its decisions, comments and the evidence of its version,
break-glass applies and their retrospective reviews, overdue revalidations, and the
audit events about the models in scope.

The scope is one model or the whole organisation; the period ("2026-Q3") selects the
requests opened in that quarter, and the audit events of the quarter. The inventory
and overdue revalidations are the registry as it stands when the report is read.
Reading takes the same few queries however many models and requests there are.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from apps.accounts.models import Organization
from apps.audit.models import Chain
from apps.core.exceptions import ApplicationError
from apps.registry.models import RegisteredModel

from .events import _events
from .inventory import _models, _overdue, _tiers
from .requests import (
    _break_glass_row,
    _evidence,
    _request_row,
    _request_scope,
    _requests,
)
from .rows import GovernanceContent

__all__ = ["governance_content", "quarter_bounds"]

PERIOD = re.compile(r"^(\d{4})-Q([1-4])$")


# --- Reading ------------------------------------------------------------------------


def quarter_bounds(period: str) -> tuple[datetime, datetime]:
    """[start, end) of a quarter such as "2026-Q3", in UTC."""
    match = PERIOD.match(period)
    if match is None:
        raise ApplicationError(
            f"{period!r} is not a quarter: write it as 2026-Q3.",
            fields={"period": ["Write a quarter as 2026-Q3."]},
        )
    year, quarter = int(match[1]), int(match[2])
    start = datetime(year, 3 * quarter - 2, 1, tzinfo=UTC)
    end = datetime(year + quarter // 4, 3 * quarter % 12 + 1, 1, tzinfo=UTC)
    return start, end


def governance_content(
    *,
    organization: Organization,
    model: RegisteredModel | None,
    period: str,
    chain: Chain,
) -> GovernanceContent:
    """The report's content; audit events are read up to the chain's head as `chain`
    holds it. Refused, readably, for a period without requests or registry activity."""
    bounds = quarter_bounds(period) if period else None
    models = RegisteredModel.objects.filter(organization=organization)
    if model is not None:
        models = models.filter(pk=model.pk)
    model_rows = _models(models)
    in_scope = _request_scope(models, bounds)
    requests = _requests(in_scope)
    events, total = _events(
        chain, models, in_scope, bounds, whole_registry=model is None
    )
    if bounds and not requests and not total:
        where = f" of {model.name}" if model else ""
        raise ApplicationError(
            f"No promotion requests in {period}, and no registry activity{where} then.",
            code="no_data",
            fields={"period": [f"No promotion requests in {period}."]},
        )
    return GovernanceContent(
        organization=organization,
        model=model,
        period=period,
        tiers=_tiers(model_rows),
        requests=[_request_row(request) for request in requests],
        evidence=_evidence(requests, in_scope),
        break_glass=[_break_glass_row(r) for r in requests if r.break_glass],
        overdue=_overdue(model_rows),
        events=events,
        events_total=total,
    )
