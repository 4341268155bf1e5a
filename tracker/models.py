"""The tracker's domain: forces, reports, recommendations and the actions forces take on them."""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models, router, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Cast, Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import Exact, GreaterThan
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from simple_history.models import HistoricalRecords

from tracker.dates import check_date_window, long_date
from tracker.links import reverse_by_id, reverse_cached
from tracker.report_parser import add_months

M = TypeVar("M", bound=models.Model)


def _attribute(instance: models.Model, by, reason: str) -> None:
    # django-simple-history reads these two attributes when it writes the history row. With no user given, it
    # falls back to the signed-in user of the request (its middleware), so `by=None` must leave that alone.
    if by is not None:
        instance._history_user = by
    instance._change_reason = reason


def save_with_history(instance: M, changes: Mapping[str, object] | None = None, *, by, reason: str) -> M:
    """Set `changes` on `instance` and save them (everything, when None), the history row naming `by` and `reason`."""
    for name, value in (changes or {}).items():
        setattr(instance, name, value)
    _attribute(instance, by, reason)
    instance.save(update_fields=None if changes is None else list(changes))
    return instance


def delete_with_history(instance: models.Model, *, by, reason: str) -> None:
    """Delete `instance`, the history row naming `by` and `reason`."""
    _attribute(instance, by, reason)
    instance.delete()


def force_slug_for(name: str) -> str:
    """Return the slug a force's name maps to: "Metropolitan Police Service" -> "metropolitan"."""
    base = re.sub(r"\s+(police service|police|constabulary)$", "", name.strip().lower())
    return re.sub(r"[^a-z0-9]+", "-", base).strip("-")


def visible_force_ids(user) -> frozenset[int] | None:
    """
    Return the ids of the forces `user` may see: None for every force (reviewers), their own forces' for PSD
    leads, none for anyone signed out or deactivated. Every "visible_to" below scopes by this one rule.
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_reviewer:
        return None
    return user.member_force_ids()


def _scoped(queryset: models.QuerySet, user, force_field: str) -> models.QuerySet:
    force_ids = visible_force_ids(user)
    if force_ids is None:
        return queryset
    return queryset.filter(**{f"{force_field}__in": force_ids})  # none: Django answers empty without a query


class ForceQuerySet(models.QuerySet["Force"]):
    def visible_to(self, user) -> ForceQuerySet:
        """Return the forces this user may see: every force for reviewers, their own forces for PSD leads."""
        return _scoped(self, user, "pk")

    def with_actions(self) -> ForceQuerySet:
        """Return the forces that have at least one action (one index probe per force, not a scan of actions)."""
        return self.filter(models.Exists(Action.objects.filter(force=models.OuterRef("pk"))))


class ForceManager(models.Manager.from_queryset(ForceQuerySet)):
    def get_by_natural_key(self, slug: str) -> Force:
        return self.get(slug=slug)

    def resolve(self, name_or_slug: str) -> Force | None:
        """Return the force a report names, matching its slug, its full name or its name without "Police"."""
        text = name_or_slug.strip()
        return (
            self.filter(slug=text).first()
            or self.filter(name__iexact=text).first()
            or self.filter(slug=force_slug_for(text)).first()
        )


class Force(models.Model):
    """A police force, or a national body that recommendations are addressed to."""

    class Kind(models.TextChoices):
        TERRITORIAL = "territorial", "Territorial police force"
        NATIONAL = "national", "National body"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TERRITORIAL)

    objects = ForceManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        # Reversed once per slug: the dashboard links each of 43 forces from three tables.
        return reverse_cached("tracker:force", self.slug)

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


def _new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


DEMO_USERNAME_PREFIX = "demo."  # the demonstration data's log-ins (demo.reviewer, demo.psd.kent…)


class User(AbstractUser):
    """Someone who signs in: a force PSD lead, an HMIC reviewer or an admin."""

    class Role(models.TextChoices):
        PSD_LEAD = "psd_lead", "Force PSD lead"
        REVIEWER = "reviewer", "HMIC follow-up reviewer"
        COMMISSIONER = "commissioner", "Police and crime commissioner's office"

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PSD_LEAD)
    forces = models.ManyToManyField(
        Force,
        blank=True,
        related_name="members",
        help_text="The forces whose actions this PSD lead may see and update (a commissioner's office: see only).",
    )
    calendar_token = models.CharField(max_length=64, unique=True, default=_new_calendar_token, editable=False)
    # Every session signed in before this moment has ended ("sign out everywhere", or the account deactivated):
    # it is part of the hash each session carries (_get_session_auth_hash), so changing it ends them all.
    sessions_ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Deactivated by single sign-on because no sign-in rule matched their claims any more (tracker.sso): a later
    # sign-in that matches a rule again reactivates the account; one an admin deactivated stays so.
    deactivated_by_rules = models.BooleanField(default=False, editable=False)

    # Who has which role and forces, and since when: every grant and change, by an admin or by a sign-in rule.
    # Signing in (last_login) and ending sessions are the sign-in log's, not history.
    history = HistoricalRecords(
        excluded_fields=["password", "last_login", "sessions_ended_at", "calendar_token"], m2m_fields=[forces]
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._active_when_loaded = user.__dict__.get("is_active")
        return user

    def save(self, *args, **kwargs):
        """Save; deactivating an active account also ends its sessions, its API token and its calendar address."""
        deactivated = getattr(self, "_active_when_loaded", None) is True and not self.is_active
        if self.is_active and self.deactivated_by_rules:
            self.deactivated_by_rules = False
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "deactivated_by_rules"}
        if deactivated:
            self.sessions_ended_at = timezone.now()
            self.calendar_token = _new_calendar_token()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "sessions_ended_at", "calendar_token"}
        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(type(self), instance=self)):
            super().save(*args, **kwargs)
            if deactivated:
                from rest_framework.authtoken.models import Token

                Token.objects.filter(user=self).delete()
                SignInEvent.objects.create(
                    user=self, kind=SignInEvent.Kind.DEACTIVATED, by=getattr(self, "changed_by", None)
                )
        self._active_when_loaded = self.is_active

    def _get_session_auth_hash(self, secret=None):
        # Django's hash of the password (so changing it ends every other session), and of when this user's sessions
        # were last ended. AbstractBaseUser.get_session_auth_hash and its SECRET_KEY_FALLBACKS variant both call this.
        key_salt = "tracker.models.User.get_session_auth_hash"
        ended = self.sessions_ended_at.isoformat() if self.sessions_ended_at else ""
        return salted_hmac(key_salt, f"{self.password}|{ended}", secret=secret, algorithm="sha256").hexdigest()

    def end_sessions(self) -> None:
        """Sign this user out everywhere: every session, in every browser, ends at its next request.
        (tracker.sessions.end_sessions logs it.)"""
        self.sessions_ended_at = timezone.now()
        self.skip_history_when_saving = True  # nothing in history changes (tracked by the sign-in log)
        try:
            self.save(update_fields=["sessions_ended_at"])
        finally:
            del self.skip_history_when_saving

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_demo(self) -> bool:
        """Return True for the log-ins of the demonstration data (`make run`), which the pages label as such."""
        return self.username.startswith(DEMO_USERNAME_PREFIX)

    @property
    def is_reviewer(self) -> bool:
        """Return True if this user sees every force and reviews actions (HMIC reviewers and admins)."""
        return self.is_active and (self.role == self.Role.REVIEWER or self.is_superuser)

    @property
    def needs_two_factor(self) -> bool:
        """Return True if signing in with a password must take a second factor too (tracker.two_factor): reviewers
        and admins, who see every force. Someone who signs in only through an identity provider (no password) is
        left to their organisation's own second factor."""
        return self.has_usable_password() and self.role_needs_two_factor

    @property
    def role_needs_two_factor(self) -> bool:
        """Return True if a password would need a second factor too: someone who sees every force."""
        return self.role == self.Role.REVIEWER or self.is_staff or self.is_superuser

    @property
    def is_commissioner(self) -> bool:
        """Return True for a police and crime commissioner's office: its forces' actions read-only, and the
        statutory response to each report about them to write and publish."""
        return self.is_active and self.role == self.Role.COMMISSIONER and not self.is_superuser

    @property
    def is_psd_lead(self) -> bool:
        """Return True for a force PSD lead: updates their forces' actions."""
        return self.is_active and self.role == self.Role.PSD_LEAD and not self.is_superuser

    @property
    def has_one_force(self) -> bool:
        """Return True if this user sees one force's actions only (a PSD lead of one force): lists need not name it."""
        return not self.is_reviewer and len(self.member_force_ids()) == 1

    def member_force_ids(self) -> frozenset[int]:
        """Return the ids of the forces this user belongs to, cached on the instance (or prefetched: "forces")."""
        if not hasattr(self, "_member_force_ids"):
            self._member_force_ids = frozenset(force.pk for force in self.forces.all())
        return self._member_force_ids

    def is_member_of(self, force: Force | int) -> bool:
        """Return True if this user belongs to `force`."""
        force_id = force if isinstance(force, int) else force.pk
        return self.is_active and force_id in self.member_force_ids()

    def regenerate_calendar_token(self) -> None:
        """Give this user a new secret calendar address, so the old one stops working."""
        self.calendar_token = _new_calendar_token()
        self.save(update_fields=["calendar_token"])


