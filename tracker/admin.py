import functools

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from tracker import sessions, signin, two_factor
from tracker.forms import SEARCH_MAX_LENGTH, ModelChoicesField
from tracker.models import (
    SIGN_IN_LOG_DAYS,
    Action,
    ExtensionRequest,
    Force,
    IdentityProvider,
    KeyFigure,
    ProgressNote,
    Recommendation,
    ReminderLog,
    Report,
    SignInEvent,
    SignInRule,
    User,
    overdue_q,
)

# allauth's own admins: the tracker configures identity providers from the environment (not SocialApp), keeps no
# tokens and no second email addresses; a user's linked identities show on their page (SocialAccountInline).
# django-otp's device admins show a device's secret key: an admin resets a user's two-factor authentication instead
# (UserAdmin's action), and the user sets it up again.
for _model in (SocialApp, SocialToken, SocialAccount, EmailAddress, TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class HostileInputMixin:
    """Input to which Django's admin would answer 500, answered as a refusal in every admin of the tracker's."""

    def get_search_results(self, request, queryset, search_term):
        if len(search_term) > SEARCH_MAX_LENGTH:  # SQLite cannot match a pattern of more than 50,000 bytes
            messages.warning(request, f"Search for at most {SEARCH_MAX_LENGTH} characters.")
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def get_object(self, request, object_id, from_field=None):
        # "?_to_field=" names no field: Django's admin would look for a field called "" (FieldDoesNotExist).
        return super().get_object(request, object_id, from_field or None)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", ModelChoicesField)  # an id past 64 bits is an invalid choice
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class TrackerAdmin(HostileInputMixin, admin.ModelAdmin):
    """The admin of a tracker model."""


class AppendOnlyHistoryAdmin(HostileInputMixin, SimpleHistoryAdmin):
    """Show an object's past versions, but never write one back: history only grows."""

    def history_view(self, request, object_id, extra_context=None):
        # django-simple-history looks the id up as it comes (a 500 for "abc"); Django's admin says it does not exist.
        if not _is_id_of(self.opts.pk, unquote(object_id)):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # SIMPLE_HISTORY_REVERT_DISABLED only hides the Revert button; a POST would still revert.
        if request.method == "POST":
            raise PermissionDenied("History is append-only: a past version cannot be restored.")
        history_id = self.model.history.model._meta.pk
        if not (_is_id_of(self.opts.pk, unquote(object_id)) and _is_id_of(history_id, version_id)):
            raise Http404("No such version.")
        return super().history_form_view(request, object_id, version_id, extra_context)


def _is_id_of(field, value: str) -> bool:
    """Return whether `value` could be a value of the primary key `field` (whether it exists or not)."""
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return True


class ReadOnlyAdmin(TrackerAdmin):
    """List and show records that are made on the action page (where they are checked), never change them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.not_overdue()
        return queryset


@admin.register(Force)
class ForceAdmin(TrackerAdmin):
    list_display = ["name", "slug", "kind", "open_actions", "overdue_actions"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        from django.db.models import Q

        from tracker.models import Action as A

        return (
            super()
            .get_queryset(request)
            .annotate(
                _open=Count("actions", filter=Q(actions__status__in=A.OPEN_STATUSES)),
                _overdue=Count("actions", filter=overdue_q(timezone.localdate(), "actions__")),
            )
        )

    @admin.display(description="Open", ordering="_open")
    def open_actions(self, obj):
        return obj._open

    @admin.display(description="Overdue", ordering="_overdue")
    def overdue_actions(self, obj):
        return obj._overdue


class SignInLockedFilter(admin.SimpleListFilter):
    title = "sign-in locked"
    parameter_name = "sign_in_locked"

    def lookups(self, request, model_admin):
        return [("yes", "Yes")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(username__in=signin.locked_usernames())
        return queryset


class SignInEventInline(admin.TabularInline):
    """The user's sign-in log of the last SIGN_IN_LOG_DAYS days, newest first (all of it: the sign-in events' list)."""

    model = SignInEvent
    fk_name = "user"
    fields = readonly_fields = ["at", "kind", "detail", "address", "browser", "by"]
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = f"Sign-ins of the last {SIGN_IN_LOG_DAYS} days"

    def get_queryset(self, request):
        return super().get_queryset(request).recent().select_related("by")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SignInEvent)
class SignInEventAdmin(ReadOnlyAdmin):
    """Every user's sign-ins, failures, lock-outs and sign-outs: read only, as a log is."""

    list_display = ["at", "user", "identity", "kind", "detail", "address", "browser", "by"]
    list_filter = ["kind", "at"]
    search_fields = ["user__username", "user__email", "identity", "address"]
    list_select_related = ["user", "by"]
    date_hierarchy = "at"


