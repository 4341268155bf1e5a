"""manage.py send_reminders: owners' reminders, the weekly digest for PSD leads, never twice a day."""

import datetime
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test.signals import template_rendered
from django.utils import timezone

from tests.factories import ActionFactory, PsdLeadFactory, ReportFactory
from tracker import responses
from tracker.models import Action, ReminderLog

pytestmark = pytest.mark.django_db
D = datetime.date
S = Action.Status
LONDON = zoneinfo.ZoneInfo("Europe/London")


def _run(*args) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def _to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


@pytest.fixture
def tuesday(today):
    with time_machine.travel(datetime.datetime(2015, 6, 2, 12, 0, tzinfo=LONDON), tick=False):
        yield D(2015, 6, 2)


@pytest.fixture
def owned(today, force_a, psd_lead_a):
    """Alice's actions: one overdue, one due in 9 days, one due in 30 days, and one overdue but awaiting review."""
    return {
        "overdue": ActionFactory(
            recommendation__report__subject_force=force_a,
            recommendation__report__title="Police Integrity and Corruption",
            recommendation__number=2,
            owner=psd_lead_a,
            due_date=D(2015, 5, 27),
        ),
        "soon": ActionFactory(
            recommendation__report__subject_force=force_a,
            recommendation__number=5,
            owner=psd_lead_a,
            status=S.IN_PROGRESS,
            due_date=D(2015, 6, 10),
        ),
        "later": ActionFactory(recommendation__report__subject_force=force_a, owner=psd_lead_a, due_date=D(2015, 7, 1)),
        "done": ActionFactory(
            recommendation__report__subject_force=force_a, owner=psd_lead_a, status=S.COMPLETED, due_date=D(2015, 5, 1)
        ),
    }


def test_owner_gets_one_email_listing_overdue_and_due_soon(owned, psd_lead_a, settings):
    settings.SITE_URL = "https://tracker.example.org"
    _run("--digest-weekday", "friday")
    [message] = _to("psd-a@example.org")
    assert message.subject == "Recommendation Tracker: 1 overdue action and 1 action due in the next 14 days"
    assert message.body.startswith("Dear Alice Ashby,")
    assert "Overdue (1)" in message.body and "Due in the next 14 days (1)" in message.body
    assert "Police Integrity and Corruption, recommendation 2\n  Due 27 May 2015: 5 days overdue" in message.body
    assert "Due 10 June 2015: 9 days left" in message.body
    assert f"https://tracker.example.org/actions/{owned['overdue'].pk}/" in message.body


def test_owner_email_leaves_out_later_and_closed_actions(owned, psd_lead_a):
    _run("--digest-weekday", "friday")
    [message] = _to("psd-a@example.org")
    assert f"/actions/{owned['overdue'].pk}/" in message.body and f"/actions/{owned['soon'].pk}/" in message.body
    assert f"/actions/{owned['later'].pk}/" not in message.body
    assert f"/actions/{owned['done'].pk}/" not in message.body


def test_revised_due_date_counts_not_the_original(today, force_a, psd_lead_a):
    ActionFactory(
        recommendation__report__subject_force=force_a,
        owner=psd_lead_a,
        due_date=D(2015, 5, 1),
        revised_due_date=D(2015, 9, 1),
    )
    _run("--digest-weekday", "friday")
    assert mail.outbox == []


def test_owner_with_nothing_due_gets_nothing(today, force_a, psd_lead_a):
    ActionFactory(recommendation__report__subject_force=force_a, owner=psd_lead_a, due_date=D(2015, 7, 1))
    _run("--digest-weekday", "friday")
    assert mail.outbox == []


def test_inactive_owner_gets_nothing(owned, psd_lead_a):
    psd_lead_a.is_active = False
    psd_lead_a.save()
    _run("--digest-weekday", "friday")
    assert _to("psd-a@example.org") == []


