"""Template context shared by every page."""
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def navigation(request) -> dict:
    """Return the service navigation for the signed-in user, marking the current section."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = []
    if user.is_reviewer:
        items.append(("All forces", reverse("tracker:dashboard")))
    else:
        items.append(("My force", reverse("tracker:home")))
    items += [
        ("Actions", reverse("tracker:action_list")),
        ("Reports", reverse("tracker:report_list")),
    ]
    if user.is_staff:
        items.append(("Admin", reverse("admin:index")))
    path = request.path
    return {"navigation": [NavItem(label, url, path == url or (url != "/" and path.startswith(url))) for label, url in items]}