class SocialAccountInline(admin.TabularInline):
    """The identities (provider and subject) through which the user signs in; delete one to unlink it."""

    model = SocialAccount
    fields = readonly_fields = ["provider", "uid", "date_joined", "last_login"]
    extra = 0
    max_num = 0
    verbose_name = "single sign-on identity"
    verbose_name_plural = "Single sign-on identities (delete one to unlink it; the next sign-in links it again)"

    def has_add_permission(self, request, obj=None):
        return False


class SignInRuleInline(admin.TabularInline):
    model = SignInRule
    fields = ["position", "claim", "value", "role", "force"]
    extra = 1
    autocomplete_fields = ["force"]


@admin.register(IdentityProvider)
class IdentityProviderAdmin(AppendOnlyHistoryAdmin):
    """
    The identity providers configured from the environment (TRACKER_SSO_PROVIDERS): switch one off, and say who
    signing in through it gets which role and force. Changes to both are in history.
    """

    list_display = ["name", "key", "issuer", "email_domains", "enabled", "rule_count"]
    list_editable = ["enabled"]
    fields = ["name", "key", "issuer", "email_domains", "enabled"]
    readonly_fields = ["name", "key", "issuer", "email_domains"]
    inlines = [SignInRuleInline]

    def changelist_view(self, request, extra_context=None):
        IdentityProvider.objects.configured()  # a row for each provider in the environment
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_rules=Count("rules"))

    def has_add_permission(self, request):
        return False  # providers come from the environment

    def has_delete_permission(self, request, obj=None):
        return obj is not None and not obj.is_configured  # a provider no longer configured, with its rules

    @admin.display(description="Rules", ordering="_rules")
    def rule_count(self, obj):
        return obj._rules

    @admin.display(description="Email domains")
    def email_domains(self, obj):
        return ", ".join(f"@{domain}" for domain in obj.email_domains) or "— not configured any more"


