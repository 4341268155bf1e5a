"""The fixed cast of test users and a frozen today."""

import datetime
import zoneinfo

import pytest
import time_machine

from tests.factories import AdminFactory, ForceFactory, PsdLeadFactory, ReviewerFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
TODAY = datetime.date(2015, 6, 1)


@pytest.fixture(autouse=True)
def empty_cache():
    """Start every test with an empty cache: ids are reused after a test's rollback, so keys could be too."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def today():
    """Freeze the clock at noon on 1 June 2015 (after the 2014 reports' six-month deadlines)."""
    with time_machine.travel(datetime.datetime(2015, 6, 1, 12, 0, tzinfo=LONDON), tick=False):
        yield TODAY


@pytest.fixture
def force_a(db):
    return ForceFactory(name="West Midlands Police", slug="west-midlands")


@pytest.fixture
def force_b(db):
    return ForceFactory(name="Leicestershire Police", slug="leicestershire")


@pytest.fixture
def psd_lead_a(force_a):
    return PsdLeadFactory(username="psd-a", first_name="Alice", last_name="Ashby", forces=[force_a])


@pytest.fixture
def colleague_a(force_a):
    return PsdLeadFactory(username="colleague-a", first_name="Colin", last_name="Cole", forces=[force_a])


@pytest.fixture
def psd_lead_b(force_b):
    return PsdLeadFactory(username="psd-b", first_name="Bea", last_name="Bell", forces=[force_b])


@pytest.fixture
def reviewer(db):
    return ReviewerFactory(username="reviewer", first_name="Rita", last_name="Reviewer")


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="admin")
