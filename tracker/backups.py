"""
One file that holds everything to bring the tracker back: the database and the evidence files its notes point to.

A backup is a gzipped tar archive:
- `manifest.json`: what it is (FORMAT, VERSION), when and from which database it was made, and the size and SHA-256
  of every member, so a restore can tell a damaged or altered archive before it loads anything;
- `database.jsonl`: every row (dumpdata, natural foreign keys, one object a line), read in one snapshot, so a note
  made while the backup runs is either wholly in it or not at all, and writers are never held back (a repeatable
  read on PostgreSQL, a deferred read transaction in SQLite's WAL mode); SQLite or PostgreSQL restores it;
- `evidence/<action>/<name>`: each evidence file a note in that snapshot points to, byte for byte, read after the
  snapshot (files are written before their note is saved and never changed, so each is there).

A restore goes into a migrated, empty database and an evidence store that holds none of the backup's files, or the
same bytes under the same names. It checks the whole archive first, then loads the rows and writes the files in one
transaction: a failure on the way leaves neither rows nor files behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

FORMAT = "recommendation-tracker-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "database.jsonl"
EVIDENCE = "evidence/"
# Rebuilt by migrate (content types, permissions) or not worth keeping (sessions, sign-in attempts in progress).
NOT_BACKED_UP = ["contenttypes", "auth.permission", "sessions", "axes.AccessAttempt"]
CHUNK = 1 << 20


class BackupProblem(Exception):
    """A backup cannot be made or restored; the message says why and what to do."""


@dataclass
class BackupSummary:
    objects: int = 0
    files: int = 0
    bytes: int = 0
    missing: list[str] = field(default_factory=list)


def _sha256(stream) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


@contextlib.contextmanager
def _snapshot():
    """Read everything inside as of one moment of the database, without stopping anyone from writing meanwhile."""
    if connection.in_atomic_block:  # inside a caller's transaction: its snapshot rules
        yield
    elif connection.vendor == "sqlite":
        # A deferred read transaction: in WAL mode it sees one snapshot and holds no write lock. (Django's atomic
        # begins IMMEDIATE here, settings.py, which would hold every writer back for the whole backup.)
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
    else:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield


def make_backup(path: Path) -> BackupSummary:
    """Write a backup of the database and its evidence files to `path`; return what is in it."""
    from tracker.models import ProgressNote

    summary = BackupSummary()
    with tempfile.TemporaryDirectory(prefix="tracker-backup-") as work:
        dump = Path(work) / DATABASE
        with _snapshot():
            call_command(
                "dumpdata",
                "--natural-foreign",
                *[f"--exclude={label}" for label in NOT_BACKED_UP],
                "--format=jsonl",
                f"--output={dump}",
                verbosity=0,
            )
            names = sorted(set(ProgressNote.objects.exclude(attachment="").values_list("attachment", flat=True)))
        members = []
        with tarfile.open(path, "w:gz") as archive:
            with dump.open("rb") as stream:
                database = _add(archive, DATABASE, stream, dump.stat().st_size)
            summary.objects = database.lines  # one object a line
            for name in names:
                if not _is_evidence_name(name) or not default_storage.exists(name):
                    summary.missing.append(name)
                    continue
                with default_storage.open(name, "rb") as stream:
                    added = _add(archive, name, stream, default_storage.size(name))
                members.append({"name": name, "size": added.size, "sha256": added.digest.hexdigest()})
                summary.files += 1
                summary.bytes += added.size
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": timezone.now().isoformat(),
                "database_vendor": connection.vendor,
                "database": {"name": DATABASE, "size": database.size, "sha256": database.digest.hexdigest()},
                "objects": summary.objects,
                "evidence": members,
                "missing_evidence": summary.missing,
            }
            data = json.dumps(manifest, indent=1).encode()
            _add(archive, MANIFEST, io.BytesIO(data), len(data))
    return summary


class _Read:
    """A stream read once, through: its SHA-256, size and count of lines worked out on the way."""

    def __init__(self, stream):
        self.stream, self.digest, self.size, self.lines = stream, hashlib.sha256(), 0, 0

    def read(self, size=-1):
        chunk = self.stream.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        self.lines += chunk.count(b"\n")
        return chunk


def _add(archive: tarfile.TarFile, name: str, stream, size: int) -> _Read:
    """Add `size` bytes of `stream` to `archive` as the file `name`, reading them once; return what was read."""
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(timezone.now().timestamp()), 0o600
    read = _Read(stream)
    archive.addfile(info, read)  # exactly `size` bytes; a shorter stream is an OSError ("unexpected end of data")
    return read


def _is_evidence_name(name: str) -> bool:
    """True for a relative path under evidence/ that cannot climb out of it."""
    parts = PurePosixPath(name).parts
    return name.startswith(EVIDENCE) and not PurePosixPath(name).is_absolute() and ".." not in parts and len(parts) > 1


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:gz")
    except FileNotFoundError:
        raise BackupProblem(f"{path} does not exist.") from None
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupProblem(f"{path} is not a tracker backup (not a gzipped tar archive: {exc}).") from None


def read_manifest(archive: tarfile.TarFile, path: Path) -> dict:
    """Return the backup's manifest, having checked it is one this version restores."""
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.loads(archive.extractfile(member).read())
    except (KeyError, AttributeError, ValueError, tarfile.TarError, OSError, EOFError):
        raise BackupProblem(f"{path} is not a tracker backup: it has no readable {MANIFEST}.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupProblem(f"{path} is not a tracker backup: its {MANIFEST} is not one the tracker wrote.")
    if manifest.get("version") != VERSION:
        raise BackupProblem(
            f"{path} is a backup of format version {manifest.get('version')!r}; this version of the tracker restores "
            f"version {VERSION}."
        )
    evidence = manifest.get("evidence")
    if not _listed(manifest.get("database")) or not isinstance(evidence, list) or not all(map(_listed, evidence)):
        raise BackupProblem(f"{path} is damaged: its {MANIFEST} does not list its members' sizes and checksums.")
    return manifest


def _listed(item) -> bool:
    """True for a manifest's entry of one member: its name, size and SHA-256."""
    return (
        isinstance(item, dict)
        and isinstance(item.get("name"), str)
        and isinstance(item.get("size"), int)
        and isinstance(item.get("sha256"), str)
    )


def _check_members(archive: tarfile.TarFile, manifest: dict, path: Path) -> list[dict]:
    """Check every member is a regular file the manifest lists, with its size and SHA-256; return the evidence."""
    expected = {MANIFEST: None, DATABASE: manifest["database"]}
    evidence = manifest["evidence"]
    for item in evidence:
        if not _is_evidence_name(item["name"]):
            raise BackupProblem(f"{path} names an evidence file outside the evidence store: {item.get('name')!r}.")
        expected[item["name"]] = item
    seen = set()
    for member in archive:
        if member.name not in expected or member.name in seen or not member.isfile():
            raise BackupProblem(f"{path} holds {member.name!r}, which its manifest does not list: it was altered.")
        seen.add(member.name)
        listed = expected[member.name]
        if listed is None:
            continue
        sha256, size = _sha256(archive.extractfile(member))
        if (sha256, size) != (listed["sha256"], listed["size"]):
            raise BackupProblem(
                f"{path} is damaged: {member.name} is not what was backed up (size or checksum differs). Use another "
                "copy of the backup."
            )
    absent = sorted(set(expected) - seen)
    if absent:
        raise BackupProblem(f"{path} is incomplete: {', '.join(absent[:5])} listed but missing.")
    return evidence


def _require_empty_database() -> None:
    from tracker.models import Action, Force, Report, User

    filled = [str(model._meta.verbose_name_plural) for model in (User, Force, Report, Action) if model.objects.exists()]
    if filled:
        raise BackupProblem(
            f"the database already holds {', '.join(filled)}: a backup is restored into an empty one. Create a new "
            "database, point DATABASE_URL at it, run `manage.py migrate`, then restore."
        )


def _already_stored(evidence: list[dict]) -> set[str]:
    """Return the backup's files the evidence store holds already, byte for byte; refuse one it holds otherwise."""
    same, conflicts = set(), []
    for item in evidence:
        if default_storage.exists(item["name"]):
            with default_storage.open(item["name"], "rb") as stream:
                if _sha256(stream) == (item["sha256"], item["size"]):
                    same.add(item["name"])
                else:
                    conflicts.append(item["name"])
    if conflicts:
        raise BackupProblem(
            f"the evidence store ({settings.MEDIA_ROOT}) already holds {len(conflicts)} of the backup's files with "
            f"other contents ({', '.join(conflicts[:3])}): restore into an empty evidence store."
        )
    return same


def _load_rows(dump: Path) -> None:
    try:
        call_command("loaddata", str(dump), verbosity=0)
    except (CommandError, DatabaseError, DeserializationError) as exc:
        raise BackupProblem(f"its database rows could not be loaded ({exc}).") from None


def _write_evidence(archive: tarfile.TarFile, member: tarfile.TarInfo) -> str:
    try:
        saved = default_storage.save(member.name, File(archive.extractfile(member), name=member.name))
    except OSError as exc:
        raise BackupProblem(
            f"the evidence store ({settings.MEDIA_ROOT}) could not be written ({exc.strerror or exc}). Make room or "
            "fix its permissions, then restore again."
        ) from None
    if saved != member.name:
        default_storage.delete(saved)
        raise BackupProblem(f"the evidence store kept {member.name} under another name ({saved}).")
    return saved


def restore_backup(path: Path) -> BackupSummary:
    """Restore the database rows and evidence files of the backup at `path`, all or nothing."""
    path = Path(path)
    with _open(path) as archive:
        manifest = read_manifest(archive, path)
        evidence = _check_members(archive, manifest, path)
        _require_empty_database()
        # Not the manifest, the database, or a file already in the store with the same bytes.
        wanted = {item["name"] for item in evidence} - _already_stored(evidence)
        written = []
        with tempfile.TemporaryDirectory(prefix="tracker-restore-") as work:
            archive.extract(DATABASE, work, filter="data")
            try:
                with transaction.atomic():
                    _load_rows(Path(work) / DATABASE)
                    for member in archive:  # in the archive's order: a gzipped archive is read forwards
                        if member.name in wanted:
                            written.append(_write_evidence(archive, member))
            except BaseException:
                for name in written:
                    default_storage.delete(name)
                raise
    return BackupSummary(
        objects=manifest.get("objects", 0),
        files=len(evidence),
        bytes=sum(item["size"] for item in evidence),
        missing=list(manifest.get("missing_evidence", [])),
    )


def describe(summary: BackupSummary) -> str:
    """Say what a backup holds: "1,204 database objects and 3 evidence files (2,048 bytes)"."""
    return f"{summary.objects:,} database objects and {summary.files:,} evidence files ({summary.bytes:,} bytes)"
