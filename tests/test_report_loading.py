"""load_report: upsert a report fixture by natural key, keep the work done since, say who imported in history."""

import datetime
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import ActionFactory, RecommendationFactory, ReportFactory, ThemeFactory
from tracker import workflow
from tracker.importer import load_fixture_text
from tracker.loading import ImportProblem, load_report
from tracker.models import Action, Force, KeyFigure, Recommendation, Report, Theme

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT / "fixtures" / "reports" / "without-fear-or-favour-2011-national.json"
SLUG = "pic-2014-west-midlands"
TEXT = "Within six months, the force should publish a business interests policy."


def report_rows(
    *, slug=SLUG, title="Police Integrity and Corruption", published="2014-11-27", text=TEXT, due="2015-05-27"
):
    """Return the rows of a one-recommendation report fixture for West Midlands, as report_to_fixture writes."""
    return [
        {
            "model": "tracker.report",
            "fields": {
                "slug": slug,
                "title": title,
                "series": "Police Integrity and Corruption 2014",
                "subject_force": ["west-midlands"],
                "published_on": published,
                "published_precision": "day",
                "isbn": "",
                "source_file": "pic.txt",
            },
        },
        {
            "model": "tracker.keyfigure",
            "fields": {"report": [slug], "code": "complaints", "label": "Complaints", "value": "12.5", "unit": ""},
        },
        {
            "model": "tracker.recommendation",
            "fields": {
                "report": [slug],
                "number": 1,
                "text": text,
                "timeframe": "Within six months",
                "due_date": due,
                "due_precision": "day",
                "addressees": "West Midlands Police",
            },
        },
        {
            "model": "tracker.action",
            "fields": {"recommendation": [slug, 1], "force": ["west-midlands"], "due_date": due},
        },
    ]


def load(rows, by=None):
    return load_report(rows, by=by, via="manage.py load_reports", source="pic.json")


def history_counts() -> dict[str, int]:
    return {m.__name__: m.history.count() for m in (Report, Recommendation, Action, Theme)}


@pytest.fixture
def forces(db):
    call_command("loaddata", "fixtures/forces.json", verbosity=0)


def test_loading_creates_the_report_its_key_figures_recommendations_and_actions(force_a):
    load(report_rows())
    action = Action.objects.get()
    assert action.force == force_a and action.status == Action.Status.NOT_STARTED
    assert action.recommendation.report.slug == SLUG
    assert action.due_date == datetime.date(2015, 5, 27)
    assert KeyFigure.objects.get().value == 12.5


def test_each_new_row_gets_one_history_row_naming_the_fixture_and_the_command(force_a):
    load(report_rows())
    for model in (Report, Recommendation, Action):
        (row,) = model.history.all()
        assert row.history_type == "+"
        assert row.history_change_reason == "Imported from pic.json with manage.py load_reports"
        assert row.history_user is None


def test_history_names_the_admin_who_imported(force_a, admin_user):
    load_report(report_rows(), by=admin_user, via="the web import", source="pic.txt")
    row = Action.objects.get().history.get()
    assert row.history_user == admin_user
    assert row.history_change_reason == "Imported from pic.txt with the web import by admin"


def test_a_new_recommendation_is_grouped_into_a_theme(force_a):
    load(report_rows())
    assert Recommendation.objects.get().theme.canonical_wording == TEXT


def test_loading_the_same_fixture_again_changes_nothing_and_writes_no_history(force_a):
    load(report_rows())
    before = history_counts()
    loaded = load(report_rows())
    assert (loaded.created, loaded.updated) == (0, 0)
    assert history_counts() == before
    assert Action.objects.count() == 1 and Recommendation.objects.count() == 1 and KeyFigure.objects.count() == 1