def test_owner_who_left_the_force_is_not_sent_its_actions(owned, psd_lead_a):
    psd_lead_a.forces.clear()
    _run("--digest-weekday", "friday")
    assert _to("psd-a@example.org") == []


def test_digest_goes_to_each_psd_lead_of_each_force_with_overdue_actions(
    owned, force_b, psd_lead_a, colleague_a, psd_lead_b, reviewer
):
    late_b = ActionFactory(recommendation__report__subject_force=force_b, due_date=D(2015, 5, 1))
    _run()  # 1 June 2015 is a Monday
    digests = {(m.to[0], m.subject) for m in mail.outbox if "weekly digest" in m.subject}
    assert digests == {
        ("psd-a@example.org", "West Midlands Police: 1 overdue action (weekly digest)"),
        ("colleague-a@example.org", "West Midlands Police: 1 overdue action (weekly digest)"),
        ("psd-b@example.org", "Leicestershire Police: 1 overdue action (weekly digest)"),
    }
    [to_b] = _to("psd-b@example.org")
    assert f"/actions/{late_b.pk}/" in to_b.body and "31 days overdue, not started, owner nobody" in to_b.body
    assert f"/actions/{owned['overdue'].pk}/" not in to_b.body
    assert "http://127.0.0.1:8000/actions/overdue/?force=leicestershire" in to_b.body


def test_digest_is_not_sent_on_other_days(tuesday, force_a, psd_lead_a):
    ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 5, 1))
    _run()
    assert mail.outbox == []


def test_digest_weekday_can_be_changed(tuesday, force_a, psd_lead_a):
    ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 5, 1))
    _run("--digest-weekday", "tuesday")
    assert [m.subject for m in mail.outbox] == ["West Midlands Police: 1 overdue action (weekly digest)"]


def test_force_digest_sends_it_today_anyway(tuesday, force_a, psd_lead_a):
    ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 5, 1))
    _run("--force-digest")
    assert len(_to("psd-a@example.org")) == 1


def test_inactive_psd_lead_gets_no_digest(today, force_a, psd_lead_a):
    ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 5, 1))
    PsdLeadFactory(username="gone", forces=[force_a], is_active=False)
    _run()
    assert [m.to for m in mail.outbox] == [["psd-a@example.org"]]


def test_running_twice_on_the_same_day_sends_nothing_the_second_time(owned, psd_lead_a, colleague_a):
    _run()
    assert len(mail.outbox) == 3  # Alice's reminder, and the digest to Alice and to Colin
    output = _run()
    assert len(mail.outbox) == 3
    assert "0 sent, 3 already sent today." in output


def test_next_day_sends_again(owned, psd_lead_a):
    _run("--digest-weekday", "friday")
    with time_machine.travel(datetime.datetime(2015, 6, 2, 12, 0, tzinfo=LONDON), tick=False):
        _run("--digest-weekday", "friday")
    assert len(_to("psd-a@example.org")) == 2


def test_dry_run_sends_and_records_nothing(owned, psd_lead_a):
    output = _run("--dry-run")
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()
    assert "Would send Owner reminder to Alice Ashby <psd-a@example.org>" in output
    assert "Would send Weekly overdue digest for West Midlands Police to Alice Ashby" in output


def test_dry_run_says_which_reminders_were_already_sent_today(owned, psd_lead_a):
    _run("--digest-weekday", "friday")
    output = _run("--dry-run")
    assert "Would send Owner reminder to Alice Ashby <psd-a@example.org>: " in output
    assert "1 overdue action and 1 action due in the next 14 days (already sent today: would skip)" in output
    assert "(weekly digest)\n" in output  # the digest was not sent: Friday was the digest day


