"""
The API's views: read-only viewsets scoped like the web pages, one workflow action, and the token page.

Every queryset starts from Action.objects.visible_to(user), so another force's action (and its history)
is a 404 here exactly as on the web; status changes go through tracker.workflow.transition.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.db.models import F, Prefetch, QuerySet
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import workflow
from tracker.api.serializers import (
    ActionSerializer,
    ErrorSerializer,
    HistoryRowSerializer,
    RecheckSerializer,
    RecommendationSerializer,
    ReportSerializer,
    StaleErrorSerializer,
    TransitionSerializer,
)
from tracker.filters import ActionFilter, ApiRecommendationFilter, ApiReportFilter
from tracker.links import absolute_url
from tracker.models import Action, Recommendation, Report, ResponseExplanation, User
from tracker.selectors import ACTION_LIST_RELATED


class UserFilterBackend(DjangoFilterBackend):
    """django-filter's backend, giving the FilterSet the signed-in user (ActionFilter needs it)."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), "user": request.user}


@extend_schema_view(
    list=extend_schema(summary="Reports with at least one action you can see"),
    retrieve=extend_schema(
        summary="One report",
        parameters=[
            OpenApiParameter(
                "slug", str, OpenApiParameter.PATH, pattern=r"^[-a-zA-Z0-9_]+$", description="The report's slug."
            )
        ],
    ),
)
class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ReportSerializer
    lookup_field = "slug"
    lookup_value_converter = "slug"
    filter_backends = [DjangoFilterBackend]
    filterset_class = ApiReportFilter

    def get_queryset(self) -> QuerySet[Report]:
        return (
            Report.objects.with_visible_actions(self.request.user)
            .select_related("subject_force", "commissioner_response")
            .prefetch_related(
                Prefetch(
                    "commissioner_response__explanations",
                    queryset=ResponseExplanation.objects.select_related("recommendation"),
                )
            )
            .order_by("-published_on", "title", "pk")
        )


@extend_schema_view(
    list=extend_schema(summary="Recommendations of the reports you can see"),
    retrieve=extend_schema(summary="One recommendation"),
)
class RecommendationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RecommendationSerializer
    lookup_value_converter = "int"
    filter_backends = [DjangoFilterBackend]
    filterset_class = ApiRecommendationFilter

    def get_queryset(self) -> QuerySet[Recommendation]:
        user = self.request.user
        return (
            Recommendation.objects.filter(report__in=Report.objects.visible_to(user))
            .select_related("report")
            .prefetch_related(
                Prefetch(
                    "actions",
                    queryset=Action.objects.visible_to(user).only("pk", "recommendation_id").order_by("pk"),
                    to_attr="visible_actions",
                )
            )
            .order_by(F("report__published_on").desc(nulls_last=True), "report__slug", "-kind", "number")
        )


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Not allowed from the action's current status, or invalid."),
    403: OpenApiResponse(ErrorSerializer, description="Your role may not make this change."),
    404: OpenApiResponse(ErrorSerializer, description="No such action, or another force's action."),
    409: OpenApiResponse(StaleErrorSerializer, description="The action changed since you read its version."),
}