def test_reloading_keeps_the_work_done_on_actions_recommendations_and_reports(force_a, psd_lead_a, reviewer):
    load(report_rows())
    action = Action.objects.get()
    workflow.transition(action, "start", by=psd_lead_a)
    Action.objects.filter(pk=action.pk).update(
        owner=psd_lead_a,
        revised_due_date=datetime.date(2015, 9, 30),
        rag="amber",
        is_publishable=True,
        recheck_on=datetime.date(2016, 3, 1),
    )
    theme = ThemeFactory()
    Recommendation.objects.update(theme=theme, is_priority=True)
    Report.objects.update(is_publishable=True)
    action.refresh_from_db()

    load(report_rows(text=TEXT + " Corrected.", due="2015-06-30"))

    reloaded = Action.objects.get()
    assert (reloaded.status, reloaded.owner, reloaded.version) == (
        Action.Status.IN_PROGRESS,
        psd_lead_a,
        action.version,
    )
    assert (reloaded.revised_due_date, reloaded.rag, reloaded.is_publishable) == (
        datetime.date(2015, 9, 30),
        "amber",
        True,
    )
    assert reloaded.due_date == datetime.date(2015, 6, 30)
    assert reloaded.recheck_on == datetime.date(2016, 3, 1)  # a reviewer's check-again date
    recommendation = Recommendation.objects.get()
    assert (recommendation.theme, recommendation.is_priority) == (theme, True)
    assert Report.objects.get().is_publishable


def test_a_corrected_fixture_updates_what_the_report_says_with_one_history_row(force_a):
    load(report_rows())
    load(report_rows(text=TEXT + " Corrected."))
    recommendation = Recommendation.objects.get()
    assert recommendation.text.endswith("Corrected.")
    latest = recommendation.history.first()
    assert latest.history_type == "~" and latest.history_change_reason.startswith("Imported from pic.json")
    assert Action.objects.get().history.count() == 1  # its due date did not change


def test_a_recommendation_added_to_a_reloaded_fixture_is_created(force_a):
    load(report_rows())
    rows = report_rows()
    rows.append({**rows[2], "fields": {**rows[2]["fields"], "number": 2, "text": "The force should audit gifts."}})
    load(rows)
    assert list(Recommendation.objects.order_by("number").values_list("number", flat=True)) == [1, 2]


def test_a_slug_that_belongs_to_a_different_report_is_refused(force_a):
    ReportFactory(slug=SLUG, title="PEEL: Police effectiveness", subject_force=force_a)
    with pytest.raises(ImportProblem) as refused:
        load(report_rows())
    message = str(refused.value)
    assert "nothing was changed" in message and f"“{SLUG}” already belongs to another report" in message
    assert "title differ" in message and "\n" not in message
    assert not Recommendation.objects.exists()


def test_a_slug_of_a_report_published_on_another_day_is_refused(force_a):
    load(report_rows())
    with pytest.raises(ImportProblem, match="published on differ"):
        load(report_rows(published="2016-03-10"))


@pytest.mark.parametrize(("name", "value"), [("status", "verified"), ("recheck_on", "2016-03-01")])
def test_a_field_that_is_work_done_is_refused(force_a, name, value):
    rows = report_rows()
    rows[3]["fields"][name] = value
    with pytest.raises(ImportProblem, match=f"sets “{name}”, which is work done after the import"):
        load(rows)
    assert not Report.objects.exists()


def test_an_unknown_field_is_refused(force_a):
    rows = report_rows()
    rows[2]["fields"]["colour"] = "red"
    with pytest.raises(ImportProblem, match="recommendation 1 of report “pic-2014-west-midlands” has a field “colour”"):
        load(rows)


def test_a_row_of_another_model_is_refused_with_where_it_belongs(force_a):
    rows = [*report_rows(), {"model": "tracker.force", "fields": {"slug": "x", "name": "X"}}]
    with pytest.raises(ImportProblem, match="not part of a report .* manage.py loaddata"):
        load(rows)
    assert not Report.objects.exists()


def test_an_action_for_a_recommendation_nowhere_is_refused(force_a):
    rows = report_rows()
    rows[3]["fields"]["recommendation"] = [SLUG, 7]
    with pytest.raises(ImportProblem, match="neither in the fixture nor loaded"):
        load(rows)


def test_a_row_given_twice_is_refused(force_a):
    rows = report_rows()
    with pytest.raises(ImportProblem, match="appears twice"):
        load([*rows, rows[2]])


def test_a_missing_required_value_is_one_line(force_a):
    rows = report_rows()
    del rows[2]["fields"]["text"]
    with pytest.raises(ImportProblem) as refused:
        load(rows)
    assert "recommendation 1" in str(refused.value) and "“text”" in str(refused.value)
    assert "\n" not in str(refused.value) and not Report.objects.exists()


