"""
Turn a parsed report into a reviewable Django fixture (natural keys, no primary
keys) and load fixtures atomically with messages an admin can act on.

The parser (tracker.report_parser) knows reports; this module knows the database.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction
from django.utils.text import slugify

from tracker.models import Force, Recommendation
from tracker.report_parser import ParsedReport
from tracker.themes import assign_themes

ALL_FORCES = "all-forces"
SUBJECT = "subject"
ADDRESSEE_LABELS = {
    ALL_FORCES: "All police forces (chief constables and police authorities)",
    "acpo": "ACPO (now the National Police Chiefs' Council)",
    "hmic": "HMIC",
    "home-office": "Home Office",
    "college-of-policing": "Training providers (College of Policing)",
}


class ImportProblem(Exception):
    """A report or fixture that cannot be imported, with a one-line reason the admin can act on."""


@dataclass(frozen=True)
class BuiltFixture:
    parsed: ParsedReport
    slug: str
    subject: Force | None
    rows: list[dict]
    # Keyed by (kind, number): a report numbers its recommendations and its areas for improvement separately.
    actions_per_recommendation: dict[tuple[str, int], list[str]]

    def to_json(self) -> str:
        return json.dumps(self.rows, indent=2, ensure_ascii=False) + "\n"

    @property
    def action_count(self) -> int:
        return sum(len(forces) for forces in self.actions_per_recommendation.values())


def _subject_force(parsed: ParsedReport, force_slug: str | None) -> Force | None:
    if force_slug:
        force = Force.objects.filter(slug=force_slug).first()
        if force is None:
            raise ImportProblem(f"Unknown force “{force_slug}”: use a slug from the forces list (e.g. west-midlands).")
        return force
    if parsed.is_national:
        return None
    force = Force.objects.resolve(parsed.subject)
    if force is None:
        raise ImportProblem(
            f"The report is about “{parsed.subject}”, which is not in the forces list: "
            "pass --force SLUG to say which force it is."
        )
    return force


def _addressed_forces(codes: tuple[str, ...], subject: Force | None, label: str) -> list[Force]:
    forces: dict[str, Force] = {}
    for code in codes:
        if code == SUBJECT:
            if subject is None:
                raise ImportProblem(f"{label} is addressed to the inspected force, but the report names none.")
            forces[subject.slug] = subject
        elif code == ALL_FORCES:
            forces.update({f.slug: f for f in Force.objects.filter(kind=Force.Kind.TERRITORIAL)})
        else:
            body = Force.objects.filter(slug=code).first()
            if body is None:
                raise ImportProblem(f"{label} is addressed to “{code}”, which is not in the forces list.")
            forces[body.slug] = body
    if not forces:
        raise ImportProblem(f"{label} is addressed to nobody the tracker knows.")
    return sorted(forces.values(), key=lambda f: f.slug)


def _addressee_text(codes: tuple[str, ...], subject: Force | None) -> str:
    return "; ".join(
        subject.name if code == SUBJECT and subject else ADDRESSEE_LABELS.get(code, code) for code in codes
    )


def report_slug(parsed: ParsedReport, subject: Force | None) -> str:
    """Return the report's natural key, e.g. police-integrity-and-corruption-2014-west-midlands."""
    series = parsed.series or parsed.title
    return slugify(f"{series} {subject.slug if subject else 'national'}")[:120]


def build_fixture(parsed: ParsedReport, *, source_name: str, force_slug: str | None = None) -> BuiltFixture:
    """Return the fixture rows for `parsed`: report, key figures, recommendations and one action per addressed force."""
    subject = _subject_force(parsed, force_slug)
    slug = report_slug(parsed, subject)
    rows: list[dict] = [
        {
            "model": "tracker.report",
            "fields": {
                "slug": slug,
                "title": parsed.title,
                "series": parsed.series,
                "subject_force": [subject.slug] if subject else None,
                "published_on": parsed.published.isoformat() if parsed.published else None,
                "published_precision": parsed.published_precision or "day",
                "isbn": parsed.isbn,
                "source_file": Path(source_name).name,
            },
        }
    ]
    for position, figure in enumerate(parsed.key_figures):
        rows.append(
            {
                "model": "tracker.keyfigure",
                "fields": {
                    "report": [slug],
                    "code": figure.code,
                    "label": figure.label,
                    "value": str(figure.value),
                    "national_value": None if figure.national_value is None else str(figure.national_value),
                    "unit": figure.unit,
                    "position": position,
                },
            }
        )
    actions: dict[tuple[str, int], list[str]] = {}
    action_rows = []
    for rec in parsed.recommendations:
        is_recommendation = rec.kind == Recommendation.Kind.RECOMMENDATION
        fields = {
            "report": [slug],
            # The kind, and the kind in its natural key, only where it is not the default: fixtures of
            # reports with recommendations only stay as they were.
            **({} if is_recommendation else {"kind": rec.kind}),
            "number": rec.number,
            "text": rec.text,
            "timeframe": rec.timeframe,
            "due_date": rec.due_date.isoformat() if rec.due_date else None,
            "due_precision": rec.due_precision or "",
            "inspection_question": rec.inspection_question,
            "evidence": rec.evidence,
            "addressees": _addressee_text(rec.addressees, subject),
        }
        key = [slug, rec.number] if is_recommendation else [slug, rec.number, rec.kind]
        rows.append({"model": "tracker.recommendation", "fields": fields})
        label = f"{Recommendation.Kind(rec.kind).label} {rec.number}"
        forces = _addressed_forces(rec.addressees, subject, label)
        actions[rec.kind, rec.number] = [f.slug for f in forces]
        for force in forces:
            action_rows.append(
                {
                    "model": "tracker.action",
                    "fields": {
                        "recommendation": key,
                        "force": [force.slug],
                        "due_date": rec.due_date.isoformat() if rec.due_date else None,
                    },
                }
            )
    rows += action_rows
    return BuiltFixture(parsed, slug, subject, rows, actions)


