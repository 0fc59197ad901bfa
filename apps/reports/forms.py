"""One request form per kind of report: the scope the user may pick (a team, a model
or a business unit), the period and the paper. Field names match the service's
keyword arguments, so its refusals land on the right field."""

from __future__ import annotations

from django import forms

from apps.reports.models import Report
from apps.reports.selectors import Scopes


class ReportRequestForm(forms.Form):
    kind: str
    scope_field: str
    scope_label: str
    everything_label = ""
    period_help = ""

    period = forms.RegexField(
        label="Period",
        regex=r"^\d{4}-Q[1-4]$",
        required=False,
        error_messages={"invalid": "Write a quarter as 2026-Q3."},
    )
    page_size = forms.ChoiceField(
        label="Paper", choices=Report.PageSize.choices, initial=Report.PageSize.A4
    )

    def __init__(self, *args, scopes: Scopes, **kwargs) -> None:
        # One page holds a form per kind: ids are made unique, names stay plain.
        kwargs.setdefault("auto_id", f"id_{self.kind}_%s")
        super().__init__(*args, **kwargs)
        choices: list[tuple[int | str, str]] = list(scopes.choices)
        if scopes.whole_org:
            choices.insert(0, ("", self.everything_label))
        scope = forms.TypedChoiceField(
            label=self.scope_label,
            choices=choices,
            coerce=int,
            required=not scopes.whole_org,
            empty_value=None,
        )
        self.fields = {self.scope_field: scope, **self.fields}
        self.fields["period"].help_text = self.period_help

    @property
    def scope_id(self) -> int | None:
        return self.cleaned_data.get(self.scope_field)


class TeamReportForm(ReportRequestForm):
    kind = Report.Kind.TEAM_ASSESSMENT
    scope_field, scope_label = "team", "Team"
    period_help = "e.g. 2026-Q3; empty: the latest scored assessment."


class GovernanceReportForm(ReportRequestForm):
    kind = Report.Kind.GOVERNANCE
    scope_field, scope_label = "model", "Model"
    everything_label = "Every model of the organisation"
    period_help = "Requests opened in that quarter, e.g. 2026-Q3; empty: all."


class LeadershipReportForm(ReportRequestForm):
    kind = Report.Kind.LEADERSHIP
    scope_field, scope_label = "business_unit", "Business unit"
    everything_label = "The whole organisation"
    period_help = "Each team's assessment of that quarter; empty: the latest."


FORMS: dict[str, type[ReportRequestForm]] = {
    form.kind: form
    for form in (TeamReportForm, GovernanceReportForm, LeadershipReportForm)
}
