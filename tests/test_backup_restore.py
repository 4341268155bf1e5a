"""
Backups restore whole: dump a populated database, load it into a fresh one, and every table has the
same rows and every action the same history (who, when, what, why).

`dumpdata` → new database → `migrate` → `loaddata` runs on both legs; `pg_dump -Fc` → `pg_restore`
runs on the PostgreSQL leg (it needs the data committed, so that test is transactional).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.factories import ActionFactory, ExtensionRequestFactory, RecommendationFactory, ReportFactory
from tracker import responses, workflow

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
        if not model.__name__.startswith("Historical") or not hasattr(model, "history_user"):
            continue  # the forces of a user's past versions (HistoricalUser_forces) are counted above
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
def populated(force_a, force_b, psd_lead_a, colleague_a, psd_lead_b, reviewer, admin_user, commissioner_a):
    """Build actions in every state, with notes, evidence, extension decisions, a commissioner's response and their
    history."""
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
    responses.invite_comments(report, by=commissioner_a, due_on=datetime.date.today())
    responses.write_chief_officer_comments(report, by=psd_lead_a, text="The chief constable accepts them.")
    explained = {a.recommendation_id: f"Explained {n}." for n, a in enumerate(actions)}
    responses.save_response(report, by=commissioner_a, comments="Welcome.", explanations=explained, publish=True)
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
    assert before["counts"]["tracker.ResponseExplanation"] == 5
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


# One file for the database and the evidence store: manage.py backup and restore (tracker/backups.py)

EVERY_BYTE = bytes(range(256)) * 4
LARGE = os.urandom(3 * 1024 * 1024 + 7)  # more than one read of the checksum's and the copy's chunks


@pytest.fixture(autouse=True)
def own_evidence_store(settings, tmp_path):
    """An evidence store of this test's own, so that it sees only the files it made."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def with_evidence(populated, psd_lead_a):
    """The populated data and its evidence: the draft PDF, every byte value, and a file of several megabytes."""
    for name, content in [("bytes.bin", EVERY_BYTE), ("scan.tiff", LARGE)]:
        workflow.add_note(
            populated[0], by=psd_lead_a, text=f"Evidence {name}", attachment=SimpleUploadedFile(name, content)
        )
    return _evidence()


def _evidence() -> dict[str, bytes]:
    """Return every note's evidence file, by its stored name, as the evidence store holds it now."""
    from tracker.models import ProgressNote

    files = {}
    for note in ProgressNote.objects.exclude(attachment=""):
        with note.attachment.open("rb") as stream:
            files[note.attachment.name] = stream.read()
    return files


