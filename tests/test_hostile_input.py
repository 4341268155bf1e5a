"""
Hostile values in every parameter of every view, generated from the URLconf like the permission matrix.

Which query parameters and form fields a view reads is not listed by hand: each URL is requested once, as each
role that may use it, while every read of the request's GET, POST and FILES is recorded (its FilterSet's
fields, its forms' fields, the API's query parameters and whatever a view reads itself). Then each of those
names, and each argument in the address, gets every value in HOSTILE, one at a time. No answer may be a 5xx.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from unittest import mock
from urllib.parse import quote

import pytest
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import NoReverseMatch
from django.utils.datastructures import MultiValueDict

from tests.test_permission_matrix import (
    METHODS,
    NOT_FORCE_B_S,
    REFUSED,
    SIGN_OUTS,
    URLS,
    Url,
    World,
    _clients,
    _request,
    address,
    content,
    expected,
    is_admin,
    post_data,
    url_kwargs,
    world,  # noqa: F401 (a fixture)
)
from tracker.models import Action, Report, SignInRule, User

# One value at a time in one parameter; a list is the name repeated with each value.
HOSTILE: dict[str, str | list[str]] = {
    "a NUL byte": "a\x00b",
    "2**63": str(2**63),
    "-2**63 - 1": str(-(2**63) - 1),
    "100,000 characters": "x" * 100_000,
    "year 0": "0000-01-01",
    "31/12/9999": "31/12/9999",
    "nothing": "",
    "repeated": ["1", "2"],
}
INVALID_UTF8 = "%FF%FE%C0%AF"  # bytes that are not UTF-8, as a browser would percent-encode them
# A name no view reads: pages that copy every parameter into their links (filters kept in the URL) read it too.
UNREAD = "hostile"


@contextlib.contextmanager
def names_read() -> Iterator[set[str]]:
    """Record the names read from any request's GET or POST while the block runs."""
    names: set[str] = set()

    def recording(method):
        def read(self, key, *args, **kwargs):
            if isinstance(self, QueryDict) and isinstance(key, str):  # not the URL resolver's own MultiValueDicts
                names.add(key)
            return method(self, key, *args, **kwargs)

        return read

    with contextlib.ExitStack() as stack:
        for name in ("__getitem__", "get", "getlist"):
            stack.enter_context(mock.patch.object(MultiValueDict, name, recording(getattr(MultiValueDict, name))))
        stack.enter_context(
            mock.patch.object(MultiValueDict, "__contains__", recording(dict.__contains__), create=True)
        )
        yield names


@dataclass(frozen=True)
class Use:
    """One way a view is used: a URL, by a method, as a role the matrix lets in."""

    url: Url
    method: str
    role: str

    def __str__(self) -> str:
        return f"{self.url.key} {self.method} as {self.role}"


# The admin user sees the tracker's pages as a reviewer does; the admin's own pages are fuzzed as the admin, for
# the tracker's models and its report import (Django's and the libraries' admins for their own models are theirs).
PAGE_ROLES = ("anonymous", "psd_lead_a", "psd_lead_b", "reviewer")


def _roles(url: Url) -> tuple[str, ...]:
    if not is_admin(url):
        return PAGE_ROLES
    return ("admin",) if url.key.startswith("admin:tracker_") else ()


def uses() -> list[Use]:
    """Return every (URL, method, role) whose view runs, per the permission matrix; signing out is left out."""
    return [
        Use(url, method, role)
        for url in URLS
        if not url.key.endswith(SIGN_OUTS)
        for method in METHODS
        for role in _roles(url)
        if expected(url, method, role) not in REFUSED
    ]


def clients(objects: World) -> dict[str, Client]:
    """Return a client for each role that answers a server error as a 500 rather than raising it."""
    return _clients(objects, raise_request_exception=False)


