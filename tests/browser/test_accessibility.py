"""The keyboard and labels work; axe-core's helpers for test_layout, which runs it on every page."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import BASE_DIR

pytestmark = pytest.mark.browser

AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}

UNLABELLED_CONTROLS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden')
  .filter(el => {
    const byLabel = [...(el.labels || [])].some(label => label.textContent.trim());
    const byAria = (el.getAttribute('aria-label') || '').trim() ||
      (el.getAttribute('aria-labelledby') || '').split(/\\s+/)
        .some(id => id && (document.getElementById(id)?.textContent || '').trim());
    return !(byLabel || byAria);
  })
  .map(el => el.outerHTML.slice(0, 160))"""


def visit(page: Page, url: str) -> Page:
    """Open `url`, check it loaded with its stylesheet, and expand every <details> so the forms inside count."""
    response = page.goto(url)
    assert response.ok, f"{url}: HTTP {response.status}"
    stylesheet_loaded = page.evaluate(
        "[...document.styleSheets].some(s => s.href && s.href.endsWith('/static/dist/app.css') && s.cssRules.length)"
    )
    assert stylesheet_loaded, f"{url}: static/dist/app.css did not load, so colour contrast cannot be checked"
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true })")
    return page


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core on the page and return its serious and critical violations."""
    page.add_script_tag(path=AXE)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]


def describe(url: str, violations: list[dict]) -> str:
    lines = [url]
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']} – {violation['helpUrl']}")
        for node in violation["nodes"]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"      {' > '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main_content(
    new_page, login, follow_up, psd_lead_a, browser_errors
):
    page = new_page()
    for sign_in in (False, True):
        if sign_in:
            login(page, psd_lead_a, next_url=follow_up.action.get_absolute_url())  # header, nav and breadcrumbs
        else:
            page.goto("/accounts/login/")
        page.keyboard.press("Tab")
        skip_link = page.get_by_role("link", name="Skip to main content")
        expect(skip_link).to_be_focused()
        expect(skip_link).to_be_visible()
        page.keyboard.press("Enter")
        expect(page.locator("main#main-content")).to_be_focused()
    assert not browser_errors, "\n".join(browser_errors)  # GOV.UK Frontend's scripts ran under the site's CSP


def test_every_form_control_has_a_label(new_page, login, follow_up, psd_lead_a, reviewer):
    problems = []
    for user, urls in (
        (None, ["/accounts/login/"]),
        (psd_lead_a, ["/actions/?q=the+force", "/actions/upcoming/"]),
        (reviewer, ["/review/"]),
    ):
        page = new_page()
        if user:
            login(page, user)
        for url in urls:
            visit(page, url)
            problems += [f"{url}: {control}" for control in page.evaluate(UNLABELLED_CONTROLS)]
    assert not problems, "Form controls without a label:\n" + "\n".join(problems)


# Pages that show several forms whose fields share names (the action page: the transition and note forms'
# "text"; a reviewer's action list: the filter's and the bulk form's "owner") must still give each its own id:
# axe-core misses this (it only checks that some label[for] names the id).
@pytest.mark.parametrize(
    ("user", "address"),
    [
        ("psd_lead_a", lambda data: data.action.get_absolute_url()),
        ("reviewer", lambda data: data.with_extension.get_absolute_url()),
        ("reviewer", lambda data: "/actions/"),
    ],
    ids=["psd-lead-action-page", "reviewer-action-page", "reviewer-action-list"],
)
def test_every_form_control_has_a_label_where_forms_share_field_names(
    request, user, address, new_page, login, follow_up
):
    page = new_page()
    login(page, request.getfixturevalue(user), next_url=address(follow_up))
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true })")
    unlabelled = page.evaluate(UNLABELLED_CONTROLS)
    assert not unlabelled, f"Form controls without a label on {page.url}:\n" + "\n".join(unlabelled)
