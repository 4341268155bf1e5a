"""manage.py prune_sign_in_log: the sign-in log keeps TRACKER_SIGN_IN_LOG_KEEP_DAYS days, never fewer than 90."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from tests.test_settings import _manage
from tracker.management.commands import prune_sign_in_log
from tracker.models import SignInEvent

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC)  # 09:00 in London too (winter)
SECOND = datetime.timedelta(seconds=1)


def _days_ago(days: int) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def _run(*args) -> str:
    out = StringIO()
    call_command("prune_sign_in_log", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def user():
    return UserFactory()


def _event(user, at: datetime.datetime) -> SignInEvent:
    return SignInEvent.objects.create(user=user, kind=SignInEvent.Kind.SIGNED_IN, at=at)


def _left() -> set[datetime.datetime]:
    return set(SignInEvent.objects.values_list("at", flat=True))


def test_events_older_than_the_kept_days_are_deleted_and_newer_kept(user):
    for days in (1, 90, 364, 366, 1000, 3650):
        _event(user, _days_ago(days))
    _run()
    assert _left() == {_days_ago(1), _days_ago(90), _days_ago(364)}


def test_an_event_exactly_at_the_cutoff_is_kept_and_one_a_second_before_deleted(user):
    _event(user, _days_ago(365))
    _event(user, _days_ago(365) - SECOND)
    _run()
    assert _left() == {_days_ago(365)}


def test_the_setting_chooses_the_days_kept(user, settings):
    settings.TRACKER_SIGN_IN_LOG_KEEP_DAYS = 120
    _event(user, _days_ago(119))
    _event(user, _days_ago(121))
    _run()
    assert _left() == {_days_ago(119)}


def test_days_overrides_the_setting(user):
    _event(user, _days_ago(99))
    _event(user, _days_ago(101))
    _run("--days", "100")
    assert _left() == {_days_ago(99)}


def test_fewer_days_than_the_account_page_shows_are_refused(user):
    _event(user, _days_ago(100))
    with pytest.raises(CommandError, match=r"^--days must be 90 or more, not 89: the account page shows the last 90"):
        _run("--days", "89")
    assert SignInEvent.objects.count() == 1


def test_a_setting_below_90_days_is_refused(user, settings):
    settings.TRACKER_SIGN_IN_LOG_KEEP_DAYS = 30
    _event(user, _days_ago(100))
    with pytest.raises(CommandError, match=r"^TRACKER_SIGN_IN_LOG_KEEP_DAYS must be 90 or more, not 30"):
        _run()
    assert SignInEvent.objects.count() == 1


def test_a_dry_run_deletes_nothing_and_says_how_many_would_go(user):
    for days in (400, 500, 10):
        _event(user, _days_ago(days))
    output = _run("--dry-run")
    assert output == (
        "Dry run: would delete 2 sign-in events from before 3 December 2025 at 09:00 (kept 365 days); "
        "deleted nothing.\n"
    )
    assert SignInEvent.objects.count() == 3


def test_events_are_deleted_a_batch_to_a_transaction_until_none_is_left(user, monkeypatch):
    monkeypatch.setattr(prune_sign_in_log, "BATCH_SIZE", 2)
    for days in range(400, 405):
        _event(user, _days_ago(days))
    _event(user, _days_ago(10))
    with CaptureQueriesContext(connection) as queries:
        _run()
    assert _left() == {_days_ago(10)}
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # 2 + 2 + 1


def test_the_queries_do_not_grow_with_the_events_deleted(user, django_assert_max_num_queries):
    SignInEvent.objects.bulk_create(
        SignInEvent(user=user, kind=SignInEvent.Kind.FAILED, at=_days_ago(400) - n * SECOND) for n in range(300)
    )
    with django_assert_max_num_queries(10):  # the migrations check; a select and a delete; the select finding none
        _run()
    assert SignInEvent.objects.count() == 0


def test_it_says_how_many_went_from_before_when(user):
    SignInEvent.objects.bulk_create(
        SignInEvent(user=user, kind=SignInEvent.Kind.FAILED, at=_days_ago(400)) for _ in range(1234)
    )
    assert _run() == "Deleted 1,234 sign-in events from before 3 December 2025 at 09:00 (kept 365 days).\n"


def test_one_event_is_one_event(user):
    _event(user, _days_ago(400))
    assert _run() == "Deleted 1 sign-in event from before 3 December 2025 at 09:00 (kept 365 days).\n"


def test_with_nothing_old_enough_it_says_so(user):
    _event(user, _days_ago(10))
    assert _run() == "Nothing to delete: no sign-in event from before 3 December 2025 at 09:00 (kept 365 days).\n"
    assert SignInEvent.objects.count() == 1


def test_events_with_no_user_are_pruned_too():
    SignInEvent.objects.create(kind=SignInEvent.Kind.SSO_REFUSED, at=_days_ago(400), identity="nobody@example.org")
    SignInEvent.objects.create(kind=SignInEvent.Kind.SSO_REFUSED, at=_days_ago(10), identity="nobody@example.org")
    _run()
    assert _left() == {_days_ago(10)}


# The setting


@pytest.mark.parametrize("value", ["89", "0", "-1"])
def test_a_setting_below_90_days_is_refused_at_start(value):
    result = _manage("check", DJANGO_DEBUG="true", TRACKER_SIGN_IN_LOG_KEEP_DAYS=value)
    assert result.returncode == 1
    assert "TRACKER_SIGN_IN_LOG_KEEP_DAYS must be 90 or more" in result.stderr


def test_the_setting_must_be_a_whole_number():
    result = _manage("check", DJANGO_DEBUG="true", TRACKER_SIGN_IN_LOG_KEEP_DAYS="a year")
    assert result.returncode == 1
    assert "TRACKER_SIGN_IN_LOG_KEEP_DAYS must be a whole number, not 'a year'" in result.stderr


def test_90_days_is_accepted_at_start():
    result = _manage("check", DJANGO_DEBUG="true", TRACKER_SIGN_IN_LOG_KEEP_DAYS="90")
    assert result.returncode == 0, result.stderr
