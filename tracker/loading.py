"""
Load a report fixture's rows: the one way a report gets into the database, from `manage.py load_reports`,
`manage.py loaddata` of a report fixture and the admin's web import alike.

A report fixture names every row by its natural key, never by primary key: a report by slug, a key figure
by (report, code), a recommendation by (report, number[, kind]), an action by (report, number[, kind], force)
— the kind is named only for an area for improvement. Loading
creates what is new and updates only the fields a report owns; the work done since the import (an
action's status, owner, revised due date, RAG rating, check-again date, publishing; a recommendation's theme,
priority and links) is never touched. Loading the same fixture again changes nothing and writes no history. Rows are
saved in bulk, so the number of queries depends on the report, not on how many actions the tracker holds.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from tracker.models import Action, Force, KeyFigure, Recommendation, Report, Theme, User
from tracker.themes import closest_themes

MODELS: dict[str, type[models.Model]] = {
    "tracker.report": Report,
    "tracker.keyfigure": KeyFigure,
    "tracker.recommendation": Recommendation,
    "tracker.action": Action,
}
# Each model's natural key, as the fixture names it.
KEYS: dict[type[models.Model], tuple[str, ...]] = {
    Report: ("slug",),
    KeyFigure: ("report", "code"),
    Recommendation: ("report", "number", "kind"),
    Action: ("recommendation", "force"),
}
# Fields a report fixture never sets: the forces' and HMIC's work since the report was imported.
KEPT_ON_RELOAD: dict[type[models.Model], frozenset[str]] = {
    Report: frozenset({"is_publishable"}),
    KeyFigure: frozenset(),
    Recommendation: frozenset({"theme", "is_priority", "follows", "follow_kind"}),
    Action: frozenset(
        {
            "owner",
            "status",
            "revised_due_date",
            "version",
            "created_at",
            "updated_at",
            "started_at",
            "completed_at",
            "verified_at",
            "closed_at",
            "rag",
            "rag_reason",
            "recheck_on",
            "is_publishable",
        }
    ),
}
# A report is the same report when these agree; a fixture whose slug names a different one is refused.
IDENTITY = ("title", "subject_force", "published_on")

# What saving a well-formed but wrong fixture can still raise beyond the checks below.
# ArithmeticError: a number too large for its column (OverflowError on SQLite, decimal.InvalidOperation).
REFUSALS = (DatabaseError, ValidationError, ValueError, TypeError, LookupError, ArithmeticError)


class ImportProblem(Exception):
    """A report or fixture that cannot be imported, with a one-line reason the admin can act on."""


@dataclass
class Loaded:
    """What one load did: the fixture's reports, and how many rows it created and changed."""

    reports: list[Report]
    created: int = 0
    updated: int = 0


@dataclass
class _Row:
    model: type[models.Model]
    key: tuple
    values: dict[str, object] = field(default_factory=dict)  # owned field name -> value, as given
    where: str = ""


def owned_fields(model: type[models.Model]) -> list[models.Field]:
    """Return the fields of `model` that a report fixture sets: everything but its key and the work done since."""
    skip = KEPT_ON_RELOAD[model] | set(KEYS[model])
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in skip]


def is_report_fixture(rows: object) -> bool:
    """Tell whether fixture rows are a report fixture (natural keys, report fields only) rather than a backup."""
    if not isinstance(rows, list) or not rows:
        return False
    for row in rows:
        if not isinstance(row, dict) or "pk" in row or row.get("model") not in MODELS:
            return False
        fields = row.get("fields")
        if not isinstance(fields, dict) or set(fields) & KEPT_ON_RELOAD[MODELS[row["model"]]]:
            return False
    return True


def import_reason(source: str, *, via: str, by: User | None) -> str:
    """Return the change reason of history rows written by an import: what was imported, how, and by whom."""
    reason = f"Imported from {source} with {via}"
    return f"{reason} by {by.get_username()}" if by else reason


@transaction.atomic
def load_report(rows: list, *, by: User | None, via: str, source: str = "", label: str = "The fixture") -> Loaded:
    """Create or update the reports in `rows` all-or-nothing, or raise ImportProblem and change nothing."""
    reason = import_reason(source or label, via=via, by=by)
    forces = _forces(rows, label)
    try:
        with transaction.atomic():
            return _Loader(rows, forces=forces, by=by, reason=reason).load()
    except _Refused as refused:
        raise ImportProblem(f"{label} could not be loaded, nothing was changed: {refused}") from None
    except REFUSALS as exc:
        # What the database refused while saving: the rollback undid everything, so say why in one line.
        raise ImportProblem(f"{label} could not be loaded, nothing was changed: {_first_line(exc)}") from None


