from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from tracker.api import views

app_name = "api"

router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False
router.include_root_view = False  # /api/ is below: the same JSON index, or a page for a browser
router.register("reports", views.ReportViewSet, basename="report")
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
router.register("actions", views.ActionViewSet, basename="action")

urlpatterns = [
    path("", views.api_root(router.get_api_root_view()), name="api-root"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.docs, name="docs"),
    path("token/", views.token_page, name="token"),
    path("token/regenerate/", views.token_regenerate, name="token_regenerate"),
    *router.urls,
]
