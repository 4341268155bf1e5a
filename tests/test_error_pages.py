"""
Error pages (400, 403, 404, 500 and the CSRF refusal) in the site's layout, with the reason and a way back.

The suite runs with DEBUG off, so these are the pages users see.
"""

import re

import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError, connection
from django.template import loader
from django.urls import path, reverse
from rest_framework.authtoken.models import Token

import config.urls
from tests.factories import ActionFactory
from tracker.models import User


def _needs_the_database(request):
    User.objects.count()  # raises while the database is unavailable


def _raises(request, kind: str):
    raise RAISED[kind]


def _vendor_unavailable() -> OperationalError:
    """What the database driver raises when it cannot reach the database, on this leg's database."""
    if connection.vendor == "sqlite":
        return OperationalError("database is locked")
    return OperationalError(
        'connection failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused'
    )


RAISED = {
    "unavailable": None,  # set per test: _vendor_unavailable()
    "closed": InterfaceError("connection already closed"),
    "wrong-query": OperationalError("no such table: tracker_nothing"),
    "bug": ValueError("a bug"),
}

# This module is the URLconf of the 500 and 503 tests: the site's pages, its error handlers, and pages that fail.
urlpatterns = [
    path("needs-the-database/", _needs_the_database),
    path("raises/<str:kind>/", _raises),
    *config.urls.urlpatterns,
]
handler404 = config.urls.handler404
handler500 = config.urls.handler500


def _main(response) -> str:
    """Return the page's <main> element, where the error is explained."""
    return re.search(r"<main.*?</main>", response.content.decode(), re.DOTALL).group()


def _in_the_layout(response) -> bool:
    body = response.content.decode()
    return 'class="govuk-template"' in body and "govuk-footer" in body and "dist/app.css" in body


@pytest.mark.django_db
def test_refused_page_says_why_in_the_layout_with_the_navigation(client, psd_lead_a):
    client.force_login(psd_lead_a)
    response = client.get(reverse("tracker:dashboard"))
    assert response.status_code == 403
    assert _in_the_layout(response)
    assert '<p class="govuk-body" id="error-reason">Only HMIC reviewers can see this page.</p>' in _main(response)
    body = response.content.decode()
    assert 'href="/actions/mine/">' in body and "Signed in as" in body  # the service navigation
    assert f'<a class="govuk-link" href="{reverse("tracker:home")}">Go to your start page</a>' in _main(response)


@pytest.mark.django_db
def test_another_forces_action_is_the_same_not_found_as_one_that_does_not_exist(client, force_b, psd_lead_a):
    hidden = ActionFactory(
        recommendation__report__subject_force=force_b,
        recommendation__report__title="Leicestershire integrity inspection",
        recommendation__text="The force should vet its call handlers again.",
    )
    client.force_login(psd_lead_a)
    for_hidden = client.get(reverse("tracker:action", args=[hidden.pk]))
    for_missing = client.get(reverse("tracker:action", args=[hidden.pk + 1000]))
    assert for_hidden.status_code == for_missing.status_code == 404
    assert _main(for_hidden) == _main(for_missing)
    assert '<p class="govuk-body" id="error-reason">No action found.</p>' in _main(for_hidden)
    body = for_hidden.content.decode()
    for secret in ["Leicestershire", "integrity inspection", "call handlers"]:
        assert secret not in body
    assert _in_the_layout(for_hidden) and "Signed in as" in body


@pytest.mark.django_db
def test_an_address_no_page_answers_is_not_found_with_a_way_to_sign_in(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    main = _main(response)
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in main
    assert 'id="error-reason"' not in main and "Resolver404" not in main
    assert f'<a class="govuk-link" href="{reverse("login")}">Sign in</a>' in main
    assert _in_the_layout(response)


@pytest.mark.django_db
def test_an_unknown_download_format_says_so(client, psd_lead_a):
    client.force_login(psd_lead_a)
    response = client.get(reverse("tracker:action_export", args=["pdf"]))
    assert response.status_code == 404
    assert '<p class="govuk-body" id="error-reason">No such format.</p>' in _main(response)


@pytest.mark.django_db
def test_a_request_the_site_cannot_read_gets_the_bad_request_page(client):
    response = client.get(reverse("login"), HTTP_HOST="evil.example")  # not an allowed host
    assert response.status_code == 400
    assert "Sorry, the request could not be understood" in _main(response)
    assert "evil.example" not in response.content.decode()
    assert _in_the_layout(response)


@pytest.mark.django_db
def test_a_form_sent_without_its_csrf_token_explains_and_changes_nothing(client, psd_lead_a):
    client.force_login(psd_lead_a)
    client.get(reverse("api:token"))  # the page sets the CSRF cookie
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("api:token_regenerate"))
    assert response.status_code == 403
    assert (
        '<p class="govuk-body" id="error-reason">Your session may have expired, or the page was open from before '
        "you last signed in. Go back, reload the page and try again.</p>"
    ) in _main(response)
    assert "Nothing was changed." in _main(response)
    assert "cookie" not in _main(response)
    assert _in_the_layout(response) and "Signed in as" in response.content.decode()
    assert not Token.objects.filter(user=psd_lead_a).exists()


