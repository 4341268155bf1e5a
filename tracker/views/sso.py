"""
The sign-in page, and signing in through an organisation's identity provider (tracker.sso).

/accounts/sso/<key>/ (a POST from the sign-in page's "Sign in with <organisation>") sends the browser to the
provider; the provider sends it back to /accounts/sso/<key>/callback/, the address to register with the provider.
Whatever goes wrong on the way (the answer refused, no rule, switched off, the provider not answering) ends on one
page that says why, in a sentence, and the sign-in log keeps it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.contrib.auth import REDIRECT_FIELD_NAME, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from requests import RequestException

from tracker import sso, two_factor
from tracker.models import IdentityProvider
from tracker.views.common import local_url

PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"  # the session's backend: it loads the user back


class SignInView(auth_views.LoginView):
    """Django's sign-in form, with "Sign in with <organisation>" for each identity provider an admin has not
    switched off. The right password of someone with two-factor authentication (or who must have it) leads to
    the code (or to setting it up) before anyone is signed in (tracker.two_factor)."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        step = two_factor.step_after_password(user)
        if step is None:
            response = super().form_valid(form)
            two_factor.note_signed_in_with(self.request, two_factor.PASSWORD)
            return response
        two_factor.begin(self.request, user, self.get_success_url())
        return redirect({two_factor.CODE: "two_factor_code", two_factor.SET_UP: "tracker:two_factor_set_up"}[step])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["identity_providers"] = IdentityProvider.objects.offered()
        return context

    def render_to_response(self, context, **kwargs):
        return let_forms_go_to(super().render_to_response(context, **kwargs), context["identity_providers"])


def let_forms_go_to(response, providers):
    """Return `response` with its content security policy letting its "Sign in with" forms, which post here and are
    redirected to the identity providers, go on to `providers`."""
    origins = sorted({_origin(provider.issuer) for provider in providers})
    if origins:
        response._csp_update = {"form-action": origins}
    return response


@never_cache
def admin_sign_in(request):
    """The admin's own sign-in page, which would sign in with a password alone: anyone not signed in goes to the
    tracker's (which asks for the second factor) and comes back; staff go on to the admin; anyone else signed in
    is refused here, rather than sent round between the two pages."""
    target = local_url(request, request.GET.get(REDIRECT_FIELD_NAME)) or reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(target)
    if request.user.is_staff and request.user.is_active:
        return HttpResponseRedirect(target)
    raise PermissionDenied(f"{request.user.username} cannot use the admin.")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _provider(key: str) -> IdentityProvider:
    provider = IdentityProvider.objects.get_configured(key)
    if provider is None:
        raise Http404("No identity provider has that name.")
    return provider


def refused_page(request, provider: IdentityProvider | None, refused: sso.Refused, *, technical: str = ""):
    """Log a refused single sign-on (with what was wrong with the provider's answer, if anything) and show why."""
    sso.log_refusal(request, provider, refused, technical=technical)
    context = {"provider": provider, "reason": refused.reason, "technical": technical}
    return render(request, "registration/sso_refused.html", context, status=403)


@never_cache
def start(request, provider_id: str):
    """Send the browser to the identity provider to sign in (a POST from the sign-in page)."""
    provider = _provider(provider_id)
    if request.method != "POST":
        return redirect("login")
    if not provider.enabled:
        return refused_page(request, provider, sso.Refused(sso.SWITCHED_OFF.format(provider=provider.name)))
    try:
        return OAuth2LoginView.adapter_view(sso.IdentityProviderAdapter(request, provider.key))(request)
    except (RequestException, OAuth2Error) as exc:  # its discovery document unreachable, or not its own
        refused = sso.Refused(sso.PROVIDER_ERROR.format(provider=provider.name))
        return refused_page(request, provider, refused, technical=str(exc))


@never_cache
def callback(request, provider_id: str):
    """Where the identity provider sends the browser back: check its answer, and sign in or refuse (the adapter)."""
    provider = _provider(provider_id)
    return OAuth2CallbackView.adapter_view(sso.IdentityProviderAdapter(request, provider.key))(request)


class SingleSignOnAdapter(DefaultSocialAccountAdapter):
    """allauth's hooks: the tracker decides who signs in (tracker.sso.admit), and shows its own page when not."""

    def pre_social_login(self, request, sociallogin):
        provider = _provider(sociallogin.account.provider)
        try:
            user = sso.admit(provider, sso.claims_of(sociallogin.account.extra_data))
        except sso.Refused as refused:
            raise ImmediateHttpResponse(refused_page(request, provider, refused)) from None
        request.signed_in_through = provider.name  # for the sign-in log (tracker.signals)
        login(request, user, backend=PASSWORD_BACKEND)
        two_factor.note_signed_in_with(request, two_factor.IDENTITY_PROVIDER)
        raise ImmediateHttpResponse(HttpResponseRedirect(local_url(request, sociallogin.state.get("next")) or "/"))

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        key = getattr(getattr(provider, "app", None), "provider_id", "")
        row = IdentityProvider.objects.get_configured(key) if key else None
        reason = sso.PROVIDER_ERROR.format(provider=row.name if row else "The identity provider")
        if error == "cancelled":
            reason = sso.CANCELLED
        technical = str(exception or error or "")
        raise ImmediateHttpResponse(refused_page(request, row, sso.Refused(reason), technical=technical))

    def is_open_for_signup(self, request, sociallogin):
        return False  # never allauth's own sign-up form: admit() makes accounts, or refuses
