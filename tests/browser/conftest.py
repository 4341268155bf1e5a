"""Browser fixtures: Debian's Chromium, driven by Playwright, against pytest-django's live server."""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, sync_playwright

from tests.authenticator import fresh_code
from tests.factories import (
    ActionFactory,
    ExtensionRequestFactory,
    KeyFigureFactory,
    RecommendationFactory,
    ReportFactory,
)
from tracker.models import Action, Report, User

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Quiet, offline, first-run-free Chromium: no Google services, no updates, no sandbox inside containers.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
APP_CSS = BASE_DIR / "static" / "dist" / "app.css"
SCREENSHOTS = BASE_DIR / "var" / "screenshots"
PASSWORD = "password"  # what tests.factories.UserFactory sets for every user
VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Launch Debian's Chromium once for the browser tests; fail (never skip) when it or the built CSS is missing."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. "
            "Run `make chromium` (as root, or `sudo apt-get install chromium`).",
            pytrace=False,
        )
    if not APP_CSS.is_file():
        pytest.fail(f"{APP_CSS.relative_to(BASE_DIR)} is missing: run `make assets` first.", pytrace=False)
    # Playwright's sync API keeps an asyncio loop running in this thread, so Django would refuse ORM calls
    # from the test (SynchronousOnlyOperation). The scope is the package, so the loop stops, and the
    # variable is unset, before the rest of the suite runs.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def browser_errors() -> list[str]:
    """Collect the JavaScript errors and console errors (e.g. scripts blocked by the CSP) of the test's pages."""
    return []


@pytest.fixture
def new_page(browser: Browser, live_server, browser_errors) -> Iterator[Callable[..., Page]]:
    """Return a function that opens a page in a fresh browser context (its own cookies, so its own user).

    bypass_csp=True lets a test inject a script of its own (axe-core); every other page keeps the site's CSP.
    """
    contexts = []

    def open_page(*, bypass_csp: bool = False) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=VIEWPORT,
            locale="en-GB",
            timezone_id="Europe/London",
            bypass_csp=bypass_csp,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: browser_errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: _console_error(page, message, browser_errors))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


def _console_error(page: Page, message: ConsoleMessage, errors: list[str]) -> None:
    # Error statuses (the 400 of a refused form, a 404) are the tests' to check; anything else is a fault.
    if message.type == "error" and not message.text.startswith("Failed to load resource: the server responded"):
        errors.append(f"{page.url}: {message.text}")


def _login(page: Page, user: User, next_url: str = "") -> Response | None:
    page.goto(f"/accounts/login/?{urlencode({'next': next_url})}" if next_url else "/accounts/login/")
    page.get_by_label("Username", exact=True).fill(user.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    # Reviewers and admins: the code from their authenticator app next (tracker.two_factor), set up beforehand.
    code = fresh_code(user) if user.needs_two_factor else None
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign in", exact=True).click()
    if code is not None:
        page.get_by_label("Code", exact=True).fill(code)
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Sign in", exact=True).click()
    assert "/accounts/login/" not in page.url, f"{user.username} could not sign in: {page.url}"
    return navigation.value


def _screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


@pytest.fixture
def login() -> Callable[..., Response | None]:
    """Return login(page, user, next_url=""): sign in with the real form, land on next_url; return its response."""
    return _login


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """Return screenshot(page, name): save the whole page to var/screenshots/<name>.png."""
    return _screenshot


@dataclass
class FollowUp:
    report: Report
    action: Action  # not started and overdue: the one the journey moves along
    in_progress: Action
    due_soon: Action
    awaiting_review: Action
    with_extension: Action
    other_force_action: Action


@pytest.fixture
def follow_up(force_a, force_b, psd_lead_a, colleague_a, psd_lead_b) -> FollowUp:
    """Build a West Midlands integrity report with actions in every open state, and one Leicestershire report."""
    today = timezone.localdate()

    def days(n: int) -> datetime.date:
        return today + datetime.timedelta(days=n)

    report = ReportFactory(
        slug="west-midlands-integrity",
        title="Police Integrity and Corruption",
        series="Police Integrity and Corruption",
        subject_force=force_a,
        published_on=days(-200),
    )
    KeyFigureFactory(
        report=report, code="complaints", label="Public complaints per 100 workforce", value=9.4, national_value=11.2
    )
    KeyFigureFactory(
        report=report, code="ccu-staff", label="Counter-corruption unit staff", value=14, national_value=None
    )

    def action(number: int, text: str, due: int, **kwargs) -> Action:
        recommendation = RecommendationFactory(
            report=report, number=number, text=text, timeframe="Within six months", due_date=days(due)
        )
        return ActionFactory(recommendation=recommendation, force=force_a, **kwargs)

    target = action(
        1,
        "Within six months, the force should ensure that it has communicated to all staff the requirements "
        "of the Code of Ethics and its policy on gifts and hospitality.",
        due=-14,
    )
    in_progress = action(
        2,
        "Within six months, the force should put in place an effective means of monitoring its ICT systems "
        "to identify staff who misuse them.",
        due=-3,
        status=Action.Status.IN_PROGRESS,
        started_at=timezone.now() - datetime.timedelta(days=40),
        owner=psd_lead_a,
    )
    due_soon = action(
        3,
        "Within six months, the force should ensure that its counter-corruption unit has the capacity and "
        "capability to seek intelligence on potential corruption proactively.",
        due=20,
        owner=colleague_a,
    )
    awaiting_review = action(
        4,
        "Within six months, the force should publish the outcomes of misconduct hearings on its website.",
        due=60,
        status=Action.Status.COMPLETED,
        completed_at=timezone.now() - datetime.timedelta(days=2),
        owner=psd_lead_a,
    )
    with_extension = action(
        5,
        "Within six months, the force should review the vetting status of all staff in posts that need "
        "enhanced vetting.",
        due=10,
        status=Action.Status.IN_PROGRESS,
        owner=psd_lead_a,
    )
    ExtensionRequestFactory(
        action=with_extension,
        requested_by=psd_lead_a,
        requested_due_date=days(100),
        reason="Re-vetting 400 staff needs the new vetting unit, which starts next quarter.",
    )

    other_report = ReportFactory(
        slug="leicestershire-integrity",
        title="Police Integrity and Corruption",
        subject_force=force_b,
        published_on=days(-200),
    )
    other = ActionFactory(
        recommendation=RecommendationFactory(report=other_report, number=1, due_date=days(-14)), force=force_b
    )
    ActionFactory(recommendation=RecommendationFactory(report=other_report, number=2, due_date=days(45)), force=force_b)
    return FollowUp(report, target, in_progress, due_soon, awaiting_review, with_extension, other)
