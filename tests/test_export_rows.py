"""
A download's rows, read as plain values, are byte for byte what rendering each action's model instance gives.

The reference below is the straightforward export: every action loaded as a model instance with its force,
recommendation, report and owner, and each cell asked of the models. The app reads plain values instead and asks
the models once per owner and due-date state; these tests hold the two equal on data varied in every way a cell
can be: every status, due dates missing, past, today and future, revised earlier or later, owners with and
without names, areas for improvement, priorities, themes, RAG ratings, notes, text a spreadsheet would run, and
updates on either side of the clocks changing.
"""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ActionFactory,
    AreaForImprovementFactory,
    ForceFactory,
    ProgressNoteFactory,
    PsdLeadFactory,
    RecommendationFactory,
    ReportFactory,
    ThemeFactory,
)
from tests.test_spreadsheets import reference_csv
from tracker.exports import COLUMNS, THEME_COLUMNS, THEME_WIDTHS, WIDTHS, action_rows, theme_action_rows
from tracker.models import Action, Recommendation
from tracker.selectors import ACTION_LISTS, action_list_queryset
from tracker.spreadsheets import xlsx_file

pytestmark = pytest.mark.django_db
D = datetime.date
UTC = datetime.UTC


def reference_cells(action: Action) -> list:
    """One action's cells in COLUMNS order, from its model instance."""
    recommendation = action.recommendation
    return [
        action.force.name,
        recommendation.report.title,
        recommendation.get_kind_display(),
        recommendation.number,
        recommendation.text,
        action.get_status_display(),
        action.due_date,
        action.revised_due_date,
        action.effective_due_date,
        action.days_overdue,
        str(action.owner) if action.owner_id else "",
        timezone.localtime(action.updated_at).replace(tzinfo=None, second=0, microsecond=0),
    ]


def reference_rows(actions) -> list[list]:
    related = ("force", "owner", "recommendation__report")
    return [reference_cells(action) for action in actions.select_related(*related)]


def reference_theme_rows(actions) -> list[list]:
    actions = actions.select_related("force", "owner", "recommendation__report", "recommendation__theme")
    return [[a.recommendation.theme.title if a.recommendation.theme else "", *reference_cells(a)] for a in actions]


STATUSES = list(Action.Status)
# (due date, revised due date) against today, 1 June 2015.
DUE_STATES = [
    (None, None),
    (D(2015, 3, 1), None),  # long past
    (D(2015, 5, 31), None),  # yesterday
    (D(2015, 6, 1), None),  # today
    (D(2015, 9, 30), None),  # to come
    (D(2015, 3, 1), D(2015, 7, 31)),  # past, extended into the future
    (D(2015, 3, 1), D(2015, 4, 30)),  # past, extended and past again
    (D(2015, 8, 1), D(2015, 5, 1)),  # revised earlier than first due
]
TEXTS = [
    "Within six months, the force should publish its policy.",
    '=HYPERLINK("http://example.org", "click")',
    "+44 20 7946 0000 should be the number on the page",
    '-1 officer, then "quoted", then a comma, and a\nsecond line',
    "@chief constable: review the policy",
    "\tIndented by a tab",
    "Café – naïve résumé, £100 ✓",
]
UPDATES = [
    datetime.datetime(2015, 1, 15, 9, 30, 59, 999999, tzinfo=UTC),  # winter: London is UTC
    datetime.datetime(2015, 5, 31, 23, 45, 1, tzinfo=UTC),  # summer: already 1 June in London
    datetime.datetime(2015, 3, 29, 0, 59, 30, tzinfo=UTC),  # the minute before the clocks go forward
    datetime.datetime(2015, 3, 29, 1, 0, 0, tzinfo=UTC),  # the minute after
    datetime.datetime(2014, 10, 26, 0, 30, 0, tzinfo=UTC),  # 01:30 BST, before the clocks go back
    datetime.datetime(2014, 10, 26, 1, 30, 0, tzinfo=UTC),  # 01:30 GMT, after
]