def test_a_report_fixture_given_to_loaddata_is_loaded_by_the_service(force_a, tmp_path):
    path = tmp_path / "pic.json"
    path.write_text(json.dumps(report_rows()))
    call_command("loaddata", str(path), verbosity=0)
    call_command("loaddata", str(path), verbosity=0)
    assert Action.objects.get().history.get().history_change_reason == "Imported from pic.json with manage.py loaddata"


def test_loaddata_takes_the_forces_and_a_report_fixture_together(db, tmp_path):
    path = tmp_path / "pic.json"
    path.write_text(json.dumps(report_rows()))
    call_command("loaddata", "fixtures/forces.json", str(path), verbosity=0)
    assert Action.objects.get().force.slug == "west-midlands"


def test_loaddata_of_a_dump_restores_the_rows_as_they_were(psd_lead_a, tmp_path):
    action = ActionFactory(recommendation__report__subject_force=psd_lead_a.forces.get())
    workflow.transition(action, "start", by=psd_lead_a)
    dump = tmp_path / "dump.json"
    models = ["tracker.report", "tracker.recommendation", "tracker.action", "tracker.historicalaction"]
    call_command("dumpdata", *models, "--natural-foreign", f"--output={dump}", verbosity=0)
    Report.objects.all().delete()
    Action.history.all().delete()

    call_command("loaddata", str(dump), verbosity=0)

    restored = Action.objects.get(pk=action.pk)
    assert restored.status == Action.Status.IN_PROGRESS and restored.version == 2
    assert list(restored.history.values_list("history_change_reason", flat=True)) == list(
        action.history.values_list("history_change_reason", flat=True)
    )


def test_loaddata_refuses_a_damaged_report_fixture_in_one_line(force_a, tmp_path):
    from django.core.management import CommandError

    rows = report_rows()
    rows[2]["fields"]["due_date"] = "31/05/2015"
    path = tmp_path / "pic.json"
    path.write_text(json.dumps(rows))
    with pytest.raises(CommandError, match="nothing was changed: recommendation 1 .*“due_date”") as refused:
        call_command("loaddata", str(path), verbosity=0)
    assert "\n" not in str(refused.value) and not Report.objects.exists()


def _queries_to_import(text: str) -> int:
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        load_fixture_text(text, label="national.json")
        transaction.set_rollback(True)
    return len(captured)


def test_importing_the_national_report_takes_a_fixed_number_of_queries_however_many_actions_exist(forces):
    text = NATIONAL.read_text(encoding="utf-8")
    with_none = _queries_to_import(text)
    others = Force.objects.order_by("slug")
    recommendations = RecommendationFactory.create_batch(100, report=ReportFactory(subject_force=None))
    Action.objects.bulk_create(Action(recommendation=r, force=f) for r in recommendations for f in others)
    assert Action.objects.count() > 4000

    with_many = _queries_to_import(text)
    load_fixture_text(text, label="national.json")
    reload = _queries_to_import(text)

    assert with_many == with_none <= 60
    assert reload <= 60


def test_a_report_without_a_title_loads(force_a):
    load(report_rows(slug="west-midlands-2014-11-27", title=""))
    assert Report.objects.get().title == ""


def test_two_untitled_national_reports_load_side_by_side(forces):
    for slug, published in (("national-2016-03-10", "2016-03-10"), ("national-2017-06-01", "2017-06-01")):
        rows = report_rows(slug=slug, title="", published=published)
        rows[0]["fields"]["subject_force"] = None
        load(rows)
    assert sorted(Report.objects.values_list("slug", flat=True)) == ["national-2016-03-10", "national-2017-06-01"]
    assert Action.objects.count() == 2


@pytest.mark.parametrize(
    "text", ["7", '"text"', '{"model": "tracker.report"}', '[{"model": "tracker.report", "fields": 3}]']
)
def test_json_that_is_no_list_of_rows_is_a_one_line_refusal(db, text):
    with pytest.raises(ImportProblem) as caught:
        load_fixture_text(text, label="The report")
    assert "\n" not in str(caught.value)
