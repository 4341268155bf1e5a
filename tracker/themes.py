"""
Group recommendations made in near-identical words to several forces into themes.

Wording is reduced to a signature — its content words, lower-cased, with the
timeframe lead-in ("Within six months,"), the addressee ("the force should")
and filler words dropped, and plurals folded — and two signatures are compared
with the Dice coefficient: twice the shared words over the words of both.
So "ensure that it has" / "ensure it has" and "respond and act" / "respond to
and act on" cost nothing, while a narrower wording (one policy instead of four)
scores lower. A recommendation joins the theme of its most similar
recommendation in another report when the score reaches
settings.THEME_SIMILARITY_THRESHOLD; otherwise it starts a theme of its own.
Reviewers confirm, rename, split and merge themes; every change is in history.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from tracker.models import Recommendation, Theme, User, delete_with_history, save_with_history
from tracker.workflow import require_reviewer

LEAD_IN = re.compile(
    r"^\s*(within\s+\w+(\s*\(\d+\))?\s+(days?|weeks?|months?|years?)|with\s+immediate\s+effect|by\s+\w+(\s+\w+)?\s+\d{4})[\s,]*",
    re.IGNORECASE,
)
ADDRESSEE = re.compile(r"^(the\s+)?(force|forces|constabulary|service)\s+(should|must|will)\s+", re.IGNORECASE)
FILLER = frozenset(
    """a an the and or of to in on at for by with from as is are be been it its it's this that these those
    which who whom what why how there their they them should must will would can could may might shall
    ensure ensures ensuring has have having had do does all any both such so than then also into onto
    within about under over its own including include includes""".split()
)
WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@functools.lru_cache(maxsize=65_536)  # bounded by the vocabulary: a few thousand words
def _fold(word: str) -> str:
    # Cheap plural folding: policies/policy, interests/interest, registers/register.
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# Every import compares its recommendations with every themed wording in the tracker; a server keeps the
# signatures of those it has seen (a pure function of the text, so the cache cannot go stale).
@functools.lru_cache(maxsize=16_384)
def signature(text: str) -> frozenset[str]:
    """Return the content words of a recommendation's wording, for comparing it with others."""
    body = LEAD_IN.sub("", text.strip())
    body = ADDRESSEE.sub("", body.strip())
    return frozenset(_fold(w) for w in WORD.findall(body.lower()) if w not in FILLER)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Return the Dice coefficient of two signatures: 1.0 for the same words, 0.0 for none shared."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def title_for(text: str, limit: int = 90) -> str:
    """Return a short title for a theme from a recommendation's wording, without its timeframe."""
    body = ADDRESSEE.sub("", LEAD_IN.sub("", text.strip()).strip())
    body = body[:1].upper() + body[1:]
    if len(body) <= limit:
        return body.rstrip(".")
    return body[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def threshold() -> float:
    return settings.THEME_SIMILARITY_THRESHOLD


ANOTHER_REPORT = 0  # stands for the reports a wording was made in, other than those being grouped (ids start at 1)


def closest_themes(recommendations: Iterable[Recommendation], *, minimum: float | None = None) -> list[Theme]:
    """Set each recommendation without a theme to its closest match's theme, or a new unsaved one; return those."""
    minimum = threshold() if minimum is None else minimum
    pending = [r for r in recommendations if r.theme_id is None and r.theme is None]
    if not pending:
        return []
    # Every themed wording's signature, once per distinct wording and theme (a recommendation made to 43
    # forces is one entry), with the reports it was made in: a match must come from another report. Wordings
    # of the reports being grouped are read with their report; the rest only need to be in another one.
    # A theme holds one kind: areas for improvement are followed up apart from recommendations.
    known: dict[tuple[int | tuple, str, str], tuple[int | Theme, set[int | None], frozenset[str]]] = {}
    own_reports = {r.report_id for r in pending}
    themed = Recommendation.objects.filter(theme__isnull=False).order_by()
    elsewhere = [
        (ANOTHER_REPORT, *row)
        for row in themed.exclude(report_id__in=own_reports).values_list("theme_id", "kind", "text").distinct()
    ]
    for report_id, theme_id, kind, text in elsewhere + list(
        themed.filter(report_id__in=own_reports).values_list("report_id", "theme_id", "kind", "text")
    ):
        entry = known.get((theme_id, kind, text))
        if entry is None:
            known[(theme_id, kind, text)] = (theme_id, {report_id}, signature(text))
        else:
            entry[1].add(report_id)
    created = []
    for recommendation in pending:
        own = signature(recommendation.text)
        best_theme, best_score = None, 0.0
        for (_, kind, _), (theme, reports, other) in known.items():
            if reports == {recommendation.report_id} or kind != recommendation.kind:
                continue
            score = similarity(own, other)
            if score > best_score:
                best_theme, best_score = theme, score
        if best_theme is None or best_score < minimum:
            best_theme = Theme(title=title_for(recommendation.text), canonical_wording=recommendation.text)
            created.append(best_theme)
        if isinstance(best_theme, Theme):
            recommendation.theme = best_theme
        else:
            recommendation.theme_id = best_theme
        key = (
            best_theme if isinstance(best_theme, int) else ("new", id(best_theme)),
            recommendation.kind,
            recommendation.text,
        )
        known.setdefault(key, (best_theme, set(), own))[1].add(recommendation.report_id)
    return created


@transaction.atomic
def assign_themes(recommendations: Iterable[Recommendation], *, minimum: float | None = None) -> list[Theme]:
    """Put each recommendation without a theme into the theme of its closest match, or a new theme."""
    pending = [r for r in recommendations if r.theme_id is None]
    created = closest_themes(pending, minimum=minimum)
    for theme in created:
        theme.save()
    for recommendation in pending:
        # A matched theme is set by id (reading .theme would cost a query), a new one as the object just saved.
        theme_id = recommendation.theme_id or recommendation.theme.pk
        # No user: the history row names whoever ran the import (the signed-in user of a web import).
        save_with_history(recommendation, {"theme_id": theme_id}, by=None, reason="Grouped into a theme on import")
    return created


def _move(recommendations: Iterable[Recommendation], theme: Theme, *, by: User, reason: str) -> None:
    for recommendation in recommendations:
        save_with_history(recommendation, {"theme": theme}, by=by, reason=reason)


CHANGE_THEMES = "change themes"


@transaction.atomic
def rename(theme: Theme, *, by: User, title: str, canonical_wording: str | None = None) -> Theme:
    """Give a theme a new title (and optionally its canonical wording)."""
    require_reviewer(by, to=CHANGE_THEMES)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Give the theme a title."})
    changes = {"title": title[:200]}
    if canonical_wording is not None and canonical_wording.strip():
        changes["canonical_wording"] = canonical_wording.strip()
    return save_with_history(theme, changes, by=by, reason="Renamed")


@transaction.atomic
def confirm(theme: Theme, *, by: User) -> Theme:
    """Record that a reviewer has checked the theme's grouping."""
    require_reviewer(by, to=CHANGE_THEMES)
    if not theme.confirmed:
        save_with_history(theme, {"confirmed": True}, by=by, reason="Grouping confirmed")
    return theme


@transaction.atomic
def merge(target: Theme, source: Theme, *, by: User) -> Theme:
    """Move every recommendation of `source` into `target` and delete `source`."""
    require_reviewer(by, to=CHANGE_THEMES)
    if target.pk == source.pk:
        raise ValidationError("Choose a different theme to merge.")
    _move(source.recommendations.all(), target, by=by, reason=f"Merged from theme “{source.title}”")
    delete_with_history(source, by=by, reason=f"Merged into theme “{target.title}”")
    return save_with_history(target, by=by, reason=f"Theme “{source.title}” merged in")


@transaction.atomic
def split(theme: Theme, recommendations: Iterable[Recommendation], *, by: User, title: str = "") -> Theme:
    """Move the chosen recommendations of `theme` into a new theme of their own."""
    require_reviewer(by, to=CHANGE_THEMES)
    chosen = [r for r in recommendations if r.theme_id == theme.pk]
    if not chosen:
        raise ValidationError({"recommendations": "Choose at least one recommendation of this theme to split off."})
    if len(chosen) == theme.recommendations.count():
        raise ValidationError({"recommendations": "Leave at least one recommendation in the theme: rename it instead."})
    new = Theme(title=(title.strip() or title_for(chosen[0].text))[:200], canonical_wording=chosen[0].text)
    save_with_history(new, by=by, reason=f"Split from theme “{theme.title}”")
    _move(chosen, new, by=by, reason=f"Split from theme “{theme.title}”")
    return new