def summary_lines(built: BuiltFixture) -> list[str]:
    """Return the short summary printed after a conversion: report, each recommendation, warnings."""
    parsed = built.parsed
    date = _format_date(parsed.published, parsed.published_precision)
    recommendations = [r for r in parsed.recommendations if r.kind != Recommendation.Kind.AREA_FOR_IMPROVEMENT]
    improvements = [r for r in parsed.recommendations if r.kind == Recommendation.Kind.AREA_FOR_IMPROVEMENT]
    lines = [
        f"Report:     {parsed.title} ({parsed.series})",
        f"Subject:    {built.subject.name if built.subject else 'National'}",
        f"Published:  {date}",
        f"ISBN:       {parsed.isbn or '–'}",
        f"Key figures: {len(parsed.key_figures)}",
        f"Recommendations: {len(recommendations)}; actions: {built.action_count}",
    ]
    if improvements:
        lines.append(f"Areas for improvement: {len(improvements)}")
    for rec in recommendations + improvements:
        forces = built.actions_per_recommendation[rec.kind, rec.number]
        to = forces[0] if len(forces) == 1 else f"{len(forces)} forces/bodies"
        afi = "AFI " if rec.kind == Recommendation.Kind.AREA_FOR_IMPROVEMENT else ""
        lines.append(
            f"  {afi}{rec.number:>2}. {rec.timeframe or '(no timeframe)'}"
            f" → due {_format_date(rec.due_date, rec.due_precision)}"
            f" → {to}: {rec.text[:70]}…"
        )
    lines += [f"Warning: {warning}" for warning in parsed.warnings]
    return lines


def _format_date(value, precision: str | None) -> str:
    if value is None:
        return "no date"
    if precision == "month":
        return value.strftime("%B %Y")
    if precision == "year":
        return value.strftime("%Y")
    return f"{value.day} {value:%B %Y}"


def load_fixture_text(text: str, *, label: str = "fixture") -> int:
    """Load fixture JSON atomically; return how many objects it holds, or raise ImportProblem and load nothing."""
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportProblem(f"{label} is not valid JSON (line {exc.lineno}): {exc.msg}.") from None
    if not isinstance(rows, list) or not rows:
        raise ImportProblem(f"{label} holds no objects.")
    _check_forces_exist(rows, label)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.json"
        path.write_text(text, encoding="utf-8")
        try:
            with transaction.atomic():
                call_command("loaddata", str(path), verbosity=0)
                slugs = {row["fields"].get("slug") for row in rows if row.get("model") == "tracker.report"}
                assign_themes(Recommendation.objects.filter(report__slug__in=slugs, theme__isnull=True).order_by("pk"))
        except (serializers.base.DeserializationError, CommandError) as exc:
            # loaddata's own messages end with the reason (earlier lines name the file and the object).
            raise ImportProblem(f"{label} could not be loaded, nothing was changed: {_last_line(exc)}") from None
        except FIXTURE_REFUSALS as exc:
            # What the database or a field refused while saving (a missing value, a duplicate, a bad type):
            # the rollback above undid everything, so say why in one line.
            raise ImportProblem(f"{label} could not be loaded, nothing was changed: {_first_line(exc)}") from None
    return len(rows)


# What saving a well-formed but wrong fixture raises beyond loaddata's own errors.
# ArithmeticError: a number too large for its column (OverflowError on SQLite, decimal.InvalidOperation).
FIXTURE_REFUSALS = (DatabaseError, ValidationError, ValueError, TypeError, LookupError, ArithmeticError)


def _first_line(exc: Exception) -> str:
    text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    # loaddata names the temporary file it was given, which means nothing to the person importing.
    text = re.sub(r"^Problem installing fixtures? '[^']*': ", "", text.strip())
    return text.splitlines()[0] if text else exc.__class__.__name__


def _last_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[-1] if str(exc).strip() else exc.__class__.__name__


def _check_forces_exist(rows: list, label: str) -> None:
    wanted = set()
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("fields"), dict):
            raise ImportProblem(f"{label} is not a Django fixture: every entry needs “model” and “fields”.")
        fields = row["fields"]
        for key in ("force", "subject_force"):
            value = fields.get(key)
            if isinstance(value, list) and value:
                wanted.add(str(value[0]))
    missing = wanted - set(Force.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    if missing:
        raise ImportProblem(
            f"{label} refers to forces that are not in the database ({', '.join(sorted(missing))}): "
            "load fixtures/forces.json first. Nothing was loaded."
        )
