"""
Every URL the project serves × every role × GET and POST, against a table of expected outcomes.

The URLs come from the resolver, not from a list: a new URL that is not in MATRIX fails
test_every_url_is_in_the_matrix (and its own case) with its name. Admin URLs are staff only (everyone
else is sent to the admin's sign-in page); what the admin user gets from each is in ADMIN_AS_ADMIN, and
the sign-in, history and delete exceptions are written out in ADMIN_EXCEPTIONS.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.factories import ActionFactory, ExtensionRequestFactory, RecommendationFactory, ReportFactory
from tracker import workflow
from tracker.models import Action

ROLES = ("anonymous", "psd_lead_a", "psd_lead_b", "reviewer", "admin", "commissioner_a")
METHODS = ("GET", "POST")
LOGIN = "login"  # 302 to the sign-in page
ADMIN_LOGIN = "admin login"  # 302 to the admin's sign-in page


def _row(*outcomes):
    assert len(outcomes) == len(ROLES)
    return dict(zip(ROLES, outcomes, strict=True))


def _both(get, post):
    return {"GET": _row(*get), "POST": _row(*post)}


L = LOGIN
ANY_USER_GET = _both((L, 200, 200, 200, 200, 200), (L, 405, 405, 405, 405, 405))
REVIEWER_GET = _both((L, 403, 403, 200, 200, 403), (L, 403, 403, 405, 405, 403))
REVIEWER_POST = _both((L, 403, 403, 405, 405, 403), (L, 403, 403, 302, 302, 403))
PUBLIC_GET = _both((200, 200, 200, 200, 200, 200), (405, 405, 405, 405, 405, 405))
API_GET = _both((401, 200, 200, 200, 200, 200), (401, 405, 405, 405, 405, 405))
API_FORCE_A_GET = _both((401, 200, 404, 200, 200, 200), (401, 405, 405, 405, 405, 405))
# The action, report, force and evidence of force A: force B's PSD lead gets 404, as if it did not exist.
FORCE_A_GET = _both((L, 200, 404, 200, 200, 200), (L, 405, 405, 405, 405, 405))

ADMIN_FORM = _both((L, 403, 403, 403, 405, 403), (L, 403, 403, 403, 400, 403))
ADMIN_BUTTON = _both((L, 403, 403, 403, 405, 403), (L, 403, 403, 403, 302, 403))

# url name: {method: {role: expected}}. An int is the status code; LOGIN is a redirect to sign in.
MATRIX: dict[str, dict[str, dict[str, int | str]]] = {
    "login": _both((200, 302, 302, 302, 302, 302), (200, 302, 302, 302, 302, 302)),
    "logout": _both((405, 405, 405, 405, 405, 405), (302, 302, 302, 302, 302, 302)),
    # Single sign-on, for anyone: a GET goes to the sign-in page; the matrix's provider does not answer (403 and
    # why), and a callback with no sign-in under way is refused (tests/test_single_sign_on.py signs in for real).
    "openid_connect_login": _both((302, 302, 302, 302, 302, 302), (403, 403, 403, 403, 403, 403)),
    "openid_connect_callback": _both((403, 403, 403, 403, 403, 403), (403, 403, 403, 403, 403, 403)),
    # Two-factor authentication (tests/test_two_factor.py goes through it): the code page with no password typed
    # first is the sign-in page; anyone with a password may set up an app (posted empty: the form again); with
    # none set up, recovery codes go back to the account page, and turning it off is refused to reviewers and
    # admins (the matrix's users have none, so a PSD lead's turning off goes back to the account page).
    "two_factor_code": _both((L,) * 6, (L,) * 6),
    "tracker:two_factor_set_up": _both((L, 200, 200, 200, 200, 200), (L, 200, 200, 200, 200, 200)),
    "tracker:recovery_codes": _both((L, 302, 302, 302, 302, 302), (L, 302, 302, 302, 302, 302)),
    "tracker:two_factor_off": _both((L, 405, 405, 405, 405, 405), (L, 302, 302, 302, 302, 302)),
    # The admin's sign-in page is the tracker's: the admin goes on to the admin, anyone else signed in is refused.
    "admin_sign_in": _both((L, 403, 403, 403, 302, 403), (L, 403, 403, 403, 302, 403)),
    "tracker:home": _both((L, 302, 302, 302, 302, 302), (L, 405, 405, 405, 405, 405)),
    "tracker:dashboard": REVIEWER_GET,
    "tracker:review_queue": REVIEWER_GET,
    "tracker:force": FORCE_A_GET,
    "tracker:action_list": ANY_USER_GET,
    "tracker:overdue": ANY_USER_GET,
    "tracker:upcoming": ANY_USER_GET,
    "tracker:my_actions": ANY_USER_GET,
    "tracker:action": FORCE_A_GET,
    # Only the force's PSD lead may start an action; a reviewer may see it but not start it.
    "tracker:action_transition": _both((L, 405, 405, 405, 405, 405), (L, 302, 404, 403, 403, 403)),
    "tracker:action_add_note": _both((L, 405, 405, 405, 405, 405), (L, 302, 404, 302, 302, 403)),
    "tracker:action_set_owner": _both((L, 405, 405, 405, 405, 405), (L, 302, 404, 302, 302, 403)),
    "tracker:action_request_extension": _both((L, 405, 405, 405, 405, 405), (L, 302, 404, 403, 403, 403)),
    "tracker:extension_decide": _both((L, 405, 405, 405, 405, 405), (L, 403, 404, 302, 302, 403)),
    "tracker:evidence": FORCE_A_GET,
    "tracker:report_list": ANY_USER_GET,
    "tracker:report": FORCE_A_GET,
    # The commissioner's response to report A: its commissioner's office writes it; its PSD lead writes the chief
    # officer's comments once invited (not yet in this world: refused, 400); reviewers read it.
    "tracker:report_response": FORCE_A_GET,
    # Not published in this world: a draft's words are its commissioner's office's alone.
    "tracker:response_print": _both((L, 404, 404, 404, 404, 200), (L, 405, 405, 405, 405, 405)),
    "tracker:response_download": _both((L, 404, 404, 404, 404, 200), (L, 405, 405, 405, 405, 405)),
    "tracker:response_invite": _both((L, 405, 405, 405, 405, 405), (L, 403, 404, 403, 403, 302)),
    "tracker:response_chief_officer_comments": _both((L, 405, 405, 405, 405, 405), (L, 400, 404, 403, 403, 403)),
    "tracker:response_save": _both((L, 405, 405, 405, 405, 405), (L, 403, 404, 403, 403, 302)),
    "tracker:action_export": ANY_USER_GET,
    # A force's actions in Excel and back: PSD leads only (each gets their own force's); posted empty, the upload
    # is refused (400) and the apply sends back to the page (302).
    "tracker:workbook": _both((L, 200, 200, 403, 403, 403), (L, 405, 405, 403, 403, 403)),
    "tracker:workbook_download": _both((L, 200, 200, 403, 403, 403), (L, 405, 405, 403, 403, 403)),
    "tracker:workbook_upload": _both((L, 405, 405, 403, 403, 403), (L, 400, 400, 403, 403, 403)),
    "tracker:workbook_apply": _both((L, 405, 405, 403, 403, 403), (L, 302, 302, 403, 403, 403)),
    "tracker:calendar": ANY_USER_GET,
    # The user's own account and sign-in log; signing out everywhere ends the client's session (302 to sign in).
    "tracker:account": ANY_USER_GET,
    "tracker:sign_out_everywhere": _both((L, 405, 405, 405, 405, 405), (L, 302, 302, 302, 302, 302)),
    # How long an idle session has left: anyone may ask (the answer to someone signed out is "signed out"); the
    # page's "Stay signed in" posted without its script goes back to the page (302).
    "tracker:session_status": _both((200, 200, 200, 200, 200, 200), (200, 302, 302, 302, 302, 302)),
    # The People pages: an admin's only (tests/test_people.py). Posted empty, a form is drawn again with its errors
    # (400); a button goes back to the person's page, saying what it did or why not (302).
    "tracker:people": _both((L, 403, 403, 403, 200, 403), (L, 403, 403, 403, 405, 403)),
    "tracker:person_invite": _both((L, 403, 403, 403, 200, 403), (L, 403, 403, 403, 400, 403)),
    "tracker:person": _both((L, 403, 403, 403, 200, 403), (L, 403, 403, 403, 405, 403)),
    "tracker:person_access": ADMIN_FORM,
    "tracker:person_deactivate": ADMIN_FORM,
    "tracker:person_reactivate": ADMIN_FORM,
    "tracker:person_invite_again": ADMIN_BUTTON,
    "tracker:person_cancel_invitation": ADMIN_BUTTON,
    "tracker:person_sign_out_everywhere": ADMIN_BUTTON,
    "tracker:person_reset_two_factor": ADMIN_BUTTON,
    "tracker:person_unlock": ADMIN_BUTTON,
    # An invitation's link, for anyone: the matrix's token is no invitation's (410, and why).
    "invitation": _both((410,) * 6, (410,) * 6),
    "tracker:calendar_regenerate": _both((L, 405, 405, 405, 405, 405), (L, 302, 302, 302, 302, 302)),
    # No sign-in: the secret token in the address (psd_lead_a's) is the key, whoever holds it.
    "tracker:calendar_feed": _both((200, 200, 200, 200, 200, 200), (405, 405, 405, 405, 405, 405)),
    "tracker:theme_list": REVIEWER_GET,
    "tracker:theme_export": REVIEWER_GET,
    "tracker:theme": REVIEWER_GET,
    "tracker:theme_rename": _both((L, 403, 403, 405, 405, 403), (L, 403, 403, 302, 302, 403)),
    "tracker:theme_confirm": _both((L, 403, 403, 405, 405, 403), (L, 403, 403, 302, 302, 403)),
    "tracker:theme_merge": _both((L, 403, 403, 405, 405, 403), (L, 403, 403, 302, 302, 403)),
    # Posted empty, so the form is refused (400) once the reviewer is let in.
    "tracker:theme_split": _both((L, 403, 403, 405, 405, 403), (L, 403, 403, 400, 400, 403)),
    "tracker:figures": REVIEWER_GET,
    "tracker:trends": ANY_USER_GET,
    # The force's own confidence rating: its PSD lead only.
    "tracker:action_set_rag": _both((L, 405, 405, 405, 405, 405), (L, 302, 404, 403, 403, 403)),
    # A reviewer's re-check; force A's action has no check-again date, so a reviewer's is refused by the rules.
    "tracker:action_confirm_recheck": _both((L, 405, 405, 405, 405, 405), (L, 403, 404, 400, 400, 403)),
    "tracker:action_set_publishable": REVIEWER_POST,
    "tracker:report_set_publishable": REVIEWER_POST,
    "tracker:recommendation_set_priority": REVIEWER_POST,
    "tracker:actions_bulk": REVIEWER_POST,
    "tracker:action_link_recurrence": REVIEWER_POST,
    # The public register: anyone, read-only, published items only (the world's report is published).
    "tracker:register": PUBLIC_GET,
    "tracker:register_export": PUBLIC_GET,
    "tracker:register_report": PUBLIC_GET,
    "tracker:register_action": PUBLIC_GET,
    # Report A's commissioner's response is not published in this world: not on the register.
    "tracker:register_response": _both((404,) * 6, (405,) * 6),
    "tracker:register_response_download": _both((404,) * 6, (405,) * 6),
    # The API: token or session; no sign-in is 401, another force's object 404, a read-only endpoint 405.
    "api:api-root": API_GET,
    "api:schema": API_GET,
    "api:docs": API_GET,
    "api:report-list": API_GET,
    "api:recommendation-list": API_GET,
    "api:action-list": API_GET,
    "api:report-detail": API_FORCE_A_GET,
    "api:recommendation-detail": API_FORCE_A_GET,
    "api:action-detail": API_FORCE_A_GET,
    "api:action-history": API_FORCE_A_GET,
    "api:action-transition": _both((401, 405, 405, 405, 405, 405), (401, 200, 404, 403, 403, 403)),
    "api:action-recheck": _both((401, 405, 405, 405, 405, 405), (401, 403, 404, 400, 400, 403)),
    "api:token": ANY_USER_GET,
    "api:token_regenerate": _both((L, 405, 405, 405, 405, 405), (L, 302, 302, 302, 302, 302)),
}


def _admin_only(get, post):
    """What the admin gets by GET and POST; everyone else is sent to the admin's sign-in page."""
    return _both((ADMIN_LOGIN,) * 4 + (get, ADMIN_LOGIN), (ADMIN_LOGIN,) * 4 + (post, ADMIN_LOGIN))


