from __future__ import annotations

from collections.abc import Sequence

from django import forms

from apps.reports.models import Report


class ReportRequestForm(forms.Form):
    team = forms.TypedChoiceField(label="Team", coerce=int)
    period = forms.RegexField(
        label="Period",
        regex=r"^\d{4}-Q[1-4]$",
        required=False,
        help_text="e.g. 2026-Q3; empty: the latest scored assessment.",
        error_messages={"invalid": "Write a quarter as 2026-Q3."},
    )
    page_size = forms.ChoiceField(
        label="Paper", choices=Report.PageSize.choices, initial=Report.PageSize.A4
    )

    def __init__(self, *args, teams: Sequence[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = list(teams)
