"""The REST API: token sign-in, the same scoping as the web, filters, pages, workflow changes and the schema."""

import base64
import datetime
import hashlib
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import ActionFactory, RecommendationFactory, ReportFactory
from tracker import workflow
from tracker.models import Action, Recommendation, Report, Theme


def api_client(user=None) -> APIClient:
    """Return a client signed in with `user`'s API token (anonymous without one)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def report_a(force_a):
    return ReportFactory(slug="report-a", subject_force=force_a)


@pytest.fixture
def report_b(force_b):
    return ReportFactory(slug="report-b", subject_force=force_b)


@pytest.fixture
def action_a(report_a, force_a):
    return ActionFactory(recommendation=RecommendationFactory(report=report_a, number=1), force=force_a)


@pytest.fixture
def action_b(report_b, force_b):
    return ActionFactory(recommendation=RecommendationFactory(report=report_b, number=1), force=force_b)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def transition_url(action) -> str:
    return reverse("api:action-transition", args=[action.pk])


# Signing in


@pytest.mark.django_db
def test_token_signs_in(psd_lead_a, action_a):
    response = api_client(psd_lead_a).get(reverse("api:action-list"))
    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.django_db
def test_session_signs_in_for_the_browser(client, psd_lead_a, action_a):
    client.force_login(psd_lead_a)
    assert client.get(reverse("api:action-list")).status_code == 200


@pytest.mark.django_db
def test_session_post_needs_the_csrf_token(psd_lead_a, action_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(psd_lead_a)
    response = client.post(transition_url(action_a), {"transition": "start", "version": 1})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    action_a.refresh_from_db()
    assert action_a.status == Action.Status.NOT_STARTED


@pytest.mark.django_db
def test_wrong_token_is_refused(action_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(reverse("api:action-list")).status_code == 401


@pytest.mark.django_db
def test_inactive_users_token_is_refused(psd_lead_a, action_a):
    client = api_client(psd_lead_a)
    psd_lead_a.is_active = False
    psd_lead_a.save()
    assert client.get(reverse("api:action-list")).status_code == 401


def api_addresses(action, report) -> list[tuple[str, str]]:
    return [
        ("GET", reverse("api:api-root")),
        ("GET", reverse("api:report-list")),
        ("GET", reverse("api:report-detail", args=[report.slug])),
        ("GET", reverse("api:recommendation-list")),
        ("GET", reverse("api:recommendation-detail", args=[action.recommendation_id])),
        ("GET", reverse("api:action-list")),
        ("GET", reverse("api:action-detail", args=[action.pk])),
        ("GET", reverse("api:action-history", args=[action.pk])),
        ("POST", transition_url(action)),
        ("GET", reverse("api:schema")),
        ("GET", reverse("api:docs")),
    ]


@pytest.mark.django_db
def test_anonymous_is_refused_everywhere(action_a, report_a):
    client = APIClient()
    for method, url in api_addresses(action_a, report_a):
        response = client.generic(method, url, json.dumps({"transition": "start", "version": 1}), "application/json")
        assert response.status_code == 401, f"{method} {url}: {response.status_code}"
        assert response["WWW-Authenticate"] == "Token"
    action_a.refresh_from_db()
    assert action_a.status == Action.Status.NOT_STARTED


@pytest.mark.django_db
def test_the_api_answers_json_only(reviewer, action_a):
    response = api_client(reviewer).get(reverse("api:action-list"), HTTP_ACCEPT="text/html")
    assert response.status_code == 406


# Scoping: another force's action is a 404, as on the web


@pytest.mark.django_db
def test_psd_lead_sees_only_their_forces_actions(psd_lead_a, action_a, action_b):
    assert ids(api_client(psd_lead_a).get(reverse("api:action-list"))) == {action_a.pk}


@pytest.mark.django_db
def test_reviewer_sees_every_force(reviewer, action_a, action_b):
    assert ids(api_client(reviewer).get(reverse("api:action-list"))) == {action_a.pk, action_b.pk}


@pytest.mark.django_db
def test_admin_sees_every_force(admin_user, action_a, action_b):
    assert ids(api_client(admin_user).get(reverse("api:action-list"))) == {action_a.pk, action_b.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["api:action-detail", "api:action-history"])
def test_another_forces_action_is_404(psd_lead_b, action_a, name):
    assert api_client(psd_lead_b).get(reverse(name, args=[action_a.pk])).status_code == 404


@pytest.mark.django_db
def test_another_forces_action_cannot_be_changed(psd_lead_b, action_a):
    response = api_client(psd_lead_b).post(transition_url(action_a), {"transition": "start", "version": 1})
    assert response.status_code == 404
    action_a.refresh_from_db()
    assert (action_a.status, action_a.version) == (Action.Status.NOT_STARTED, 1)
    assert action_a.history.count() == 1


@pytest.mark.django_db
def test_missing_action_is_404(reviewer, db):
    assert api_client(reviewer).get(reverse("api:action-detail", args=[999_999])).status_code == 404


@pytest.mark.django_db
def test_action_detail_shows_the_derived_fields(today, psd_lead_a, action_a):
    action_a.owner = psd_lead_a
    action_a.save()
    data = api_client(psd_lead_a).get(reverse("api:action-detail", args=[action_a.pk])).json()
    assert data["force"] == {"slug": "west-midlands", "name": "West Midlands Police"}
    assert data["report"]["slug"] == "report-a"
    assert data["recommendation"]["number"] == 1
    assert data["recommendation"]["text"].startswith("Within six months")
    assert data["owner"] == {"id": psd_lead_a.pk, "name": "Alice Ashby"}
    assert (data["status"], data["status_label"]) == ("not_started", "Not started")
    assert data["effective_due_date"] == "2015-05-27"
    assert (data["is_overdue"], data["days_overdue"]) == (True, 5)
    assert data["version"] == 1
    assert data["transitions"] == ["start", "complete"]
    assert data["web_url"] == f"/actions/{action_a.pk}/"


@pytest.mark.django_db
def test_reviewer_is_offered_the_reviewers_transitions(reviewer, action_a):
    data = api_client(reviewer).get(reverse("api:action-detail", args=[action_a.pk])).json()
    assert data["transitions"] == ["supersede", "not_accept"]


@pytest.mark.django_db
def test_psd_lead_sees_only_reports_with_their_actions(psd_lead_a, action_a, action_b, report_a, report_b):
    client = api_client(psd_lead_a)
    response = client.get(reverse("api:report-list"))
    assert [r["slug"] for r in response.json()["results"]] == ["report-a"]
    assert response.json()["results"][0]["action_count"] == 1
    assert client.get(reverse("api:report-detail", args=["report-a"])).status_code == 200
    assert client.get(reverse("api:report-detail", args=["report-b"])).status_code == 404


@pytest.mark.django_db
def test_report_counts_only_visible_actions(force_a, force_b, psd_lead_a, reviewer):
    national = ReportFactory(slug="national", subject_force=None)
    recommendation = RecommendationFactory(report=national, number=1)
    ActionFactory(recommendation=recommendation, force=force_a)
    ActionFactory(recommendation=recommendation, force=force_b)
    url = reverse("api:report-detail", args=["national"])
    assert api_client(psd_lead_a).get(url).json()["action_count"] == 1
    assert api_client(reviewer).get(url).json()["action_count"] == 2


@pytest.mark.django_db
def test_recommendations_are_scoped_and_show_only_visible_actions(force_b, psd_lead_a, action_a, action_b):
    other = ActionFactory(recommendation=action_a.recommendation, force=force_b)
    client = api_client(psd_lead_a)
    response = client.get(reverse("api:recommendation-list"))
    assert ids(response) == {action_a.recommendation_id}
    assert response.json()["results"][0]["actions"] == [action_a.pk]
    assert other.pk not in response.json()["results"][0]["actions"]
    assert client.get(reverse("api:recommendation-detail", args=[action_b.recommendation_id])).status_code == 404


@pytest.mark.django_db
def test_recommendations_filter_by_report_theme_and_priority(reviewer, force_a, action_a, action_b, report_a):
    theme = Theme.objects.create(title="Gifts", canonical_wording="Publish the register.")
    priority = RecommendationFactory(report=report_a, number=2, is_priority=True, theme=theme)
    ActionFactory(recommendation=priority, force=force_a)
    client = api_client(reviewer)
    url = reverse("api:recommendation-list")
    assert ids(client.get(url, {"report": "report-a"})) == {action_a.recommendation_id, priority.pk}
    assert ids(client.get(url, {"report": "report-b"})) == {action_b.recommendation_id}
    assert ids(client.get(url, {"report": "no-such-report"})) == set()
    assert ids(client.get(url, {"priority": "true"})) == {priority.pk}
    assert ids(client.get(url, {"theme": theme.pk})) == {priority.pk}
    assert client.get(url, {"theme": "x"}).status_code == 400


# Filters and pages


@pytest.mark.django_db
def test_filter_by_status(reviewer, action_a, action_b):
    Action.objects.filter(pk=action_b.pk).update(status=Action.Status.IN_PROGRESS)
    client = api_client(reviewer)
    assert ids(client.get(reverse("api:action-list"), {"status": "in_progress"})) == {action_b.pk}
    both = client.get(reverse("api:action-list") + "?status=in_progress&status=not_started")
    assert ids(both) == {action_a.pk, action_b.pk}


@pytest.mark.django_db
def test_filter_overdue(today, reviewer, action_a, action_b):
    Action.objects.filter(pk=action_b.pk).update(due_date=today + datetime.timedelta(days=10))
    client = api_client(reviewer)
    assert ids(client.get(reverse("api:action-list"), {"overdue": "true"})) == {action_a.pk}
    assert ids(client.get(reverse("api:action-list"), {"overdue": "false"})) == {action_b.pk}


@pytest.mark.django_db
def test_filter_overdue_counts_an_approved_extension(today, reviewer, action_a):
    Action.objects.filter(pk=action_a.pk).update(revised_due_date=today + datetime.timedelta(days=30))
    assert ids(api_client(reviewer).get(reverse("api:action-list"), {"overdue": "true"})) == set()


@pytest.mark.django_db
def test_filter_by_force(reviewer, action_a, action_b):
    client = api_client(reviewer)
    assert ids(client.get(reverse("api:action-list"), {"force": "leicestershire"})) == {action_b.pk}


@pytest.mark.django_db
def test_psd_lead_cannot_filter_by_another_force(psd_lead_a, action_a, action_b):
    response = api_client(psd_lead_a).get(reverse("api:action-list"), {"force": "leicestershire"})
    assert response.status_code == 400
    assert "force" in response.json()


@pytest.mark.django_db
def test_filter_by_report_and_text(reviewer, action_a, action_b):
    client = api_client(reviewer)
    assert ids(client.get(reverse("api:action-list"), {"q": "gifts register"})) == set()
    action_b.recommendation.text = "The force should publish its gifts register."
    action_b.recommendation.save()
    assert ids(client.get(reverse("api:action-list"), {"report": "report-a"})) == {action_a.pk}
    assert ids(client.get(reverse("api:action-list"), {"q": "gifts register"})) == {action_b.pk}


@pytest.mark.django_db
def test_sort(reviewer, action_a, action_b):
    Action.objects.filter(pk=action_a.pk).update(due_date=datetime.date(2016, 1, 1))
    response = api_client(reviewer).get(reverse("api:action-list"), {"sort": "-due"})
    assert [row["id"] for row in response.json()["results"]] == [action_a.pk, action_b.pk]


@pytest.mark.django_db
def test_bad_filter_value_is_400(reviewer, action_a):
    client = api_client(reviewer)
    assert client.get(reverse("api:action-list"), {"status": "finished"}).status_code == 400
    assert client.get(reverse("api:action-list"), {"due_after": "yesterday"}).status_code == 400
    assert client.get(reverse("api:action-list"), {"q": "nul\x00byte"}).status_code == 400


@pytest.mark.django_db
def test_list_filters_do_not_hide_an_actions_own_address(reviewer, action_a):
    url = reverse("api:action-detail", args=[action_a.pk])
    assert api_client(reviewer).get(url, {"status": "verified"}).status_code == 200


@pytest.mark.django_db
def test_pages_of_50(reviewer, force_a, report_a):
    for number in range(1, 56):
        ActionFactory(recommendation=RecommendationFactory(report=report_a, number=number), force=force_a)
    client = api_client(reviewer)
    first = client.get(reverse("api:action-list")).json()
    assert (first["count"], len(first["results"]), first["previous"]) == (55, 50, None)
    second = client.get(first["next"]).json()
    assert (len(second["results"]), second["next"]) == (5, None)
    assert {r["id"] for r in first["results"]}.isdisjoint(r["id"] for r in second["results"])
    assert client.get(reverse("api:action-list"), {"page": 3}).status_code == 404


LISTED = {"api:action-list": Action, "api:report-list": Report, "api:recommendation-list": Recommendation}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(LISTED))
@pytest.mark.parametrize("who", ["psd_lead_a", "reviewer"])
def test_lists_run_a_fixed_number_of_queries(request, name, who, force_a, django_assert_max_num_queries):
    user = request.getfixturevalue(who)
    client = api_client(user)

    def queries_for(count: int) -> int:
        report = ReportFactory(subject_force=force_a)
        for number in range(1, count + 1):
            action = ActionFactory(recommendation=RecommendationFactory(report=report, number=number), force=force_a)
            workflow.assign_owner(action, by=user, owner=None)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name))
        assert response.status_code == 200
        assert response.json()["count"] == LISTED[name].objects.count()
        return len(queries)

    few = queries_for(2)
    assert queries_for(20) == few
    with django_assert_max_num_queries(6):
        response = client.get(reverse(name))
    assert response.status_code == 200 and response.json()["count"] == LISTED[name].objects.count()


# Status changes through the workflow


@pytest.mark.django_db
def test_start_through_the_api_leaves_a_history_row_with_the_api_user(psd_lead_a, action_a):
    response = api_client(psd_lead_a).post(
        transition_url(action_a), {"transition": "start", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["version"]) == ("in_progress", 2)
    action_a.refresh_from_db()
    assert (action_a.status, action_a.version) == (Action.Status.IN_PROGRESS, 2)
    row = action_a.history.latest("history_date")
    assert row.history_user == psd_lead_a
    assert row.history_change_reason == "Mark as being progressed"


@pytest.mark.django_db
def test_complete_with_a_note(psd_lead_a, action_a):
    response = api_client(psd_lead_a).post(
        transition_url(action_a),
        {"transition": "complete", "text": "Policy published on the intranet.", "version": 1},
        format="json",
    )
    assert response.status_code == 200
    action_a.refresh_from_db()
    assert action_a.status == Action.Status.COMPLETED
    reason = action_a.history.latest("history_date").history_change_reason
    assert reason == "Mark as complete and send for review: Policy published on the intranet."


@pytest.mark.django_db
def test_complete_without_a_note_is_400(psd_lead_a, action_a):
    response = api_client(psd_lead_a).post(
        transition_url(action_a), {"transition": "complete", "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"].endswith("Enter a completion note: what was done, and where the evidence is")
    action_a.refresh_from_db()
    assert action_a.status == Action.Status.NOT_STARTED


@pytest.mark.django_db
def test_illegal_transition_is_400(psd_lead_a, action_a):
    Action.objects.filter(pk=action_a.pk).update(status=Action.Status.VERIFIED)
    response = api_client(psd_lead_a).post(
        transition_url(action_a), {"transition": "start", "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "An action that is “Complete – authorised for closure” cannot be moved to “Being progressed”."
    )
    action_a.refresh_from_db()
    assert (action_a.status, action_a.version) == (Action.Status.VERIFIED, 1)


@pytest.mark.django_db
def test_unknown_transition_is_400(psd_lead_a, action_a):
    response = api_client(psd_lead_a).post(
        transition_url(action_a), {"transition": "finish", "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert "transition" in response.json()


@pytest.mark.django_db
def test_transition_without_a_version_is_400(psd_lead_a, action_a):
    response = api_client(psd_lead_a).post(transition_url(action_a), {"transition": "start"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()


@pytest.mark.django_db
def test_stale_version_is_409(psd_lead_a, colleague_a, action_a):
    workflow.transition(action_a, "start", by=colleague_a)
    response = api_client(psd_lead_a).post(
        transition_url(action_a), {"transition": "complete", "text": "Done.", "version": 1}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["detail"].startswith("This action was changed by Colin Cole on ")
    assert response.json()["current_version"] == 2
    action_a.refresh_from_db()
    assert (action_a.status, action_a.version) == (Action.Status.IN_PROGRESS, 2)


@pytest.mark.django_db
def test_reviewer_cannot_start_an_action(reviewer, action_a):
    response = api_client(reviewer).post(transition_url(action_a), {"transition": "start", "version": 1}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the force's PSD lead can mark as being progressed."


@pytest.mark.django_db
def test_psd_lead_cannot_verify(psd_lead_a, action_a):
    Action.objects.filter(pk=action_a.pk).update(status=Action.Status.COMPLETED)
    response = api_client(psd_lead_a).post(
        transition_url(action_a), {"transition": "verify", "version": 1}, format="json"
    )
    assert response.status_code == 403
    action_a.refresh_from_db()
    assert action_a.status == Action.Status.COMPLETED


@pytest.mark.django_db
def test_reviewer_verifies(reviewer, action_a):
    Action.objects.filter(pk=action_a.pk).update(status=Action.Status.COMPLETED)
    response = api_client(reviewer).post(transition_url(action_a), {"transition": "verify", "version": 1})
    assert response.status_code == 200
    assert response.json()["status_label"] == "Complete – authorised for closure"


@pytest.mark.django_db
def test_get_on_transition_is_405(psd_lead_a, action_a):
    assert api_client(psd_lead_a).get(transition_url(action_a)).status_code == 405


@pytest.mark.django_db
def test_the_read_only_endpoints_refuse_writes(reviewer, action_a):
    client = api_client(reviewer)
    assert client.post(reverse("api:action-list"), {}).status_code == 405
    assert client.patch(reverse("api:action-detail", args=[action_a.pk]), {"status": "verified"}).status_code == 405
    assert client.delete(reverse("api:action-detail", args=[action_a.pk])).status_code == 405
    action_a.refresh_from_db()
    assert action_a.status == Action.Status.NOT_STARTED


# History


@pytest.mark.django_db
def test_history_lists_who_changed_what_and_why(psd_lead_a, reviewer, action_a):
    workflow.transition(action_a, "start", by=psd_lead_a)
    workflow.transition(action_a, "complete", by=psd_lead_a, text="All staff briefed.")
    workflow.transition(action_a, "reopen", by=reviewer, text="No evidence of the briefing.")
    response = api_client(psd_lead_a).get(reverse("api:action-history", args=[action_a.pk]))
    assert response.status_code == 200
    rows = response.json()
    assert [(r["kind"], r["status"], r["version"]) for r in rows] == [
        ("created", "not_started", 1),
        ("changed", "in_progress", 2),
        ("changed", "completed", 3),
        ("changed", "in_progress", 4),
    ]
    assert rows[0]["changes"] == []
    assert rows[1]["who"] == "Alice Ashby"
    assert {"field": "status", "old": "not_started", "new": "in_progress"} in rows[1]["changes"]
    assert rows[3]["who"] == "Rita Reviewer"
    assert rows[3]["reason"] == "Reopen: No evidence of the briefing."
    assert rows[3]["status_label"] == "Being progressed"
    assert {"field": "status", "old": "completed", "new": "in_progress"} in rows[3]["changes"]
    assert all(change["field"] != "version" for row in rows for change in row["changes"])


# Schema and docs


@pytest.mark.django_db
def test_schema_is_valid_openapi(reviewer):
    response = api_client(reviewer).get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert {"/api/actions/", "/api/actions/{id}/history/", "/api/actions/{id}/transition/"} <= set(schema["paths"])
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


def test_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


@pytest.mark.django_db
def test_docs_page_loads_nothing_from_elsewhere(client, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "//cdn" not in html and "https://" not in html and "http://" not in html
    inline_style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(inline_style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in page["Content-Security-Policy"]
    assert "unsafe-inline" not in page["Content-Security-Policy"].split("style-src ")[1].split(";")[0]
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert reverse("api:schema") in script.content.decode()


# The token page


@pytest.mark.django_db
def test_token_page_needs_sign_in(client):
    response = client.get(reverse("api:token"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = client.post(reverse("api:token_regenerate"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_token_page_creates_a_token_on_post_only(client, psd_lead_a):
    client.force_login(psd_lead_a)
    page = client.get(reverse("api:token"))
    assert page.status_code == 200
    assert b"Create a token" in page.content
    assert not Token.objects.exists()
    response = client.post(reverse("api:token_regenerate"))
    assert response.status_code == 302 and response["Location"] == reverse("api:token")
    token = Token.objects.get(user=psd_lead_a)
    assert token.key.encode() in client.get(reverse("api:token")).content


@pytest.mark.django_db
def test_regenerating_stops_the_old_token_working(client, psd_lead_a, action_a):
    old = api_client(psd_lead_a)
    assert old.get(reverse("api:action-list")).status_code == 200
    client.force_login(psd_lead_a)
    client.post(reverse("api:token_regenerate"))
    assert old.get(reverse("api:action-list")).status_code == 401
    assert api_client(psd_lead_a).get(reverse("api:action-list")).status_code == 200


@pytest.mark.django_db
def test_get_on_regenerate_is_405(client, psd_lead_a):
    client.force_login(psd_lead_a)
    assert client.get(reverse("api:token_regenerate")).status_code == 405
    assert client.post(reverse("api:token")).status_code == 405
    assert not Token.objects.exists()


def test_a_theme_id_too_large_for_the_database_is_refused_not_a_server_error(action_a, reviewer):
    response = api_client(reviewer).get(reverse("api:recommendation-list"), {"theme": str(2**70)})
    assert response.status_code == 400


@pytest.mark.django_db
def test_an_answer_to_a_token_is_kept_by_no_cache(psd_lead_a, action_a):
    response = api_client(psd_lead_a).get(reverse("api:action-detail", args=[action_a.pk]))
    assert response.status_code == 200
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
