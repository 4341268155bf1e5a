"""Create the demo log-ins: a PSD lead per inspected force, an HMIC reviewer and an admin."""

from django.core.management.base import BaseCommand, CommandError

from tracker.models import Force, Report, User

DEMO_PASSWORD = "demo-tracker-2026"


class Command(BaseCommand):
    help = "Create (or reset) demo users and print how to log in. For development only."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEMO_PASSWORD, help="Password given to every demo user.")
        parser.add_argument(
            "--force",
            action="append",
            dest="forces",
            metavar="SLUG",
            help="Force to create a PSD lead for (repeatable). Default: every force a loaded report inspected.",
        )

    def handle(self, *args, password: str, forces: list[str] | None, **options):
        if forces:
            chosen = list(Force.objects.filter(slug__in=forces))
            missing = set(forces) - {f.slug for f in chosen}
            if missing:
                raise CommandError(f"Unknown force: {', '.join(sorted(missing))}. Load fixtures/forces.json first.")
        else:
            chosen = list(Force.objects.filter(pk__in=Report.objects.values("subject_force")).order_by("name"))
        rows = []
        for force in chosen:
            user = self._user(
                f"psd.{force.slug}", password, role=User.Role.PSD_LEAD, first_name="PSD lead", last_name=force.name
            )
            user.forces.set([force])
            rows.append((user.username, f"Force PSD lead, {force.name}"))
        self._user("reviewer", password, role=User.Role.REVIEWER, first_name="HMIC", last_name="Reviewer")
        rows.append(("reviewer", "HMIC follow-up reviewer (every force)"))
        self._user(
            "admin",
            password,
            role=User.Role.REVIEWER,
            first_name="Site",
            last_name="Admin",
            is_staff=True,
            is_superuser=True,
        )
        rows.append(("admin", "Admin (Django admin at /admin/, imports, users)"))

        width = max(len(name) for name, _ in rows)
        self.stdout.write(f"\nDemo log-ins (password for all: {password}):")
        for name, what in rows:
            self.stdout.write(f"  {name.ljust(width)}  {what}")

    def _user(self, username: str, password: str, **fields) -> User:
        user, _ = User.objects.update_or_create(
            username=username, defaults={"email": f"{username}@example.org", "is_active": True, **fields}
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        return user
