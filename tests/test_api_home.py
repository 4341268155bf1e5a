"""/api/: a page in the site's layout for a browser, the API's JSON index for programs (unchanged)."""

import pytest
from django.urls import reverse

from tests.test_api import api_client

pytestmark = pytest.mark.django_db

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
JSON_INDEX = {
    "reports": "http://testserver/api/reports/",
    "recommendations": "http://testserver/api/recommendations/",
    "actions": "http://testserver/api/actions/",
}


def test_a_browser_gets_a_page_linking_the_docs_and_the_token_page(client, psd_lead_a):
    client.force_login(psd_lead_a)
    response = client.get(reverse("api:api-root"), HTTP_ACCEPT=BROWSER)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Accept" in response["Vary"]
    body = response.content.decode()
    assert '<h1 class="govuk-heading-l">Recommendation Tracker API</h1>' in body
    assert f'<a class="govuk-link" href="{reverse("api:docs")}">API documentation</a>' in body
    assert f'<a class="govuk-link" href="{reverse("api:token")}">Your API token</a>' in body
    assert f'<a class="govuk-link" href="{reverse("tracker:home")}">Back to the tracker</a>' in body
    assert 'href="/actions/mine/">' in body and "Signed in as" in body  # the service navigation
    assert '/api/actions/?overdue=true"</code>' in body  # the curl example, with the site's address


def test_a_browser_not_signed_in_is_sent_to_sign_in(client):
    response = client.get(reverse("api:api-root"), HTTP_ACCEPT=BROWSER)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/api/"


@pytest.mark.parametrize("accept", [None, "application/json", "*/*", "application/json, text/plain, */*"])
def test_a_program_still_gets_the_json_index(psd_lead_a, accept):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = api_client(psd_lead_a).get(reverse("api:api-root"), **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == JSON_INDEX
    assert "Accept" in response["Vary"]


def test_a_signed_in_browser_session_asking_for_json_gets_json(client, psd_lead_a):
    client.force_login(psd_lead_a)
    response = client.get(reverse("api:api-root"), HTTP_ACCEPT="application/json")
    assert response.json() == JSON_INDEX


def test_a_program_not_signed_in_is_still_refused_with_401(client):
    response = client.get(reverse("api:api-root"), HTTP_ACCEPT="application/json")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"


def test_a_post_from_a_browser_is_not_allowed_and_gets_no_page(client, psd_lead_a):
    client.force_login(psd_lead_a)
    response = client.post(reverse("api:api-root"), HTTP_ACCEPT=BROWSER)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
