from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Recommendation Tracker"

    def ready(self) -> None:
        from tracker import checks, signals  # noqa: F401  (registers the system checks and signal receivers)