@extend_schema_view(
    list=extend_schema(summary="Actions you can see, filtered"),
    retrieve=extend_schema(summary="One action"),
)
class ActionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ActionSerializer
    lookup_value_converter = "int"
    filter_backends = [UserFilterBackend]
    filterset_class = ActionFilter

    def get_queryset(self) -> QuerySet[Action]:
        # Priority recommendations first, then the soonest due, as in the web's lists; ?sort= overrides.
        return (
            Action.objects.visible_to(self.request.user)
            .select_related(*ACTION_LIST_RELATED)
            .with_due_date_revisions()
            .with_effective_due_date()
            .order_by("-recommendation__is_priority", F("effective_due").asc(nulls_last=True), "pk")
        )

    def filter_queryset(self, queryset: QuerySet[Action]) -> QuerySet[Action]:
        # The list filters narrow lists only: an action's own address must not depend on ?status= and friends.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(
        summary="The action's history: who changed what, when and why (oldest first)",
        responses={200: HistoryRowSerializer(many=True), 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk: int) -> Response:
        rows = list(self.get_object().history.select_related("history_user").order_by("history_date", "history_id"))
        for previous, row in zip([None, *rows], rows, strict=False):
            row.previous_row = previous
        return Response(HistoryRowSerializer(rows, many=True).data)

    @extend_schema(
        summary="Change the action's status through the workflow",
        request=TransitionSerializer,
        responses={200: ActionSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: int) -> Response:
        target = self.get_object()
        form = TransitionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        return self._change(
            target,
            lambda: workflow.transition(
                target,
                data["transition"],
                by=request.user,
                text=data["text"],
                expected_version=data["version"],
                recheck_on=data["recheck_on"],
            ),
        )

    @extend_schema(
        summary="Record a re-check of a verified action: the fix has lasted, so it is closed for good",
        request=RecheckSerializer,
        responses={200: ActionSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def recheck(self, request: Request, pk: int) -> Response:
        target = self.get_object()
        form = RecheckSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        return self._change(
            target,
            lambda: workflow.confirm_recheck(
                target, by=request.user, text=data["text"], expected_version=data["version"]
            ),
        )

    def _change(self, target: Action, change: Callable[[], object]) -> Response:
        """Make `change` to `target` through the workflow; answer with the action as saved, or why not."""
        try:
            change()
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc) or None) from exc
        except workflow.StaleActionError as exc:
            return Response(
                {"detail": exc.messages[0], "current_version": exc.current.version}, status=status.HTTP_409_CONFLICT
            )
        except workflow.WorkflowError as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(target).data)  # the workflow gave `target` the saved state


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI, its files served by the app (drf-spectacular-sidecar) and its script kept out of the page."""

    url_name = "api:schema"


# The docs page's one inline <style> block (drf-spectacular's swagger_ui.html), allowed by its hash alone;
# tests/test_api.py checks the hash still matches the page after an upgrade.
SWAGGER_UI_STYLE_HASH = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"
docs = csp_update({"style-src": [SWAGGER_UI_STYLE_HASH]})(DocsView.as_view())


def api_root(json_root):
    """
    Return the view of /api/: `json_root` (DRF's index of the API, JSON) for programs, and for a browser, which
    asks for HTML first, a page in the site's layout linking the documentation and the token page.
    """

    @csrf_exempt  # like every DRF view: session sign-in has DRF check the CSRF token itself
    @functools.wraps(json_root)
    def view(request, *args, **kwargs):
        wants_page = request.get_preferred_type(["application/json", "text/html"]) == "text/html"
        if wants_page and request.method in ("GET", "HEAD"):
            response = api_home(request)
        else:
            response = json_root(request, *args, **kwargs)
        patch_vary_headers(response, ["Accept"])
        return response

    return view


@login_required
def api_home(request):
    """Show what the API offers and where its documentation and the user's token are."""
    example_url = absolute_url(reverse("api:action-list") + "?overdue=true")
    return render(request, "tracker/api_home.html", {"example_url": example_url})


@login_required
@require_GET
def token_page(request):
    """Show the user's API token, if they have one, and how to use it."""
    token = Token.objects.filter(user=request.user).first()
    example_url = absolute_url(reverse("api:action-list") + "?overdue=true")
    return render(request, "tracker/api_token.html", {"token": token, "example_url": example_url})


@login_required
@require_POST
def token_regenerate(request):
    """Give the user a new API token; any old one stops working at once."""
    with transaction.atomic():
        # Lock the user, so two clicks at once cannot both create a token (one per user).
        User.objects.select_for_update().filter(pk=request.user.pk).first()
        had_token = Token.objects.filter(user=request.user).delete()[0] > 0
        Token.objects.create(user=request.user)
    message = "Your new API token is below. The old one no longer works." if had_token else "Your API token is below."
    messages.success(request, message)
    return redirect("api:token")
