"""
One place that decides who may see which object: a helper for every kind of object a URL names.

Each returns the object if the user may see it and raises Http404 otherwise, so another force's object is
indistinguishable from one that does not exist. What a user may *change* is the workflow's to decide
(tracker.workflow.allowed_operations), and it refuses with PermissionDenied.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.validators import slug_re
from django.http import Http404
from django.shortcuts import get_object_or_404

from tracker.models import Action, ExtensionRequest, Force, ProgressNote, Recommendation, Report, Theme, User


def get_action_for_user(user: User, pk: int) -> Action:
    """Return the action `pk` if `user` may see it, else raise Http404."""
    queryset = Action.objects.visible_to(user).select_related(
        "force", "owner", "recommendation", "recommendation__report", "recommendation__report__subject_force"
    )
    return get_object_or_404(queryset, pk=pk)


def get_extension_request_for_user(user: User, pk: int) -> ExtensionRequest:
    """Return the extension request `pk` if `user` may see its action, else raise Http404."""
    visible = Action.objects.visible_to(user)
    return get_object_or_404(ExtensionRequest.objects.select_related("action").filter(action__in=visible), pk=pk)


def get_evidence_for_user(user: User, pk: int) -> ProgressNote:
    """Return the progress note `pk` with an evidence file if `user` may see its action, else raise Http404."""
    notes = ProgressNote.objects.filter(action__in=Action.objects.visible_to(user)).exclude(attachment="")
    return get_object_or_404(notes, pk=pk)


def get_force_for_user(user: User, slug: str) -> Force:
    """Return the force `slug` if `user` is a reviewer or one of its members, else raise Http404."""
    slug = _slug(slug)
    return get_object_or_404(Force.objects.visible_to(user), slug=slug)


def get_report_for_user(user: User, slug: str) -> Report:
    """Return the report `slug` if it has an action `user` may see, else raise Http404."""
    slug = _slug(slug)
    return get_object_or_404(Report.objects.visible_to(user).select_related("subject_force"), slug=slug)


def _slug(value: str) -> str:
    """Return `value` if it could be a slug, else raise Http404: from a query string it may hold anything (a NUL
    byte, which PostgreSQL refuses outright)."""
    if not slug_re.match(value):
        raise Http404
    return value


def get_recommendation_for_user(user: User, pk: int) -> Recommendation:
    """Return the recommendation `pk` if `user` may see it (a reviewer, or one with their force's action), else 404."""
    return get_object_or_404(Recommendation.objects.visible_to(user).select_related("report"), pk=pk)


def get_theme_for_user(user: User, pk: int) -> Theme:
    """Return the theme `pk` to a reviewer (themes span every force), else raise PermissionDenied or Http404."""
    if not user.is_reviewer:
        raise PermissionDenied("Only HMIC reviewers can see themes.")
    return get_object_or_404(Theme, pk=pk)
