"""
Turn a parsed report into a reviewable Django fixture (natural keys, no primary
keys) and load fixtures atomically with messages an admin can act on (through
tracker.loading.load_report, the one way a report gets into the database).

The parser (tracker.report_parser) knows reports; this module knows the database.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from django.utils.text import slugify

from tracker.dates import long_date, outside_window, precise_date, window_words
from tracker.loading import ImportProblem, load_report
from tracker.models import Force, Recommendation, Report, User
from tracker.report_parser import ALL_FORCES, ALL_PCCS, SUBJECT, ParsedReport

ADDRESSEE_LABELS = {
    ALL_FORCES: "All police forces (chief constables and police authorities)",
    ALL_PCCS: "Police and crime commissioners",
    "acpo": "ACPO (now the National Police Chiefs' Council)",
    "npcc": "National Police Chiefs' Council (NPCC)",
    "hmic": "HMIC",
    "home-office": "Home Office",
    "college-of-policing": "Training providers (College of Policing)",
}


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
                raise ImportProblem(
                    f"{label} is addressed to “the force”, but the report names none: give the force with "
                    "--force SLUG (on the web: the Force field)."
                )
            forces[subject.slug] = subject
        elif code in (ALL_FORCES, ALL_PCCS):
            # A commissioner answers for one force's area: the action is tracked with that force.
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
    """
    Return a slug no other report has, e.g. police-integrity-and-corruption-2014-west-midlands.

    Series (or title) and subject where that is free or names this same report; then with the publication
    date (always, for a report with neither series nor title); then numbered.
    """
    name = parsed.series or parsed.title
    base = slugify(f"{name} {subject.slug if subject else 'national'}")[:100].strip("-")
    dated = base
    if parsed.published:
        day = {"year": "%Y", "month": "%Y-%m"}.get(parsed.published_precision or "day", "%Y-%m-%d")
        dated = f"{base}-{parsed.published.strftime(day)}"
    candidates = ([base] if slugify(name) else []) + [dated] + [f"{dated}-{n}" for n in range(2, 100)]
    taken = {
        slug: (title, subject_id, published_on)
        for slug, title, subject_id, published_on in Report.objects.filter(slug__startswith=base).values_list(
            "slug", "title", "subject_force_id", "published_on"
        )
    }
    this = (parsed.title, subject.pk if subject else None, parsed.published)
    for candidate in candidates:
        if taken.get(candidate, this) == this:
            return candidate
    raise ImportProblem(f"Ninety-nine reports already have slugs starting “{base}”: this one needs a title of its own.")


def build_fixture(parsed: ParsedReport, *, source_name: str, force_slug: str | None = None) -> BuiltFixture:
    """Return the fixture rows for `parsed`: report, key figures, recommendations and one action per addressed force."""
    subject = _subject_force(parsed, force_slug)
    slug = report_slug(parsed, subject)
    _check_dates(parsed)
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


def _check_dates(parsed: ParsedReport) -> None:
    """Refuse a publication or due date outside the window the tracker accepts, saying which and what to do."""
    dated = [("The publication date", parsed.published, "give the date it was published")]
    dated += [
        (
            f"{Recommendation.Kind(rec.kind).label} {rec.number}'s due date",
            rec.due_date,
            "correct its timeframe or due date",
        )
        for rec in parsed.recommendations
    ]
    for what, day, fix in dated:
        if outside_window(day):
            raise ImportProblem(f"{what} is {long_date(day)}: the tracker takes dates {window_words()}; {fix}.")


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


def _format_date(value: datetime.date | None, precision: str | None) -> str:
    return precise_date(value, precision) if value else "no date"


def load_fixture_text(
    text: str, *, label: str = "fixture", by: User | None = None, via: str = "manage.py load_reports"
) -> int:
    """Load a report fixture's JSON atomically; return how many objects it holds, or raise ImportProblem."""
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportProblem(f"{label} is not valid JSON (line {exc.lineno}): {exc.msg}.") from None
    load_report(rows, by=by, via=via, source=_source(rows, label), label=label)
    return len(rows)


def _source(rows: object, label: str) -> str:
    """Return what the history says was imported: the fixture's file, or for the web the report's own file."""
    if label.endswith(".json"):
        return Path(label).name
    if not isinstance(rows, list):
        return label.lower()  # load_report refuses it, with why
    report = next((r for r in rows if isinstance(r, dict) and r.get("model") == "tracker.report"), None)
    fields = report.get("fields") if isinstance(report, dict) else None
    name = fields.get("source_file") if isinstance(fields, dict) else None
    return name if isinstance(name, str) and name else label.lower()
