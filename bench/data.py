"""Make sure the benchmark database exists, is migrated and holds the demo data set of the size asked for."""

import os
import sys
import time
from pathlib import Path

import dj_database_url
import django

from bench.local import postgres_server

SEED = 2014


def create_postgres_database(url: str) -> None:
    """Create the PostgreSQL database `url` names if it does not exist (connecting to the `postgres` database)."""
    config = dj_database_url.parse(url)
    with postgres_server(url) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')
            print(f"Created PostgreSQL database {config['NAME']}.")


def ensure(actions: int) -> None:
    """Migrate the bench database and build the demo data set unless one of `actions` actions is already there."""
    from django.core.management import call_command

    import demo
    from tracker.models import Action, ForceSummary, User

    call_command("migrate", verbosity=0, interactive=False)
    demo_reports, other = demo.database_holds()
    has_users = User.objects.filter(username__in=["demo.reviewer", "demo.admin"]).count() == 2
    if demo_reports and not other and has_users and Action.objects.count() == actions:
        print(f"Bench data set present: {actions} actions.")
        if drift := ForceSummary.objects.rebuild():  # a data set built before the summaries were kept
            print(f"Recounted the forces' summaries: {len(drift)} count(s) had drifted.")
        return
    print(f"Building the bench data set: {actions} actions (seed {SEED})…", flush=True)
    started = time.monotonic()
    call_command("generate_demo_data", actions=actions, seed=SEED, clear=True, interactive=False)
    print(f"Built in {time.monotonic() - started:.0f} s.", flush=True)


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url.startswith("postgres"):
        create_postgres_database(url)
    elif url.startswith("sqlite:///"):  # var/ does not exist on a fresh clone
        Path(dj_database_url.parse(url)["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    ensure(int(os.environ.get("BENCH_ACTIONS", "100000")))


if __name__ == "__main__":
    sys.exit(main())
