"""Loading a report fixture again never rewinds the work done on its actions."""

import json

import pytest
from django.core.management import call_command

from tracker import workflow
from tracker.models import Action, Recommendation, Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def fixture_file(tmp_path, force_a):
    rows = [
        {
            "model": "tracker.report",
            "fields": {
                "slug": "pic-2014-west-midlands",
                "title": "Police Integrity and Corruption",
                "series": "Police Integrity and Corruption 2014",
                "subject_force": ["west-midlands"],
                "published_on": "2014-11-27",
                "published_precision": "day",
                "isbn": "",
                "source_file": "x.txt",
            },
        },
        {
            "model": "tracker.recommendation",
            "fields": {
                "report": ["pic-2014-west-midlands"],
                "number": 1,
                "text": "Within six months, the force should publish a policy.",
                "timeframe": "Within six months",
                "due_date": "2015-05-27",
                "due_precision": "day",
                "inspection_question": "",
                "evidence": "",
                "addressees": "",
            },
        },
        {
            "model": "tracker.action",
            "fields": {
                "recommendation": ["pic-2014-west-midlands", 1],
                "force": ["west-midlands"],
                "due_date": "2015-05-27",
            },
        },
    ]
    path = tmp_path / "report.json"
    path.write_text(json.dumps(rows))
    return path


def test_loading_creates_the_report_its_recommendations_and_actions_with_history(fixture_file):
    call_command("loaddata", fixture_file, verbosity=0)
    action = Action.objects.get()
    assert action.status == Action.Status.NOT_STARTED
    assert action.history.get().history_change_reason == "Imported from report.json with manage.py loaddata"
    assert Recommendation.objects.get().history.count() == 1


def test_loading_twice_changes_nothing(fixture_file, psd_lead_a):
    call_command("loaddata", fixture_file, verbosity=0)
    action = Action.objects.get()
    workflow.transition(action, "start", by=psd_lead_a)
    history = action.history.count()

    call_command("loaddata", fixture_file, verbosity=0)

    assert Report.objects.count() == 1 and Recommendation.objects.count() == 1 and Action.objects.count() == 1
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS
    assert action.version == 2
    assert action.history.count() == history


def test_forces_fixture_has_the_43_territorial_forces(db):
    call_command("loaddata", "fixtures/forces.json", verbosity=0)
    from tracker.models import Force

    assert Force.objects.filter(kind=Force.Kind.TERRITORIAL).count() == 43
    assert Force.objects.resolve("Metropolitan Police Service").slug == "metropolitan"
    assert Force.objects.resolve("Cambridgeshire Constabulary").slug == "cambridgeshire"
    assert Force.objects.resolve("West Midlands Police").slug == "west-midlands"
    assert Force.objects.resolve("Atlantis Police") is None
