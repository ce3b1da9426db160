"""`python manage.py demo_login`: create the demo editor login, only against the sandbox."""

import secrets
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def target_is_sandbox() -> bool:
    """True when the configured WellApp URL is a local sandbox, not a real WellApp."""
    return (urlsplit(settings.WELL_API_URL).hostname or "") in LOOPBACK_HOSTS


class Command(BaseCommand):
    help = "Create (or reset) the demo support editor and print its login. Sandbox only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="demo")

    def handle(self, *args: Any, **options: Any) -> None:
        if not target_is_sandbox():
            self.stdout.write(
                f"WellApp target is {settings.WELL_API_URL}, not the local sandbox: "
                "no demo login created. Use 'manage.py createsuperuser' instead."
            )
            return
        password = secrets.token_urlsafe(9)
        user, _ = get_user_model().objects.get_or_create(username=options["username"])
        user.is_staff = True
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name="Support editors"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo login (support editor): username '{user.username}', password '{password}'"
            )
        )