def _backup(path: Path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("backup", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_backup_and_restore_bring_back_every_row_history_and_evidence_file_byte_for_byte(with_evidence, tmp_path):
    before = summary()
    archive = tmp_path / "tracker.tar.gz"
    said, _ = _backup(archive)
    assert said.startswith("Backed up ") and "and 3 evidence files" in said

    url, drop = _fresh_database(tmp_path)
    media = tmp_path / "restored-media"
    try:
        restored, after, notes = _restore_into(url, media, archive)
    finally:
        drop()
    assert "Restored " in restored.stdout and "and 3 evidence files" in restored.stdout
    history_tables = set(before["histories"])
    assert {k: v for k, v in after["counts"].items() if k not in history_tables} == {
        k: v for k, v in before["counts"].items() if k not in history_tables
    }
    assert to_milliseconds(after["histories"]) == to_milliseconds(before["histories"])
    # Every note points to its file again, and each file has the bytes it had.
    assert sorted(notes) == sorted(with_evidence)
    assert {name: (media / name).read_bytes() for name in with_evidence} == with_evidence
    assert sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()) == sorted(with_evidence)


def _restore_into(url: str, media: Path, archive: Path):
    """Migrate the empty database at `url`, restore `archive` into it and `media`; return what it then holds."""
    media.mkdir()
    env = {**_env(url), "TEST_MEDIA_ROOT": str(media)}
    _run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    restored = _run([sys.executable, "manage.py", "restore", str(archive)], env)
    after = json.loads(_run([sys.executable, "-c", SUMMARY], env).stdout.strip().splitlines()[-1])
    notes = json.loads(_run([sys.executable, "-c", EVIDENCE_NAMES], env).stdout.strip().splitlines()[-1])
    return restored, after, notes


@pytest.mark.skipif(not POSTGRES_LEG, reason="needs both databases: the PostgreSQL leg has both")
@pytest.mark.django_db
def test_a_backup_moves_from_postgresql_to_sqlite_and_back(with_evidence, tmp_path):
    before = summary()
    from_postgresql = tmp_path / "from-postgresql.tar.gz"
    _backup(from_postgresql)
    sqlite_url = f"sqlite:///{tmp_path / 'moved.sqlite3'}"
    _, on_sqlite, _ = _restore_into(sqlite_url, tmp_path / "sqlite-media", from_postgresql)
    from_sqlite = tmp_path / "from-sqlite.tar.gz"
    env = {**_env(sqlite_url), "TEST_MEDIA_ROOT": str(tmp_path / "sqlite-media")}
    _run([sys.executable, "manage.py", "backup", str(from_sqlite)], env)
    url, drop = _fresh_database(tmp_path)
    try:
        _, back_on_postgresql, notes = _restore_into(url, tmp_path / "postgresql-media", from_sqlite)
    finally:
        drop()
    for after in (on_sqlite, back_on_postgresql):
        assert after["counts"] == before["counts"]
        assert to_milliseconds(after["histories"]) == to_milliseconds(before["histories"])
    assert {name: (tmp_path / "postgresql-media" / name).read_bytes() for name in notes} == with_evidence


# Run in the restored database: the evidence file names its notes point to, as JSON.
EVIDENCE_NAMES = """
import json, django
django.setup()
from tracker.models import ProgressNote
print(json.dumps(list(ProgressNote.objects.exclude(attachment="").values_list("attachment", flat=True))))
"""


@pytest.mark.django_db
def test_a_backup_lists_each_member_with_its_size_and_checksum(with_evidence, tmp_path):
    archive = tmp_path / "tracker.tar.gz"
    _backup(archive)
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = tar.getnames()
    assert manifest["format"] == "recommendation-tracker-backup" and manifest["version"] == 1
    assert {item["name"]: (item["size"], item["sha256"]) for item in manifest["evidence"]} == {
        name: (len(content), hashlib.sha256(content).hexdigest()) for name, content in with_evidence.items()
    }
    assert sorted(names) == sorted(["database.jsonl", "manifest.json", *with_evidence])


@pytest.mark.django_db
def test_a_backup_never_overwrites_a_file(populated, tmp_path):
    archive = tmp_path / "tracker.tar.gz"
    archive.write_bytes(b"last week's backup")
    with pytest.raises(CommandError, match="already exists: name a new file"):
        _backup(archive)
    assert archive.read_bytes() == b"last week's backup"


@pytest.mark.django_db
def test_an_evidence_file_missing_from_the_store_is_named_when_backing_up(with_evidence, tmp_path):
    from django.core.files.storage import default_storage

    lost = sorted(with_evidence)[0]
    default_storage.delete(lost)
    archive = tmp_path / "tracker.tar.gz"
    said, warned = _backup(archive)
    assert "and 2 evidence files" in said
    assert "1 evidence file(s) that notes point to are not in the evidence store" in warned and lost in warned
    with tarfile.open(archive) as tar:
        assert json.loads(tar.extractfile("manifest.json").read())["missing_evidence"] == [lost]


def _rewrite(source: Path, target: Path, change) -> Path:
    """Copy the archive `source` to `target`, passing each member's (TarInfo, bytes) through `change`."""
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            for info, content in change(member, old.extractfile(member).read()):
                info.size = len(content)
                new.addfile(info, io.BytesIO(content))
    return target


def _restore(path: Path) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path), stdout=io.StringIO())
    return str(refused.value)


@pytest.fixture
def backup_of(with_evidence, tmp_path):
    """A backup of the populated data with evidence, and what the database and the store held then."""
    archive = tmp_path / "tracker.tar.gz"
    _backup(archive)
    return archive, summary(), with_evidence


def _nothing_changed(backup_of) -> None:
    _archive, rows, files = backup_of
    assert summary() == rows
    assert _evidence() == files