ADMIN_NAMESPACE = "admin"
NON_STAFF = ("anonymous", "psd_lead_a", "psd_lead_b", "reviewer", "commissioner_a")
ADMIN_EXCEPTIONS: dict[str, dict[str, dict[str, int | str]]] = {
    # Shadowed by the tracker's admin_sign_in (config/urls.py), which answers at its address.
    "admin:login": _both((L, 403, 403, 403, 302, 403), (L, 403, 403, 403, 302, 403)),
    # Django sends anyone who is not staff from the admin's sign-out to the admin index (302).
    "admin:logout": _both((302, 302, 302, 302, 405, 302), (302, 302, 302, 302, 302, 302)),
    # History is append-only: a past version can be shown, never written back.
    "admin:tracker_action_simple_history": _admin_only(200, 403),
    "admin:tracker_recommendation_simple_history": _admin_only(200, 403),
    "admin:tracker_extensionrequest_simple_history": _admin_only(200, 403),
    "admin:tracker_user_simple_history": _admin_only(200, 403),
    "admin:tracker_identityprovider_simple_history": _admin_only(200, 403),
    # Notes and extension requests are part of an action's history: not deletable or editable in the admin.
    "admin:tracker_progressnote_delete": _admin_only(403, 403),
    "admin:tracker_extensionrequest_delete": _admin_only(403, 403),
    # The action used here has notes and history, so it cannot be deleted.
    "admin:tracker_action_delete": _admin_only(403, 403),
}


