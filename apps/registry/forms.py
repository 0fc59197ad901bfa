"""Registry page forms. They shape input; the services decide whether it is allowed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django import forms

from apps.registry.models import (
    ALIAS_PATTERN,
    EvidenceRequirement,
    ModelVersion,
    RiskTier,
)

REVALIDATION_CHOICES = [
    ("", "Any"),
    ("overdue", "Overdue"),
    ("due_soon", "Due soon"),
    ("ok", "OK"),
]

# Versions that can still be promoted (the service refuses the others too).
_NOT_PROMOTABLE = (ModelVersion.Status.RETIRED, ModelVersion.Status.SUSPENDED)


def _version_choices(versions: Iterable[ModelVersion]) -> list[tuple[int, str]]:
    return [
        (v.pk, f"v{v.version} ({v.get_status_display().lower()})") for v in versions
    ]


class ModelFilterForm(forms.Form):
    """The list's GET filters; an invalid value is dropped, not an error page."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    team = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    risk_tier = forms.ChoiceField(
        label="Risk tier", required=False, choices=[("", "Any"), *RiskTier.choices]
    )
    alias = forms.RegexField(ALIAS_PATTERN, required=False)
    revalidation = forms.ChoiceField(required=False, choices=REVALIDATION_CHOICES)

    def __init__(self, *args, teams: Sequence, aliases: Sequence[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "Any"), *((t.pk, t.name) for t in teams)]
        self.fields["alias"].widget = forms.Select(
            choices=[("", "Any"), *((name, name) for name in aliases)]
        )

    def filters(self) -> dict:
        """The valid filters, ready for the selector (cleaned_data drops the others)."""
        self.is_valid()
        return {name: value or None for name, value in self.cleaned_data.items()}


class PromotionOpenForm(forms.Form):
    version = forms.TypedChoiceField(coerce=int)
    target = forms.ChoiceField()
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why this version should move: what it improves, what was checked.",
    )

    def __init__(
        self,
        *args,
        versions: Sequence[ModelVersion],
        targets: Sequence[str],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        promotable = [
            v for v in versions if v.is_frozen and v.status not in _NOT_PROMOTABLE
        ]
        self.fields["version"].choices = _version_choices(promotable)
        self.fields["target"].choices = [(t, t) for t in targets]


class EvidenceAddForm(forms.Form):
    version = forms.TypedChoiceField(coerce=int)
    requirement = forms.ChoiceField(help_text="What the evidence proves.")
    url = forms.URLField(
        label="Link", required=False, max_length=1000, assume_scheme="https"
    )
    file = forms.FileField(required=False)
    note = forms.CharField(required=False, max_length=1000)

    def __init__(
        self,
        *args,
        versions: Sequence[ModelVersion],
        requirements: Sequence[EvidenceRequirement],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = _version_choices(versions)
        # The policies' requirements first, then any other kind under its own name.
        self.kinds = {r.key: r.kind for r in requirements}
        choices = [
            (r.key, f"{r.key}: {r.description or r.get_kind_display()}")
            for r in requirements
        ]
        for kind, label in EvidenceRequirement.Kind.choices:
            if kind not in self.kinds:
                self.kinds[kind] = kind
                choices.append((kind, label))
        self.fields["requirement"].choices = choices

    def evidence_kind(self) -> str:
        return self.kinds[self.cleaned_data["requirement"]]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to reject.",
    )


class EvidenceReviewForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])
    comment = forms.CharField(required=False, max_length=1000)


class WithdrawForm(forms.Form):
    reason = forms.CharField(required=False, max_length=1000)


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The incident this promotion answers. A retrospective review opens.",
    )


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}))
