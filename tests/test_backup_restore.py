"""
Backups restore whole: dump a populated database, load it into a fresh one, and every table has the
same rows and every action the same history (who, when, what, why).

`dumpdata` → new database → `migrate` → `loaddata` runs on both legs; `pg_dump -Fc` → `pg_restore`
runs on the PostgreSQL leg (it needs the data committed, so that test is transactional).
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from tests.factories import ActionFactory, ExtensionRequestFactory, RecommendationFactory, ReportFactory
from tracker import workflow

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_LEG = urlparse(os.environ.get("DATABASE_URL", "")).scheme in ("postgres", "postgresql", "pgsql")
# Recreated by migrate; the dump names content types by natural key instead.
NOT_DUMPED = ["contenttypes", "auth.permission", "sessions"]

# Run in the fresh database: print each table's row count and every history row, as JSON.
SUMMARY = """
import json, django
django.setup()
from django.apps import apps
from tests.test_backup_restore import summary
print(json.dumps(summary()))
"""


def summary() -> dict:
    """Return the row count of every tracker and user table, and every history row in a comparable form."""
    counts = {m._meta.label: m._default_manager.count() for m in apps.get_app_config("tracker").get_models()}
    counts["auth.Group"] = apps.get_model("auth", "Group").objects.count()
    histories = {}
    for model in apps.get_app_config("tracker").get_models():
        if not model.__name__.startswith("Historical"):
            continue
        histories[model._meta.label] = [
            [
                row.history_id,
                row.id,
                row.history_date.isoformat(),
                row.history_type,
                row.history_change_reason,
                row.history_user.username if row.history_user_id else None,
                *[getattr(row, f) for f in ("status", "version", "decision") if hasattr(row, f)],
            ]
            for row in model.objects.select_related("history_user").order_by("history_id")
        ]
    return {"counts": counts, "histories": histories}


@pytest.fixture
def populated(force_a, force_b, psd_lead_a, colleague_a, psd_lead_b, reviewer, admin_user):
    """Build actions in every state, with notes, evidence, extension decisions and their history."""
    report = ReportFactory(slug="integrity-west-midlands", subject_force=force_a)
    actions = [
        ActionFactory(recommendation=RecommendationFactory(report=report, number=n), force=force_a) for n in range(1, 6)
    ]
    ActionFactory(recommendation__report__subject_force=force_b)
    first, second, third, fourth, _ = actions
    workflow.transition(first, "start", by=psd_lead_a)
    workflow.transition(first, "complete", by=colleague_a, text="Policy published on the intranet.")
    workflow.transition(first, "verify", by=reviewer)
    workflow.transition(second, "complete", by=psd_lead_a, text="Done")
    workflow.transition(second, "reopen", by=reviewer, text="Evidence missing")
    workflow.add_note(first, by=colleague_a, text="Briefing sessions booked for every team.")
    workflow.add_note(second, by=psd_lead_a, text="Evidence pack being gathered.")
    workflow.assign_owner(third, by=psd_lead_a, owner=colleague_a)
    workflow.add_note(
        third, by=psd_lead_a, text="Draft attached", attachment=SimpleUploadedFile("draft.pdf", b"%PDF-1.4 draft")
    )
    later = datetime.date.today() + datetime.timedelta(days=400)
    approved = workflow.request_extension(fourth, by=psd_lead_a, requested_due_date=later, reason="Budget")
    workflow.decide_extension(approved, by=reviewer, approve=True)
    refused = ExtensionRequestFactory(action=third, requested_by=psd_lead_a)
    workflow.decide_extension(refused, by=reviewer, approve=False, reason="Not justified")
    return actions


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _fresh_database(tmp_path: Path):
    """Return (DATABASE_URL, drop) for a new empty database on the same server as the tests' one."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}", lambda: None
    name = f"tracker_restore_{uuid.uuid4().hex[:10]}"
    params = connection.settings_dict
    admin = {
        "host": params["HOST"] or "127.0.0.1",
        "port": params["PORT"] or 5432,
        "user": params["USER"] or "postgres",
        "password": params["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as server:
        server.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(**admin) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    credentials = admin["user"] + (f":{admin['password']}" if admin["password"] else "")
    return f"postgres://{credentials}@{admin['host']}:{admin['port']}/{name}", drop


def _env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings_test"}


@pytest.mark.django_db
def test_dumpdata_into_a_fresh_database_restores_every_row_and_history(populated, tmp_path):
    before = summary()
    assert before["counts"]["tracker.HistoricalAction"] >= 10 and before["counts"]["tracker.ProgressNote"] >= 3
    dump = tmp_path / "tracker.json"
    call_command(
        "dumpdata",
        "--natural-foreign",
        *[f"--exclude={label}" for label in NOT_DUMPED],
        "--indent=1",
        f"--output={dump}",
        verbosity=0,
    )

    url, drop = _fresh_database(tmp_path)
    try:
        env = _env(url)
        _run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
        load = subprocess.run(
            [sys.executable, "manage.py", "loaddata", str(dump), "-v0"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert load.returncode == 0, load.stderr
        after = json.loads(_run([sys.executable, "-c", SUMMARY], env).stdout.strip().splitlines()[-1])
        # The restored database carries on: new rows get new ids (sequences were reset by loaddata).
        _run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from tracker.models import Force; Force.objects.create(slug='new-force', name='New Force Police')",
            ],
            env,
        )
    finally:
        drop()
    history_tables = set(before["histories"])
    assert {k: v for k, v in after["counts"].items() if k not in history_tables} == {
        k: v for k, v in before["counts"].items() if k not in history_tables
    }
    # dumpdata's JSON keeps times to the millisecond (DjangoJSONEncoder): compare at that precision.
    assert to_milliseconds(after["histories"]) == to_milliseconds(before["histories"])


def to_milliseconds(histories: dict) -> dict:
    """Return the history rows with every time cut to the millisecond, written alike (".000" included)."""

    def cut(found: re.Match) -> str:
        return f"{found['seconds']}.{(found['fraction'] or '').ljust(3, '0')[:3]}"

    pattern = r"(?P<seconds>T\d\d:\d\d:\d\d)(?:\.(?P<fraction>\d+))?"
    return json.loads(re.sub(pattern, cut, json.dumps(histories)))


@pytest.mark.skipif(not POSTGRES_LEG, reason="pg_dump and pg_restore are for the PostgreSQL leg")
@pytest.mark.django_db(transaction=True)
def test_pg_dump_and_pg_restore_give_the_same_rows_and_history(populated, tmp_path):
    if connection.vendor != "postgresql":
        pytest.fail(f"DATABASE_URL names PostgreSQL but the tests got {connection.vendor}", pytrace=False)
    missing = [tool for tool in ("pg_dump", "pg_restore") if not shutil.which(tool)]
    if missing:
        pytest.fail(
            f"{' and '.join(missing)} not found: the PostgreSQL leg needs the client tools. Install Debian's "
            "postgresql-client (`make test-postgres` does, as root; or `sudo apt-get install postgresql-client`).",
            pytrace=False,
        )
    before = summary()
    params = connection.settings_dict
    dump = tmp_path / "tracker.dump"
    base = ["-h", params["HOST"] or "127.0.0.1", "-p", str(params["PORT"] or 5432), "-U", params["USER"] or "postgres"]
    env = {**os.environ, **({"PGPASSWORD": params["PASSWORD"]} if params["PASSWORD"] else {})}
    _run(["pg_dump", "-Fc", *base, "-f", str(dump), params["NAME"]], env)

    url, drop = _fresh_database(tmp_path)
    try:
        _run(["pg_restore", "--no-owner", *base, "-d", urlparse(url).path.lstrip("/"), str(dump)], env)
        after = json.loads(_run([sys.executable, "-c", SUMMARY], _env(url)).stdout.strip().splitlines()[-1])
    finally:
        drop()
    assert after["counts"] == before["counts"]
    assert after["histories"] == json.loads(json.dumps(before["histories"]))
