"""What the signed-in pages share: the reviewers-only decorator, where to go back to, and making a change."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from tracker.workflow import EvidenceNotStoredError, StaleChangeError

# Show the page again with the submitted form: again(form, status, error message) -> response.
Again = Callable[[forms.Form, int, str], HttpResponse]


def reviewer_required(view):
    """Allow only HMIC reviewers (and admins); others get 403."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_reviewer:
            raise PermissionDenied("Only HMIC reviewers can see this page.")
        return view(request, *args, **kwargs)

    return wrapped


def next_url(request) -> str | None:
    """Return the local page to go back to after a change (e.g. the review queue), if one was given."""
    return local_url(request, request.POST.get("next", ""))


def local_url(request, target) -> str | None:
    """Return `target` if it is a path on this site, else None."""
    # Only a path: redirect() would take a bare word such as "0" for a view name (a 500).
    if (
        isinstance(target, str)
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return None


def submit(request, form: forms.Form, change: Callable[[dict], tuple[str, object]], *, again: Again) -> HttpResponse:
    """
    Make the change a submitted form asks for and go on, or show the page again with what the user typed.

    `change(cleaned_data)` makes the change and returns (what to tell the user, where to go next). A form
    that does not validate is shown again (400); a change refused by the rules has its message put on the
    form, beside the field it is about (400); one made stale by someone else's change is a 409; one the evidence
    store could not take (full, not writable) is a 503, the form kept as typed.
    """
    if not form.is_valid():
        return again(form, 400, "")
    try:
        message, target = change(form.cleaned_data)
    except StaleChangeError as exc:
        return again(form, 409, exc.messages[0])
    except EvidenceNotStoredError as exc:
        form.add_error(None, exc)
        return again(form, 503, "")
    except ValidationError as exc:
        form.add_error(None, exc)
        return again(form, 400, "")
    messages.success(request, message)
    return redirect(target)