PAGE = (200, 200)  # a page by GET; a POST without data draws the form again with its errors
READ_ONLY = (403, 403)  # the admin offers no way to add a row of this model


def _model_pages(app_model: str, *, add=PAGE, change=PAGE, delete=PAGE) -> dict[str, tuple[int, int]]:
    """The admin's pages for one model, as the admin user gets them (GET, POST) for a row that exists."""
    app, model = app_model.split("_", 1)
    pages = {
        f"admin:{app_model}_changelist": PAGE,
        f"admin:{app_model}_add": add,
        f"admin:{app_model}_history": PAGE,
        f"admin:{app_model}_change": change,
        f"admin:{app_model}_delete": delete,
        # The object's bare address sends the admin on to its change page.
        f"admin/{app}/{model}/<path:object_id>/": (302, 302),
    }
    return {key: outcome for key, outcome in pages.items() if outcome is not None}


# What the admin user gets (GET, POST) from every admin URL not in ADMIN_EXCEPTIONS. Everyone else is sent
# to the admin's sign-in page. A new admin URL that is not here fails test_every_url_is_in_the_matrix.
ADMIN_AS_ADMIN: dict[str, tuple[int, int]] = {
    "admin:index": PAGE,
    "admin:app_list": PAGE,
    "admin:password_change": PAGE,
    "admin:password_change_done": (200, 405),
    "admin:jsi18n": (200, 405),
    "admin:autocomplete": (403, 405),  # no model or field named: refused
    "admin:view_on_site": (302, 302),  # to the action's own page
    "admin/(?P<url>.*)$": (404, 404),  # the catch-all, for an address the admin does not have
    **_model_pages("auth_group"),
    **_model_pages("authtoken_tokenproxy"),
    # Sign-in attempts are written by django-axes only: shown, never added; saving changes nothing (302).
    **_model_pages("axes_accessattempt", add=READ_ONLY, change=(200, 302)),
    **_model_pages("axes_accesslog", add=READ_ONLY, change=(200, 302)),
    **_model_pages("axes_accessfailurelog", add=READ_ONLY, change=(200, 302)),
    **_model_pages("tracker_force"),
    **_model_pages("tracker_user"),
    # Identity providers come from the environment: none added here, a configured one not deleted.
    **_model_pages("tracker_identityprovider", add=READ_ONLY, delete=READ_ONLY),
    "admin:auth_user_password_change": PAGE,
    **_model_pages("tracker_report"),
    "admin:tracker_report_import": PAGE,
    # The import's later steps take the previous step's POST only; without its data they go back to the start.
    "admin:tracker_report_import_review": (405, 302),
    "admin:tracker_report_import_confirm": (405, 302),
    "admin:tracker_report_import_download": (405, 302),
    # What an import loaded: a page to read, after the confirm's redirect.
    "admin:tracker_report_imported": (200, 405),
    **_model_pages("tracker_recommendation"),
    # Saving an action's admin page without data changes nothing and goes back to the list.
    **_model_pages("tracker_action", change=(200, 302), delete=None),
    # Notes, extension requests and reminder logs are records: shown, never added or edited in the admin.
    **_model_pages("tracker_progressnote", add=READ_ONLY, change=(200, 403), delete=None),
    **_model_pages("tracker_extensionrequest", add=READ_ONLY, change=(200, 403), delete=None),
    **_model_pages("tracker_reminderlog", add=READ_ONLY, change=(200, 403)),
    # The sign-in log is written by signing in and out only: shown, never added, edited or deleted.
    **_model_pages("tracker_signinevent", add=READ_ONLY, change=(200, 403), delete=READ_ONLY),
}