def send(client: Client, use: Use, objects: World, path: str, values: dict[str, object], raw: str = ""):
    """Send `values` (GET's query, or merged into a valid POST) to `path`, in a savepoint rolled back after.

    `raw` is a query string sent as it is (for bytes that are not UTF-8); a POST sends it as its body too.
    """
    if not raw:
        return _request(client, use.method, use.url, objects, values, path=path)
    with transaction.atomic():
        if use.method == "GET":
            response = client.get(path, QUERY_STRING=raw)
        else:
            body = "&".join(filter(None, [_encoded(post_data(use.url, objects)), raw]))
            response = client.post(f"{path}?{raw}", body, content_type="application/x-www-form-urlencoded")
        transaction.set_rollback(True)
    return response


def _encoded(data: dict[str, object]) -> str:
    return "&".join(f"{quote(str(key))}={quote(str(value))}" for key, value in data.items())


def what_went_wrong(response) -> str:
    exc_info = getattr(response, "exc_info", None)
    if exc_info:
        return f"{exc_info[0].__name__}: {str(exc_info[1])[:160]}"
    return str(response.status_code)


def parameters_read(client: Client, use: Use, objects: World) -> set[str]:
    """Return the names of the parameters and fields the view reads when used the ordinary way."""
    with names_read() as names:
        send(client, use, objects, address(use.url, objects), {})
    return names | {UNREAD}


# Of the admin's pages, the ones that read what the tracker's admins define: the lists (filters, search), the
# change forms (the model's fields; an add page posts the same form) and the report import. The rest are
# Django's own views, whose ids the address test covers.
ADMIN_PAGES_FUZZED = re.compile(r"admin:tracker_(\w+_changelist|\w+_change|report_import\w*)$")


def _fuzzed_by_parameter(use: Use) -> bool:
    """Tell whether `use` gets every hostile value in every parameter (test_no_hostile_value_in_any_parameter)."""
    if use.role == "psd_lead_b":
        return False  # force A's lead's code on every page; what force B sends is the no-oracle test's
    if is_admin(use.url):
        return bool(ADMIN_PAGES_FUZZED.match(use.url.key)) and not (
            use.method == "POST" and use.url.key.endswith("_changelist")  # the admin's bulk actions: none of ours
        )
    return True


def hostile_parameters(client: Client, use: Use, objects: World) -> list[str]:
    """Send every hostile value in every parameter the view reads; return the 5xx answers."""
    failures = []
    path = address(use.url, objects)
    for name in sorted(parameters_read(client, use, objects)):
        if use.method == "POST" and is_admin(use.url) and name.startswith("_"):
            continue  # the admin's own controls (_popup, _to_field, …): the same code as by GET, fuzzed there
        for label, value in HOSTILE.items():
            response = send(client, use, objects, path, {name: value})
            if response.status_code >= 500:
                failures.append(f"{use}: {name}={label}: {what_went_wrong(response)}")
        response = send(client, use, objects, path, {}, raw=f"{quote(name)}={INVALID_UTF8}")
        if response.status_code >= 500:
            failures.append(f"{use}: {name}=invalid UTF-8: {what_went_wrong(response)}")
    return failures


def hostile_addresses(client: Client, use: Use, objects: World) -> list[str]:
    """Put every hostile value in each argument of the address, where the URL pattern accepts it."""
    failures = []
    for argument in url_kwargs(use.url, objects):
        for label, value in HOSTILE.items():
            if isinstance(value, list) or not value:
                continue
            try:
                path = address(use.url, objects, **{argument: value})
            except NoReverseMatch:
                continue  # the pattern refuses it (a letter in <int:pk>): the resolver answers 404 by itself
            response = send(client, use, objects, path, {})
            if response.status_code >= 500:
                failures.append(f"{use}: <{argument}>={label}: {what_went_wrong(response)}")
    return failures


@pytest.mark.django_db
def test_no_hostile_value_in_any_parameter_gives_a_server_error(world):  # noqa: F811
    signed_in = clients(world)
    fuzzed = [use for use in uses() if _fuzzed_by_parameter(use)]
    failures = [failure for use in fuzzed for failure in hostile_parameters(signed_in[use.role], use, world)]
    assert not failures, f"{len(failures)} server errors:\n  " + "\n  ".join(failures)


