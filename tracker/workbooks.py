"""
A force's own spreadsheet, both ways: a PSD lead downloads their force's actions as an Excel workbook, edits status,
owner, RAG and notes in Excel, and uploads it back.

The upload is read (openpyxl, bounded in size), then run through the workflow exactly as the pages would run each
change, row by row — first as a preview in a transaction that is rolled back, so the preview refuses precisely what
applying would refuse, and gives the reason; then, when the PSD lead confirms, for real, all or nothing. A row whose
action changed since the download (its version) is refused, as is a row for an action that is not theirs, an owner
who is not one of the force's PSD leads, or a change the workflow forbids. Every change is a history row by the
uploader, through the workflow's own functions.
"""

from __future__ import annotations

import datetime
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import IO

import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tracker import workflow
from tracker.models import Action, User
from tracker.spreadsheets import neutralise

Status = Action.Status

SHEET = "Actions"
LISTS_SHEET = "Lists"
COLUMNS = [
    # (title, width, editable)
    ("Action ID", 10, False),
    ("Version", 9, False),
    ("Force", 24, False),
    ("Report", 32, False),
    ("Recommendation", 16, False),
    ("Recommendation text", 60, False),
    ("Due date", 13, False),
    ("Status", 30, True),
    ("Owner", 30, True),
    ("RAG", 9, True),
    ("RAG reason", 40, True),
    ("Note", 50, True),
]
TITLES = [title for title, _, _ in COLUMNS]
NEEDED = ("Action ID", "Version", "Status", "Owner", "RAG", "RAG reason", "Note")
# The statuses a workbook lists: those a force's actions can be in while its PSD lead can still change them.
WORKBOOK_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETED)

MAX_BYTES = 5 * 1024 * 1024  # an upload's size
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # what its parts may unpack to (a workbook is a zip)
MAX_ROWS = 5_000
MAX_NOTE_CHARACTERS = 10_000


class WorkbookError(ValidationError):
    """The file cannot be read as one of the tracker's workbooks: nothing in it is applied."""


# --- Download ---------------------------------------------------------------------------------------------------


def workbook_actions(actions: QuerySet[Action]) -> QuerySet[Action]:
    """Return those of `actions` a workbook lists (still open to change by the force), in a steady order."""
    return (
        actions.filter(status__in=WORKBOOK_STATUSES)
        .select_related("force", "owner", "recommendation", "recommendation__report")
        .order_by("force__name", "recommendation__report__published_on", "recommendation__report_id", "pk")
    )


def owner_label(user: User) -> str:
    """Return how a workbook names an owner: "Alice Ashby (psd-a)", the username telling namesakes apart."""
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