@pytest.mark.django_db
def test_restoring_into_a_database_that_holds_data_is_refused(backup_of):
    message = _restore(backup_of[0])
    assert message.startswith("Nothing restored: the database already holds users, forces, reports, actions")
    assert "Create a new database, point DATABASE_URL at it, run `manage.py migrate`, then restore." in message
    _nothing_changed(backup_of)


@pytest.mark.django_db
def test_a_damaged_evidence_file_is_found_before_anything_is_restored(backup_of, tmp_path):
    def flip_a_byte(info, content):
        damaged = bytes([content[0] ^ 1]) + content[1:] if info.name.endswith(tuple(backup_of[2])) else content
        yield info, damaged

    damaged = _rewrite(backup_of[0], tmp_path / "damaged.tar.gz", flip_a_byte)
    message = _restore(damaged)
    assert "is damaged: evidence/" in message and "is not what was backed up" in message
    _nothing_changed(backup_of)


@pytest.mark.django_db
def test_a_member_the_manifest_does_not_list_is_refused(backup_of, tmp_path):
    def add_a_stranger(info, content):
        yield info, content
        if info.name == "database.jsonl":
            yield tarfile.TarInfo("evidence/../../../etc/cron.d/tracker"), b"* * * * * root sh"

    message = _restore(_rewrite(backup_of[0], tmp_path / "altered.tar.gz", add_a_stranger))
    assert "holds 'evidence/../../../etc/cron.d/tracker', which its manifest does not list: it was altered." in message
    _nothing_changed(backup_of)


@pytest.mark.django_db
def test_a_manifest_naming_a_file_outside_the_evidence_store_is_refused(backup_of, tmp_path):
    def climb_out(info, content):
        if info.name == "manifest.json":
            manifest = json.loads(content)
            manifest["evidence"][0]["name"] = "evidence/../settings.py"
            content = json.dumps(manifest).encode()
        yield info, content

    message = _restore(_rewrite(backup_of[0], tmp_path / "altered.tar.gz", climb_out))
    assert "names an evidence file outside the evidence store: 'evidence/../settings.py'" in message
    _nothing_changed(backup_of)


@pytest.mark.django_db
def test_a_file_that_is_not_a_backup_is_refused(tmp_path, db):
    spreadsheet = tmp_path / "actions.xlsx"
    spreadsheet.write_bytes(b"PK\x03\x04 not a tar archive")
    assert "is not a tracker backup (not a gzipped tar archive" in _restore(spreadsheet)
    assert "does not exist" in _restore(tmp_path / "nowhere.tar.gz")


def _archive_of(tmp_path: Path, rows: list[dict], files: dict[str, bytes]) -> Path:
    """Write a backup by hand: `rows` as its database, `files` as its evidence, with a true manifest."""
    database = "".join(json.dumps(row) + "\n" for row in rows).encode()
    listed = [{"name": n, "size": len(c), "sha256": hashlib.sha256(c).hexdigest()} for n, c in files.items()]
    manifest = {
        "format": "recommendation-tracker-backup",
        "version": 1,
        "database": {"name": "database.jsonl", "size": len(database), "sha256": hashlib.sha256(database).hexdigest()},
        "objects": len(rows),
        "evidence": listed,
        "missing_evidence": [],
    }
    path = tmp_path / "by-hand.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, content in [
            ("database.jsonl", database),
            *files.items(),
            ("manifest.json", json.dumps(manifest).encode()),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


FORCE_ROW = {"model": "tracker.force", "pk": 1, "fields": {"slug": "restored-force", "name": "Restored Police"}}


def _stored_files() -> list[str]:
    from django.conf import settings

    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.django_db
def test_restoring_writes_the_rows_and_files_of_a_backup(tmp_path):
    from tracker.models import Force

    archive = _archive_of(tmp_path, [FORCE_ROW], {"evidence/1/a": b"first", "evidence/2/b": EVERY_BYTE})
    call_command("restore", str(archive), stdout=io.StringIO())
    assert list(Force.objects.values_list("name", flat=True)) == ["Restored Police"]
    assert {name: (Path(django_settings.MEDIA_ROOT) / name).read_bytes() for name in _stored_files()} == {
        "evidence/1/a": b"first",
        "evidence/2/b": EVERY_BYTE,
    }


