"""
Every page of every role fits a 1,280 px window and a 375 px phone screen, and axe-core finds nothing serious.

The pages come from the permission matrix (every URL the project serves, and who may GET it), so a new page is
laid out and checked here without being listed. Each is saved to var/screenshots/<width>/<role>--<page>.png.
A page may be long, never wider than the window: wide tables scroll inside their own container.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from tests.browser.conftest import SCREENSHOTS, FollowUp
from tests.browser.test_accessibility import AXE, axe_violations, describe
from tests.test_permission_matrix import MATRIX
from tracker.models import Theme

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "phone": 375}
ROLES = ("anonymous", "psd_lead_a", "reviewer", "admin_user")
# Not pages: downloads, feeds, files and the API's JSON (its HTML landing page and token page are pages).
NOT_PAGES = {
    "tracker:action_export",
    "tracker:theme_export",
    "tracker:register_export",
    "tracker:workbook_download",
    "tracker:calendar_feed",
    "tracker:session_status",
    "tracker:evidence",
    "api:schema",
    "api:docs",
    "api:report-list",
    "api:recommendation-list",
    "api:action-list",
    "api:report-detail",
    "api:recommendation-detail",
    "api:action-detail",
    "api:action-history",
}
# Addresses with a query that lay a page out differently, and the error pages each role can meet.
EXTRA = {
    "psd_lead_a": [
        ("action-list-filtered", lambda data: "/actions/?q=the+force&status=not_started&status=in_progress&sort=due"),
        ("upcoming-60-days", lambda data: "/actions/upcoming/?days=60"),
        ("refused-dashboard", lambda data: "/dashboard/"),
        ("not-found", lambda data: "/actions/999999/"),
    ],
    "reviewer": [
        ("trends-ten-years", lambda data: "/trends/?months=120"),
        ("action-with-extension", lambda data: data.with_extension.get_absolute_url()),
    ],
    "anonymous": [("not-found", lambda data: "/no-such-page/")],
    # The admin sees the reviewer's pages, and these of its own (Django's admin, with the import's summary).
    "admin_user": [
        ("admin-index", lambda data: reverse("admin:index")),
        ("admin-reports", lambda data: reverse("admin:tracker_report_changelist")),
        ("admin-report-import", lambda data: reverse("admin:tracker_report_import")),
        ("admin-report-imported", lambda data: reverse("admin:tracker_report_imported", args=[data.report.pk])),
    ],
}


STYLESHEET_LOADED = (
    "[...document.styleSheets].some(s => s.href && s.href.endsWith('/static/dist/app.css') && s.cssRules.length)"
)


def _address(key: str, data: FollowUp, theme: Theme) -> str:
    """Return the address of page `key` for the follow-up data's objects (all of West Midlands')."""
    kwargs = {
        "tracker:force": {"slug": data.action.force.slug},
        "tracker:action": {"pk": data.action.pk},
        "tracker:report": {"slug": data.report.slug},
        "tracker:report_response": {"slug": data.report.slug},
        "tracker:theme": {"pk": theme.pk},
        "tracker:register_report": {"slug": data.report.slug},
        "tracker:register_action": {"pk": data.action.pk},
        "tracker:person": {"pk": data.action.force.members.first().pk},
    }
    return reverse(key, kwargs=kwargs.get(key))


def pages_for(role: str) -> list[str]:
    """Return the url names `role` may GET as a page (200), from the permission matrix."""
    return [key for key, outcomes in MATRIX.items() if outcomes["GET"][role] == 200 and key not in NOT_PAGES]


def _check(page: Page, role: str, name: str, *, run_axe: bool) -> list[str]:
    problems = []
    width = page.viewport_size["width"]
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true })")
    label = "desktop" if width == WIDTHS["desktop"] else "phone"
    path = SCREENSHOTS / label / f"{role}--{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=True)
    wider = page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth <= width) return null;
          const culprits = [...document.querySelectorAll('main *')]
            .filter(el => el.getBoundingClientRect().right > width + 1)
            .filter(el => !el.closest('.app-table-container'))
            .slice(0, 3)
            .map(el => {
              const classes = typeof el.className === 'string' ? el.className.trim().split(/\\s+/).join('.') : '';
              const right = Math.round(el.getBoundingClientRect().right);
              return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${classes} (right edge ${right} px)`;
            });
          return {scroll: document.documentElement.scrollWidth, culprits};
        }"""
    )
    if wider:
        problems.append(
            f"{page.url} at {width} px is {wider['scroll']} px wide ({path.relative_to(SCREENSHOTS.parent.parent)}); "
            f"first too wide: {'; '.join(wider['culprits']) or 'outside <main>'}"
        )
    if run_axe and (violations := axe_violations(page)):
        problems.append(describe(page.url, violations))
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_the_window_at_both_widths_with_no_serious_axe_violations(
    request, role, new_page, login, follow_up
):
    assert AXE.is_file(), "node_modules/axe-core is missing: run `npm ci` (or `make assets`)."
    theme = Theme.objects.create(title="Gifts and hospitality", canonical_wording="Publish the register.")
    follow_up.action.recommendation.theme = theme
    follow_up.action.recommendation.save()
    follow_up.report.is_publishable = True  # so the register's report and action pages show it
    follow_up.report.save()
    pages = [] if role == "admin_user" else pages_for(role)  # the admin's tracker pages are the reviewer's
    addresses = [(key.split(":")[-1].replace("_", "-"), _address(key, follow_up, theme)) for key in pages]
    for name, address in EXTRA.get(role, []):
        addresses.append((name, address(follow_up)))
    problems = []
    for device, width in WIDTHS.items():
        page = new_page(bypass_csp=True)  # the site's CSP would block the injected axe-core
        page.set_viewport_size({"width": width, "height": 900})
        if role != "anonymous":
            login(page, request.getfixturevalue(role))
        for name, address in addresses:
            response = page.goto(address)
            assert response.status < 500, f"{address}: HTTP {response.status}"
            assert "text/html" in response.headers.get("content-type", ""), f"{address} is not a page"
            if not address.startswith(reverse("admin:index")):  # Django's admin has its own styles
                assert page.evaluate(STYLESHEET_LOADED), f"{address}: static/dist/app.css did not load"
            problems += _check(page, role, name, run_axe=device == "desktop")
    assert not problems, "Pages that do not fit or have serious accessibility problems:\n" + "\n".join(problems)
