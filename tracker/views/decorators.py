"""Decorators the signed-in pages share."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def reviewer_required(view):
    """Allow only HMIC reviewers (and admins); others get 403."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_reviewer:
            raise PermissionDenied("Only HMIC reviewers can see this page.")
        return view(request, *args, **kwargs)

    return wrapped