# How far back a user's own sign-in log (their account page) and the admin's look; older events stay in the table.
SIGN_IN_LOG_DAYS = 90


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


# The police and crime commissioner's statutory response (Police Act 1996 s55(5A)-(5B), inserted by s37 of the
# Policing and Crime Act 2017, in force from 2 May 2017 by SI 2017/399 reg. 4(a)): for an inspection report about
# its force, the local policing body publishes its comments "before the end of 56 days beginning with the day on
# which the report is published", so the last day is publication + 55 days.
RESPONSE_DUTY_FROM = datetime.date(2017, 5, 2)
RESPONSE_PERIOD_DAYS = 56


class ResponseDuty(models.TextChoices):
    """Whether a report calls for the commissioner's statutory response, and if not, why not."""

    APPLIES = "applies", "The commissioner must publish a response"
    NATIONAL = "national", "A national report: not about one force"
    BEFORE_DUTY = "before_duty", "Published before 2 May 2017, when the duty to respond began"
    DAY_UNKNOWN = "day_unknown", "The day of publication is not recorded, so the deadline cannot be worked out"


def response_due_on(published_on: datetime.date) -> datetime.date:
    """Return the last day for the commissioner's response: 56 days beginning with the publication day."""
    return published_on + datetime.timedelta(days=RESPONSE_PERIOD_DAYS - 1)


def response_duty_q() -> Q:
    """Return the condition for a report whose commissioner must publish a response (see Report.response_duty)."""
    return Q(
        subject_force__isnull=False,
        published_on__gte=RESPONSE_DUTY_FROM,
        published_precision=DatePrecision.DAY,
    )


@dataclass(frozen=True)
class ResponseCounts:
    """One force's commissioner's responses not yet published: still within the 56 days, and past them."""

    due: int = 0
    overdue: int = 0


class ReportManager(models.Manager["Report"]):
    def get_by_natural_key(self, slug: str) -> Report:
        return self.get(slug=slug)

    def awaiting_response(self) -> models.QuerySet[Report]:
        """Return the reports whose commissioner must publish a response and has not, late or not."""
        published = CommissionerResponse.objects.filter(report=OuterRef("pk"), published_at__isnull=False)
        return self.filter(response_duty_q()).exclude(models.Exists(published))

    def response_counts(self, today: datetime.date | None = None) -> dict[int, ResponseCounts]:
        """Return, per force with any, how many responses are awaited and within the 56 days, and how many late."""
        today = today or timezone.localdate()
        # Overdue when the last day (publication + 55) is before today: published before today - 55.
        late = Q(published_on__lt=today - datetime.timedelta(days=RESPONSE_PERIOD_DAYS - 1))
        rows = (
            self.awaiting_response()
            .order_by()
            .values("subject_force_id")
            .annotate(due=models.Count("pk", filter=~late), overdue=models.Count("pk", filter=late))
        )
        return {row["subject_force_id"]: ResponseCounts(row["due"], row["overdue"]) for row in rows}

    def visible_to(self, user) -> models.QuerySet[Report]:
        """Return the reports with at least one action `user` may see (see Action.objects.visible_to)."""
        return self.filter(pk__in=Action.objects.visible_to(user).values("recommendation__report_id"))

    def with_visible_actions(self, user) -> models.QuerySet[Report]:
        """Return the reports with actions `user` may see, each with action_count: how many of them."""
        reports = _scoped(self.all(), user, "recommendations__actions__force")
        # filter() before annotate(): the count shares the filter's join, so it counts the visible actions only.
        return reports.annotate(action_count=models.Count("recommendations__actions")).filter(action_count__gt=0)


class Report(models.Model):
    """An HMIC inspection report whose recommendations are tracked."""

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=300)
    series = models.CharField(
        max_length=200, blank=True, help_text="The inspection round, e.g. Police Integrity and Corruption 2014."
    )
    subject_force = models.ForeignKey(
        Force,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
        help_text="The force inspected; empty for a national report.",
    )
    published_on = models.DateField(null=True, blank=True, validators=[check_date_window])
    published_precision = models.CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    isbn = models.CharField("ISBN", max_length=32, blank=True)
    source_file = models.CharField(max_length=200, blank=True)
    is_publishable = models.BooleanField(
        "publish on the public register",
        default=False,
        help_text="Show this report and every force's status on it on the public register.",
    )

    history = HistoricalRecords()

    objects = ReportManager()

    class Meta:
        ordering = ["-published_on", "title"]

    def __str__(self) -> str:
        subject = self.subject_force.name if self.subject_force_id else "National"
        return f"{self.title} – {subject}"

    def get_absolute_url(self) -> str:
        return reverse("tracker:report", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def is_national(self) -> bool:
        return self.subject_force_id is None

    @property
    def response_duty(self) -> ResponseDuty:
        """Return whether the subject force's commissioner must publish a response to this report (see
        response_duty_q, the same rule in SQL)."""
        if self.is_national:
            return ResponseDuty.NATIONAL
        if self.published_on is None or self.published_precision != DatePrecision.DAY:
            return ResponseDuty.DAY_UNKNOWN
        if self.published_on < RESPONSE_DUTY_FROM:
            return ResponseDuty.BEFORE_DUTY
        return ResponseDuty.APPLIES

    @property
    def response_duty_label(self) -> str:
        return ResponseDuty(self.response_duty).label

    @property
    def response_due_on(self) -> datetime.date | None:
        """Return the last day for the commissioner's response, where the duty applies."""
        return response_due_on(self.published_on) if self.response_duty == ResponseDuty.APPLIES else None


class KeyFigureManager(models.Manager["KeyFigure"]):
    def get_by_natural_key(self, report_slug: str, code: str) -> KeyFigure:
        return self.get(report__slug=report_slug, code=code)


class KeyFigure(models.Model):
    """A figure from a report's "force in numbers", with the England and Wales figure beside it."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="key_figures")
    code = models.SlugField(max_length=100)
    label = models.CharField(max_length=200)
    value = models.DecimalField(max_digits=14, decimal_places=2)
    national_value = models.DecimalField("England and Wales", max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = KeyFigureManager()

    class Meta:
        ordering = ["report", "position"]
        constraints = [models.UniqueConstraint(fields=["report", "code"], name="unique_key_figure_per_report")]

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"

    def natural_key(self) -> tuple[str, str]:
        return (*self.report.natural_key(), self.code)

    natural_key.dependencies = ["tracker.report"]


class RecommendationQuerySet(models.QuerySet["Recommendation"]):
    def visible_to(self, user) -> RecommendationQuerySet:
        """Return the recommendations with at least one action `user` may see (see Action.objects.visible_to)."""
        if visible_force_ids(user) is None:
            return self.all()
        return self.filter(pk__in=Action.objects.visible_to(user).values("recommendation_id"))

    def update(self, **kwargs) -> int:
        """Update the recommendations; a change of kind or priority changes their actions' force summaries."""
        if {"kind", "is_priority"}.isdisjoint(kwargs):
            return super().update(**kwargs)
        with ForceSummary.objects.counting(Action.objects.filter(recommendation__in=self.values("pk")), using=self.db):
            return super().update(**kwargs)


class RecommendationManager(models.Manager.from_queryset(RecommendationQuerySet)):
    def get_by_natural_key(self, report_slug: str, number: int, kind: str = "recommendation") -> Recommendation:
        return self.get(report__slug=report_slug, kind=kind, number=number)


class Recommendation(models.Model):
    """One recommendation or area for improvement of a report, as the inspectors wrote it."""

    class Kind(models.TextChoices):
        # The values are the parser's (tracker.report_parser.RECOMMENDATION, AREA_FOR_IMPROVEMENT).
        RECOMMENDATION = "recommendation", "Recommendation"
        AREA_FOR_IMPROVEMENT = "area-for-improvement", "Area for improvement"

    class FollowKind(models.TextChoices):
        REPEATS = "repeats", "Repeats"
        SUPERSEDES = "supersedes", "Supersedes"

    # How headings and filters name each kind, in order: recommendations first.
    KIND_PLURALS = {Kind.RECOMMENDATION: "Recommendations", Kind.AREA_FOR_IMPROVEMENT: "Areas for improvement"}

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="recommendations")
    kind = models.CharField(
        max_length=30,
        choices=Kind.choices,
        default=Kind.RECOMMENDATION,
        db_index=True,
        help_text="Recommendations and areas for improvement are numbered separately within a report.",
    )
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    timeframe = models.CharField(max_length=200, blank=True, help_text="As written, e.g. Within six months.")
    due_date = models.DateField(null=True, blank=True, validators=[check_date_window])
    due_precision = models.CharField(max_length=10, choices=DatePrecision.choices, blank=True)
    inspection_question = models.TextField(blank=True)
    evidence = models.TextField(blank=True)
    addressees = models.CharField(max_length=300, blank=True, help_text="Who the recommendation is addressed to.")
    theme = models.ForeignKey(
        "Theme",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recommendations",
        help_text="Recommendations made in near-identical words to several forces share a theme.",
    )
    is_priority = models.BooleanField(
        "priority",
        default=False,
        help_text="A priority recommendation (a cause of concern): sorted first and counted on dashboards.",
    )
    follows = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_by",
        help_text="An earlier recommendation that this one repeats or supersedes.",
    )
    follow_kind = models.CharField(
        max_length=20,
        blank=True,
        choices=FollowKind.choices,
        help_text="How this recommendation relates to the earlier one.",
    )

    objects = RecommendationManager()
    history = HistoricalRecords()

    class Meta:
        # "-kind": recommendations before areas for improvement.
        ordering = ["report", "-kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "kind", "number"], name="unique_recommendation_number")
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.text[:80]}"

    def save(self, **kwargs) -> None:  # keywords only: Django 5.1 deprecates save()'s positional arguments
        # Its kind and priority flag are counted in its actions' force summaries.
        if self._state.adding or not _counts_change(kwargs.get("update_fields"), {"kind", "is_priority"}):
            super().save(**kwargs)
            return
        with ForceSummary.objects.counting(Action.objects.filter(recommendation=self.pk), using=kwargs.get("using")):
            super().save(**kwargs)

    def natural_key(self) -> tuple[str, int] | tuple[str, int, str]:
        """Return (report slug, number), with the kind added for an area for improvement only.

        Fixtures written before areas for improvement name recommendations by the pair, and still load.
        """
        if self.is_area_for_improvement:
            return (*self.report.natural_key(), self.number, self.kind)
        return (*self.report.natural_key(), self.number)

    natural_key.dependencies = ["tracker.report"]

    @property
    def label(self) -> str:
        """Return how people name it: "Recommendation 3", "Area for improvement 2"."""
        return f"{self.Kind(self.kind).label} {self.number}"

    @property
    def short_label(self) -> str:
        """Return the label for a crowded line: "rec. 3", "AFI 2"."""
        return f"AFI {self.number}" if self.is_area_for_improvement else f"rec. {self.number}"

    @property
    def is_area_for_improvement(self) -> bool:
        return self.kind == self.Kind.AREA_FOR_IMPROVEMENT


