"""One place that decides who may see which object; every view goes through it."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from tracker.models import Action, ExtensionRequest, Force, User


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


def get_force_for_user(user: User, slug: str) -> Force:
    """Return the force `slug` if `user` is a reviewer or one of its members, else raise Http404."""
    force = get_object_or_404(Force, slug=slug)
    if not (user.is_reviewer or user.is_member_of(force)):
        raise Http404("No such force.")
    return force
