from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Recommendation Tracker"

    def ready(self) -> None:
        from tracker import checks  # noqa: F401  (registers the system checks)