# How long open actions have been overdue: (label, at least this many months past their effective due date).
OVERDUE_AGES = (("Under 6 months", 0), ("6 to 12 months", 6), ("1 to 2 years", 12), ("Over 2 years", 24))


def overdue_age_qs(today: datetime.date | None = None) -> list[Q]:
    """Return a Q for each of OVERDUE_AGES matching the actions whose effective due date puts them in that band."""
    today = today or timezone.localdate()
    # An action is at least N months overdue when its due date plus N months is before today: due on or before
    # the last such day. Band k holds those at least band k's months overdue but not band k + 1's.
    edges = [None, *(_last_due_overdue_by(months, today) for _, months in OVERDUE_AGES[1:]), None]
    return [_due_after_and_by(edges[k + 1], edges[k]) for k in range(len(OVERDUE_AGES))]


def _due_after_and_by(after: datetime.date | None, by: datetime.date | None) -> Q:
    """Return a Q matching effective due dates after `after` and on or before `by` (either may be open)."""
    conditions = []
    if after is not None:
        conditions.append(effective_due_q("gt", after))
    if by is not None:
        conditions.append(effective_due_q("lte", by))
    return Q(*conditions)


def _last_due_overdue_by(months: int, today: datetime.date) -> datetime.date:
    """Return the last due date that leaves an action at least `months` months overdue today (due + months < today).

    A month back from today, or the day before it: from 31 March, six months back is 30 September (there is no
    31st), and 30 September plus six months is 30 March, already past; from 1 June it is 1 December, which is
    exactly six months and so not yet past.
    """
    day = add_months(today, -months)
    return day if add_months(day, months) < today else day - datetime.timedelta(days=1)