def workbook_file(actions: Iterable[Action], owners: Iterable[User]) -> IO[bytes]:
    """Return a temporary Excel file of `actions`: the columns to edit unlocked, lists to choose from, the rest
    locked (a sheet protected without a password, so the ID and version cannot be changed by mistake)."""
    file = tempfile.TemporaryFile(suffix=".xlsx")
    book = xlsxwriter.Workbook(
        file, {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    # Dated the day, not the second: the same actions give the same file all day (so a download tells nothing by
    # its bytes but what is in it).
    book.set_properties({"created": datetime.datetime.combine(timezone.localdate(), datetime.time())})
    sheet = book.add_worksheet(SHEET)
    lists = book.add_worksheet(LISTS_SHEET)
    bold = book.add_format({"bold": True, "locked": True})
    locked = book.add_format({"locked": True, "text_wrap": False})
    day = book.add_format({"locked": True, "num_format": "d mmm yyyy"})
    editable = book.add_format({"locked": False, "bg_color": "#FFF7BF"})
    for col, (title, width, can_edit) in enumerate(COLUMNS):
        sheet.set_column(col, col, width, editable if can_edit else locked)
        sheet.write_string(0, col, title, bold)
    owner_names = sorted({owner_label(user) for user in owners}, key=str.lower)
    statuses = [Status(status).label for status in WORKBOOK_STATUSES]
    for row, label in enumerate(owner_names):
        lists.write_string(row, 0, label)
    lists.hide()
    last = 0
    for last, action in enumerate(actions, start=1):
        recommendation = action.recommendation
        cells = [
            action.pk,
            action.version,
            action.force.name,
            recommendation.report.title,
            recommendation.short_label,
            recommendation.text,
            action.effective_due_date,
            action.get_status_display(),
            owner_label(action.owner) if action.owner else "",
            action.get_rag_display() if action.rag else "",
            action.rag_reason,
            "",
        ]
        for col, value in enumerate(cells):
            can_edit = COLUMNS[col][2]
            if isinstance(value, int):
                sheet.write_number(last, col, value, locked)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(last, col, value, day)
            elif value or can_edit:
                sheet.write_string(last, col, neutralise(value), editable if can_edit else locked)
    if last:
        status_col, owner_col, rag_col = (TITLES.index(t) for t in ("Status", "Owner", "RAG"))
        sheet.data_validation(1, status_col, last, status_col, {"validate": "list", "source": statuses})
        sheet.data_validation(1, rag_col, last, rag_col, {"validate": "list", "source": ["Red", "Amber", "Green"]})
        if owner_names:
            source = f"={LISTS_SHEET}!$A$1:$A${len(owner_names)}"
            sheet.data_validation(1, owner_col, last, owner_col, {"validate": "list", "source": source})
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, last, len(COLUMNS) - 1)
    sheet.protect("", {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True})
    book.close()
    file.seek(0)
    return file


# --- Upload: reading ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    """One row of an uploaded workbook, as text (what the PSD lead left in each column that matters)."""

    number: int  # the row's number in Excel (the header is row 1)
    action_id: str
    version: str
    status: str
    owner: str
    rag: str
    rag_reason: str
    note: str

    def as_data(self) -> dict:
        return asdict(self)


def read_workbook(file) -> list[SheetRow]:
    """Return the rows of an uploaded workbook, or raise WorkbookError saying why it cannot be read."""
    from openpyxl import load_workbook  # noqa: PLC0415 - only an upload needs it

    if file.size > MAX_BYTES:
        raise WorkbookError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: upload one force's workbook.")
    _check_unpacked_size(file)
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise WorkbookError("The file is not an Excel workbook (.xlsx): download one from the tracker.") from exc
    try:
        if SHEET not in book.sheetnames:
            raise WorkbookError(f"The workbook has no sheet called “{SHEET}”: download one from the tracker.")
        return list(_rows(book[SHEET].iter_rows(values_only=True)))
    finally:
        book.close()


def _check_unpacked_size(file) -> None:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise WorkbookError("The file is not an Excel workbook (.xlsx): download one from the tracker.") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise WorkbookError("The workbook holds far more than a force's actions: upload one force's workbook.")
    file.seek(0)


def _rows(values: Iterator[tuple]) -> Iterator[SheetRow]:
    header = [_text(value) for value in next(values, ())]
    missing = [title for title in NEEDED if title not in header]
    if missing:
        raise WorkbookError(
            f"The “{SHEET}” sheet has no column {', '.join(f'“{m}”' for m in missing)} in its first row: download a "
            "new workbook and make the changes in it."
        )
    where = {title: header.index(title) for title in NEEDED}
    count = 0
    for number, cells in enumerate(values, start=2):
        texts = {title: _text(cells[col]) if col < len(cells) else "" for title, col in where.items()}
        if not any(texts.values()):
            continue  # a blank row
        count += 1
        if count > MAX_ROWS:
            raise WorkbookError(f"The workbook has more than {MAX_ROWS:,} rows: upload one force's workbook.")
        note = texts["Note"]
        if len(note) > MAX_NOTE_CHARACTERS:
            raise WorkbookError(f"The note in row {number} is longer than {MAX_NOTE_CHARACTERS:,} characters.")
        yield SheetRow(
            number,
            texts["Action ID"],
            texts["Version"],
            texts["Status"],
            texts["Owner"],
            texts["RAG"],
            " ".join(texts["RAG reason"].split()),
            note,
        )


def _text(value) -> str:
    """Return a cell's value as text: whole numbers without ".0", text stripped of a neutralising apostrophe."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    text = str(value).strip()
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@") else text


# --- Upload: what each row changes, and applying it ---------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One change a row makes: which column, from what to what."""

    column: str
    old: str
    new: str


@dataclass
class RowOutcome:
    """What becomes of one row: its changes (applied together), or why it is refused, or nothing to do."""

    row: SheetRow
    action: Action | None = None
    changes: list[Change] = field(default_factory=list)
    refusal: str = ""

    @property
    def is_refused(self) -> bool:
        return bool(self.refusal)

    @property
    def is_change(self) -> bool:
        return bool(self.changes) and not self.refusal


class ChangedSincePreview(Exception):  # noqa: N818 - what happened, in the users' words
    """A row the preview accepted is refused now: nothing was applied."""

    def __init__(self, outcomes: list[RowOutcome]):
        super().__init__("Something changed since the preview: nothing was applied.")
        self.outcomes = outcomes


def preview(user: User, rows: list[SheetRow]) -> list[RowOutcome]:
    """Return what uploading `rows` would do, having run each change through the workflow and rolled it all back."""
    with transaction.atomic():
        outcomes = _run(user, rows)
        transaction.set_rollback(True)
    _reread(outcomes)
    return outcomes


def apply(user: User, rows: list[SheetRow]) -> list[RowOutcome]:
    """Apply the changes of `rows` (those the preview accepted), all or nothing: if any is refused now, raise
    ChangedSincePreview with every row's outcome and apply none."""
    with transaction.atomic():
        outcomes = _run(user, rows)
        refused = any(outcome.is_refused for outcome in outcomes)
        if refused:
            transaction.set_rollback(True)
    if refused:
        _reread(outcomes)
        raise ChangedSincePreview(outcomes)
    return outcomes


def _reread(outcomes: list[RowOutcome]) -> None:
    """Give each outcome's action its state in the database, not the one a rolled-back run left on the instance."""
    for outcome in outcomes:
        if outcome.action is not None:
            outcome.action.refresh_from_db()


def _run(user: User, rows: list[SheetRow]) -> list[RowOutcome]:
    if not user.is_psd_lead:
        raise PermissionDenied("Only a force's PSD lead can update actions from a workbook.")
    ids = {int(row.action_id) for row in rows if row.action_id.isdigit() and len(row.action_id) < 19}
    actions = Action.objects.visible_to(user).select_related("force", "owner", "recommendation__report").in_bulk(ids)
    owners = _owners(user)
    seen: set[int] = set()
    outcomes = []
    for row in rows:
        outcome = RowOutcome(row)
        outcomes.append(outcome)
        action_id = int(row.action_id) if row.action_id.isdigit() and len(row.action_id) < 19 else None
        action = actions.get(action_id) if action_id is not None else None
        if action is None:
            outcome.refusal = f"No action of your force has the ID “{row.action_id}”."
            continue
        outcome.action = action
        if action.pk in seen:
            outcome.refusal = "The action is in an earlier row too: change it in one row only."
            continue
        seen.add(action.pk)
        try:
            outcome.changes = _changes(action, row, owners)
            if outcome.changes:
                _check_version(action, row)
                with transaction.atomic():  # a savepoint: a refused row leaves nothing behind
                    _apply_row(user, action, row, outcome.changes, owners)
        except (PermissionDenied, ValidationError) as exc:
            outcome.refusal = _message(exc)
    return outcomes


def _owners(user: User) -> dict[int, dict[str, User]]:
    """Return, per force of `user`'s, its active PSD leads by every name a workbook may give them."""
    names: dict[int, dict[str, User]] = {}
    leads = User.objects.filter(is_active=True, role=User.Role.PSD_LEAD, is_superuser=False)
    for lead in leads.filter(forces__in=user.member_force_ids()).prefetch_related("forces").distinct():
        for force_id in lead.member_force_ids():
            known = names.setdefault(force_id, {})
            for key in {owner_label(lead).lower(), lead.username.lower()}:
                known[key] = lead
            full = lead.get_full_name().lower()
            if full:  # a name two leads share names neither
                known[full] = lead if full not in known or known[full] == lead else None
    return names


def _changes(action: Action, row: SheetRow, owners: dict[int, dict[str, User]]) -> list[Change]:
    changes = []
    status_label = action.get_status_display()
    if row.status and row.status.lower() != status_label.lower():
        target = _status(row.status)
        changes.append(Change("Status", status_label, Status(target).label))
    current_owner = owner_label(action.owner) if action.owner else ""
    if row.owner.lower() != current_owner.lower() and not (
        action.owner and row.owner.lower() in {action.owner.username.lower(), action.owner.get_full_name().lower()}
    ):
        new = _owner(action, row.owner, owners)
        changes.append(Change("Owner", current_owner or "Nobody", owner_label(new) if new else "Nobody"))
    rag_label = action.get_rag_display() if action.rag else ""
    if row.rag and row.rag.lower() != rag_label.lower():
        changes.append(Change("RAG", rag_label or "Not rated", _rag(row.rag)[1]))
    if row.rag_reason and row.rag_reason != action.rag_reason:
        changes.append(Change("RAG reason", action.rag_reason or "None", row.rag_reason))
    if row.note:
        changes.append(Change("Note", "", row.note))
    return changes


def _status(text: str) -> str:
    for status in Status:
        if text.lower() in (status.label.lower(), status.value):
            return status.value
    choices = ", ".join(f"“{Status(s).label}”" for s in WORKBOOK_STATUSES)
    raise ValidationError(f"“{text}” is not a status: choose {choices}.")


def _rag(text: str) -> tuple[str, str]:
    for rag in Action.Rag:
        if text.lower() in (rag.label.lower(), rag.value):
            return rag.value, rag.label
    raise ValidationError(f"“{text}” is not a RAG rating: choose Red, Amber or Green.")


def _owner(action: Action, text: str, owners: dict[int, dict[str, User]]) -> User | None:
    if not text:
        return None
    found = owners.get(action.force_id, {}).get(text.lower())
    if found is None:
        raise ValidationError(f"No PSD lead of {action.force.name} is called “{text}”: choose one from the list.")
    return found


def _check_version(action: Action, row: SheetRow) -> None:
    if row.version != str(action.version):
        who, when = workflow.last_changed(action)
        raise ValidationError(
            f"Changed by {who} {when}, after the workbook was downloaded: download a new one and make this change "
            "in it."
        )


def _apply_row(user: User, action: Action, row: SheetRow, changes: list[Change], owners) -> None:
    columns = {change.column for change in changes}
    version = int(row.version)
    if "Owner" in columns:
        workflow.assign_owner(action, by=user, owner=_owner(action, row.owner, owners), expected_version=version)
        version = None
    if columns & {"RAG", "RAG reason"}:
        rag = _rag(row.rag)[0] if row.rag else action.rag
        if not rag:
            raise ValidationError("Give a RAG rating with its reason.")
        if not row.rag_reason:
            raise ValidationError("Give a one-line reason for the RAG rating in the “RAG reason” column.")
        workflow.set_rag(action, by=user, rag=rag, reason=row.rag_reason, expected_version=version)
        version = None
    if "Status" in columns:
        workflow.transition_to(action, _status(row.status), by=user, text=row.note, expected_version=version)
    elif "Note" in columns:
        workflow.add_note(action, by=user, text=row.note)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "You cannot change this action."
