"""manage.py load_reports: all fixtures or nothing, with a one-line reason."""

import datetime
import json
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from tests.conftest import LONDON
from tracker import workflow
from tracker.loading import tracked_from
from tracker.models import Action, Recommendation, Report

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]
QUIET = {"stdout": open("/dev/null", "w")}


@pytest.fixture
def forces(db):
    call_command("loaddata", "fixtures/forces.json", verbosity=0)


def test_loads_every_shipped_report(forces):
    call_command("load_reports", **QUIET)
    assert Report.objects.count() == 5
    assert Recommendation.objects.count() == 8 + 5 + 4 + 4 + 4
    assert Action.objects.count() == 8 + 5 + 4 + 4 + 89


def test_loading_twice_keeps_work_done(forces, django_user_model):
    call_command("load_reports", **QUIET)
    from tests.factories import PsdLeadFactory
    from tracker.models import Force

    lead = PsdLeadFactory(forces=[Force.objects.get(slug="metropolitan")])
    action = Action.objects.get(
        force__slug="metropolitan", recommendation__number=1, recommendation__report__subject_force__slug="metropolitan"
    )
    workflow.transition(action, "start", by=lead)
    call_command("load_reports", **QUIET)
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS
    assert Action.objects.count() == 110


def test_fixture_naming_a_missing_force_loads_nothing(db, tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command(
            "load_reports",
            str(ROOT / "fixtures" / "reports" / "police-integrity-and-corruption-2014-metropolitan.json"),
            **QUIET,
        )
    assert "metropolitan" in str(caught.value) and "forces.json" in str(caught.value)
    assert not Report.objects.exists()


def test_a_bad_file_among_good_ones_loads_nothing(forces, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('[{"model": "tracker.recommendation", "fields": {"report": ["no-such-report"], "number": 1}}]')
    good = ROOT / "fixtures" / "reports" / "police-integrity-and-corruption-2014-metropolitan.json"
    with pytest.raises(CommandError) as caught:
        call_command("load_reports", str(good), str(bad), **QUIET)
    assert "nothing was changed" in str(caught.value)
    assert not Report.objects.exists()


def test_malformed_json_is_refused(forces, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("load_reports", str(bad), **QUIET)


def test_non_fixture_json_is_refused(forces, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([1, 2]))
    with pytest.raises(CommandError, match="not a Django fixture"):
        call_command("load_reports", str(bad), **QUIET)


def test_loaded_actions_exist_from_their_reports_publication_though_their_history_starts_at_loading(forces):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, 30, tzinfo=LONDON), tick=False):
        call_command(
            "load_reports",
            str(ROOT / "fixtures/reports/police-integrity-and-corruption-2014-metropolitan.json"),
            **QUIET,
        )
    action = Action.objects.filter(force__slug="metropolitan").first()
    assert action.created_at == datetime.datetime(2014, 11, 27, tzinfo=LONDON)
    first = action.history.earliest("history_date")
    assert first.history_date == datetime.datetime(2026, 12, 1, 9, 30, tzinfo=LONDON)  # what was done, and when
    assert first.created_at == action.created_at


@pytest.mark.parametrize("published_on", [None, datetime.date(2026, 12, 2), datetime.date(2027, 3, 1)])
def test_an_undated_report_or_one_not_yet_published_is_tracked_from_loading(published_on):
    now = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=LONDON)
    with time_machine.travel(now, tick=False):
        assert tracked_from(published_on) == now


def test_reloading_keeps_when_an_action_came_into_being(forces):
    call_command("load_reports", **QUIET)
    Action.objects.update(created_at=datetime.datetime(2015, 1, 5, tzinfo=LONDON))
    call_command("load_reports", **QUIET)
    assert set(Action.objects.values_list("created_at", flat=True)) == {datetime.datetime(2015, 1, 5, tzinfo=LONDON)}