class ActionQuerySet(models.QuerySet["Action"]):
    def update(self, **kwargs) -> int:
        """Update the actions; their forces' summaries change with them, in the same transaction."""
        if COUNTED_ACTION_FIELDS.isdisjoint(kwargs):
            return super().update(**kwargs)
        with ForceSummary.objects.counting(self, using=self.db):
            return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs) -> list[Action]:
        """Create the actions; their forces' summaries count them, in the same transaction."""
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            if any(action.pk is None for action in created):  # conflicts ignored or updated: ids not returned
                ForceSummary.objects.rebuild()
            else:
                counted = ForceSummary.objects.counts_of([action.pk for action in created], using=self.db)
                ForceSummary.objects.add(counted, {}, using=self.db)
        return created

    def visible_to(self, user) -> ActionQuerySet:
        """Return the actions this user may see: every force for reviewers, their own forces for PSD leads."""
        return _scoped(self, user, "force")

    def open(self) -> ActionQuerySet:
        """Return actions the force has not yet claimed as complete or that were closed."""
        return self.filter(status__in=Action.OPEN_STATUSES)

    def overdue(self, today: datetime.date | None = None) -> ActionQuerySet:
        """Return open actions whose effective due date (revised, else original) is before today."""
        return self.open().filter(_effective_due_before(today or timezone.localdate()))

    def overdue_ages(self, today: datetime.date | None = None) -> dict[int, tuple[int, ...]]:
        """
        Return, per force id, how many of these actions are overdue in each of OVERDUE_AGES: by under six months,
        six to twelve months, one to two years and over two years (by their effective due date), in one query.
        """
        bands = {f"age_{k}": models.Count("pk", filter=band) for k, band in enumerate(overdue_age_qs(today))}
        rows = self.overdue(today).order_by().values("force_id").annotate(**bands)
        return {row["force_id"]: tuple(row[f"age_{k}"] for k in range(len(OVERDUE_AGES))) for row in rows}

    def recently_due_counts(self, today: datetime.date, due_soon_days: int) -> dict[int, Counts]:
        """
        Return, per force id, counts of the open actions among these that are due, by their effective due date,
        after the oldest band of OVERDUE_AGES begins (about two years before today) or later: not yet due (today
        or later), due soon, not yet due of areas for improvement, and overdue in each younger band. Only those
        actions are read (the index action_effective_due), however many older ones stay overdue.
        """
        until = today + datetime.timedelta(days=due_soon_days)
        bands = overdue_age_qs(today)
        oldest_due = _last_due_overdue_by(OVERDUE_AGES[-1][1], today)
        effective_due = Q(effective_due__gte=today)
        rows = (
            self.open()
            .alias(effective_due=Coalesce("revised_due_date", "due_date"))
            .filter(effective_due__gt=oldest_due)
            .order_by()
            .values("force_id")
            .annotate(
                not_yet_due_count=models.Count("pk", filter=effective_due),
                due_soon_count=models.Count("pk", filter=effective_due & Q(effective_due__lte=until)),
                afi_not_yet_due_count=models.Count(
                    "pk", filter=effective_due & of_kind_q(Recommendation.Kind.AREA_FOR_IMPROVEMENT)
                ),
                **{
                    f"age_{k}_count": models.Count("pk", filter=Q(effective_due__lt=today) & band)
                    for k, band in enumerate(bands[:-1])
                },
            )
        )
        return {row.pop("force_id"): row for row in rows}

    def not_overdue(self, today: datetime.date | None = None) -> ActionQuerySet:
        return self.exclude(pk__in=self.overdue(today).values("pk"))

    def due_within(self, days: int, today: datetime.date | None = None) -> ActionQuerySet:
        """Return open actions falling due from today up to `days` days ahead."""
        today = today or timezone.localdate()
        until = today + datetime.timedelta(days=days)
        return self.open().filter(effective_due_q("gte", today)).filter(effective_due_q("lte", until))

    def awaiting_review(self) -> ActionQuerySet:
        return self.filter(status=Action.Status.COMPLETED)

    def completed_late(self) -> ActionQuerySet:
        """Return actions the force completed after their effective due date."""
        return self.filter(completed_late_q())

    def completed_on_time(self) -> ActionQuerySet:
        return self.filter(completed_at__isnull=False).exclude(pk__in=self.completed_late().values("pk"))

    def with_effective_due_date(self) -> ActionQuerySet:
        return self.annotate(effective_due=models.functions.Coalesce("revised_due_date", "due_date"))

    def by_attention(self) -> ActionQuerySet:
        """Return the actions needing attention first: priority, open (overdue first), awaiting review, closed."""
        return self.order_by(*attention_ordering())

    def public(self) -> ActionQuerySet:
        """Return the actions shown on the public register: published themselves, or on a published report."""
        return self.filter(Q(is_publishable=True) | Q(recommendation__report__is_publishable=True))

    def of_kind(self, kind: str | None) -> ActionQuerySet:
        """Return the actions on recommendations of `kind` (Recommendation.Kind); all of them for None."""
        return self.filter(of_kind_q(kind))

    def recheck_due(self, today: datetime.date | None = None) -> ActionQuerySet:
        """Return the verified actions whose check-again date has come: back in the review queue for a re-check."""
        return self.filter(recheck_due_q(today or timezone.localdate()))

    def recheck_due_counts(self, today: datetime.date | None = None) -> dict[int, int]:
        """Return, per force id, how many of these actions have a re-check due (read through action_recheck)."""
        rows = self.recheck_due(today).order_by().values("force_id").annotate(n=models.Count("pk"))
        return {row["force_id"]: row["n"] for row in rows}

    def slipped(self) -> ActionQuerySet:
        """Return the actions whose due date has moved at least once (an approved extension revised it)."""
        return self.filter(slipped_q())

    def slipped_more_than(self, months: int) -> ActionQuerySet:
        """
        Return the actions whose due date has moved, in all, more than `months` calendar months later: revised
        after the original due date plus `months` months (clamped to the month's end, as the importer counts
        "within six months"). An action with no original due date has moved by no known amount, so is not one.
        """
        return self.filter(slipped_more_than_q(months))

    def with_due_date_revisions(self) -> ActionQuerySet:
        """Fetch each action's extension requests with who asked and decided, for due_date_revisions: one query."""
        return self.prefetch_related(extension_requests_prefetch())

    def with_due_date_revision_count(self) -> ActionQuerySet:
        """Annotate each action with `due_date_revision_count`: how many times its due date has moved."""
        approved = (
            ExtensionRequest.objects.filter(action=OuterRef("pk"), decision=ExtensionRequest.Decision.APPROVED)
            .order_by()
            .values("action")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(due_date_revision_count=Coalesce(Subquery(approved), 0))


def attention_ordering() -> list:
    """
    Return the order of actions needing attention first, for order_by() and for a window's order_by: priority
    recommendations, then open actions, awaiting review and closed ones, each soonest due first (so overdue
    actions lead the open ones: their effective due date is before any other's). Action.attention_order is
    the same order in Python.
    """
    rank = models.Case(
        models.When(status__in=Action.OPEN_STATUSES, then=0),
        models.When(status=Action.Status.COMPLETED, then=1),  # awaiting review
        default=2,  # closed
    )
    return [
        F("recommendation__is_priority").desc(),
        rank.asc(),
        Coalesce("revised_due_date", "due_date").asc(nulls_last=True),
        F("force__name").asc(),
        F("pk").asc(),
    ]


def effective_due_q(lookup: str, day: datetime.date, prefix: str = "") -> Q:
    """Return a Q comparing the effective due date (revised, else original) with `day`, e.g. lookup "lt"."""
    return Q(**{f"{prefix}revised_due_date__isnull": False, f"{prefix}revised_due_date__{lookup}": day}) | Q(
        **{f"{prefix}revised_due_date__isnull": True, f"{prefix}due_date__{lookup}": day}
    )


def recheck_due_q(today: datetime.date, prefix: str = "") -> Q:
    """Return a Q matching verified actions whose check-again date is today or before (prefix as overdue_q's)."""
    return Q(**{f"{prefix}recheck_on__lte": today, f"{prefix}status": Action.Status.VERIFIED})


def extension_requests_prefetch() -> models.Prefetch:
    """Return the prefetch of actions' extension requests with the people who asked and decided."""
    return models.Prefetch(
        "extension_requests", queryset=ExtensionRequest.objects.select_related("requested_by", "decided_by")
    )


def slipped_q(prefix: str = "") -> Q:
    """Return a Q matching the actions whose due date has moved: only an approved extension sets a revised one."""
    return Q(**{f"{prefix}revised_due_date__isnull": False})


def slipped_more_than_q(months: int) -> Q:
    """
    Return a Q matching the actions revised to after their original due date plus `months` months (see
    ActionQuerySet.slipped_more_than), by calendar months, on every database: the revised date's month is more
    than `months` months after the original's, or exactly that many and on a later day of the month. (Where the
    original's day is past the end of that month, no later day exists, as adding months clamps to the end.)
    """

    def month_number(field: str):
        return ExtractYear(field) * 12 + ExtractMonth(field)

    # With either date missing the difference is NULL, which is greater than nothing: no revised date (never moved)
    # and no original (moved by no known amount) match nothing, with no condition of their own.
    months_later = month_number("revised_due_date") - month_number("due_date")
    return Q(GreaterThan(months_later, months)) | Q(
        Exact(months_later, months), GreaterThan(ExtractDay("revised_due_date"), ExtractDay("due_date"))
    )


def of_kind_q(kind: str | None, prefix: str = "") -> Q:
    """Return a Q matching actions (or their history rows) on recommendations of `kind`; everything for None.

    An IN list of the kind's recommendations rather than a join to every action's recommendation.
    """
    if kind is None:
        return Q()
    return Q(**{f"{prefix}recommendation__in": Recommendation.objects.filter(kind=kind).values("pk")})


def overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """Return a Q matching overdue actions, for aggregates over related actions (prefix "actions__")."""
    return Q(**{f"{prefix}status__in": Action.OPEN_STATUSES}) & effective_due_q("lt", today, prefix)


def completed_late_q(prefix: str = "") -> Q:
    """Return a Q matching actions completed after their effective due date (prefix as for overdue_q).

    A completion counts by its London day. SQLite has no time zones, so Django turns each completion into
    a London day with a Python function: seconds for 100,000 actions. A completion's London day is its UTC
    day or the day after, so the UTC day (SQLite's own date(), PostgreSQL's ::date) settles every action
    but those completed on their due date in UTC, and only those take the exact, slow test. Same answers.
    """
    if not _local_day_is_utc_day_or_next():
        return _completed_late_exact_q(prefix)
    due = Coalesce(F(f"{prefix}revised_due_date"), F(f"{prefix}due_date"))
    utc_day = Cast(F(f"{prefix}completed_at"), models.DateField())
    exact = Q(**{f"{prefix}completed_at__date__gt": due})
    return Q(**{f"{prefix}completed_at__isnull": False}) & (
        Q(GreaterThan(utc_day, due)) | (Q(Exact(utc_day, due)) & exact)
    )


def _local_day_is_utc_day_or_next() -> bool:
    zone = timezone.get_default_timezone()
    year = timezone.now().year
    offsets = [zone.utcoffset(datetime.datetime(year, month, 1)) for month in (1, 7)]
    return all(datetime.timedelta(0) <= offset < datetime.timedelta(days=1) for offset in offsets)


def _completed_late_exact_q(prefix: str) -> Q:
    return Q(**{f"{prefix}completed_at__isnull": False}) & (
        Q(
            **{
                f"{prefix}revised_due_date__isnull": False,
                f"{prefix}completed_at__date__gt": F(f"{prefix}revised_due_date"),
            }
        )
        | Q(
            **{
                f"{prefix}revised_due_date__isnull": True,
                f"{prefix}due_date__isnull": False,
                f"{prefix}completed_at__date__gt": F(f"{prefix}due_date"),
            }
        )
    )


def _effective_due_before(day: datetime.date) -> Q:
    return effective_due_q("lt", day)


class ActionManager(models.Manager.from_queryset(ActionQuerySet)):
    def get_by_natural_key(
        self, report_slug: str, number: int, force_slug: str, kind: str = "recommendation"
    ) -> Action:
        return self.get(
            recommendation__report__slug=report_slug,
            recommendation__kind=kind,
            recommendation__number=number,
            force__slug=force_slug,
        )


class Action(models.Model):
    """What one force (or national body) does about one recommendation."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "Being progressed"
        COMPLETED = "completed", "Awaiting review"
        VERIFIED = "verified", "Complete – authorised for closure"
        SUPERSEDED = "superseded", "Closed – superseded"
        NOT_ACCEPTED = "not_accepted", "Closed – not accepted"

    class Rag(models.TextChoices):
        RED = "red", "Red"
        AMBER = "amber", "Amber"
        GREEN = "green", "Green"

    OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS)

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="actions")
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="actions")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_actions"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    due_date = models.DateField(
        null=True,
        blank=True,
        validators=[check_date_window],
        help_text="The due date that follows from the recommendation.",
    )
    revised_due_date = models.DateField(
        null=True, blank=True, validators=[check_date_window], help_text="Set only by an approved extension."
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Raised by every change, to refuse edits from stale pages."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    rag = models.CharField(
        "RAG rating",
        max_length=10,
        blank=True,
        choices=Rag.choices,
        help_text="The force's confidence that the action will be done on time.",
    )
    rag_reason = models.CharField("reason for the RAG rating", max_length=200, blank=True)
    recheck_on = models.DateField(
        "check again on",
        null=True,
        blank=True,
        validators=[check_date_window],
        help_text="Set by a reviewer who verified the action with a demonstration period: on this date it comes "
        "back to the review queue to confirm the fix has lasted.",
    )
    is_publishable = models.BooleanField(
        "publish on the public register",
        default=False,
        help_text="Show this action's status on the public register (also shown when its report is published).",
    )

    objects = ActionManager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [models.UniqueConstraint(fields=["recommendation", "force"], name="one_action_per_force")]
        indexes = [
            # Every column the dashboard counts by force, so SQLite reads this index alone rather than 100,000
            # rows in force order (seconds on a cold cache); it also serves filtering one force's actions by status.
            models.Index(
                fields=["force", "status", "due_date", "revised_due_date", "completed_at", "rag", "recommendation"],
                name="action_force_summary",
            ),
            # By effective due date: the dashboard counts the open actions due lately or later each day afresh,
            # reading none due years ago (ForceSummary.counts_on). Not partial: SQLite cannot match a partial
            # index's condition to a query's bound parameters.
            models.Index(
                Coalesce("revised_due_date", "due_date"),
                "status",
                "force",
                "recommendation",
                name="action_effective_due",
            ),
            models.Index(fields=["status", "completed_at"], name="action_status_completed"),
            models.Index(fields=["status", "due_date"], name="action_status_due"),
            models.Index(fields=["status", "revised_due_date"], name="action_status_revised_due"),
            models.Index(fields=["owner", "status"], name="action_owner_status"),
            # The re-checks due: few verified actions carry a date, the rest none (skipped by the range).
            models.Index(fields=["recheck_on", "status", "force"], name="action_recheck"),
        ]

    def __str__(self) -> str:
        return f"{self.force} – {self.recommendation.report.title} {self.recommendation.short_label}"

    def save(self, **kwargs) -> None:  # keywords only: Django 5.1 deprecates save()'s positional arguments
        # Every change to what ForceSummary counts reaches it in the same transaction (deletions: tracker.signals).
        if not _counts_change(kwargs.get("update_fields"), COUNTED_ACTION_FIELDS):
            super().save(**kwargs)
            return
        using = kwargs.get("using") or router.db_for_write(Action, instance=self)
        with transaction.atomic(using=using, savepoint=False):
            before = {} if self._state.adding else ForceSummary.objects.counts_of([self.pk], using=using, lock=True)
            super().save(**kwargs)
            ForceSummary.objects.add(ForceSummary.objects.counts_of([self.pk], using=using), before, using=using)

    def get_absolute_url(self) -> str:
        return reverse_by_id("tracker:action", self.pk)  # as reverse() does, at a fraction of its cost in lists

    def natural_key(self) -> tuple[str, int, str] | tuple[str, int, str, str]:
        """Return (report slug, number, force slug), with the kind last for an area for improvement's action."""
        recommendation = self.recommendation
        key = (*recommendation.report.natural_key(), recommendation.number, self.force.slug)
        return (*key, recommendation.kind) if recommendation.is_area_for_improvement else key

    natural_key.dependencies = ["tracker.recommendation", "tracker.force"]

    @property
    def effective_due_date(self) -> datetime.date | None:
        """Return the revised due date where an extension was granted, else the original."""
        return self.effective_due_of(self.due_date, self.revised_due_date)

    @staticmethod
    def effective_due_of(
        due_date: datetime.date | None, revised_due_date: datetime.date | None
    ) -> datetime.date | None:
        """Return the due date that counts, of an action due on `due_date` and revised to `revised_due_date`."""
        return revised_due_date or due_date

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_recheck_due(self) -> bool:
        """Return whether a verified action's check-again date has come."""
        return (
            self.status == self.Status.VERIFIED
            and self.recheck_on is not None
            and self.recheck_on <= timezone.localdate()
        )

    @property
    def due_date_revisions(self) -> list[DueDateRevision]:
        """
        Return each move of the due date, oldest first: an approved extension request, from the due date before
        it to the one asked for, with who asked and why, and who approved it and when (from prefetched requests
        when there are).
        """
        approved = sorted(
            (r for r in self.extension_requests.all() if r.decision == ExtensionRequest.Decision.APPROVED),
            key=lambda r: (r.decided_at or r.requested_at, r.pk),
        )
        revisions, before = [], self.due_date
        for number, request in enumerate(approved, start=1):
            revisions.append(DueDateRevision(number, before, request))
            before = request.requested_due_date
        return revisions

    @property
    def days_slipped(self) -> int | None:
        """Return how many days later than the original due date the due date now is; None if it never moved."""
        if self.revised_due_date is None or self.due_date is None:
            return None
        return (self.revised_due_date - self.due_date).days

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        """Return the extension request awaiting a decision, if any (from prefetched requests when there are)."""
        return next((request for request in self.extension_requests.all() if request.is_pending), None)

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue is not None

    def attention_order(self) -> tuple:
        """Return the sort key of attention_ordering() (priority, open, awaiting review, closed; soonest due first)."""
        rank = 0 if self.is_open else 1 if self.status == self.Status.COMPLETED else 2
        due = self.effective_due_date
        return (not self.recommendation.is_priority, rank, due is None, due, self.force.name, self.pk)

    @property
    def days_overdue(self) -> int | None:
        """Return how many days past its effective due date an overdue action is."""
        return self.days_overdue_on(timezone.localdate(), self.status, self.effective_due_date)

    @classmethod
    def days_overdue_on(cls, today: datetime.date, status: str, effective_due: datetime.date | None) -> int | None:
        """Return how many days past `effective_due` an action in `status` is on `today`; None if it is not overdue."""
        if status not in cls.OPEN_STATUSES or effective_due is None or effective_due >= today:
            return None
        return (today - effective_due).days

    @property
    def days_left(self) -> int | None:
        """Return the days until an open action's effective due date (0 on the day itself)."""
        due = self.effective_due_date
        if not self.is_open or due is None or due < timezone.localdate():
            return None
        return (due - timezone.localdate()).days

    @property
    def was_completed_late(self) -> bool:
        due = self.effective_due_date
        return self.completed_at is not None and due is not None and timezone.localdate(self.completed_at) > due

    @property
    def days_completed_late(self) -> int | None:
        """Return how many days after its effective due date the action was completed (0: on time), else None."""
        due = self.effective_due_date
        if self.completed_at is None or due is None:
            return None
        return max((timezone.localdate(self.completed_at) - due).days, 0)

    @property
    def due_precision(self) -> str:
        """Return how precisely the due date is known: revised dates are exact, originals as the report gives them."""
        if self.revised_due_date:
            return DatePrecision.DAY
        return self.recommendation.due_precision or DatePrecision.DAY


# What an action's row decides of its force's summary: saving an action that changes none of these (an owner,
# a note, the publishing flag) leaves the summary alone.
COUNTED_ACTION_FIELDS = frozenset(
    {"force", "recommendation", "status", "rag", "due_date", "revised_due_date", "completed_at", "recheck_on"}
)


ID_BATCH = 5000  # action ids per query when counting many


def _counts_change(update_fields, counted: frozenset[str] | set[str]) -> bool:
    return update_fields is None or not counted.isdisjoint(update_fields)


def summary_counts(prefix: str = "") -> dict[str, models.Count]:
    """
    Return the counts a ForceSummary keeps, as aggregates over actions: by force with prefix "actions__", or
    over Action rows with none. They depend on the actions alone, never on today (overdue and due soon do).
    """
    counted = f"{prefix}pk" if prefix else "pk"

    def count(*conditions: Q) -> models.Count:
        return models.Count(counted, filter=Q(*conditions)) if conditions else models.Count(counted)

    is_open = Q(**{f"{prefix}status__in": Action.OPEN_STATUSES})
    awaiting_review = Q(**{f"{prefix}status": Action.Status.COMPLETED})
    verified = Q(**{f"{prefix}status": Action.Status.VERIFIED})
    # IN lists of the few priority recommendations and of the areas for improvement, not a join per action.
    priority = Q(**{f"{prefix}recommendation__in": Recommendation.objects.filter(is_priority=True).values("pk")})
    is_afi = of_kind_q(Recommendation.Kind.AREA_FOR_IMPROVEMENT, prefix)
    undated = Q(**{f"{prefix}revised_due_date__isnull": True, f"{prefix}due_date__isnull": True})
    return {
        "total_count": count(),
        "open_count": count(is_open),
        "awaiting_review_count": count(awaiting_review),
        "verified_count": count(verified),
        "completed_count": count(Q(**{f"{prefix}completed_at__isnull": False})),
        "completed_late_count": count(completed_late_q(prefix)),
        "priority_open_count": count(is_open, priority),
        "red_count": count(is_open, Q(**{f"{prefix}rag": Action.Rag.RED})),
        "amber_count": count(is_open, Q(**{f"{prefix}rag": Action.Rag.AMBER})),
        "green_count": count(is_open, Q(**{f"{prefix}rag": Action.Rag.GREEN})),
        "afi_total_count": count(is_afi),
        "afi_open_count": count(is_open, is_afi),
        "afi_awaiting_review_count": count(awaiting_review, is_afi),
        "afi_verified_count": count(verified, is_afi),
        # Open with no due date (an area for improvement may give none): never overdue, never due soon.
        "open_undated_count": count(is_open, undated),
        "afi_open_undated_count": count(is_open, undated, is_afi),
        # Whose due date has moved at least once, open or not: the deadlines a force has had revised.
        "slipped_count": count(slipped_q(prefix)),
        "slipped_open_count": count(is_open, slipped_q(prefix)),
        # Verified with a check-again date not yet confirmed: a re-check pending, due or not.
        "recheck_pending_count": count(verified, Q(**{f"{prefix}recheck_on__isnull": False})),
    }


Counts = dict[str, int]
OPEN_BY_DUE = "open_by_due"  # in counts_of(): {effective due date: (open actions, of which areas for improvement)}


@dataclass(frozen=True)
class SummaryDrift:
    """One count of one force's kept summary that differs from the recount of its actions."""

    force_id: int
    count: str
    kept: int
    recounted: int


class ForceSummaryManager(models.Manager["ForceSummary"]):
    def recount(self, actions: models.QuerySet[Action] | None = None) -> dict[int, Counts]:
        """Return summary_counts() of `actions` (every action) per force id, counted from the actions themselves."""
        actions = Action.objects.all() if actions is None else actions
        rows = actions.order_by().values("force_id").annotate(**summary_counts())
        return {row.pop("force_id"): row for row in rows}

    def counts_of(self, action_ids, *, using: str, lock: bool = False) -> dict[int, Counts]:
        """
        Return what the actions `action_ids` add to their forces' summaries, as stored, and under OPEN_BY_DUE how
        many of them are open (and how many of those areas for improvement) per effective due date, which the
        counts of the day depend on; lock them with `lock`.
        """
        ids = sorted(action_ids)
        counts: dict[int, Counts] = {}
        for start in range(0, len(ids), ID_BATCH):  # within every database's limit of parameters
            actions = Action.objects.using(using).filter(pk__in=ids[start : start + ID_BATCH])
            if lock:  # no concurrent change between this count and the one after the change
                list(actions.select_for_update().values_list("pk"))
            by_due = actions.order_by().values("force_id", due=Coalesce("revised_due_date", "due_date"))
            for row in by_due.annotate(**summary_counts()):
                force_id, due = row.pop("force_id"), row.pop("due")
                total = counts.setdefault(force_id, {**dict.fromkeys(SUMMARY_FIELDS, 0), OPEN_BY_DUE: {}})
                for name, n in row.items():
                    total[name] += n
                if due is not None and row["open_count"]:
                    open_count, afi_open_count = total[OPEN_BY_DUE].get(due, (0, 0))
                    total[OPEN_BY_DUE][due] = (open_count + row["open_count"], afi_open_count + row["afi_open_count"])
        return counts

    def add(self, after: dict[int, Counts], before: dict[int, Counts], *, using: str | None = None) -> None:
        """
        Add the change from `before` to `after` (counts_of the same actions) to the forces' summaries. A force
        whose open actions' due dates changed too gets a new revision, even when no kept count moves.
        """
        changes: dict[int, Counts] = {}
        for force_id in after.keys() | before.keys():
            now, then = after.get(force_id, {}), before.get(force_id, {})
            change = {name: now.get(name, 0) - then.get(name, 0) for name in SUMMARY_FIELDS}
            if any(change.values()) or now.get(OPEN_BY_DUE, {}) != then.get(OPEN_BY_DUE, {}):
                changes[force_id] = change
        if changes:  # else nothing to write, and nothing locked: a change that moves no count waits for nobody
            self._change(self.db_manager(using), changes)

    @staticmethod
    def _change(kept: models.Manager, changes: dict[int, Counts]) -> None:
        # Each count plus its change, added in the database (one UPDATE for every force) so that no change is lost.
        if len(changes) > 1:  # two changes to several forces lock them in the same order, never in a deadlock
            list(kept.filter(force_id__in=changes).order_by("force_id").select_for_update().values_list("pk"))
        counts = {
            name: F(name)
            + models.Case(
                *(models.When(force_id=f, then=models.Value(c[name])) for f, c in changes.items() if c[name]),
                default=models.Value(0),
            )
            for name in SUMMARY_FIELDS
            if any(c[name] for c in changes.values())
        }
        counts["revision"] = models.Value(uuid.uuid4())
        if kept.filter(force_id__in=changes).update(**counts) < len(changes):
            # A force's first action: its summary starts at nought (a concurrent first one does the same).
            missing = set(changes) - set(kept.filter(force_id__in=changes).values_list("force_id", flat=True))
            kept.bulk_create([ForceSummary(force_id=force_id) for force_id in missing], ignore_conflicts=True)
            kept.filter(force_id__in=missing).update(**counts)

    @contextmanager
    def counting(self, actions: models.QuerySet[Action], *, using: str | None = None) -> Iterator[None]:
        """
        Keep the summaries of the forces of `actions` equal to the recount while they change inside the block:
        the actions it selects before (locked) and after the block are counted before and after it, so the block
        may change which actions it selects, create or delete them.
        """
        using = using or router.db_for_write(Action)
        actions = actions.using(using)
        with transaction.atomic(using=using, savepoint=False):
            before_ids = set(actions.order_by().values_list("pk", flat=True))
            before = self.counts_of(before_ids, using=using, lock=True)
            yield
            after_ids = before_ids | set(actions.all().order_by().values_list("pk", flat=True))
            self.add(self.counts_of(after_ids, using=using), before, using=using)

    def drift(self, recounted: dict[int, Counts] | None = None) -> list[SummaryDrift]:
        """Return every count of every force's kept summary that differs from the recount of its actions."""
        recounted = self.recount() if recounted is None else recounted
        kept = {summary.force_id: summary for summary in self.all()}
        drift = []
        for force_id in sorted(recounted.keys() | kept.keys()):
            for name in SUMMARY_FIELDS:
                was = getattr(kept[force_id], name) if force_id in kept else 0
                now = recounted.get(force_id, {}).get(name, 0)
                if was != now:
                    drift.append(SummaryDrift(force_id, name, was, now))
        return drift

    @transaction.atomic
    def rebuild(self) -> list[SummaryDrift]:
        """Count every force's summary afresh from its actions and store it; return the drift that was found."""
        # Every force's summary row, locked: a change made meanwhile waits, then adds itself to the recount.
        self.bulk_create([ForceSummary(force=force) for force in Force.objects.all()], ignore_conflicts=True)
        forces = list(self.order_by("force_id").select_for_update().values_list("pk", flat=True))
        recounted = self.recount()
        drift = self.drift(recounted)
        nought = dict.fromkeys(SUMMARY_FIELDS, 0)
        summaries = [ForceSummary(force_id=pk, **recounted.get(pk, nought)) for pk in forces]
        self.bulk_update(summaries, [*SUMMARY_FIELDS, "revision"], batch_size=100)
        return drift


class ForceSummary(models.Model):
    """
    The counts of one force's actions that the national dashboard shows and that do not depend on today, kept
    so that the dashboard does not recount every action ever made: changed in the same transaction as every
    action (Action.save, the deletion signal, ForceSummary.objects.counting for bulk changes), rebuilt from
    the actions by `manage.py rebuild_summaries`, which reports any drift, and tested equal to the recount.
    """

    force = models.OneToOneField(Force, on_delete=models.CASCADE, primary_key=True, related_name="summary")
    total_count = models.IntegerField(default=0)
    open_count = models.IntegerField(default=0)
    awaiting_review_count = models.IntegerField(default=0)
    verified_count = models.IntegerField(default=0)
    completed_count = models.IntegerField(default=0)
    completed_late_count = models.IntegerField(default=0)
    priority_open_count = models.IntegerField(default=0)
    red_count = models.IntegerField(default=0)
    amber_count = models.IntegerField(default=0)
    green_count = models.IntegerField(default=0)
    afi_total_count = models.IntegerField(default=0)
    afi_open_count = models.IntegerField(default=0)
    afi_awaiting_review_count = models.IntegerField(default=0)
    afi_verified_count = models.IntegerField(default=0)
    open_undated_count = models.IntegerField(default=0)
    afi_open_undated_count = models.IntegerField(default=0)
    slipped_count = models.IntegerField(default=0)
    slipped_open_count = models.IntegerField(default=0)
    recheck_pending_count = models.IntegerField(default=0)
    # A new random value whenever a kept count moves or an open action's due date changes (as when an extension
    # is approved, which moves no kept count): the counts that change with the day depend on nothing else, so
    # what they are on a day (selectors.kept_force_summaries) can be cached under the forces' revisions and is
    # never stale. Random rather than a counter, so that a restored backup or a rolled-back test cannot reuse one.
    revision = models.UUIDField(default=uuid.uuid4)

    objects = ForceSummaryManager()

    class Meta:
        verbose_name_plural = "force summaries"

    def __str__(self) -> str:
        return f"Summary of {self.force}"

    def counts_on(self, recent: Counts) -> Counts:
        """
        Return this summary's counts with those that change with the day, given the force's recently due counts
        (ActionQuerySet.recently_due_counts for that day): an open action with a due date is either overdue or
        not yet due, so the overdue are the open, less the undated and the not yet due; and the oldest band of
        overdue ages holds the overdue that no younger band holds. No action due years ago is read.
        """
        counts = {name: getattr(self, name) for name in SUMMARY_FIELDS}
        ages = [recent.get(f"age_{k}_count", 0) for k in range(len(OVERDUE_AGES) - 1)]
        overdue = self.overdue_on(recent)
        afi_overdue = self.afi_open_count - self.afi_open_undated_count - recent.get("afi_not_yet_due_count", 0)
        return counts | {
            "overdue_count": overdue,
            "due_soon_count": recent.get("due_soon_count", 0),
            "recheck_due_count": recent.get("recheck_due_count", 0),
            "afi_overdue_count": afi_overdue,
            "overdue_ages": (*ages, overdue - sum(ages)),
        }

    def overdue_on(self, recent: Counts) -> int:
        """Return how many of the force's actions are overdue, given its recently due counts (see counts_on)."""
        return self.open_count - self.open_undated_count - recent.get("not_yet_due_count", 0)


SUMMARY_FIELDS = [field.name for field in ForceSummary._meta.concrete_fields if field.name.endswith("_count")]


def evidence_upload_to(note: ProgressNote, filename: str) -> str:
    # The stored name is random: the user's file name is kept only as metadata.
    return f"evidence/{note.action_id}/{secrets.token_hex(16)}"


class ProgressNote(models.Model):
    """A dated progress note on an action, optionally with an evidence file."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="progress_notes")
    created_at = models.DateTimeField(default=timezone.now)
    text = models.TextField()
    attachment = models.FileField(upload_to=evidence_upload_to, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_content_type = models.CharField(max_length=100, blank=True)
    attachment_size = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Note by {self.author} on {self.created_at:%d %b %Y}"


@dataclass(frozen=True)
class DueDateRevision:
    """One move of an action's due date: the `number`th, from `moved_from` (None: it had none), by `request`."""

    number: int
    moved_from: datetime.date | None
    request: ExtensionRequest

    @property
    def moved_to(self) -> datetime.date:
        return self.request.requested_due_date

    @property
    def days_later(self) -> int | None:
        return (self.moved_to - self.moved_from).days if self.moved_from else None


class ExtensionRequest(models.Model):
    """A force's request for a revised due date, with a reason, and HMIC's decision on it."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Awaiting decision"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="extension_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    requested_due_date = models.DateField(validators=[check_date_window])
    reason = models.TextField()
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["action"], condition=Q(decision="pending"), name="one_pending_extension_per_action"
            )
        ]
        indexes = [models.Index(fields=["decision", "requested_at"], name="extension_decision_requested")]

    def __str__(self) -> str:
        return f"Extension to {self.requested_due_date:%d %b %Y} for {self.action}"

    @property
    def is_pending(self) -> bool:
        return self.decision == self.Decision.PENDING


class SignInEventQuerySet(models.QuerySet):
    def recent(self, days: int = SIGN_IN_LOG_DAYS):
        """Return the events of the last `days` days."""
        return self.filter(at__gte=timezone.now() - datetime.timedelta(days=days))


class SignInEvent(models.Model):
    """One sign-in, failed sign-in, lock-out or sign-out of one user: their account's sign-in log."""

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        FAILED = "failed", "Wrong password"
        LOCKED_OUT = "locked_out", "Wrong password: sign-in locked"
        REFUSED_LOCKED = "refused_locked", "Refused: sign-in locked"
        SIGNED_OUT = "signed_out", "Signed out"
        IDLE = "idle", "Signed out after inactivity"
        SIGNED_OUT_EVERYWHERE = "everywhere", "Signed out everywhere"
        DEACTIVATED = "deactivated", "Account deactivated: sessions, API token and calendar address ended"
        SSO_REFUSED = "sso_refused", "Refused: single sign-on"
        CODE_FAILED = "code_failed", "Wrong two-factor code"
        TWO_FACTOR_ON = "two_factor_on", "Two-factor authentication set up"
        TWO_FACTOR_OFF = "two_factor_off", "Two-factor authentication turned off"
        TWO_FACTOR_RESET = "two_factor_reset", "Two-factor authentication reset"
        RECOVERY_CODES = "recovery_codes", "New recovery codes made"
        INVITED = "invited", "Invited by email"
        INVITATION_CANCELLED = "invitation_cancelled", "Invitation cancelled"
        PASSWORD_SET = "password_set", "Password set from the invitation"
        REACTIVATED = "reactivated", "Account reactivated"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sign_in_events",
        help_text="Empty for a single sign-on refused to someone with no account.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    address = models.GenericIPAddressField(null=True, blank=True)
    browser = models.CharField(max_length=200, blank=True, help_text="The browser's User-Agent, shortened.")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who did it, when not the user (an admin who deactivated the account or ended its sessions).",
    )
    identity = models.CharField(
        max_length=254, blank=True, help_text="Who an identity provider said signed in (single sign-on)."
    )
    detail = models.CharField(
        max_length=300, blank=True, help_text="Through which identity provider, or why it was refused."
    )

    objects = SignInEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-at"], name="sign_in_events_of_user"),
            models.Index(fields=["at"], name="sign_in_events_by_time"),  # pruning the old (prune_sign_in_log)
        ]

    def __str__(self) -> str:
        who = self.user or self.identity
        return f"{self.get_kind_display()}: {who} at {timezone.localtime(self.at):%Y-%m-%d %H:%M}"

    @property
    def is_failure(self) -> bool:
        return self.kind in {
            self.Kind.FAILED,
            self.Kind.LOCKED_OUT,
            self.Kind.REFUSED_LOCKED,
            self.Kind.SSO_REFUSED,
            self.Kind.CODE_FAILED,
        }