@pytest.mark.django_db
def test_a_form_sent_without_the_csrf_cookie_asks_for_cookies(client, psd_lead_a):
    client.force_login(psd_lead_a)
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("api:token_regenerate"))
    assert response.status_code == 403
    assert "Allow cookies for this site, then try again." in _main(response)


@pytest.mark.urls("tests.test_error_pages")
@pytest.mark.django_db
def test_a_server_error_is_shown_in_the_layout_with_the_database_unavailable(client, psd_lead_a, django_db_blocker):
    client.force_login(psd_lead_a)
    client.raise_request_exception = False
    with django_db_blocker.block():
        response = client.get("/needs-the-database/")
    assert response.status_code == 500
    main = _main(response)
    assert '<p class="govuk-body" id="error-reason">Something went wrong on our side. Try again later.</p>' in main
    assert f'<a class="govuk-link" href="{reverse("tracker:home")}">Go to the start page</a>' in main
    assert _in_the_layout(response)


def test_the_server_error_page_needs_no_context():
    html = loader.get_template("500.html").render()
    assert "Sorry, there is a problem with the service" in html and "Go to the start page" in html


# The database unavailable for a moment (a restart, a fail-over): 503, try again


@pytest.fixture
def failing(client, psd_lead_a, monkeypatch):
    monkeypatch.setitem(RAISED, "unavailable", _vendor_unavailable())
    client.force_login(psd_lead_a)
    client.raise_request_exception = False
    return client


@pytest.mark.urls("tests.test_error_pages")
@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["unavailable", "closed"])
def test_a_database_that_cannot_be_reached_gets_try_again_in_a_minute(failing, kind):
    response = failing.get(f"/raises/{kind}/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    main = _main(response)
    assert "The tracker cannot reach its database just now. Try again in a minute." in main
    assert "Traceback" not in response.content.decode() and _in_the_layout(response)


@pytest.mark.urls("tests.test_error_pages")
@pytest.mark.django_db
def test_a_form_sent_while_the_database_cannot_be_reached_says_to_check_and_send_again(failing):
    response = failing.post("/raises/unavailable/", {"text": "Briefing booked"})
    assert response.status_code == 503
    assert "it was almost certainly not saved, and never half saved" in _main(response)


@pytest.mark.urls("tests.test_error_pages")
@pytest.mark.django_db
def test_the_database_failing_before_the_view_while_reading_the_session_is_503_too(failing, monkeypatch):
    from django.contrib.sessions.backends.db import SessionStore

    def unavailable(self):
        raise _vendor_unavailable()

    monkeypatch.setattr(SessionStore, "load", unavailable)
    response = failing.get(reverse("tracker:home"))
    assert response.status_code == 503 and response["Retry-After"] == "30"


@pytest.mark.urls("tests.test_error_pages")
@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["wrong-query", "bug"])
def test_any_other_failure_is_the_server_error_page_not_try_again(failing, kind, monkeypatch):
    if connection.vendor != "sqlite":  # PostgreSQL calls a wrong query ProgrammingError, never OperationalError
        monkeypatch.setitem(RAISED, "wrong-query", ProgrammingError('relation "tracker_nothing" does not exist'))
    response = failing.get(f"/raises/{kind}/")
    assert response.status_code == 500 and not response.has_header("Retry-After")
    assert "Something went wrong on our side. Try again later." in _main(response)


def test_the_try_again_page_needs_no_context():
    html = loader.get_template("503.html").render()
    assert "Sorry, the service is unavailable for a moment" in html and "Go to the start page" in html