@pytest.mark.django_db
def test_an_evidence_store_holding_other_bytes_under_a_backups_name_is_refused(tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from tracker.models import Force

    default_storage.save("evidence/1/a", ContentFile(b"someone else's file"))
    archive = _archive_of(tmp_path, [FORCE_ROW], {"evidence/1/a": b"first"})
    assert "already holds 1 of the backup's files with other contents (evidence/1/a)" in _restore(archive)
    assert not Force.objects.exists()
    assert (Path(django_settings.MEDIA_ROOT) / "evidence/1/a").read_bytes() == b"someone else's file"


@pytest.mark.django_db
def test_an_evidence_store_that_fills_up_half_way_keeps_neither_rows_nor_files(tmp_path, monkeypatch):
    from django.core.files.storage import default_storage

    from tracker.models import Force

    archive = _archive_of(tmp_path, [FORCE_ROW], {"evidence/1/a": b"first", "evidence/2/b": b"second"})
    save = default_storage.save

    def full_after_one(name, content, **kwargs):
        if _stored_files():
            raise OSError(28, "No space left on device")
        return save(name, content, **kwargs)

    monkeypatch.setattr(default_storage, "save", full_after_one)
    message = _restore(archive)
    assert "could not be written (No space left on device). Make room or fix its permissions" in message
    assert not Force.objects.exists() and _stored_files() == []


@pytest.mark.django_db
def test_rows_that_cannot_be_loaded_leave_nothing_behind(tmp_path):
    from tracker.models import Force

    broken = {"model": "tracker.action", "pk": 1, "fields": {"recommendation": 999, "force": 999}}
    archive = _archive_of(tmp_path, [FORCE_ROW, broken], {"evidence/1/a": b"first"})
    assert "its database rows could not be loaded" in _restore(archive)
    assert not Force.objects.exists() and _stored_files() == []


@pytest.mark.django_db(transaction=True)
def test_a_backup_outside_any_transaction_reads_one_snapshot_and_ends_it(with_evidence, tmp_path):
    # What `manage.py backup` does on a live site: its own read transaction (PostgreSQL: repeatable read; SQLite:
    # deferred), ended afterwards, so the connection is back in autocommit and can write.
    from tracker.models import Force

    _backup(tmp_path / "tracker.tar.gz")
    assert not connection.in_atomic_block and connection.get_autocommit()
    Force.objects.create(slug="after-the-backup", name="After The Backup Police")


@pytest.mark.skipif(not POSTGRES_LEG, reason="two connections at once to one database: the PostgreSQL leg")
@pytest.mark.django_db(transaction=True)
def test_a_note_added_while_the_backup_runs_is_wholly_in_it_or_not_at_all(with_evidence, tmp_path, monkeypatch):
    import threading

    from django.db import connections

    from tracker import backups
    from tracker.models import Action, ProgressNote, User

    real_call_command = backups.call_command

    def dump_then_someone_adds_a_note(*args, **kwargs):
        real_call_command(*args, **kwargs)  # the rows are read; the evidence list is read next, in the same snapshot

        def add_note():
            try:
                lead = User.objects.get(username="psd-a")
                workflow.add_note(
                    Action.objects.first(),
                    by=lead,
                    text="Added mid-backup",
                    attachment=SimpleUploadedFile("m.pdf", b"%PDF mid"),
                )
            finally:
                connections.close_all()

        writer = threading.Thread(target=add_note)
        writer.start()
        writer.join(30)

    monkeypatch.setattr(backups, "call_command", dump_then_someone_adds_a_note)
    archive = tmp_path / "tracker.tar.gz"
    _backup(archive)
    assert ProgressNote.objects.filter(text="Added mid-backup").exists()  # it was made, while the backup ran
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        rows = [json.loads(line) for line in tar.extractfile("database.jsonl").read().splitlines() if line.strip()]
    dumped_notes = [row["fields"]["text"] for row in rows if row["model"] == "tracker.progressnote"]
    assert "Added mid-backup" not in dumped_notes
    assert sorted(item["name"] for item in manifest["evidence"]) == sorted(with_evidence)