@pytest.mark.django_db
def test_no_hostile_value_in_any_address_gives_a_server_error(world):  # noqa: F811
    signed_in = clients(world)
    failures = [failure for use in uses() for failure in hostile_addresses(signed_in[use.role], use, world)]
    assert not failures, f"{len(failures)} server errors:\n  " + "\n  ".join(failures)


def test_every_kind_of_use_is_fuzzed():
    """The generated uses reach every part of the site: pages, forms, the API, the admin and the feed."""
    keys = {use.url.key for use in uses()}
    assert {"tracker:action_list", "tracker:action_request_extension", "api:action-list"} <= keys
    assert {"admin:tracker_action_changelist", "admin:tracker_action_change", "tracker:calendar_feed"} <= keys
    assert len(keys) > 80


# No oracle: to force B's PSD lead, a value naming one of force A's things must get exactly the answer it gets
# once force A and all it holds are gone, in every parameter of every view they may use (the public register
# and the calendar feed of force A's lead's address aside: NOT_FORCE_B_S). Otherwise the answer tells them the
# thing exists.


def named_by_force_a(objects: World) -> dict[str, str]:
    """Return a value naming each kind of force A's things: what → value."""
    action = objects.action
    return {
        "report": objects.report.slug,
        "inspection round": objects.report.series,
        "force": action.force.slug,
        "action": str(action.pk),
        "recommendation": str(action.recommendation_id),
        "person": str(objects.users["psd_lead_a"].pk),
        "note": str(objects.note.pk),
    }


def erase_force_a(objects: World) -> None:
    """Delete force A and everything of it: its actions (their notes and requests), reports, people and the sign-in
    rules that make its PSD leads."""
    force = objects.action.force
    Action.objects.filter(force=force).delete()
    Report.objects.filter(subject_force=force).delete()
    User.objects.filter(forces=force).delete()
    SignInRule.objects.filter(force=force).delete()
    force.delete()


# A form's CSRF token (and the API docs' copy of it) and a page's script nonce are new on every answer.
RANDOM_PER_ANSWER = re.compile(rb'(name="csrfmiddlewaretoken" value=|nonce=|\["X-CSRFTOKEN"\] = )"[^"]*"')


def answer(response) -> tuple[int, bytes]:
    """Return the status and the body of an answer, without what changes on every answer."""
    return response.status_code, RANDOM_PER_ANSWER.sub(rb'\1""', content(response))


def answers(client: Client, uses_of_b: list[Use], objects: World) -> dict[tuple, tuple[int, bytes]]:
    """Return the answer to every value naming force A's things in every parameter force B's lead may send."""
    found = {}
    for use in uses_of_b:
        path = address(use.url, objects)
        for name in sorted(parameters_read(client, use, objects) - {UNREAD}):
            for what, value in named_by_force_a(objects).items():
                found[str(use), name, what] = answer(send(client, use, objects, path, {name: value}))
    return found


@pytest.mark.django_db
def test_force_b_cannot_tell_whether_force_a_has_a_thing_from_any_answer(world):  # noqa: F811
    Report.objects.filter(pk=world.report.pk).update(series="Force A's own round 2014")
    world.report.refresh_from_db()
    client = clients(world)["psd_lead_b"]
    uses_of_b = [use for use in uses() if use.role == "psd_lead_b" and not use.url.key.startswith(NOT_FORCE_B_S)]
    while_there = answers(client, uses_of_b, world)
    with transaction.atomic():
        erase_force_a(world)
        once_gone = answers(client, uses_of_b, world)
        transaction.set_rollback(True)
    differ = [
        f"{use}: {name}=<{what} of force A> answers {while_there[use, name, what][0]} while it exists, "
        f"{once_gone[use, name, what][0]} once it is gone"
        for (use, name, what) in while_there
        if while_there[use, name, what] != once_gone[use, name, what]
    ]
    assert not differ, f"{len(differ)} answers tell force B what force A has:\n  " + "\n  ".join(differ)