class _Refused(Exception):
    """A row the loader will not load, with why."""


def _first_line(exc: Exception) -> str:
    text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    return text.strip().splitlines()[0] if text.strip() else exc.__class__.__name__


def _forces(rows: object, label: str) -> dict[str, int]:
    """Return the id of every force the rows name, or refuse rows that are not fixture rows or name missing forces."""
    if not isinstance(rows, list) or not rows:
        raise ImportProblem(f"{label} holds no objects.")
    wanted = set()
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("fields"), dict):
            raise ImportProblem(f"{label} is not a Django fixture: every entry needs “model” and “fields”.")
        for key in ("force", "subject_force"):
            value = row["fields"].get(key)
            if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
                wanted.add(value[0])
            elif isinstance(value, str):
                wanted.add(value)
    found = dict(Force.objects.filter(slug__in=wanted).values_list("slug", "pk")) if wanted else {}
    missing = wanted - set(found)
    if missing:
        raise ImportProblem(
            f"{label} refers to forces that are not in the database ({', '.join(sorted(missing))}): "
            "load fixtures/forces.json first. Nothing was loaded."
        )
    return found


class _Loader:
    def __init__(self, rows: list[dict], *, forces: dict[str, int], by: User | None, reason: str) -> None:
        self.forces = forces
        self.history = {"default_user": by, "default_change_reason": reason, "default_date": timezone.now()}
        self.rows: dict[type[models.Model], dict[tuple, _Row]] = {model: {} for model in KEYS}
        for index, row in enumerate(rows, start=1):
            parsed = self._parse(index, row)
            if parsed.key in self.rows[parsed.model]:
                raise _Refused(f"{parsed.where} appears twice.")
            self.rows[parsed.model][parsed.key] = parsed
        self.loaded = Loaded(reports=[])

    # Reading and checking the rows: no queries.

    def _parse(self, index: int, row: dict) -> _Row:
        model = MODELS.get(row.get("model")) if isinstance(row.get("model"), str) else None
        if model is None:
            raise _Refused(
                f"entry {index} is a {row.get('model')!r}, not part of a report "
                f"(a report fixture holds {', '.join(MODELS)}): load other data with manage.py loaddata."
            )
        if "pk" in row:
            raise _Refused(f"entry {index} has a primary key: a report fixture names rows by natural key only.")
        fields = row["fields"]
        key = self._key(model, fields, index)
        parsed = _Row(model, key, where=_describe(model, key))
        owned = {f.name: f for f in owned_fields(model)}
        for name, raw in fields.items():
            if name in KEYS[model]:
                continue
            if name in KEPT_ON_RELOAD[model]:
                raise _Refused(
                    f"{parsed.where} sets “{name}”, which is work done after the import, not part of a report."
                )
            if name not in owned:
                raise _Refused(f"{parsed.where} has a field “{name}” that a {model._meta.verbose_name} does not have.")
            parsed.values[name] = self._value(owned[name], raw, parsed.where)
        return parsed

    def _key(self, model: type[models.Model], fields: dict, index: int) -> tuple:
        where = f"entry {index} ({model._meta.verbose_name})"
        if model is Report:
            return (self._plain(Report._meta.get_field("slug"), fields.get("slug"), where),)
        if model is Action:
            recommendation = fields.get("recommendation")
            size = 3 if isinstance(recommendation, list) and len(recommendation) == 3 else 2
            report, number, *kind = _natural(recommendation, size, "recommendation", where)
            (force,) = _natural(fields.get("force"), 1, "force", where)
            if force not in self.forces:
                raise _Refused(f"{where}: “force” must be a force's slug, not {force!r}.")
            kind = self._kind(kind[0] if kind else None, where)
            return (self._slug(report, where), self._number(number, where), kind, force)
        (report,) = _natural(fields.get("report"), 1, "report", where)
        if model is KeyFigure:
            code = self._plain(KeyFigure._meta.get_field("code"), fields.get("code"), where)
            return (self._slug(report, where), code)
        kind = self._kind(fields.get("kind"), where)
        return (self._slug(report, where), self._number(fields.get("number"), where), kind)

    def _kind(self, value: object, where: str) -> str:
        """Return a recommendation's kind; a fixture names it only for an area for improvement."""
        if value is None:
            return Recommendation.Kind.RECOMMENDATION
        return self._plain(Recommendation._meta.get_field("kind"), value, where)

    def _slug(self, value: object, where: str) -> str:
        return self._plain(Report._meta.get_field("slug"), value, f"{where}: its report")

    def _number(self, value: object, where: str) -> int:
        return self._plain(Recommendation._meta.get_field("number"), value, f"{where}: its recommendation")

    def _value(self, model_field: models.Field, raw: object, where: str) -> object:
        if model_field.is_relation:  # a report's subject force: a force's natural key, or none for national
            if raw is None:
                return None
            (slug,) = _natural(raw, 1, model_field.name, where)
            if slug not in self.forces:
                raise _Refused(f"{where}: “{model_field.name}” must be a force's slug, not {slug!r}.")
            return self.forces[slug]
        return self._plain(model_field, raw, where)

    @staticmethod
    def _plain(model_field: models.Field, raw: object, where: str) -> object:
        try:
            value = model_field.to_python(raw)
            try:
                model_field.validate(value, None)
            except ValidationError as exc:
                # "Cannot be blank" is for forms; a report may have no title, and loaddata always took that.
                if exc.code != "blank":
                    raise
            model_field.run_validators(value)
        except ValidationError as exc:
            raise _Refused(f"{where}: “{model_field.name}” {'; '.join(exc.messages)}") from None
        except (TypeError, ValueError, ArithmeticError, decimal.InvalidOperation):
            raise _Refused(f"{where}: “{model_field.name}” cannot be {raw!r}.") from None
        return value

    # Writing: a fixed number of queries per model, whatever the tracker already holds.

    def load(self) -> Loaded:
        slugs = {row.key[0] for rows in self.rows.values() for row in rows.values()}
        found = self._existing_reports(slugs)
        reports = {**found, **self._save(Report, {}, found)}
        report_ids = {slug: report.pk for (slug,), report in reports.items()}
        self.published = {slug: report.published_on for (slug,), report in reports.items()}
        slugs = {pk: slug for slug, pk in report_ids.items()}
        existing = [report.pk for report in found.values()]
        figures = KeyFigure.objects.filter(report_id__in=existing) if existing else []
        self._save(KeyFigure, {"report_id": report_ids}, {(f.report_id, f.code): f for f in figures})
        loaded = (
            {(r.report_id, r.number, r.kind): r for r in Recommendation.objects.filter(report_id__in=existing)}
            if existing
            else {}
        )
        recommendations = {(slugs[r.report_id], r.number, r.kind): r for r in loaded.values()}
        recommendations |= self._save(Recommendation, {"report_id": report_ids}, loaded)
        recommendation_ids = {key: r.pk for key, r in recommendations.items()}
        actions = Action.objects.filter(recommendation__report_id__in=existing) if existing else []
        self._save(
            Action,
            {"recommendation_id": recommendation_ids},
            {(a.recommendation_id, a.force_id): a for a in actions},
        )
        self.loaded.reports = [reports[key] for key in self.rows[Report]]
        return self.loaded

    def _existing_reports(self, slugs: set[str]) -> dict[tuple, Report]:
        found = {(r.slug,): r for r in Report.objects.filter(slug__in=slugs)}
        for key, row in self.rows[Report].items():
            if key in found:
                _same_report(found[key], row)
        for rows in self.rows.values():
            for row in rows.values():
                if (row.key[0],) not in found and (row.key[0],) not in self.rows[Report]:
                    raise _Refused(f"{row.where} belongs to report “{row.key[0]}”, which is neither in it nor loaded.")
        return found

    def _save(self, model: type[models.Model], parents: dict[str, dict], existing: dict[tuple, models.Model]) -> dict:
        """Create the new rows of `model` and update the changed ones; return every row of the fixture by its key."""
        saved, new, changed, changed_fields = {}, [], [], set()
        for key, row in self.rows[model].items():
            database_key = self._database_key(model, key, parents, row)
            current = existing.get(database_key)
            if current is None:
                current = self._new(model, key, parents, row)
                new.append(current)
            else:
                fields = [name for name, value in row.values.items() if _attribute(current, name) != value]
                for name in fields:
                    setattr(current, model._meta.get_field(name).attname, row.values[name])
                if fields:
                    changed.append(current)
                    changed_fields.update(fields)
            saved[key] = current
        if model is Recommendation and new:
            themes = closest_themes(new)
            if themes:
                bulk_create_with_history(themes, Theme, **self.history)
        with_history = hasattr(model, "history")
        if new and with_history:
            bulk_create_with_history(new, model, **self.history)
        elif new:
            model.objects.bulk_create(new)
        if changed and with_history:
            bulk_update_with_history(changed, model, sorted(changed_fields), **self.history)
        elif changed:
            model.objects.bulk_update(changed, sorted(changed_fields))
        self.loaded.created += len(new)
        self.loaded.updated += len(changed)
        return saved

    def _database_key(self, model: type[models.Model], key: tuple, parents: dict[str, dict], row: _Row) -> tuple:
        if model is Report:
            return key
        if model is Action:
            recommendation = parents["recommendation_id"].get(key[:3])
            if recommendation is None:
                raise _Refused(f"{row.where} is for a recommendation that is neither in the fixture nor loaded.")
            return (recommendation, self.forces[key[3]])
        return (parents["report_id"][key[0]], *key[1:])

    def _new(self, model: type[models.Model], key: tuple, parents: dict[str, dict], row: _Row) -> models.Model:
        if model is Report:
            values = {"slug": key[0]}
        elif model is Action:
            values = {
                "recommendation_id": parents["recommendation_id"][key[:3]],
                "force_id": self.forces[key[3]],
                "created_at": tracked_from(self.published[key[0]]),
            }
        else:
            values = {"report_id": parents["report_id"][key[0]], **dict(zip(KEYS[model][1:], key[1:], strict=True))}
        for model_field in owned_fields(model):
            if model_field.name in row.values:
                values[model_field.attname] = row.values[model_field.name]
            elif model_field.has_default() or model_field.null or model_field.blank:
                values[model_field.attname] = self._plain(model_field, model_field.get_default(), row.where)
            else:
                raise _Refused(f"{row.where} has no “{model_field.name}”.")
        return model(**values)