# Inviting someone to the tracker (tracker.people): an email with a link that works once, for a week.
INVITATION_DAYS = 7


def invitation_digest(token: str) -> str:
    """Return what is kept of an invitation's secret: its SHA-256, so a copy of the database opens no account."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> InvitationQuerySet:
        """Return the invitations whose link still works: neither used, cancelled nor expired."""
        return self.filter(accepted_at=None, cancelled_at=None, expires_at__gt=timezone.now())

    def find(self, token: str) -> Invitation | None:
        """Return the invitation whose link carries `token` (used, cancelled or expired too), or None."""
        if not isinstance(token, str) or not 20 <= len(token) <= 100:
            return None
        return self.select_related("user", "invited_by").filter(token_digest=invitation_digest(token)).first()


class Invitation(models.Model):
    """An email inviting someone to their new account, with a link that works once, until it expires, to set a
    password or to sign in through their organisation's identity provider. Sending another cancels this one."""

    class State(models.TextChoices):
        OPEN = "open", "Waiting"
        ACCEPTED = "accepted", "Accepted"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"Invitation of {self.user} sent {timezone.localtime(self.sent_at):%Y-%m-%d %H:%M}"

    @property
    def state(self) -> Invitation.State:
        if self.accepted_at is not None:
            return self.State.ACCEPTED
        if self.cancelled_at is not None:
            return self.State.CANCELLED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.OPEN

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