@admin.register(User)
class UserAdmin(AppendOnlyHistoryAdmin, BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "role", "is_staff", "is_active", "last_login"]
    list_filter = [SignInLockedFilter, "role", "is_staff", "is_superuser", "is_active", "forces"]
    filter_horizontal = ["forces", "groups", "user_permissions"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Tracker", {"fields": ["role", "forces", "sign_in", "two_factor_status", "sessions_ended_at"]}),
    )
    readonly_fields = ["sign_in", "two_factor_status", "sessions_ended_at", "last_login", "date_joined"]
    actions = ["unlock_sign_in", "sign_out_everywhere", "reset_two_factor"]
    inlines = [SocialAccountInline, SignInEventInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        obj.changed_by = request.user  # named in the sign-in log if this deactivates the account
        super().save_model(request, obj, form, change)

    @admin.action(description="Sign the selected users out everywhere", permissions=["change"])
    def sign_out_everywhere(self, request, queryset):
        users = list(queryset)
        for user in users:
            sessions.end_sessions(user, by=request.user)
            self.log_change(request, user, "Signed out everywhere.")
        names = ", ".join(user.username for user in users)
        messages.success(request, f"Signed out everywhere (each must sign in again): {names}.")

    @admin.display(description="Sign-in")
    def sign_in(self, user):
        if user.username not in signin.locked_usernames():
            return "Not locked"
        until = timezone.localtime(signin.lock_ends(user.username))
        return (
            f"Locked after failed attempts, until {until:%H:%M on %d/%m/%Y} unless unlocked (action on the users list)"
        )

    @admin.action(description="Unlock sign-in for the selected users", permissions=["change"])
    def unlock_sign_in(self, request, queryset):
        unlocked = [user for user in queryset if signin.unlock(user.username)]
        for user in unlocked:
            self.log_change(request, user, "Unlocked sign-in.")
        names = ", ".join(user.username for user in unlocked) or "none of them had failed sign-ins"
        messages.success(request, f"Signing in is unlocked: {names}.")

    @admin.display(description="Two-factor authentication")
    def two_factor_status(self, user):
        state = two_factor.status(user)
        if state.is_on:
            return (
                f"On since {timezone.localtime(state.since):%d/%m/%Y}, {state.codes_left} recovery codes left "
                "(reset with the action on the users list)"
            )
        if not state.offered:
            return "Not used: signs in through an identity provider"
        return "Not set up: will be asked to at the next sign-in" if state.required else "Off (optional for this role)"

    @admin.action(description="Reset two-factor authentication for the selected users", permissions=["change"])
    def reset_two_factor(self, request, queryset):
        users = [user for user in queryset if two_factor.is_set_up(user)]
        for user in users:
            two_factor.reset(user, by=request.user, request=request)
            self.log_change(request, user, "Reset two-factor authentication.")
        names = ", ".join(user.username for user in users) or "none of them had it set up"
        messages.success(
            request,
            f"Two-factor authentication reset: {names}. A reviewer or admin sets it up again at their next sign-in.",
        )

    add_fieldsets = BaseUserAdmin.add_fieldsets + (("Tracker", {"fields": ["email", "role", "forces"]}),)


class KeyFigureInline(admin.TabularInline):
    model = KeyFigure
    extra = 0


@admin.register(Report)
class ReportAdmin(TrackerAdmin):
    list_display = ["title", "subject_force", "series", "published_on", "published_precision"]
    list_filter = ["series", "subject_force"]
    search_fields = ["title", "series", "isbn", "slug"]
    inlines = [KeyFigureInline]
    change_list_template = "admin/tracker/report/change_list.html"

    def get_urls(self):
        from django.urls import path

        from tracker import admin_import

        def view(function):
            return self.admin_site.admin_view(lambda request, **kwargs: function(request, self, **kwargs))

        return [
            path("import/", view(admin_import.import_report), name="tracker_report_import"),
            path("import/review/", view(admin_import.review_import), name="tracker_report_import_review"),
            path(
                "import/confirm/",
                view(functools.partial(admin_import.review_import, op="confirm")),
                name="tracker_report_import_confirm",
            ),
            path(
                "import/download/",
                view(functools.partial(admin_import.review_import, op="download")),
                name="tracker_report_import_download",
            ),
            path("<int:object_id>/imported/", view(admin_import.imported), name="tracker_report_imported"),
            *super().get_urls(),
        ]


@admin.register(Recommendation)
class RecommendationAdmin(AppendOnlyHistoryAdmin):
    list_display = ["report", "kind", "number", "short_text", "timeframe", "due_date"]
    list_filter = ["kind", "report__series", "report"]
    search_fields = ["text", "inspection_question"]
    list_select_related = ["report", "report__subject_force"]

    @admin.display(description="Text")
    def short_text(self, obj):
        return obj.text[:100]


@admin.register(Action)
class ActionAdmin(AppendOnlyHistoryAdmin):
    list_display = ["__str__", "force", "status", "due_date", "revised_due_date", "owner", "is_overdue_display"]
    list_filter = [OverdueFilter, "status", "recommendation__kind", "force", "recommendation__report__series"]
    search_fields = ["recommendation__text", "force__name"]
    list_select_related = ["force", "owner", "recommendation", "recommendation__report"]
    raw_id_fields = ["recommendation", "owner"]
    readonly_fields = ["version", "created_at", "updated_at", "started_at", "completed_at", "verified_at", "closed_at"]
    # Changed only through the workflow on the action page: version-checked, with a reason in the history.
    workflow_fields = ["recommendation", "force", "owner", "status", "revised_due_date", "recheck_on"]
    date_hierarchy = "due_date"

    def get_readonly_fields(self, request, obj=None):
        return [*self.workflow_fields, *self.readonly_fields] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # Deleting an action would take its notes and extension requests with it: only untouched ones may go.
        if obj is not None and (obj.version > 1 or obj.notes.exists() or obj.extension_requests.exists()):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # An admin's correction is a change like any other: raise the version so stale pages are refused.
        current = Action.objects.select_for_update().get(pk=obj.pk)
        for name in form.changed_data:
            setattr(current, name, getattr(obj, name))
        current.version += 1
        current.updated_at = timezone.now()
        current.save(update_fields=[*form.changed_data, "version", "updated_at"])
        obj.version, obj.updated_at = current.version, current.updated_at

    @admin.display(description="Overdue", boolean=True)
    def is_overdue_display(self, obj):
        return obj.is_overdue


@admin.register(ProgressNote)
class ProgressNoteAdmin(ReadOnlyAdmin):
    list_display = ["action", "author", "created_at", "attachment_name"]
    search_fields = ["text"]
    raw_id_fields = ["action", "author"]
    list_select_related = ["action__force", "action__recommendation__report", "author"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin, AppendOnlyHistoryAdmin):
    list_display = ["action", "requested_due_date", "decision", "requested_by", "decided_by"]
    list_filter = ["decision"]
    raw_id_fields = ["action", "requested_by", "decided_by"]
    list_select_related = ["action__force", "action__recommendation__report", "requested_by", "decided_by"]


@admin.register(ReminderLog)
class ReminderLogAdmin(TrackerAdmin):
    """Read-only: which reminders went to whom, so a complaint of a missing or repeated email can be checked."""

    list_display = ["sent_on", "kind", "user", "force", "created_at"]
    list_filter = ["kind", "sent_on"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user", "force"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
