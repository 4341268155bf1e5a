"""tracker.links: the addresses reverse() gives, reversed once, for every id, script prefix and URLconf."""

import pytest
from django.urls import NoReverseMatch, path, reverse, set_script_prefix, set_urlconf

from tracker.links import reverse_by_id, reverse_cached
from tracker.models import Action


def _view(request, **kwargs):  # pragma: no cover - only reversed, never called
    raise AssertionError


urlpatterns = [  # an app's URLconf moved, under tests
    path("elsewhere/<int:pk>/actions/", _view, name="action"),
    path("elsewhere/overdue/", _view, name="overdue"),
    path("reports/918273645/<int:pk>/", _view, name="numbered"),  # holds reverse_by_id's placeholder itself
]


@pytest.mark.parametrize("pk", [1, 9, 10, 918273, 918273645, 9182736450, 2**31])
def test_reverse_by_id_gives_what_reverse_gives(pk):
    assert reverse_by_id("tracker:action", pk) == reverse("tracker:action", args=[pk])
    assert reverse_by_id("tracker:action_add_note", pk) == reverse("tracker:action_add_note", args=[pk])


def test_an_actions_address_is_what_reverse_gives():
    assert Action(pk=42).get_absolute_url() == reverse("tracker:action", args=[42]) == "/actions/42/"


def test_reverse_by_id_follows_the_script_prefix():
    reverse_by_id("tracker:action", 7)  # reversed at "/" first
    set_script_prefix("/tracker/")
    try:
        assert reverse_by_id("tracker:action", 7) == reverse("tracker:action", args=[7]) == "/tracker/actions/7/"
    finally:
        set_script_prefix("/")
    assert reverse_by_id("tracker:action", 7) == "/actions/7/"


def test_reverse_by_id_follows_a_requests_urlconf():
    set_urlconf(__name__)
    try:
        assert reverse_by_id("action", 7) == reverse("action", args=[7]) == "/elsewhere/7/actions/"
    finally:
        set_urlconf(None)


def test_reverse_by_id_follows_a_changed_root_urlconf(settings):
    assert reverse_by_id("tracker:action", 7) == "/actions/7/"
    settings.ROOT_URLCONF = __name__  # clears Django's URL caches, as any change of URLconf does
    assert reverse_by_id("action", 7) == "/elsewhere/7/actions/"
    with pytest.raises(NoReverseMatch):
        reverse_by_id("tracker:action", 7)


def test_reverse_by_id_refuses_what_is_not_an_id():
    with pytest.raises((TypeError, ValueError)):
        reverse_by_id("tracker:action", None)
    with pytest.raises(NoReverseMatch):
        reverse_by_id("tracker:no-such-view", 1)


def test_reverse_cached_gives_what_reverse_gives():
    assert reverse_cached("tracker:overdue") == reverse("tracker:overdue") == "/actions/overdue/"
    assert reverse_cached("admin:index") == reverse("admin:index")


def test_reverse_cached_follows_the_script_prefix_and_the_urlconf(settings):
    reverse_cached("tracker:overdue")
    set_script_prefix("/tracker/")
    try:
        assert reverse_cached("tracker:overdue") == "/tracker/actions/overdue/"
    finally:
        set_script_prefix("/")
    settings.ROOT_URLCONF = __name__
    assert reverse_cached("overdue") == "/elsewhere/overdue/"


def test_reverse_by_id_refuses_an_address_that_holds_its_placeholder_elsewhere():
    set_urlconf(__name__)
    try:
        with pytest.raises(ValueError, match="does not hold its id once"):
            reverse_by_id("numbered", 7)
    finally:
        set_urlconf(None)
