"""The public register: published items only, public words, a status log, CSV, and cache-friendly pages."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, get_resolver, reverse

from tests.conftest import LONDON
from tests.factories import (
    ActionFactory,
    CommissionerOfficeFactory,
    ForceFactory,
    PsdLeadFactory,
    RecommendationFactory,
    ReportFactory,
)
from tracker import responses, workflow
from tracker.models import Action, Theme
from tracker.register import PUBLIC_STATUSES, public_log, public_status

pytestmark = pytest.mark.django_db

Status = Action.Status


def _at(year, month, day, hour=12, minute=0):
    return time_machine.travel(datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON), tick=False)


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_text(response).lstrip("\ufeff"))))


# What is public ------------------------------------------------------------------------------------------


def test_nothing_is_public_by_default(force_a):
    ActionFactory(recommendation__report__subject_force=force_a)
    assert not Action.objects.public().exists()


def test_an_action_is_public_when_it_or_its_report_is_published(force_a):
    published_action = ActionFactory(recommendation__report__subject_force=force_a, is_publishable=True)
    report = ReportFactory(subject_force=force_a, is_publishable=True)
    on_published_report = ActionFactory(recommendation__report=report)
    ActionFactory(recommendation__report__subject_force=force_a)
    assert set(Action.objects.public()) == {published_action, on_published_report}


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (Status.NOT_STARTED, "Being progressed"),
        (Status.IN_PROGRESS, "Being progressed"),
        (Status.COMPLETED, "Awaiting review"),
        (Status.VERIFIED, "Complete – authorised for closure"),
        (Status.SUPERSEDED, "Closed – superseded"),
        (Status.NOT_ACCEPTED, "Closed – not accepted"),
    ],
)
def test_public_words_for_each_status(status, label):
    assert public_status(status).label == label


def test_every_status_has_exactly_one_public_word():
    mapped = [status for public in PUBLIC_STATUSES for status in public.statuses]
    assert sorted(mapped) == sorted(Status.values)


# The public log ------------------------------------------------------------------------------------------


@pytest.fixture
def worked_action(force_a, psd_lead_a, reviewer):
    """An action driven through its life on known days, with owner changes and reasons along the way."""
    report = ReportFactory(subject_force=force_a, is_publishable=True)
    with _at(2015, 1, 10):
        action = ActionFactory(recommendation__report=report)
    with _at(2015, 2, 3):
        workflow.transition(action, "start", by=psd_lead_a)
    with _at(2015, 2, 20):
        workflow.assign_owner(action, by=psd_lead_a, owner=psd_lead_a)
    with _at(2015, 3, 5):
        workflow.transition(action, "complete", by=psd_lead_a, text="Policy signed off by the chief constable.")
    with _at(2015, 3, 20):
        workflow.transition(action, "reopen", by=reviewer, text="The policy has not been published to staff.")
    with _at(2015, 4, 1):
        workflow.transition(action, "complete", by=psd_lead_a, text="Published on the intranet.")
    with _at(2015, 4, 16, 0, 30):  # 23:30 on 15 April in UTC: the UK date is the 16th
        workflow.transition(action, "verify", by=reviewer)
    return action


def test_public_log_lists_each_change_of_public_status_with_its_uk_date(worked_action):
    assert [(entry.day, entry.status.label) for entry in public_log(worked_action)] == [
        (datetime.date(2015, 1, 10), "Being progressed"),
        (datetime.date(2015, 3, 5), "Awaiting review"),
        (datetime.date(2015, 3, 20), "Being progressed"),
        (datetime.date(2015, 4, 1), "Awaiting review"),
        (datetime.date(2015, 4, 16), "Complete – authorised for closure"),
    ]


def test_action_page_shows_the_log_without_who_or_why(client, worked_action):
    response = client.get(reverse("tracker:register_action", args=[worked_action.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "16 April 2015" in page and "5 March 2015" in page and "10 January 2015" in page
    assert "3 February 2015" not in page  # not started -> being progressed is no public change
    assert "20 February 2015" not in page  # an owner change is no status change
    for private in ("Ashby", "Alice", "Rita", "chief constable", "not been published to staff", "intranet"):
        assert private not in page


# Pages ---------------------------------------------------------------------------------------------------


def test_anonymous_visitor_sees_the_register_without_signing_in(client, force_a):
    report = ReportFactory(subject_force=force_a, is_publishable=True, title="Integrity in West Midlands")
    ActionFactory(recommendation__report=report, recommendation__text="Publish the gifts register.")
    response = client.get(reverse("tracker:register"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Integrity in West Midlands" in page and "Publish the gifts register." in page
    assert "Being progressed" in page


def test_register_pages_show_no_signed_in_navigation(client, reviewer, force_a):
    action = ActionFactory(recommendation__report__subject_force=force_a, is_publishable=True)
    client.force_login(reviewer)
    for url in (
        reverse("tracker:register"),
        reverse("tracker:register_report", args=[action.recommendation.report.slug]),
        reverse("tracker:register_action", args=[action.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Sign out" not in page and "Review queue" not in page and "csrfmiddlewaretoken" not in page


def test_signed_in_pages_link_to_the_register_in_the_footer(client, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("tracker:dashboard")).content.decode()
    assert f'href="{reverse("tracker:register")}">Public register</a>' in page
    assert f'href="{reverse("tracker:trends")}"' in page  # and Trends is in the navigation


def test_report_page_shows_only_published_recommendations_and_forces(client, force_a, force_b):
    report = ReportFactory(subject_force=None, title="Without fear or favour")
    published = RecommendationFactory(report=report, text="Vet staff in sensitive posts.")
    shown = ActionFactory(
        recommendation=published, force=force_a, is_publishable=True, due_date=datetime.date(2015, 9, 30)
    )
    ActionFactory(recommendation=published, force=force_b)
    ActionFactory(
        recommendation=RecommendationFactory(report=report, text="Audit the use of force systems."), force=force_a
    )
    response = client.get(reverse("tracker:register_report", args=[report.slug]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Vet staff in sensitive posts." in page and force_a.name in page
    assert force_b.name not in page and "Audit the use of force systems." not in page
    assert "30 September 2015" in page
    assert reverse("tracker:register_action", args=[shown.pk]) in page


def test_unpublished_report_and_action_are_not_found(client, force_a):
    action = ActionFactory(recommendation__report__subject_force=force_a)
    assert client.get(reverse("tracker:register_report", args=[action.recommendation.report.slug])).status_code == 404
    assert client.get(reverse("tracker:register_action", args=[action.pk])).status_code == 404


def test_action_page_shows_the_effective_due_date_and_public_status(client, today, force_a, psd_lead_a, reviewer):
    action = ActionFactory(recommendation__report__subject_force=force_a, is_publishable=True)
    extension = workflow.request_extension(
        action, by=psd_lead_a, requested_due_date=datetime.date(2015, 12, 31), reason="Needs the chief's sign-off."
    )
    workflow.decide_extension(extension, by=reviewer, approve=True)
    workflow.transition(action, "complete", by=psd_lead_a, text="Done.")
    page = client.get(reverse("tracker:register_action", args=[action.pk])).content.decode()
    assert "31 December 2015" in page and "Awaiting review" in page
    assert "sign-off" not in page


@pytest.fixture
def register(force_a, force_b):
    """Two published reports in two rounds, two forces, a theme, statuses on both sides, and one unpublished."""
    round_2014 = ReportFactory(subject_force=force_a, series="Integrity 2014", is_publishable=True, title="Report A")
    round_2015 = ReportFactory(subject_force=force_b, series="Legitimacy 2015", is_publishable=True, title="Report B")
    theme = Theme.objects.create(title="Gifts and hospitality", canonical_wording="Keep a gifts register.")
    hidden_theme = Theme.objects.create(title="Undisclosed theme", canonical_wording="Something private.")
    gifts = ActionFactory(
        recommendation=RecommendationFactory(report=round_2014, text="Keep a gifts register.", theme=theme),
        force=force_a,
        status=Status.COMPLETED,
    )
    vetting = ActionFactory(
        recommendation=RecommendationFactory(report=round_2015, text="Vet all staff."), force=force_b
    )
    hidden = ActionFactory(
        recommendation=RecommendationFactory(text="Unpublished wording.", theme=hidden_theme, report__title="Report C"),
        force=ForceFactory(name="Hiddenshire Police", slug="hiddenshire"),
    )
    return {"gifts": gifts, "vetting": vetting, "hidden": hidden, "theme": theme, "hidden_theme": hidden_theme}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"gifts", "vetting"}),
        ({"force": "leicestershire"}, {"vetting"}),
        ({"series": "Integrity 2014"}, {"gifts"}),
        ({"status": "awaiting_review"}, {"gifts"}),
        ({"status": "being_progressed"}, {"vetting"}),
        ({"status": "complete"}, set()),
    ],
)
def test_register_filters(client, register, query, expected):
    response = client.get(reverse("tracker:register"), query)
    assert {a.pk for a in response.context["actions"]} == {register[name].pk for name in expected}


def test_register_filters_by_theme(client, register):
    response = client.get(reverse("tracker:register"), {"theme": register["theme"].pk})
    assert [a.pk for a in response.context["actions"]] == [register["gifts"].pk]


def test_register_offers_only_published_forces_themes_and_rounds(client, register):
    form = client.get(reverse("tracker:register")).context["filter"].form
    assert [f.slug for f in form.fields["force"].queryset.order_by("slug")] == ["leicestershire", "west-midlands"]
    assert list(form.fields["theme"].queryset) == [register["theme"]]
    assert [value for value, _ in form.fields["series"].choices if value] == ["Integrity 2014", "Legitimacy 2015"]


def test_choosing_an_unpublished_force_or_theme_shows_nothing_of_it(client, register):
    for query in ({"force": "hiddenshire"}, {"theme": register["hidden_theme"].pk}):
        page = client.get(reverse("tracker:register"), query).content.decode()
        assert "Unpublished wording." not in page and "Undisclosed theme" not in page and "Hiddenshire" not in page


def test_register_home_counts_each_reports_public_statuses(client, register):
    reports = {r.title: r for r in client.get(reverse("tracker:register")).context["reports"]}
    assert set(reports) == {"Report A", "Report B"}
    counts = {public.key: n for public, n in reports["Report A"].status_counts}
    assert counts["awaiting_review"] == 1 and counts["being_progressed"] == 0


def test_register_home_queries_do_not_grow_with_actions(client, register, django_assert_max_num_queries):
    report = register["gifts"].recommendation.report
    for _ in range(30):
        ActionFactory(recommendation=RecommendationFactory(report=report), force=register["gifts"].force)
    with django_assert_max_num_queries(10):
        home = client.get(reverse("tracker:register"))
    assert home.status_code == 200 and home.context["page_obj"].paginator.count == 2 + 30
    with django_assert_max_num_queries(8):
        page = client.get(reverse("tracker:register_report", args=[report.slug]))
    assert page.status_code == 200
    assert sum(len(section.recommendations) for section in page.context["sections"]) == 1 + 30


# CSV -----------------------------------------------------------------------------------------------------


def test_csv_has_the_filtered_register_in_public_words(client, register):
    response = client.get(reverse("tracker:register_export"), {"force": "west-midlands"})
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert len(rows) == 1
    row = rows[0]
    assert row["Force"] == "West Midlands Police" and row["Status"] == "Awaiting review"
    assert row["Recommendation"] == "Keep a gifts register." and row["Theme"] == "Gifts and hospitality"
    assert row["Inspection round"] == "Integrity 2014" and row["Due date"] == "2015-05-27"
    assert row["Register page"].endswith(reverse("tracker:register_action", args=[register["gifts"].pk]))
    assert "Owner" not in row and "RAG rating" not in row


def test_csv_neutralises_formulas(client, force_a):
    ActionFactory(
        recommendation__report__subject_force=force_a,
        recommendation__text='=HYPERLINK("http://evil.example","click")',
        is_publishable=True,
    )
    (row,) = _csv(client.get(reverse("tracker:register_export")))
    assert row["Recommendation"].startswith("'=HYPERLINK")


def test_the_home_page_links_to_the_csv_of_its_filters(client, register):
    page = client.get(reverse("tracker:register"), {"force": "leicestershire"}).content.decode()
    assert f"{reverse('tracker:register_export')}?force=leicestershire" in page


# Nothing private leaks -----------------------------------------------------------------------------------

SECRETS = (
    "DRAFT-RESPONSE-SECRET",  # a commissioner's response not published, and one on a report not on the register
    "HALF-RESPONSE-SECRET",  # one on a report partly on the register
    "Pcc-Secretname",  # who published the commissioner's response
    "Ozymandias",  # the owner
    "Quartermain",
    "Ashby",  # the PSD lead who made the changes (history_user)
    "NOTE-SECRET-7731",
    "evidence-secret-4412",
    "EXTENSION-REASON-SECRET",
    "DECISION-REASON-SECRET",
    "COMPLETION-NOTE-SECRET",
    "REOPEN-REASON-SECRET",
    "RAG-REASON-SECRET",
    "INSPECTORS-FINDINGS-SECRET",
    "INSPECTION-QUESTION-SECRET",
    "UNPUBLISHED-RECOMMENDATION",
    "UNPUBLISHED-REPORT-TITLE",
)


def _fill_with_secrets(action, *, psd_lead, reviewer, owner) -> Action:
    workflow.assign_owner(action, by=psd_lead, owner=owner)
    workflow.add_note(
        action,
        by=psd_lead,
        text="NOTE-SECRET-7731",
        attachment=SimpleUploadedFile("evidence-secret-4412.pdf", b"%PDF-1.4 test"),
    )
    workflow.set_rag(action, by=psd_lead, rag="red", reason="RAG-REASON-SECRET")
    extension = workflow.request_extension(
        action, by=psd_lead, requested_due_date=datetime.date(2016, 3, 31), reason="EXTENSION-REASON-SECRET"
    )
    workflow.decide_extension(extension, by=reviewer, approve=True, reason="DECISION-REASON-SECRET")
    workflow.transition(action, "complete", by=psd_lead, text="COMPLETION-NOTE-SECRET")
    workflow.transition(action, "reopen", by=reviewer, text="REOPEN-REASON-SECRET")
    return action


@pytest.fixture
def leaky_world(today, force_a, psd_lead_a, reviewer):
    owner = PsdLeadFactory(username="owner", first_name="Ozymandias", last_name="Quartermain", forces=[force_a])
    private_recommendation = {
        "evidence": "INSPECTORS-FINDINGS-SECRET",
        "inspection_question": "INSPECTION-QUESTION-SECRET",
    }
    # Published by the action's own switch, on a report that is not published, beside an unpublished one.
    half_report = ReportFactory(subject_force=force_a, title="Half-published report")
    published = ActionFactory(
        recommendation=RecommendationFactory(
            report=half_report, text="Published recommendation one.", **private_recommendation
        ),
        is_publishable=True,
    )
    _fill_with_secrets(published, psd_lead=psd_lead_a, reviewer=reviewer, owner=owner)
    hidden_on_half = ActionFactory(
        recommendation=RecommendationFactory(report=half_report, text="UNPUBLISHED-RECOMMENDATION one")
    )
    # Published by its report's switch.
    whole_report = ReportFactory(subject_force=force_a, title="Published report", is_publishable=True)
    via_report = ActionFactory(
        recommendation=RecommendationFactory(
            report=whole_report, text="Published recommendation two.", **private_recommendation
        )
    )
    _fill_with_secrets(via_report, psd_lead=psd_lead_a, reviewer=reviewer, owner=owner)
    # Nothing published.
    hidden_report = ReportFactory(
        subject_force=force_a, title="UNPUBLISHED-REPORT-TITLE", series="UNPUBLISHED-REPORT-TITLE round"
    )
    hidden = ActionFactory(
        recommendation=RecommendationFactory(report=hidden_report, text="UNPUBLISHED-RECOMMENDATION two")
    )
    _fill_with_secrets(hidden, psd_lead=psd_lead_a, reviewer=reviewer, owner=owner)
    # The commissioner's response: published on the published report, on the half-published one (not shown: it
    # quotes the unpublished recommendation) and on the hidden one; a draft on none of them.
    office = CommissionerOfficeFactory(first_name="Persephone", last_name="Pcc-Secretname", forces=[force_a])
    for report in (half_report, whole_report, hidden_report):
        responses.invite_comments(report, by=office, due_on=today)
        responses.write_chief_officer_comments(report, by=psd_lead_a, text="The chief constable accepts them.")
    explained = {published.recommendation.pk: "Accepted.", hidden_on_half.recommendation.pk: "HALF-RESPONSE-SECRET"}
    responses.save_response(half_report, by=office, comments="Half.", explanations=explained, publish=True)
    explained = {via_report.recommendation.pk: "Accepted too."}
    responses.save_response(whole_report, by=office, comments="Welcome.", explanations=explained, publish=True)
    explained = {hidden.recommendation.pk: "DRAFT-RESPONSE-SECRET"}
    responses.save_response(hidden_report, by=office, comments="Hidden.", explanations=explained, publish=True)
    draft_report = ReportFactory(subject_force=force_a, title="Draft response report", is_publishable=True)
    ActionFactory(recommendation=RecommendationFactory(report=draft_report, text="Published recommendation three."))
    responses.save_response(draft_report, by=office, comments="DRAFT-RESPONSE-SECRET", explanations={})
    return {
        "public": [published, via_report],
        "public_reports": [half_report, whole_report, draft_report],
        "responded_reports": [whole_report],
        "hidden": [hidden_on_half, hidden],
        "hidden_reports": [hidden_report],
        "unresponded_reports": [half_report, hidden_report, draft_report],
    }


def _register_urls(public_reports, public_actions, status_keys, responded_reports=()) -> dict[str, list[str]]:
    """Return every register address for these objects, by URL name; fails on a register URL it cannot fill. A
    commissioner's response's addresses are those of `responded_reports`."""
    urls: dict[str, list[str]] = {}
    for pattern in get_resolver().url_patterns:
        for entry in getattr(pattern, "url_patterns", [pattern]):
            if not isinstance(entry, URLPattern) or not (entry.name or "").startswith("register"):
                continue
            params = set(entry.pattern.regex.groupindex)
            name = f"tracker:{entry.name}"
            if params == {"slug"} and entry.name.startswith("register_response"):
                urls[name] = [reverse(name, args=[report.slug]) for report in responded_reports]
            elif params == {"slug"}:
                urls[name] = [reverse(name, args=[report.slug]) for report in public_reports]
            elif params == {"pk"}:
                urls[name] = [reverse(name, args=[action.pk]) for action in public_actions]
            elif not params:
                base = reverse(name)
                urls[name] = [base, *(f"{base}?status={key}" for key in status_keys), f"{base}?page=2"]
            else:
                pytest.fail(f"{name}: add its arguments to _register_urls so the leak test covers it")
    return urls


def test_anonymous_visitor_reaches_no_private_field_or_unpublished_item(client, leaky_world):
    statuses = [p.key for p in PUBLIC_STATUSES]
    urls = _register_urls(
        leaky_world["public_reports"], leaky_world["public"], statuses, leaky_world["responded_reports"]
    )
    assert set(urls) == {
        "tracker:register",
        "tracker:register_export",
        "tracker:register_report",
        "tracker:register_action",
        "tracker:register_response",
        "tracker:register_response_download",
    }
    seen = ""
    for addresses in urls.values():
        for url in addresses:
            response = client.get(url)
            assert response.status_code == 200, url
            body = _text(response)
            for secret in SECRETS:
                assert secret not in body, f"{secret} leaks on {url}"
            seen += body
    # The published items are there, so the pages were not simply empty.
    assert "Published recommendation one." in seen and "Published recommendation two." in seen
    assert "The chief constable accepts them." in seen and "Accepted too." in seen  # the published response
    # Every register address of an unpublished item is a 404: a report not on the register, a draft response.
    hidden = _register_urls(
        leaky_world["hidden_reports"], leaky_world["hidden"], [], leaky_world["unresponded_reports"]
    )
    for name in (
        "tracker:register_report",
        "tracker:register_action",
        "tracker:register_response",
        "tracker:register_response_download",
    ):
        for url in hidden[name]:
            assert client.get(url).status_code == 404, url


def test_register_reveals_no_evidence_download_or_private_page_links(client, leaky_world):
    for action in leaky_world["public"]:
        page = client.get(reverse("tracker:register_action", args=[action.pk])).content.decode()
        assert "/evidence/" not in page and f'href="{action.get_absolute_url()}"' not in page


# Caching -------------------------------------------------------------------------------------------------


def test_register_pages_are_publicly_cacheable_with_an_etag(client, register):
    response = client.get(reverse("tracker:register"))
    assert response["ETag"]
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=300"}


def test_a_second_request_with_the_etag_gets_304(client, register):
    for url in (
        reverse("tracker:register"),
        reverse("tracker:register_export"),
        reverse("tracker:register_action", args=[register["gifts"].pk]),
        reverse("tracker:register_report", args=[register["gifts"].recommendation.report.slug]),
    ):
        etag = client.get(url)["ETag"]
        response = client.get(url, headers={"if-none-match": etag})
        assert response.status_code == 304, url
        assert response["Cache-Control"] and response["ETag"] == etag
        # The cached page keeps the policy it came with (its script nonce): a 304 sends no new one.
        assert "Content-Security-Policy" not in response


def test_the_etag_changes_when_the_register_changes(client, register, psd_lead_a, reviewer):
    url = reverse("tracker:register_action", args=[register["gifts"].pk])
    etag = client.get(url)["ETag"]
    workflow.transition(register["gifts"], "verify", by=reviewer)
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200 and response["ETag"] != etag
    assert "Complete – authorised for closure" in response.content.decode()


def test_the_etag_changes_when_something_is_unpublished(client, register, reviewer):
    report = register["gifts"].recommendation.report
    etag = client.get(reverse("tracker:register"))["ETag"]
    workflow.set_report_publishable(report, by=reviewer, publishable=False)
    response = client.get(reverse("tracker:register"), headers={"if-none-match": etag})
    assert response.status_code == 200 and "Report A" not in response.content.decode()


def test_register_sets_no_cookie_and_does_not_vary_on_cookie(client, register):
    for url in (reverse("tracker:register"), reverse("tracker:register_export")):
        response = client.get(url)
        assert not response.cookies
        assert "cookie" not in response.get("Vary", "").lower()
        assert "csrfmiddlewaretoken" not in _text(response)


def test_register_does_not_vary_on_cookie_for_signed_in_users_either(client, register, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("tracker:register_action", args=[register["gifts"].pk]))
    assert "cookie" not in response.get("Vary", "").lower() and not response.cookies


@pytest.mark.parametrize("name", ["tracker:register", "tracker:register_export"])
def test_register_is_read_only(client, register, name):
    assert client.post(reverse(name)).status_code == 405


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, "public-register-2015-06-01.csv"),
        (
            {"force": "west-midlands", "kind": "recommendation", "status": "being_progressed"},
            "public-register-west-midlands-recommendations-being-progressed-2015-06-01.csv",
        ),
        # An unpublished force is not a choice, so it is not named: the name cannot tell what is unpublished.
        (
            {"force": "leicestershire", "series": "Police Integrity and Corruption 2014"},
            "public-register-police-integrity-and-corruption-2014-2015-06-01.csv",
        ),
    ],
)
def test_register_download_is_named_after_the_filters_applied(client, today, force_a, force_b, query, expected):
    ActionFactory(recommendation__report__subject_force=force_a, is_publishable=True)
    ActionFactory(recommendation__report__subject_force=force_b)  # nothing of Leicestershire's is published
    response = client.get(reverse("tracker:register_export"), query)
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'
