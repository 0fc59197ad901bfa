from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create the demo organisation (idempotent) and print its logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DJANGO_DEBUG off (the demo password is public).",
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "Refusing to seed demo users with a public password while DJANGO_DEBUG "
                "is off. Pass --allow-production if this really is a demo instance."
            )
        logins = seed_demo()
        self.stdout.write(
            self.style.SUCCESS("Demo organisation “Acme Analytics” is ready.")
        )
        self.stdout.write(f"Every demo user's password: {DEMO_PASSWORD}")
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.roles}")
