from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tracker.views import people, sso, two_factor

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
    # The code after the password (two-factor authentication, tracker/two_factor.py).
    path("accounts/login/code/", two_factor.enter_code, name="two_factor_code"),
    # The admin's own sign-in page would sign in with a password alone: the tracker's asks for the second factor.
    path("admin/login/", sso.admin_sign_in, name="admin_sign_in"),
    path("accounts/sso/<slug:provider_id>/", sso.start, name="openid_connect_login"),
    path("accounts/sso/<slug:provider_id>/callback/", sso.callback, name="openid_connect_callback"),
    # The link an invitation email carries (tracker.people): set a first password, or sign in through the organisation.
    path("accounts/invitation/<str:token>/", people.accept_invitation, name="invitation"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", include("tracker.api.urls")),
    path("", include("tracker.urls")),
]