def test_failed_send_is_retried_by_the_next_run(owned, psd_lead_a, monkeypatch):
    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("SMTP server down")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.EmailMessage.send", refuse)
        with pytest.raises(CommandError, match=r"1 reminder\(s\) could not be sent; the next run will try again"):
            _run("--digest-weekday", "friday")
    assert not ReminderLog.objects.exists()
    _run("--digest-weekday", "friday")
    assert len(_to("psd-a@example.org")) == 1


@pytest.mark.parametrize("kind", [ReminderLog.Kind.OWNER, ReminderLog.Kind.DIGEST])
def test_database_refuses_a_second_claim_for_the_same_day(today, force_a, psd_lead_a, kind):
    force = force_a if kind == ReminderLog.Kind.DIGEST else None
    ReminderLog.objects.create(user=psd_lead_a, kind=kind, force=force, sent_on=today)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderLog.objects.create(user=psd_lead_a, kind=kind, force=force, sent_on=today)


def test_names_in_emails_are_not_html_escaped(today, psd_lead_a, force_a):
    force_a.name = "Avon & Somerset Constabulary"
    force_a.save()
    psd_lead_a.last_name = "O'Brien"
    psd_lead_a.save()
    ActionFactory(
        recommendation__report__subject_force=force_a,
        recommendation__report__title="Stop & search: <legitimacy>",
        recommendation__number=3,
        owner=psd_lead_a,
        due_date=D(2015, 5, 1),
    )
    _run()
    owner, digest = sorted(_to("psd-a@example.org"), key=lambda m: "digest" in m.subject)
    assert owner.body.startswith("Dear Alice O'Brien,")
    assert "- Avon & Somerset Constabulary – Stop & search: <legitimacy>, recommendation 3\n" in owner.body
    assert digest.subject == "Avon & Somerset Constabulary: 1 overdue action (weekly digest)"
    assert "All of Avon & Somerset Constabulary's overdue actions: " in digest.body


def test_every_email_template_renders_without_a_missing_variable(
    owned, psd_lead_a, reviewer, commissioner_a, settings, monkeypatch
):
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "OPTIONS": {**engine["OPTIONS"], "string_if_invalid": "MISSING(%s)"}}]
    ActionFactory(recommendation__report__subject_force=owned["soon"].force, owner=psd_lead_a, due_date=D(2015, 6, 1))
    for recheck_on in (D(2015, 6, 1), D(2015, 5, 20)):  # a re-check due today, and one waiting
        ActionFactory(status=S.VERIFIED, verified_at=timezone.now(), recheck_on=recheck_on)
    # Commissioner's responses owed (one overdue, one due), on reports of 2015 as if the duty had applied then
    monkeypatch.setattr("tracker.models.RESPONSE_DUTY_FROM", D(2015, 1, 1))
    for published in (D(2015, 3, 2), D(2015, 5, 1)):
        report = ReportFactory(subject_force=commissioner_a.forces.get(), published_on=published)
        ActionFactory(recommendation__report=report, force=report.subject_force)
    responses.invite_comments(report, by=commissioner_a, due_on=D(2015, 6, 1))
    rendered = []

    def record(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(record)
    try:
        _run()
    finally:
        template_rendered.disconnect(record)
    # Alice's reminder (overdue, due today, due soon), her digest; Rita's re-checks; Cara's responses; Alice's
    # chief officer's comments
    assert len(mail.outbox) == 5
    for message in mail.outbox:
        assert "MISSING" not in message.subject and "MISSING" not in message.body
    reminders = {path for path in (settings.BASE_DIR / "templates" / "emails").iterdir()} - {
        # tests/test_sign_in_protection.py, tests/test_two_factor.py and tests/test_people.py render these
        settings.BASE_DIR / "templates" / "emails" / name
        for name in (
            "account-locked-subject.txt",
            "account-locked-body.txt",
            "two-factor-changed-subject.txt",
            "two-factor-changed-body.txt",
            "invitation-subject.txt",
            "invitation-body.txt",
        )
    }
    assert set(rendered) == {f"emails/{path.name}" for path in reminders}