@dataclass(frozen=True)
class Url:
    key: str  # "namespace:name", or the route for an unnamed pattern
    route: str
    namespace: str
    name: str | None
    params: tuple[str, ...]


def _walk(patterns, prefix: str = "", namespace: str = "") -> list[Url]:
    urls = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace])) if entry.namespace else namespace
            urls += _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            regex = entry.pattern.regex
            # django-simple-history's version page uses unnamed groups: (object_id)/history/(version_id)/.
            params = tuple(regex.groupindex) or ("object_id", "version_id")[: regex.groups]
            key = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or route
            urls.append(Url(key, route, namespace, entry.name, params))
    return urls


def all_urls() -> list[Url]:
    """Return every URL pattern the project serves, from the root URLconf."""
    return _walk(get_resolver().url_patterns)


def is_admin(url: Url) -> bool:
    return url.namespace == ADMIN_NAMESPACE or url.route.startswith("admin/")


def expected(url: Url, method: str, role: str) -> int | str:
    """Return what `role` should get from `url` by `method`, from MATRIX or the admin rule."""
    if url.key in MATRIX:
        return MATRIX[url.key][method][role]
    if url.key in ADMIN_EXCEPTIONS:
        return ADMIN_EXCEPTIONS[url.key][method][role]
    if is_admin(url) and url.key in ADMIN_AS_ADMIN:
        return ADMIN_LOGIN if role in NON_STAFF else ADMIN_AS_ADMIN[url.key][METHODS.index(method)]
    pytest.fail(f"{url.key} ({url.route}) is not in the permission matrix: add it to MATRIX in {__file__}")


