from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tracker.views import sso

admin.site.site_header = "Recommendation Tracker administration"
admin.site.site_title = "Recommendation Tracker"

# Error pages in the site's layout (templates/400.html, 403.html, 404.html, 500.html, 503.html); the 404 says what was
# not found, in the same words whether it does not exist or belongs to another force.
handler404 = "tracker.views.errors.page_not_found"
# A 503 "try again" while the database cannot be reached (a restart, a fail-over); any other failure is the 500 page.
handler500 = "tracker.views.errors.server_error"

urlpatterns = [
    path("accounts/login/", sso.SignInView.as_view(), name="login"),
    # Single sign-on (tracker/views/sso.py); allauth reverses these two names. Register .../callback/ with the provider.
    path("accounts/sso/<slug:provider_id>/", sso.start, name="openid_connect_login"),
    path("accounts/sso/<slug:provider_id>/callback/", sso.callback, name="openid_connect_callback"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", include("tracker.api.urls")),
    path("", include("tracker.urls")),
]
