"""Repository page forms. They shape input; the services decide whether it is allowed.
Lengths mirror the model's, so that the services' full_clean never meets a value the
form let through."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from apps.accounts.models import Team
from apps.repos.models import LinkedRepo, Provider

_PROJECT_HELP = (
    "owner/name on GitHub, group/name on GitLab: how webhooks and the CI API find "
    "the repository."
)


class _WhatToScan(forms.Form):
    """The fields both forms share: which branch and folder a scan reads."""

    default_branch = forms.CharField(
        label="Branch",
        required=False,
        max_length=200,
        help_text="Empty: the repository's default branch.",
    )
    subdir = forms.CharField(
        label="Folder",
        required=False,
        max_length=300,
        help_text="For monorepos: only this folder is scanned.",
    )


class RepoLinkForm(_WhatToScan):
    field_order = [
        "team",
        "name",
        "provider",
        "clone_url",
        "local_path",
        "project",
        "default_branch",
        "subdir",
        "credentials",
    ]

    team = forms.TypedChoiceField(coerce=int)
    name = forms.CharField(max_length=200, help_text="How the repository is shown.")
    provider = forms.ChoiceField(choices=Provider.choices)
    clone_url = forms.CharField(
        label="Clone URL",
        required=False,
        max_length=500,
        help_text="https:// or SSH, without a user name or password.",
    )
    local_path = forms.CharField(
        label="or Local path",
        required=False,
        max_length=500,
        help_text="A folder on the server, under the folders an admin allowed.",
    )
    project = forms.CharField(
        required=False,
        max_length=300,
        help_text=f"{_PROJECT_HELP} Read from the clone URL when empty.",
    )
    credentials = forms.CharField(
        label="Access token",
        required=False,
        max_length=2000,
        # Never rendered back, not even after an error.
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="For a private repository or its CI API; stored encrypted, never shown.",
    )

    def __init__(self, *args, teams: Sequence[Team], local_paths: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {team.pk: team for team in teams}
        self.fields["team"].choices = [(t.pk, t.name) for t in teams]
        if local_paths:
            self.fields["clone_url"].help_text += " Or give a local path."
        else:
            del self.fields["local_path"]
            self.fields["clone_url"].required = True

    def link_arguments(self) -> dict[str, Any]:
        """The cleaned input as repo_link's keyword arguments."""
        data = dict(self.cleaned_data)
        data["team"] = self.teams[data["team"]]
        return data


class RepoSettingsForm(_WhatToScan):
    field_order = [
        "name",
        "project",
        "default_branch",
        "subdir",
        "enabled",
        "credentials",
        "clear_credentials",
    ]

    name = forms.CharField(max_length=200)
    project = forms.CharField(required=False, max_length=300, help_text=_PROJECT_HELP)
    enabled = forms.BooleanField(
        required=False,
        help_text="A disabled repository is not scanned and its signals do not count.",
    )
    credentials = forms.CharField(
        label="New access token",
        required=False,
        max_length=2000,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Replaces the stored token. Empty: the stored token is kept.",
    )
    clear_credentials = forms.BooleanField(
        label="Remove the stored token", required=False
    )

    _FIELDS = ("name", "project", "default_branch", "subdir", "enabled")

    @classmethod
    def for_repo(cls, repo: LinkedRepo, data=None) -> RepoSettingsForm:
        initial = {field: getattr(repo, field) for field in cls._FIELDS}
        return cls(data, initial=initial, auto_id="settings_%s")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("credentials") and data.get("clear_credentials"):
            raise forms.ValidationError("Give a new token or remove it, not both.")
        return data

    def changes(self, repo: LinkedRepo) -> dict[str, Any]:
        """Only what differs from the repository, as repo_update's keyword arguments."""
        data = self.cleaned_data
        found = {
            field: data[field]
            for field in self._FIELDS
            if data[field] != getattr(repo, field)
        }
        if data["credentials"]:
            found["credentials"] = data["credentials"]
        elif data["clear_credentials"]:
            found["credentials"] = ""
        return found