@dataclass
class World:
    users: dict[str, object]
    action: object
    other_action: object
    report: object
    note: object
    extension: object
    theme: object | None
    other_theme: object | None


# An identity provider configured for the matrix, at an address where nothing answers (the discard port).
MATRIX_PROVIDER = {
    "provider_id": "matrix-idp",
    "name": "Matrix Police",
    "client_id": "tracker",
    "secret": "secret",
    "settings": {"server_url": "http://127.0.0.1:9", "oauth_pkce_enabled": True, "email_domains": ["matrix.uk"]},
}


@pytest.fixture(autouse=True)
def identity_provider(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [MATRIX_PROVIDER]}}


@pytest.fixture
def world(force_a, force_b, psd_lead_a, psd_lead_b, reviewer, admin_user, commissioner_a) -> World:
    report = ReportFactory(slug="report-a", subject_force=force_a)
    if hasattr(report, "is_publishable"):
        report.is_publishable = True  # on the public register
        report.save()
    action = ActionFactory(recommendation=RecommendationFactory(report=report, number=1), force=force_a)
    other_action = ActionFactory(recommendation=RecommendationFactory(report=report, number=2), force=force_a)
    ActionFactory(recommendation__report__subject_force=force_b)
    note = workflow.add_note(
        action, by=psd_lead_a, text="Evidence", attachment=SimpleUploadedFile("policy.pdf", b"%PDF-1.4 test")
    )
    extension = ExtensionRequestFactory(action=other_action, requested_by=psd_lead_a)
    theme = other_theme = None
    if apps.all_models["tracker"].get("theme"):
        theme_model = apps.get_model("tracker", "Theme")
        theme = theme_model.objects.create(title="Gifts and hospitality", canonical_wording="Publish the register.")
        other_theme = theme_model.objects.create(title="Vetting", canonical_wording="Vet staff.")
        action.recommendation.theme = theme
        action.recommendation.save()
    _one_of_each_admin_model(psd_lead_a, force_a)
    users = {
        "anonymous": None,
        "psd_lead_a": psd_lead_a,
        "psd_lead_b": psd_lead_b,
        "reviewer": reviewer,
        "admin": admin_user,
        "commissioner_a": commissioner_a,
    }
    return World(users, action, other_action, report, note, extension, theme, other_theme)


