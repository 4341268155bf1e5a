"""Template context shared by every page."""

from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject

from tracker import sessions
from tracker.links import reverse_cached


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


@dataclass(frozen=True)
class IdleWarning:
    """When the page warns that an unused session is about to end (templates/includes/idle_warning.html)."""

    timeout_seconds: int
    warning_seconds: int


def navigation(request) -> dict:
    """Return the service navigation for the signed-in user, marking the current section, and the idle warning."""
    # Lazy, so a page that never shows it (the public register) does not read the session for it: reading the
    # session adds "Vary: Cookie", which stops shared caches serving one copy of the page to everyone.
    timeout = sessions.idle_timeout()
    warning = (
        IdleWarning(int(timeout.total_seconds()), int(sessions.idle_warning().total_seconds())) if timeout else None
    )
    return {"navigation": SimpleLazyObject(lambda: _navigation_items(request)), "idle_warning": warning}


def _navigation_items(request) -> list[NavItem]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    if user.is_reviewer:
        items += [
            ("All forces", reverse_cached("tracker:dashboard")),
            ("Review queue", reverse_cached("tracker:review_queue")),
            ("Themes", reverse_cached("tracker:theme_list")),
            ("Figures", reverse_cached("tracker:figures")),
        ]
    else:
        items.append(("My force", reverse_cached("tracker:home")))
        if not user.is_commissioner:  # a commissioner's office owns no actions
            items.append(("My actions", reverse_cached("tracker:my_actions")))
    items += [
        ("Overdue", reverse_cached("tracker:overdue")),
        ("Upcoming", reverse_cached("tracker:upcoming")),
        ("All actions", reverse_cached("tracker:action_list")),
        ("Reports", reverse_cached("tracker:report_list")),
        ("Trends", reverse_cached("tracker:trends")),
        ("Calendar", reverse_cached("tracker:calendar")),
    ]
    if user.is_staff and user.has_perm("tracker.view_user"):
        items.append(("People", reverse_cached("tracker:people")))
    if user.is_staff:
        items.append(("Admin", reverse_cached("admin:index")))
    # The longest matching address wins, so /actions/overdue/ marks "Overdue", not "All actions".
    path = request.path
    matches = [url for _, url in items if path == url or (url != "/" and path.startswith(url))]
    current = max(matches, key=len) if matches else None
    return [NavItem(label, url, url == current) for label, url in items]
