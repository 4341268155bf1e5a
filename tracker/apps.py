from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Recommendation Tracker"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from tracker import checks, signals  # noqa: F401  (registers the system checks and signal receivers)

        # Django saves the user to note the sign-in, which would add a row to their history each time: the sign-in
        # log notes it instead (tracker.signals.log_sign_in), last_login with it.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