def _one_of_each_admin_model(user, force) -> None:
    """Give every model in the admin a row, so that its change, delete and history pages show a real object."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from tracker.models import IdentityProvider, ReminderLog, SignInRule

    Group.objects.create(name="PSD leads")
    Token.objects.create(user=user)
    where = {"username": user.username, "ip_address": "192.0.2.1", "user_agent": "pytest"}
    AccessAttempt.objects.create(**where, failures_since_start=1)
    AccessLog.objects.create(**where)
    AccessFailureLog.objects.create(**where)
    ReminderLog.objects.create(user=user, kind=ReminderLog.Kind.DIGEST, force=force, sent_on=timezone.localdate())
    provider = IdentityProvider.objects.create(key=MATRIX_PROVIDER["provider_id"])
    SignInRule.objects.create(provider=provider, value="@matrix.uk", role=user.role, force=force)


def _admin_model(url: Url):
    """Return the model an admin URL name like tracker_action_change refers to, if any."""
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if url.name and url.name.startswith(prefix):
            return model
    return None


def url_kwargs(url: Url, world: World) -> dict[str, object]:
    """Return arguments that make `url` name real objects (all of force A)."""
    action = world.action
    recommendation, report = {"pk": action.recommendation.pk}, {"slug": world.report.slug}
    by_name = {
        "tracker:extension_decide": {"pk": world.extension.pk},
        "tracker:evidence": {"pk": world.note.pk},
        "tracker:theme": {"pk": getattr(world.theme, "pk", 0)},
        "tracker:recommendation_set_priority": recommendation,
        "api:recommendation-detail": recommendation,
        "tracker:report": report,
        "tracker:report_set_publishable": report,
        "tracker:report_response": report,
        "tracker:response_print": report,
        "tracker:response_download": report,
        "tracker:response_invite": report,
        "tracker:response_chief_officer_comments": report,
        "tracker:response_save": report,
        "tracker:register_response": report,
        "tracker:register_response_download": report,
        "tracker:register_report": report,
        "api:report-detail": report,
        # Named after auth's user model, though the admin's user is tracker.User: _admin_model cannot tell.
        "admin:auth_user_password_change": {"id": world.users["psd_lead_a"].pk},
    }
    if url.key.startswith("tracker:person") and "pk" in url.params:
        return {"pk": world.users["psd_lead_a"].pk}
    if url.key in by_name:
        return by_name[url.key]
    if url.key.startswith("tracker:theme_") and "pk" in url.params:
        return {"pk": getattr(world.theme, "pk", 0)}
    model = _admin_model(url) if is_admin(url) else None
    values: dict[str, object] = {}
    for param in url.params:
        if param == "pk":
            values[param] = action.pk
        elif param == "slug":
            values[param] = action.force.slug
        elif param == "name":
            values[param] = "start"
        elif param == "fmt":
            values[param] = "csv"
        elif param == "token":
            values[param] = world.users["psd_lead_a"].calendar_token
        elif param in ("object_id", "id"):
            values[param] = _admin_object(model, world).pk if model else action.pk
        elif param == "version_id":
            values[param] = _admin_object(model, world).history.order_by("-history_id").first().history_id
        elif param == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            values[param] = ContentType.objects.get_for_model(type(action)).pk
        elif param == "app_label":
            values[param] = "tracker"
        elif param == "url":
            values[param] = "no-such-page/"
        elif param == "provider_id":
            values[param] = MATRIX_PROVIDER["provider_id"]
        else:
            pytest.fail(f"{url.key}: no value for the URL argument {param!r}; add one in url_kwargs")
    return values


def _admin_object(model, world: World):
    preferred = {
        "action": world.action,
        "progressnote": world.note,
        "extensionrequest": world.extension,
        "report": world.report,
        "recommendation": world.action.recommendation,
        "force": world.action.force,
        "user": world.users["psd_lead_a"],
    }
    return preferred.get(model._meta.model_name) or model._default_manager.first() or world.action


def post_data(url: Url, world: World) -> dict[str, object]:
    """Return a valid submission for the tracker's POST URLs (empty for the rest)."""
    later = timezone.localdate() + datetime.timedelta(days=400)
    return {
        "tracker:action_transition": {"version": world.action.version},
        "tracker:action_add_note": {"text": "A note from the matrix"},
        "tracker:action_set_owner": {"version": world.action.version, "owner": ""},
        "tracker:action_request_extension": {"requested_due_date": f"{later:%d/%m/%Y}", "reason": "Needs more time"},
        "tracker:extension_decide": {"decision": "approve", "reason": ""},
        "tracker:theme_rename": {"title": "Renamed", "canonical_wording": "New wording."},
        "tracker:theme_merge": {"other": getattr(world.other_theme, "pk", "")},
        "tracker:action_set_rag": {"version": world.action.version, "rag": "green", "reason": "On track"},
        "tracker:action_set_publishable": {"publishable": "1"},
        "tracker:report_set_publishable": {"publishable": "0"},
        "tracker:recommendation_set_priority": {"priority": "1", "reason": "Repeated in three reports"},
        "api:action-transition": {"transition": "start", "version": world.action.version},
        "tracker:action_confirm_recheck": {"version": world.action.version, "text": "Lasted."},
        "api:action-recheck": {"version": world.action.version, "text": "Lasted."},
        "tracker:response_invite": {"version": "1", "comments_due_on": f"{later:%d/%m/%Y}"},
        "tracker:response_chief_officer_comments": {"version": "1", "text": "The chief constable's comments"},
        "tracker:response_save": {"version": "1", "commissioner_comments": "A draft"},
    }.get(url.key, {})