def tracked_from(published_on: datetime.date | None) -> datetime.datetime:
    """
    Return when a newly loaded action came into being: the start of its report's publication day, or now for a
    report with no publication date or one published later. A report loaded years after it was published is
    old work, not new: the trends count its actions as open since publication, not from the day of loading.
    """
    now = timezone.now()
    if published_on is None:
        return now
    published = datetime.datetime.combine(published_on, datetime.time.min, tzinfo=timezone.get_current_timezone())
    return min(published, now)


def _attribute(instance: models.Model, name: str) -> object:
    return getattr(instance, instance._meta.get_field(name).attname)


def _same_report(current: Report, row: _Row) -> None:
    """Refuse a report row whose slug already belongs to a different report."""
    differ = [name for name in IDENTITY if name in row.values and _attribute(current, name) != row.values[name]]
    if differ:
        published = current.published_on.isoformat() if current.published_on else "no date"
        subject = current.subject_force.name if current.subject_force_id else "national"
        raise _Refused(
            f"the slug “{current.slug}” already belongs to another report, “{current.title}” ({subject}, "
            f"published {published}); its {' and '.join(n.replace('_', ' ') for n in differ)} differ. "
            "Give this report a slug of its own: make the fixture again with report_to_fixture, which picks a free one."
        )


def _natural(value: object, size: int, name: str, where: str) -> tuple:
    """Return a natural key given as a list (or, for a one-part key, a plain value)."""
    if size == 1 and isinstance(value, str):
        return (value,)
    if isinstance(value, list) and len(value) == size and all(isinstance(v, str | int) for v in value):
        return tuple(value)
    raise _Refused(f"{where}: “{name}” must be a natural key of {size} part(s), not {value!r}.")


def _describe(model: type[models.Model], key: tuple) -> str:
    if model is Report:
        return f"report “{key[0]}”"
    if model is KeyFigure:
        return f"key figure “{key[1]}” of report “{key[0]}”"
    if model is Recommendation:
        return f"{_kind_label(key[2])} {key[1]} of report “{key[0]}”"
    return f"the action of {key[3]} on {_kind_label(key[2])} {key[1]} of report “{key[0]}”"


def _kind_label(kind: str) -> str:
    return "area for improvement" if kind == Recommendation.Kind.AREA_FOR_IMPROVEMENT else "recommendation"
