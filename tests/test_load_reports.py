"""manage.py load_reports: all fixtures or nothing, with a one-line reason."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tracker import workflow
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