# Single sign-on (tracker.sso): the identity providers configured from the environment, and the rules that say who
# signing in through each gets which role and force.


def configured_identity_providers() -> dict[str, dict]:
    """Return the identity providers configured from the environment (TRACKER_SSO_PROVIDERS), by key, in order."""
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    return {app["provider_id"]: app for app in apps}


class IdentityProviderManager(models.Manager["IdentityProvider"]):
    def configured(self) -> list[IdentityProvider]:
        """Return a row for each configured identity provider, in the environment's order (made on first use)."""
        keys = list(configured_identity_providers())
        if not keys:
            return []
        rows = {row.key: row for row in self.filter(key__in=keys)}
        missing = [IdentityProvider(key=key) for key in keys if key not in rows]
        if missing:
            self.bulk_create(missing, ignore_conflicts=True)
            rows = {row.key: row for row in self.filter(key__in=keys)}
        return [rows[key] for key in keys]

    def get_configured(self, key: str) -> IdentityProvider | None:
        """Return the configured identity provider `key` (its row made on first use), or None if there is none."""
        if key not in configured_identity_providers():
            return None
        return self.get_or_create(key=key)[0]

    def offered(self) -> list[IdentityProvider]:
        """Return the configured identity providers the sign-in page offers (not switched off)."""
        return [provider for provider in self.configured() if provider.enabled]


