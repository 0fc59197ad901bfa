"""The dashboard's filters: GET parameters, so a filtered view is a shareable URL.
Choices are only what the user may read; anything else is an error, shown."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from django import forms
from django.utils.html import escape
from django.utils.safestring import mark_safe

from apps.dashboards.charts.maturity import HEATMAP_SORTS
from apps.dashboards.selectors import Filters

SORT_LABELS = {
    "name": "Team name",
    "floor": "Floor, highest first",
    "index": "Index, highest first",
}


class LongSelect(forms.Select):
    """A select whose options are written here rather than through one template per
    option, which took about 0.1 s for an organisation's 1,000 teams."""

    template_name = "dashboards/widgets/long_select.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["options_html"] = mark_safe(  # noqa: S308 - escaped here
            "".join(
                f'<option value="{escape(option["value"])}"'
                f"{' selected' if option['selected'] else ''}>"
                f"{escape(option['label'])}</option>"
                for _, options, _ in context["widget"]["optgroups"]
                for option in options
            )
        )
        return context


class DashboardFilterForm(forms.Form):
    business_unit = forms.TypedChoiceField(
        label="Business unit", coerce=int, required=False, empty_value=None
    )
    team = forms.TypedChoiceField(
        label="Team",
        coerce=int,
        required=False,
        empty_value=None,
        widget=LongSelect,
    )
    period = forms.ChoiceField(
        label="Period",
        required=False,
        help_text="Each team's assessment of that quarter; else its latest.",
    )
    sort = forms.ChoiceField(
        label="Sort the heatmap by",
        required=False,
        choices=[(key, SORT_LABELS[key]) for key in HEATMAP_SORTS],
    )

    def __init__(
        self,
        *args,
        units: Sequence[tuple[int, str]],
        teams: Sequence[tuple[int, str]],
        periods: Sequence[str],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.team_ids = [pk for pk, _ in teams]  # every team the reader sees
        self.fields["business_unit"].choices = [("", "All"), *units]
        self.fields["team"].choices = [("", "All"), *teams]
        self.fields["period"].choices = [
            ("", "Latest"),
            *((period, period) for period in periods),
        ]

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            business_unit=data["business_unit"],
            team=data["team"],
            period=data["period"] or None,
        )

    def sort_by(self) -> str:
        return self.cleaned_data["sort"] or "name"

    def query(self) -> str:
        """The valid filters as a query string, for links that keep them."""
        return urlencode(
            [(name, value) for name, value in self.cleaned_data.items() if value]
        )
