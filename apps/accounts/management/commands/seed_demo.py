from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.demo import DEMO_ORG, DEMO_PASSWORD, seed_demo
from apps.accounts.models import Organization, User
from apps.assessments.demo import seed_demo_assessments
from apps.registry.demo import seed_demo_registry
from apps.repos.demo import demo_dir, seed_demo_repos
from apps.roadmaps.demo import seed_demo_roadmaps


class Command(BaseCommand):
    help = (
        "Create the demo organisation (idempotent): people in every role, the default "
        "rubric, linked demo repositories (scanned), 3–4 past quarterly assessments "
        "per team, and a model registry with promotion history. Prints the logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DJANGO_DEBUG off (the demo password is public).",
        )
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="Only people and teams: no rubric import, assessments or registry.",
        )

    def handle(self, *args, allow_production=False, no_history=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "Refusing to seed demo users with a public password while DJANGO_DEBUG "
                "is off. Pass --allow-production if this really is a demo instance."
            )
        logins = seed_demo()
        if not no_history:
            organization = Organization.objects.get(slug=DEMO_ORG[1])
            # Repositories first: their signals are evidence in the assessments' scores.
            repos = seed_demo_repos(
                organization=organization,
                admin=User.objects.get(organization=organization, username="admin"),
            )
            if repos is None:
                self.stdout.write(
                    f"Demo repositories skipped: add {demo_dir()} to REPOS_LOCAL_ROOTS "
                    "(`make run` does) to link and scan them."
                )
            else:
                self.stdout.write(f"Demo repositories linked and scanned: {repos}")
            created = seed_demo_assessments(organization=organization)
            self.stdout.write(f"Past assessments created: {created}")
            roadmaps = seed_demo_roadmaps(organization=organization)
            self.stdout.write(
                f"Roadmaps generated: {roadmaps.generated}"
                + (
                    "; the churn team's pinned dependencies closed a roadmap item"
                    if roadmaps.closed_by_scan
                    else ""
                )
            )
            registry = seed_demo_registry(organization=organization)
            self.stdout.write(f"Registry models created: {registry.models_created}")
            logins += registry.logins
        self.stdout.write(
            self.style.SUCCESS("Demo organisation “Acme Analytics” is ready.")
        )
        self.stdout.write(f"Every demo user's password: {DEMO_PASSWORD}")
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.roles}")