class IdentityProvider(models.Model):
    """An organisation's OpenID Connect identity provider, configured from the environment (TRACKER_SSO_PROVIDERS):
    whether the sign-in page offers it, and its sign-in rules."""

    key = models.SlugField(max_length=40, unique=True, editable=False, help_text="Its key in TRACKER_SSO_PROVIDERS.")
    enabled = models.BooleanField(
        "offered on the sign-in page",
        default=True,
        help_text="Untick to stop every sign-in through this provider at once; passwords still work.",
    )
    history = HistoricalRecords()

    objects = IdentityProviderManager()

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name

    @property
    def app(self) -> dict | None:
        """Its configuration from the environment (django-allauth's openid_connect app), or None if removed."""
        return configured_identity_providers().get(self.key)

    @property
    def is_configured(self) -> bool:
        return self.app is not None

    @property
    def name(self) -> str:
        """The organisation, as in "Sign in with <name>"."""
        return self.app["name"] if self.app else self.key

    @property
    def issuer(self) -> str:
        return self.app["settings"]["server_url"] if self.app else ""

    @property
    def email_domains(self) -> list[str]:
        """The email domains this provider speaks for: an address in any other is never taken from it."""
        return self.app["settings"]["email_domains"] if self.app else []

    def speaks_for(self, email: str) -> bool:
        """Return True if `email` is an address in one of this provider's email domains."""
        domain = email.rpartition("@")[2].lower()
        return bool(email.count("@") == 1 and domain) and domain in self.email_domains


