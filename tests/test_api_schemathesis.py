"""
Schemathesis: requests generated from the API's served OpenAPI schema never get a server error.

The schema is loaded from the WSGI app with a reviewer's token, as a client would. Each GET operation is
one test, run with valid and with invalid inputs. The operations are listed at collection time from
drf-spectacular's generator (the served schema is checked to have exactly these); schemathesis's own
pytest loader is not used because its lazy-fixture mode does not run under pytest 9.2.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from config.wsgi import application
from tests.factories import ActionFactory, ExtensionRequestFactory, RecommendationFactory, ReportFactory
from tracker import workflow
from tracker.models import Theme

GET_PATHS = sorted(
    path for path, item in SchemaGenerator().get_schema(request=None, public=True)["paths"].items() if "get" in item
)


@pytest.fixture
def reviewer_token(reviewer) -> str:
    return Token.objects.create(user=reviewer).key


@pytest.fixture
def api_data(force_a, force_b, psd_lead_a, reviewer):
    """Give the lists something to show: two forces' reports, a theme, actions in several states with history."""
    theme = Theme.objects.create(title="Gifts and hospitality", canonical_wording="Publish the register.")
    for force in (force_a, force_b):
        report = ReportFactory(subject_force=force)
        for number in range(1, 4):
            recommendation = RecommendationFactory(report=report, number=number, theme=theme, is_priority=number == 1)
            ActionFactory(
                recommendation=recommendation,
                force=force,
                owner=psd_lead_a if force == force_a else None,
            )
    action = ActionFactory(recommendation__report__subject_force=force_a, force=force_a)
    workflow.transition(action, "start", by=psd_lead_a)
    workflow.transition(action, "complete", by=psd_lead_a, text="Policy published.")
    ExtensionRequestFactory(action=ActionFactory(force=force_a), requested_by=psd_lead_a)


@pytest.fixture
def wsgi_app(settings):
    """Return the project's WSGI app, made safe to call inside a test's transaction."""
    # Schemathesis's WSGI client sends "Host: localhost".
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    # Each request's start and end would close the database connection (and with it the test's
    # transaction on PostgreSQL); Django's own test client unhooks this the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app, reviewer_token, api_data):
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", wsgi_app, headers={"Authorization": f"Token {reviewer_token}"}
    )


@pytest.mark.django_db
def test_served_schema_has_the_operations_under_test(api_schema):
    served = {label.split(" ", 1)[1] for label in (op.ok().label for op in api_schema.get_all_operations())}
    assert set(GET_PATHS) <= served
    assert GET_PATHS, "no GET operations found"


@pytest.mark.django_db
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize("path", GET_PATHS)
def test_get_operation_never_fails(api_schema, reviewer_token, path, mode):
    operation = api_schema[path]["GET"]

    @given(case=operation.as_strategy(generation_mode=mode))
    # The profile's settings (tests/conftest.py), at two fifths of its examples: 20 a path and mode under "ci".
    @settings(max_examples=max(1, settings.default.max_examples * 2 // 5), suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(headers={"Authorization": f"Token {reviewer_token}"}, checks=[not_a_server_error])

    run()
