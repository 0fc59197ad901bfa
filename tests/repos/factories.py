"""Linked repositories and their scans' signals, for tests of what reads them."""

from __future__ import annotations

from datetime import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.repos.models import LinkedRepo, Scan, Signal
from tests.accounts.factories import TeamFactory, UserFactory


class LinkedRepoFactory(DjangoModelFactory):
    class Meta:
        model = LinkedRepo

    team = factory.SubFactory(TeamFactory)
    organization = factory.SelfAttribute("team.organization")
    name = factory.Sequence(lambda n: f"org/repo-{n}")
    provider = "github"
    clone_url = factory.LazyAttribute(lambda r: f"https://github.com/{r.name}.git")
    project = factory.SelfAttribute("name")
    created_by = factory.SubFactory(
        UserFactory, organization=factory.SelfAttribute("..organization")
    )


def scanned(
    repo: LinkedRepo,
    facts: dict[str, tuple[bool, str]],
    *,
    observed_at: datetime | None = None,
    source: str = Signal.Source.SCAN,
) -> Scan:
    """A succeeded scan of `repo` that observed `facts` (key → (value, strength))."""
    when = observed_at or timezone.now()
    scan = Scan.objects.create(
        repo=repo,
        trigger=Scan.Trigger.MANUAL,
        status=Scan.Status.SUCCEEDED,
        started_at=when,
        finished_at=when,
        commit="a" * 40,
    )
    Signal.objects.bulk_create(
        Signal(
            repo=repo,
            scan=scan,
            key=key,
            value=value,
            strength=strength,
            source=source,
            evidence=[f"{key}.yml"] if value else [],
            commit=scan.commit,
            observed_at=when,
        )
        for key, (value, strength) in facts.items()
    )
    return scan