@dataclass(frozen=True)
class Grant:
    """What sign-in rules give someone: a role, and for a force role, the forces."""

    role: str
    force_ids: frozenset[int]
    rules: tuple[SignInRule, ...]

    def describe(self) -> str:
        return "; ".join(str(rule) for rule in self.rules)


class SignInRuleQuerySet(models.QuerySet["SignInRule"]):
    def grant_for(self, claims: Mapping[str, object]) -> Grant | None:
        """
        Return what these rules give someone with `claims`, or None if no rule matches. Rules are tried in order:
        the first that matches gives the role, and every matching rule for that role adds its force.
        """
        matching = [rule for rule in self.select_related("force") if rule.matches(claims)]
        if not matching:
            return None
        role = matching[0].role
        chosen = tuple(rule for rule in matching if rule.role == role)
        return Grant(role, frozenset(rule.force_id for rule in chosen if rule.force_id), chosen)


class SignInRule(models.Model):
    """One rule of an identity provider: whoever signs in through it with a claim of this value gets this role."""

    EMAIL = "email"

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveIntegerField(default=0, help_text="Rules are tried in this order, lowest first.")
    claim = models.CharField(
        max_length=100,
        default=EMAIL,
        help_text='The claim to read. "email": the value is a domain (@westmidlands.police.uk) or one address. '
        'Any other claim ("groups", "roles"): the value is one it has, or one in the list it has.',
    )
    value = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=User.Role.choices)
    force = models.ForeignKey(
        Force,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For a PSD lead or a commissioner's office; none for a reviewer, who sees every force.",
    )
    history = HistoricalRecords()

    objects = SignInRuleQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "position", "pk"]

    def __str__(self) -> str:
        gives = self.get_role_display() + (f" of {self.force}" if self.force_id else "")
        return f"{self.claim} {self.value} → {gives}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        self.claim, self.value = self.claim.strip(), self.value.strip()
        errors = {}
        if self.role == User.Role.REVIEWER and self.force_id:
            errors["force"] = "A reviewer sees every force: leave the force empty."
        if self.role != User.Role.REVIEWER and not self.force_id:
            errors["force"] = f"Say which force's {self.get_role_display()} this rule makes them."
        if self.claim == self.EMAIL and "@" not in self.value:
            errors["value"] = (
                "For the email claim, give a domain starting with @ (@westmidlands.police.uk) or an address."
            )
        if errors:
            raise ValidationError(errors)

    def matches(self, claims: Mapping[str, object]) -> bool:
        """Return True if `claims` (an ID token's and userinfo's) satisfy this rule."""
        value = self.value.strip().casefold()
        claimed = claims.get(self.claim)
        if self.claim == self.EMAIL:
            if not isinstance(claimed, str):
                return False
            email = claimed.strip().casefold()
            return email.endswith(value) if value.startswith("@") else email == value
        if isinstance(claimed, list | tuple):
            return any(isinstance(item, str | int) and str(item).casefold() == value for item in claimed)
        return isinstance(claimed, str | int) and not isinstance(claimed, bool) and str(claimed).casefold() == value


class ReminderLog(models.Model):
    """One reminder email claimed for one user on one day, so a second run that day sends nothing."""

    class Kind(models.TextChoices):
        OWNER = "owner", "Owner reminder"
        DIGEST = "digest", "Weekly overdue digest"
        RECHECK = "recheck", "Re-checks due (reviewers)"
        RESPONSE = "response", "Commissioner's responses and chief officer's comments due"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_logs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    force = models.ForeignKey(Force, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_on", "pk"]
        # Two partial constraints rather than nulls_distinct=False: SQLite ignores NULLS NOT DISTINCT
        # (and PostgreSQL before 15 lacks it), which would let owner reminders (force NULL) repeat.
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "force", "sent_on"],
                condition=Q(force__isnull=False),
                name="one_force_reminder_per_day",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "sent_on"], condition=Q(force__isnull=True), name="one_reminder_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.user} on {long_date(self.sent_on)}"


class Theme(models.Model):
    """One recommendation as HMIC made it to several forces, grouped by near-identical wording."""

    title = models.CharField(max_length=200)
    canonical_wording = models.TextField(help_text="The wording the theme is known by.")
    confirmed = models.BooleanField(default=False, help_text="A reviewer has checked the grouping.")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tracker:theme", args=[self.pk])


class CommissionerResponse(models.Model):
    """
    The police and crime commissioner's published comments on a report about their force: the chief officer's
    comments (invited by a date the commissioner's office sets, written by the force's PSD lead), the office's own
    comments and response to them, and for each recommendation the action taken or proposed, or why none. Its
    changes go through tracker.responses; once published it is fixed.
    """

    report = models.OneToOneField(Report, on_delete=models.PROTECT, related_name="commissioner_response")
    comments_due_on = models.DateField(
        "chief officer's comments wanted by", null=True, blank=True, validators=[check_date_window]
    )
    comments_invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comments_invited_at = models.DateTimeField(null=True, blank=True)
    chief_officer_comments = models.TextField("the chief officer's comments", blank=True)
    chief_officer_comments_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chief_officer_comments_at = models.DateTimeField(null=True, blank=True)
    commissioner_comments = models.TextField(
        "the commissioner's comments", blank=True, help_text="Including the response to the chief officer's comments."
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["report"]
        indexes = [models.Index(fields=["published_at"], name="response_published")]

    def __str__(self) -> str:
        return f"Commissioner's response to {self.report}"

    def get_absolute_url(self) -> str:
        return reverse("tracker:report_response", args=[self.report.slug])

    @classmethod
    def awaiting_comments(cls) -> models.QuerySet[CommissionerResponse]:
        """Return the unpublished responses whose chief officer's comments were invited and are not written."""
        return cls.objects.filter(
            comments_due_on__isnull=False, chief_officer_comments="", published_at__isnull=True
        ).order_by("comments_due_on", "pk")

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def comments_awaited(self) -> bool:
        """Return True if the chief officer's comments were invited and have not been written."""
        return self.comments_due_on is not None and not self.chief_officer_comments and not self.is_published

    @property
    def published_in_time(self) -> bool | None:
        """Return whether it was published by the last day (None: not published, or no duty)."""
        due = self.report.response_due_on
        if not self.is_published or due is None:
            return None
        return timezone.localdate(self.published_at) <= due


class ResponseExplanation(models.Model):
    """For one recommendation of the report: the action taken or proposed, or why none, in the commissioner's words."""

    response = models.ForeignKey(CommissionerResponse, on_delete=models.CASCADE, related_name="explanations")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation__number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "recommendation"], name="one_explanation_per_recommendation")
        ]

    def __str__(self) -> str:
        return f"Explanation of {self.recommendation}"