def address(url: Url, world: World, **replaced: object) -> str:
    """Return the address of `url` naming force A's objects, or `replaced` values for some of its arguments."""
    kwargs = {**url_kwargs(url, world), **replaced}
    if url.name:
        name = f"{url.namespace}:{url.name}" if url.namespace else url.name
        if url.key.endswith("_simple_history"):
            return reverse(name, args=list(kwargs.values()))
        return reverse(name, kwargs=kwargs)
    path = url.route.lstrip("^").rstrip("$")
    return "/" + path.replace("(?P<url>.*)", str(kwargs.get("url", "")))


def outcome_matches(response, want: int | str) -> bool:
    if want == LOGIN:
        return response.status_code == 302 and response["Location"].startswith(reverse("login"))
    if want == ADMIN_LOGIN:
        return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    return response.status_code == want


URLS = all_urls()


def test_every_url_is_in_the_matrix():
    tables = MATRIX.keys() | ADMIN_EXCEPTIONS.keys() | ADMIN_AS_ADMIN.keys()
    missing = [f"{u.key} ({u.route})" for u in URLS if u.key not in tables]
    assert not missing, "URLs missing from the permission matrix in tests/test_permission_matrix.py: " + ", ".join(
        missing
    )
    stale = tables - {u.key for u in URLS}
    assert not stale, f"The matrix names URLs that no longer exist: {sorted(stale)}"


def test_the_matrix_covers_the_admin_and_sign_in():
    keys = {u.key for u in URLS}
    assert {"login", "logout", "admin:index", "admin:tracker_action_change", "admin:tracker_report_import"} <= keys


def _clients(world: World, **options) -> dict[str, Client]:
    """Return a client for each role, signed in as its user; `options` are the clients' (Client's keywords)."""
    clients = {}
    for role in ROLES:
        clients[role] = Client(**options)
        if world.users[role] is not None:
            clients[role].force_login(world.users[role])
    return clients


def _request(client: Client, method: str, url: Url, world: World, values: dict | None = None, path: str = ""):
    """Request `url` (at `path`, else naming force A's objects) by `method` in a savepoint rolled back after:
    `values` are GET's query, or merged into a valid POST submission."""
    with transaction.atomic():
        target = path or address(url, world)
        if method == "GET":
            response = client.get(target, values or {})
        else:
            response = client.post(target, {**post_data(url, world), **(values or {})})
        transaction.set_rollback(True)
    return response


SIGN_OUTS = ("logout", "sign_out_everywhere")  # URLs that sign their client out


def _check(url: Url, world: World) -> list[str]:
    """Request `url` as every role by GET and POST, each in a rolled-back savepoint; return the mismatches."""
    failures = []
    clients = _clients(world)  # fresh for each URL: a sign-out URL signs its client out
    for method in METHODS:
        for role in ROLES:
            want = expected(url, method, role)
            response = _request(clients[role], method, url, world)
            if response.status_code >= 500 or not outcome_matches(response, want):
                location = f" → {response['Location']}" if response.has_header("Location") else ""
                failures.append(
                    f"{url.key} ({url.route}): {method} as {role}: expected {want}, got "
                    f"{response.status_code}{location}"
                )
            if url.key.endswith(SIGN_OUTS):
                clients = _clients(world)
    return failures


@pytest.mark.django_db
def test_every_url_answers_every_role_as_the_matrix_says(world):
    """One world for all URLs (each request rolled back), so the whole matrix runs in seconds."""
    failures = [failure for url in URLS for failure in _check(url, world)]
    assert not failures, f"{len(failures)} outcomes differ from the matrix:\n  " + "\n  ".join(failures)


SIGNED_IN = ("psd_lead_a", "reviewer", "admin")
# The public register: the same for everyone, published items only.
PUBLIC = ("tracker:register",)


def _kept_by_caches(url: Url, world: World, clients: dict[str, Client]) -> list[str]:
    """Return the signed-in answers of `url` (GET and POST) that a browser or proxy could keep on disk."""
    failures = []
    for method in METHODS:
        for role in SIGNED_IN:
            response = _request(clients[role], method, url, world)
            directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
            if not {"private", "no-store"} <= directives:
                failures.append(f"{url.key}: {method} as {role} ({response.status_code}): {directives or 'none'}")
    return failures


@pytest.mark.django_db
def test_no_signed_in_answer_may_be_kept_by_a_cache(world):
    """Shared police workstations: every page, export, download and API answer to a signed-in user is no-store."""
    failures = []
    for url in URLS:
        if url.key.startswith(PUBLIC) or url.key.endswith(SIGN_OUTS):
            continue
        failures += _kept_by_caches(url, world, _clients(world))
    assert not failures, "Signed-in answers without Cache-Control: private, no-store:\n  " + "\n  ".join(failures)


