"""
What ForceSummary hears of actions saved or deleted around Action.save: a deletion, one by one or with its report,
and a raw save (a fixture or backup deserialised, which Django saves without calling Action.save); and what the
sign-in log hears of signing in and out.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from tracker import people, sessions
from tracker.models import Action, ForceSummary, SignInEvent, User


@receiver(pre_delete, sender=Action, dispatch_uid="uncount_deleted_action")
def uncount_deleted_action(sender, instance: Action, using: str, **kwargs) -> None:
    # Sent inside the deletion's transaction, for a cascade from a report or recommendation too.
    ForceSummary.objects.add({}, ForceSummary.objects.counts_of([instance.pk], using=using), using=using)


@receiver(pre_save, sender=Action, dispatch_uid="count_action_before_raw_save")
def count_action_before_raw_save(sender, instance: Action, raw: bool, using: str, **kwargs) -> None:
    if raw:
        instance._counted_before = ForceSummary.objects.counts_of([instance.pk], using=using, lock=True)


@receiver(post_save, sender=Action, dispatch_uid="count_action_after_raw_save")
def count_action_after_raw_save(sender, instance: Action, raw: bool, using: str, **kwargs) -> None:
    if raw:
        before = instance.__dict__.pop("_counted_before", {})
        ForceSummary.objects.add(ForceSummary.objects.counts_of([instance.pk], using=using), before, using=using)


@receiver(pre_save, sender=User, dispatch_uid="no_history_for_a_loaded_user")
def no_history_for_a_loaded_user(sender, instance: User, raw: bool, **kwargs) -> None:
    # A user deserialised from a fixture or backup brings its history rows with it. Django then sets its forces,
    # which django-simple-history would take for a change (m2m_changed knows nothing of raw saves).
    if raw:
        instance.skip_history_when_saving = True


# The sign-in log (tracker.sessions): who signed in, failed to, was locked out or signed out, when and from where.


@receiver(user_logged_in, dispatch_uid="log_sign_in")
def log_sign_in(sender, request, user, **kwargs) -> None:
    # Instead of Django's update_last_login (tracker.apps), which saves the user: a row in their history each time.
    user.last_login = timezone.now()
    User.objects.filter(pk=user.pk).update(last_login=user.last_login)
    people.accept_on_sign_in(user)  # an invitation is used by signing in through the organisation too
    if request is None:
        return
    through = getattr(request, "signed_in_through", None)  # an identity provider (tracker.sso)
    detail = f"Through {through}" if through else getattr(request, "sign_in_detail", "")  # a second factor
    sessions.record(user, SignInEvent.Kind.SIGNED_IN, request, identity=user.email if through else "", detail=detail)
    if hasattr(request, "session"):
        sessions.mark_active(request)


@receiver(user_logged_out, dispatch_uid="log_sign_out")
def log_sign_out(sender, request, user, **kwargs) -> None:
    kind = getattr(request, "sign_out_kind", SignInEvent.Kind.SIGNED_OUT)
    if user is not None and kind is not None:
        sessions.record(user, kind, request)


@receiver(user_login_failed, dispatch_uid="log_failed_sign_in")
def log_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    # After django-axes' receiver (axes is installed first), which says whether the attempt was refused while
    # locked, locked the account, or was a plain wrong password (tracker.signin.AccountAndAddressHandler).
    username = credentials.get(User.USERNAME_FIELD)
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if isinstance(username, str) else None
    if user is None or request is None:
        return  # no account to file it under (django-axes still counts it)
    sessions.record(user, getattr(request, "sign_in_outcome", SignInEvent.Kind.FAILED), request)