@pytest.fixture
def varied_actions(today, force_a, force_b, psd_lead_a):
    """One action per status and due-date state, the other attributes cycling through their variants."""
    formula_force = ForceFactory(name="=Formula Constabulary", slug="formula")
    owners = [
        None,
        psd_lead_a,
        PsdLeadFactory(username="username.only", first_name="", last_name=""),
        PsdLeadFactory(username="first.only", first_name="Prince", last_name=""),
        PsdLeadFactory(username="last.only", first_name="", last_name="Cher"),
        PsdLeadFactory(username="formula.owner", first_name="@Ada", last_name="Lovelace, Countess"),
    ]
    themes = [None, ThemeFactory(title="Vetting"), ThemeFactory(title="=Theme run as a formula")]
    forces = [force_a, force_b, formula_force]
    titles = ["Police Integrity and Corruption", "-Minus: a title", "Crime data integrity, 2014"]
    cycle = itertools.count()
    actions = []
    for status, (due, revised) in itertools.product(STATUSES, DUE_STATES):
        n = next(cycle)
        factory = AreaForImprovementFactory if n % 4 == 3 else RecommendationFactory
        recommendation = factory(
            report=ReportFactory(title=titles[n % 3], subject_force=forces[n % 3]),
            text=TEXTS[n % len(TEXTS)],
            theme=themes[n // 2 % 3],
            is_priority=n % 5 == 0,
            due_date=due,
        )
        action = ActionFactory(
            recommendation=recommendation,
            force=forces[n % 3],
            status=status,
            due_date=due,
            revised_due_date=revised,
            owner=owners[n % len(owners)],
            rag=["", "red", "amber", "green"][n % 4],
            updated_at=UPDATES[n % len(UPDATES)],
        )
        if n % 3 == 0:
            ProgressNoteFactory.create_batch(2, action=action)
        actions.append(action)
    return actions


def test_the_variants_cover_every_cell_kind(varied_actions):
    rows = reference_rows(Action.objects.all())
    assert {row[2] for row in rows} == {str(label) for label in Recommendation.Kind.labels}
    assert {row[5] for row in rows} == {str(label) for label in Action.Status.labels}
    assert {row[9] is None for row in rows} == {True, False}  # some overdue, some not
    assert {row[10] for row in rows} >= {
        "",
        "Alice Ashby",
        "username.only",
        "Prince",
        "Cher",
        "@Ada Lovelace, Countess",
    }


def test_action_rows_are_the_models_rendering(varied_actions, reviewer):
    actions = action_list_queryset(reviewer, "all")
    assert list(action_rows(actions)) == reference_rows(actions)


def test_theme_action_rows_are_the_models_rendering(varied_actions):
    actions = Action.objects.order_by("recommendation__theme__title", "force__name", "pk")
    assert list(theme_action_rows(actions)) == reference_theme_rows(actions)


def _download(client, name: str, fmt: str, query: str = "") -> bytes:
    response = client.get(f"{reverse(name, args=[fmt])}?{query}")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _xlsx_bytes(rows, columns, widths) -> bytes:
    with xlsx_file(rows, columns, widths, "Actions") as file:
        return file.read()


@pytest.mark.parametrize("slug", ACTION_LISTS)
def test_csv_download_is_byte_identical_to_the_reference(client, varied_actions, psd_lead_a, reviewer, slug):
    for user in (psd_lead_a, reviewer):
        client.force_login(user)
        actions = action_list_queryset(user, slug)
        expected = reference_csv(reference_rows(actions), COLUMNS)
        assert _download(client, "tracker:action_export", "csv", f"list={slug}") == expected


def test_xlsx_download_is_byte_identical_to_the_reference(client, varied_actions, reviewer):
    client.force_login(reviewer)
    expected = _xlsx_bytes(reference_rows(action_list_queryset(reviewer, "all")), COLUMNS, WIDTHS)
    assert _download(client, "tracker:action_export", "xlsx", "list=all") == expected


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_theme_download_is_byte_identical_to_the_reference(client, varied_actions, reviewer, fmt):
    client.force_login(reviewer)
    actions = Action.objects.filter(recommendation__theme__isnull=False).order_by(
        "recommendation__theme__title", "force__name", "pk"
    )
    rows = reference_theme_rows(actions)
    expected = reference_csv(rows, THEME_COLUMNS) if fmt == "csv" else _xlsx_bytes(rows, THEME_COLUMNS, THEME_WIDTHS)
    assert _download(client, "tracker:theme_export", fmt, "q=") == expected  # every theme