@pytest.mark.django_db
def test_the_public_register_keeps_its_public_caching_for_a_signed_in_visitor(world):
    client = _clients(world)["psd_lead_a"]
    # The register's pages that answer in this world (report A's commissioner's response is not published).
    for url in [u for u in URLS if u.key.startswith(PUBLIC) and expected(u, "GET", "psd_lead_a") == 200]:
        response = client.get(address(url, world))
        assert response.status_code == 200 and "public" in response["Cache-Control"], url.key
        assert "no-store" not in response["Cache-Control"], url.key


@pytest.mark.django_db
def test_calendar_feed_with_an_unknown_token_is_404(client, world):
    assert client.get(reverse("tracker:calendar_feed", args=["not-a-real-token"])).status_code == 404


@pytest.mark.django_db
def test_post_from_another_force_changes_nothing(world):
    action = world.action
    client = Client()
    client.force_login(world.users["psd_lead_b"])
    for name in ("tracker:action_add_note", "tracker:action_set_owner", "tracker:action_request_extension"):
        url = next(u for u in URLS if u.key == name)
        assert client.post(address(url, world), post_data(url, world)).status_code == 404
    action.refresh_from_db()
    assert action.version == 1 and action.notes.count() == 1 and not action.extension_requests.exists()


# The content check: force B's lead reads nothing of force A anywhere — no page, export, feed or API answer holds
# force A's name, its report's title, its recommendations' wording or its people's names. Every address of the
# matrix is read twice: naming force A's objects (as the matrix does) and naming force B's own, as force A's lead
# reads force A's. The public register shows what is published to anyone.
# Outcomes of the matrix that mean the view did not run for the role.
REFUSED = {LOGIN, ADMIN_LOGIN, 401, 403, 404, 405}
# What force B's lead may read of force A: the public register, and the matrix's calendar feed address, which is
# force A's lead's own key (whoever holds it).
NOT_FORCE_B_S = (*PUBLIC, "tracker:calendar_feed")


def force_a_words(world: World) -> list[str]:
    """Give force A's report, its inspection round and its recommendations words of their own, and return every
    word that is force A's."""
    report = world.report
    report.title, report.series = "Inspection of West Midlands alone", "West Midlands round 2014"
    report.save()
    for action in (world.action, world.other_action):
        recommendation = action.recommendation
        recommendation.text = f"Only West Midlands should do thing {recommendation.number}."
        recommendation.save()
    lead = world.users["psd_lead_a"]
    return [
        world.action.force.name,
        report.title,
        report.series,
        world.action.recommendation.text,
        world.other_action.recommendation.text,
        lead.get_full_name(),
        lead.username,
    ]


def world_of_force_b(world: World) -> World:
    """Return the same world seen from force B: its own action (repeating one of force A's), note and request."""
    action = Action.objects.exclude(force=world.action.force).get()
    recommendation = action.recommendation
    recommendation.follows, recommendation.follow_kind = world.action.recommendation, "repeats"
    recommendation.save()
    lead = world.users["psd_lead_b"]
    other = ActionFactory(
        recommendation=RecommendationFactory(report=recommendation.report, number=2), force=action.force
    )
    note = workflow.add_note(action, by=lead, text="Evidence", attachment=SimpleUploadedFile("b.pdf", b"%PDF-1.4"))
    extension = ExtensionRequestFactory(action=other, requested_by=lead)
    users = {**world.users, "psd_lead_a": lead}  # the lead of the force the addresses name
    return World(users, action, other, recommendation.report, note, extension, world.theme, world.other_theme)


def content(response) -> bytes:
    """Return the whole body of a response, streamed (exports) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def _body(response) -> str:
    return content(response).decode("utf-8", "replace")


def _read_by_force_b(client: Client, world: World, as_role: str, words: list[str], skip=PUBLIC) -> list[str]:
    """Read every address naming `world`'s objects that the matrix lets `as_role` use; return force A's words."""
    shown = []
    for url in URLS:
        if url.key.startswith(skip) or url.key.endswith("logout"):
            continue
        for method in METHODS:
            if expected(url, method, as_role) not in REFUSED:
                body = _body(_request(client, method, url, world))
                shown += [f"{url.key} {method}: {word!r}" for word in words if word in body]
    return shown


@pytest.mark.django_db
def test_force_b_reads_nothing_of_force_a_in_any_answer(world):
    words = force_a_words(world)
    client = _clients(world)["psd_lead_b"]
    shown = _read_by_force_b(client, world, "psd_lead_b", words, skip=NOT_FORCE_B_S)
    shown += _read_by_force_b(client, world_of_force_b(world), "psd_lead_a", words)
    assert not shown, "Force B's lead reads force A's words:\n  " + "\n  ".join(shown)
